"""The background thread that keeps this node's index in step with the change log.

One thread per web process; of all the processes sharing an index folder, the one that
holds the folder's leader lock follows the log for them all: on PostgreSQL it LISTENs
and syncs as soon as a change commits, with a poll every ``EXPERTNET_INDEX_POLL_SECONDS``
as the fallback (a lost connection, a missed notification); on SQLite it polls. The
others sync only when their own process asks (``wake``) and take over the lead when its
holder exits. The first pass catches up on start.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from .changelog import CHANNEL
from .node import SyncBusy

log = logging.getLogger(__name__)

#: The leader reports its position at least this often (pruning keeps live nodes' needs).
HEARTBEAT_SECONDS = 60.0
#: The leader prunes the log this often.
PRUNE_SECONDS = 600.0
#: After the LISTEN connection fails, poll only for this long before trying again.
RELISTEN_SECONDS = 30.0
#: How long a pass waits for another process of this node that is syncing.
PASS_LOCK_WAIT = 0.2

_syncers: dict[tuple[int, str], Syncer] = {}
_registry_lock = threading.Lock()


class _Listener:
    """A dedicated autocommit PostgreSQL connection that LISTENs on the change channel."""

    def __init__(self, url) -> None:
        import psycopg

        conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self.conn = psycopg.connect(conninfo, autocommit=True, connect_timeout=5)
        self.conn.execute(f"LISTEN {CHANNEL}")

    def wait(self, timeout: float) -> bool:
        """True when a change was notified within ``timeout`` seconds."""
        for _notify in self.conn.notifies(timeout=timeout, stop_after=1):
            return True
        return False

    def close(self) -> None:
        try:
            self.conn.close()
        except Exception:  # closing a broken connection may fail; it is gone either way
            log.debug("closing the LISTEN connection failed", exc_info=True)


class Syncer(threading.Thread):
    """Follows the change log for this process's index folder until ``stop``."""

    def __init__(self, app) -> None:
        super().__init__(name="expertnet-index-syncer", daemon=True)
        self.app = app
        self.poll = max(0.05, float(app.config.get("EXPERTNET_INDEX_POLL_SECONDS", 1.0)))
        self.mode = "starting"
        self.passes = 0
        self.last_report = None
        self.last_error: str | None = None
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._leader_fd: int | None = None
        self._listener: _Listener | None = None
        self._listen_after = 0.0
        self._reported: tuple[int | None, float] = (None, 0.0)
        self._prune_after = 0.0
        self._failures = 0

    # -- control ---------------------------------------------------------------------

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._wake.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout)

    # -- the loop --------------------------------------------------------------------

    def run(self) -> None:
        from .index import node_folder

        node = node_folder(self.app)
        try:
            while not self._stopping.is_set():
                try:
                    self._step(node)
                except Exception:  # never let the thread die: the node would go stale
                    self._failures += 1
                    log.exception("the index syncer failed")
                    self._stopping.wait(min(30.0, self.poll * 2 ** min(self._failures, 5)))
        finally:
            self._close_listener()
            if self._leader_fd is not None:
                os.close(self._leader_fd)
                self._leader_fd = None
            self.mode = "stopped"

    def _step(self, node) -> None:
        if self._leader_fd is None:
            self._leader_fd = node.try_lead()
        leader = self._leader_fd is not None
        woken = self._wake.is_set()
        self._wake.clear()
        if leader:
            # LISTEN before the pass: nothing committed in between goes unnoticed.
            self._ensure_listener()
            self.mode = "listening" if self._listener is not None else "polling"
        else:
            self.mode = "follower"
        if leader or woken:
            self._pass(leader)
        self._wait(leader)

    def _wait(self, leader: bool) -> None:
        if self._failures:
            # The database or the disk is failing: back off, up to half a minute.
            self._stopping.wait(min(30.0, self.poll * 2 ** min(self._failures, 5)))
            return
        if leader and self._listener is not None:
            # In short slices, so that a local wake or a stop is not kept waiting.
            deadline = time.monotonic() + self.poll
            while not (self._stopping.is_set() or self._wake.is_set()):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                try:
                    if self._listener.wait(min(remaining, 0.5)):
                        return
                except Exception:
                    log.warning("lost the LISTEN connection; polling meanwhile", exc_info=True)
                    self._close_listener()
                    return
            return
        self._wake.wait(self.poll if leader else self.poll * 5)

    def _ensure_listener(self) -> None:
        if self._listener is not None or time.monotonic() < self._listen_after:
            return
        with self.app.app_context():
            from ..extensions import db

            url = db.engine.url
        if url.get_backend_name() != "postgresql":
            self._listen_after = float("inf")  # SQLite and others: polling only
            return
        try:
            self._listener = _Listener(url)
        except Exception:
            log.warning("cannot LISTEN for index changes; polling", exc_info=True)
            self._listen_after = time.monotonic() + RELISTEN_SECONDS

    def _close_listener(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None
            self._listen_after = time.monotonic() + RELISTEN_SECONDS

    def _pass(self, leader: bool) -> None:
        from .index import sync_in_own_session

        now = time.monotonic()
        last_position, reported_at = self._reported
        prune = leader and now >= self._prune_after
        try:
            report = sync_in_own_session(
                self.app,
                wait=PASS_LOCK_WAIT,
                record=last_position is None or now - reported_at >= HEARTBEAT_SECONDS,
                prune=prune,
                recorded=last_position,
            )
        except SyncBusy:
            return  # another process of this node is on it
        except Exception as exc:
            self._failures += 1
            self.last_error = f"{type(exc).__name__}: {exc}"
            if self._failures == 1 or self._failures % 20 == 0:
                log.exception("syncing the search index failed")
            return
        if report.position != last_position or now - reported_at >= HEARTBEAT_SECONDS:
            self._reported = (report.position, now)
        self._failures = 0
        self.last_error = None
        self.passes += 1
        self.last_report = report
        if prune:
            self._prune_after = now + PRUNE_SECONDS


# --- the registry: one syncer per process and index folder -----------------------------------


def _key(app) -> tuple[int, str]:
    return (os.getpid(), app.config["EXPERTNET_INDEX_DIR"])


def start_syncer(app) -> Syncer | None:
    """Start this process's syncer for the app's index folder, once; None when disabled."""
    if not app.config.get("EXPERTNET_INDEX_SYNC", True):
        return None
    key = _key(app)
    with _registry_lock:
        syncer = _syncers.get(key)
        if syncer is None or not syncer.is_alive():
            syncer = _syncers[key] = Syncer(app)
            syncer.start()
        return syncer


def wake(app) -> bool:
    """Ask this process's running syncer for a pass now; False when none runs."""
    syncer = _syncers.get(_key(app))
    if syncer is None or not syncer.is_alive():
        return False
    syncer.wake()
    return True


def syncer_mode(app) -> str:
    """One of listening, polling, follower (another process leads), off, not started."""
    if not app.config.get("EXPERTNET_INDEX_SYNC", True):
        return "off"
    syncer = _syncers.get(_key(app))
    if syncer is None or not syncer.is_alive():
        return "not started"
    return syncer.mode


def stop_syncers(app=None) -> None:
    """Stop this process's syncers (all, or the app's), waiting for each to finish."""
    with _registry_lock:
        keys = [k for k in _syncers if app is None or k == _key(app)]
        stopping = [_syncers.pop(k) for k in keys]
    for syncer in stopping:
        syncer.stop()


def init_app(app) -> None:
    """Start the syncer with the first request each web process serves (after any fork)."""

    @app.before_request
    def _start_index_syncer():
        if app.config.get("EXPERTNET_INDEX_SYNC", True) and _key(app) not in _syncers:
            start_syncer(app)
