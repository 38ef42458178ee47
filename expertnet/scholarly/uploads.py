"""Uploaded publication files kept between the preview and the confirmation.

Kept in the file store (``expertnet.core.storage``, shared by every app node) as
``scholarly/pending/<token>.bin`` with ``<token>.json`` beside it (who uploaded it, for
which record or organisation), so the preview may be made on one node and confirmed on
another. The random token is the only name, and it is checked against the user and the
owner on every use; uploads older than ``MAX_AGE`` are removed whenever a new one arrives.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ..core.storage import current_store

MAX_AGE = 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_PENDING = "scholarly/pending"


@dataclass
class Upload:
    token: str
    data: bytes
    filename: str

    def discard(self) -> None:
        store = current_store()
        store.delete(f"{_PENDING}/{self.token}.bin")
        store.delete(f"{_PENDING}/{self.token}.json")

    def discard_file(self) -> None:
        """Drop the file, keep what is known about it (a large import's state)."""
        current_store().delete(f"{_PENDING}/{self.token}.bin")


def _meta(token: str, owner_id: int, user_id: int, scope: str) -> dict | None:
    if not _TOKEN.match(token):
        return None
    raw = current_store().get_bytes(f"{_PENDING}/{token}.json")
    try:
        meta = json.loads(raw) if raw is not None else None
    except ValueError:
        return None
    if not isinstance(meta, dict) or (
        meta.get("scope"),
        meta.get("owner_id"),
        meta.get("user_id"),
    ) != (scope, owner_id, user_id):
        return None
    return meta


def import_state(token: str, owner_id: int, user_id: int, scope: str = "org") -> dict | None:
    """What is known of this user's upload for this owner: ``state``, ``result``, ``error``."""
    return _meta(token, owner_id, user_id, scope)


def set_import_state(token: str, **fields) -> None:
    """Record a large import's state beside its upload (read by ``import_state``)."""
    store = current_store()
    raw = store.get_bytes(f"{_PENDING}/{token}.json")
    meta = json.loads(raw) if raw is not None else {}
    meta.update(fields)
    store.put_bytes(f"{_PENDING}/{token}.json", json.dumps(meta, ensure_ascii=False).encode())


def _cleanup() -> None:
    store = current_store()
    limit = datetime.now(UTC) - timedelta(seconds=MAX_AGE)
    for old in store.list(_PENDING):
        if old.modified_at < limit:
            store.delete(old.key)


def save_upload(
    data: bytes, filename: str, owner_id: int, user_id: int, scope: str = "person"
) -> Upload:
    _cleanup()
    store = current_store()
    token = secrets.token_urlsafe(24)
    store.put_bytes(f"{_PENDING}/{token}.bin", data)
    meta = {"scope": scope, "owner_id": owner_id, "user_id": user_id, "filename": filename}
    store.put_bytes(f"{_PENDING}/{token}.json", json.dumps(meta, ensure_ascii=False).encode())
    return Upload(token, data, filename)


def load_upload(token: str, owner_id: int, user_id: int, scope: str = "person") -> Upload | None:
    """The upload named by ``token`` if this user made it for this record or organisation."""
    meta = _meta(token, owner_id, user_id, scope)
    if meta is None:
        return None
    data = current_store().get_bytes(f"{_PENDING}/{token}.bin")
    return Upload(token, data, meta.get("filename", "")) if data is not None else None
