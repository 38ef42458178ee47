"""Uploaded rosters kept between the preview and the confirmation, and the reports.

An upload is kept in the file store (``expertnet.core.storage``, shared by every app node)
as ``roster/pending/<token><ext>`` with ``<token>.json`` beside it (who uploaded it, for
which organisation, the preview), so the preview may be made on one node and confirmed on
another. The token is random and is the only way to name it, and it is checked against
the user and organisation on every use. Uploads older than ``MAX_AGE`` are removed
whenever a new one arrives.
"""

from __future__ import annotations

import json
import re
import secrets
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from flask import current_app

from ..core.storage import current_store

MAX_AGE = 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_PENDING = "roster/pending"
_REPORTS = "roster/reports"


def roster_dir() -> Path:
    return Path(current_app.config["EXPERTNET_UPLOAD_DIR"]) / "roster"


def report_dir() -> Path:
    """Where the command line writes reports of rejected rows (on this machine)."""
    return roster_dir() / "reports"


@dataclass
class Upload:
    token: str
    key: str
    meta: dict[str, Any]

    def save_meta(self) -> None:
        current_store().put_bytes(
            f"{_PENDING}/{self.token}.json", json.dumps(self.meta, ensure_ascii=False).encode()
        )

    def exists(self) -> bool:
        return current_store().exists(self.key)

    def discard_file(self) -> None:
        current_store().delete(self.key)

    @contextmanager
    def local_copy(self) -> Iterator[Path | None]:
        """The uploaded file as a path on this machine (fetched from the store if need be)."""
        with current_store().local_copy(self.key) as path:
            yield path


def _cleanup() -> None:
    store = current_store()
    limit = datetime.now(UTC) - timedelta(seconds=MAX_AGE)
    for old in store.list(_PENDING):
        if old.modified_at < limit:
            store.delete(old.key)


def save_upload(stream: IO[bytes], filename: str, organization_id: int, user_id: int) -> Upload:
    """Store an uploaded file under a new random token."""
    _cleanup()
    token = secrets.token_urlsafe(24)
    ext = ".xlsx" if filename.lower().endswith(".xlsx") else ".csv"
    key = f"{_PENDING}/{token}{ext}"
    with tempfile.NamedTemporaryFile(prefix="expertnet-roster-", suffix=ext) as tmp:
        while chunk := stream.read(1 << 20):
            tmp.write(chunk)
        tmp.flush()
        current_store().put_file(key, Path(tmp.name))
    upload = Upload(
        token,
        key,
        {
            "organization_id": organization_id,
            "user_id": user_id,
            "filename": filename,
            "ext": ext,
            "uploaded_at": time.time(),
        },
    )
    upload.save_meta()
    return upload


def load_upload(token: str, organization_id: int, user_id: int) -> Upload | None:
    """The upload named by ``token`` if this user made it for this organisation."""
    if not _TOKEN.match(token):
        return None
    raw = current_store().get_bytes(f"{_PENDING}/{token}.json")
    if raw is None:
        return None
    try:
        meta = json.loads(raw.decode("utf-8"))
    except ValueError:
        return None
    if meta.get("organization_id") != organization_id or meta.get("user_id") != user_id:
        return None
    ext = ".xlsx" if meta.get("ext") == ".xlsx" else ".csv"
    return Upload(token, f"{_PENDING}/{token}{ext}", meta)


def publish_report(path: Path | None) -> None:
    """Move a report written on this machine into the store, where every node finds it."""
    if path is None:
        return
    current_store().put_file(f"{_REPORTS}/{path.name}", path)
    path.unlink(missing_ok=True)


def find_report(token: str, organization_id: int) -> bytes | None:
    """The report named by ``token`` for this organisation, if it exists."""
    if not _TOKEN.match(token):
        return None
    pattern = re.compile(rf"^roster-report-org{organization_id}-[0-9-]+-{re.escape(token)}\.csv$")
    store = current_store()
    for item in store.list(_REPORTS):
        if pattern.match(item.key.rsplit("/", 1)[-1]):
            return store.get_bytes(item.key)
    return None
