"""Uploaded rosters kept between the preview and the confirmation, and the reports.

An upload is stored under the instance folder as ``<token><ext>`` with ``<token>.json``
beside it (who uploaded it, for which organisation, the preview); the token is random
and is the only way to name it, and it is checked against the user and organisation on
every use. Uploads older than ``MAX_AGE`` are removed whenever a new one arrives.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from flask import current_app

MAX_AGE = 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def roster_dir() -> Path:
    return Path(current_app.config["EXPERTNET_UPLOAD_DIR"]) / "roster"


def report_dir() -> Path:
    """Where reports of rejected rows are written."""
    return roster_dir() / "reports"


def _upload_dir() -> Path:
    path = roster_dir() / "pending"
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class Upload:
    token: str
    path: Path
    meta: dict[str, Any]

    def save_meta(self) -> None:
        meta_path = self.path.with_suffix(".json")
        tmp = meta_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.meta, ensure_ascii=False), encoding="utf-8")
        tmp.replace(meta_path)

    def discard_file(self) -> None:
        self.path.unlink(missing_ok=True)


def _cleanup(folder: Path) -> None:
    limit = time.time() - MAX_AGE
    for old in folder.iterdir():
        try:
            if old.stat().st_mtime < limit:
                old.unlink()
        except OSError:
            continue


def save_upload(stream: IO[bytes], filename: str, organization_id: int, user_id: int) -> Upload:
    """Store an uploaded file under a new random token."""
    folder = _upload_dir()
    _cleanup(folder)
    token = secrets.token_urlsafe(24)
    ext = ".xlsx" if filename.lower().endswith(".xlsx") else ".csv"
    path = folder / f"{token}{ext}"
    with path.open("wb") as fh:
        while chunk := stream.read(1 << 20):
            fh.write(chunk)
    upload = Upload(
        token,
        path,
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
    meta_path = _upload_dir() / f"{token}.json"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if meta.get("organization_id") != organization_id or meta.get("user_id") != user_id:
        return None
    return Upload(token, _upload_dir() / f"{token}{meta.get('ext', '.csv')}", meta)


def find_report(token: str, organization_id: int) -> Path | None:
    """The report file named by ``token`` for this organisation, if it exists."""
    if not _TOKEN.match(token):
        return None
    folder = report_dir()
    if not folder.is_dir():
        return None
    for path in folder.glob(f"roster-report-org{organization_id}-*-{token}.csv"):
        return path
    return None
