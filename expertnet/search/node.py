"""What one node keeps beside its index: the last change-log entry applied, and its locks.

The state lives in the index folder itself, so deleting the folder also forgets the
position (and the node rebuilds). All processes of one node share the folder: the sync
lock lets one of them apply entries at a time, the leader lock lets one of them listen
for changes.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

STATE_FILE = "sync-state.json"
SYNC_LOCK_FILE = "sync.lock"
LEADER_LOCK_FILE = "syncer.lock"


class SyncBusy(Exception):
    """Another process of this node is syncing the index and did not finish in time."""


@dataclass(frozen=True)
class NodeState:
    """This index reflects every log entry up to ``applied`` of the log ``epoch``."""

    epoch: str
    applied: int


class NodeFolder:
    """The index folder seen as a node: its state file and its locks."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path).resolve()
        self.host = socket.gethostname()
        # Stable across restarts and across deleting the folder: the same machine and
        # folder are the same node in the registry.
        self.node_id = hashlib.sha1(  # noqa: S324 - an identifier, not a secret
            f"{self.host}\0{self.path}".encode()
        ).hexdigest()

    def read_state(self) -> NodeState | None:
        """The recorded position, or None when missing or unreadable (the node rebuilds)."""
        try:
            data = json.loads((self.path / STATE_FILE).read_text("utf-8"))
            return NodeState(str(data["epoch"]), int(data["applied"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def write_state(self, state: NodeState) -> None:
        """Record the position atomically (a crash leaves the old one, which replays again)."""
        self.path.mkdir(parents=True, exist_ok=True)
        tmp = self.path / f".{STATE_FILE}.{os.getpid()}.{threading.get_ident()}"
        tmp.write_text(json.dumps({"epoch": state.epoch, "applied": state.applied}), "utf-8")
        os.replace(tmp, self.path / STATE_FILE)

    @contextlib.contextmanager
    def lock(self, timeout: float) -> Iterator[None]:
        """Hold the node's sync lock; SyncBusy when it stays taken for ``timeout`` seconds.

        flock locks belong to the open file, so two threads of one process exclude each
        other as two processes do.
        """
        self.path.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path / SYNC_LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            deadline = time.monotonic() + timeout
            delay = 0.005
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise SyncBusy("another process is syncing this node's index") from None
                    time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
                    delay = min(delay * 2, 0.2)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def try_lead(self) -> int | None:
        """Take the leader lock if free; returns the descriptor to keep (close to release)."""
        self.path.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path / LEADER_LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        return fd
