"""Uploaded publication files kept between the preview and the confirmation.

Stored under the instance folder as ``<token>.bin`` with ``<token>.json`` beside it (who
uploaded it, for which record or organisation). The random token is the only name, and
it is checked against the user and the owner on every use; files older than ``MAX_AGE``
are removed whenever a new one arrives.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

MAX_AGE = 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _folder() -> Path:
    path = Path(current_app.config["EXPERTNET_UPLOAD_DIR"]) / "scholarly" / "pending"
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class Upload:
    token: str
    path: Path
    filename: str

    @property
    def data(self) -> bytes:
        return self.path.read_bytes()

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)
        self.path.with_suffix(".json").unlink(missing_ok=True)


def _cleanup(folder: Path) -> None:
    limit = time.time() - MAX_AGE
    for old in folder.iterdir():
        try:
            if old.stat().st_mtime < limit:
                old.unlink()
        except OSError:
            continue


def save_upload(
    data: bytes, filename: str, owner_id: int, user_id: int, scope: str = "person"
) -> Upload:
    folder = _folder()
    _cleanup(folder)
    token = secrets.token_urlsafe(24)
    path = folder / f"{token}.bin"
    path.write_bytes(data)
    meta = {"scope": scope, "owner_id": owner_id, "user_id": user_id, "filename": filename}
    path.with_suffix(".json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return Upload(token, path, filename)


def load_upload(token: str, owner_id: int, user_id: int, scope: str = "person") -> Upload | None:
    """The upload named by ``token`` if this user made it for this record or organisation."""
    if not _TOKEN.match(token):
        return None
    folder = _folder()
    try:
        meta = json.loads((folder / f"{token}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (meta.get("scope"), meta.get("owner_id"), meta.get("user_id")) != (
        scope,
        owner_id,
        user_id,
    ):
        return None
    path = folder / f"{token}.bin"
    return Upload(token, path, meta.get("filename", "")) if path.exists() else None
