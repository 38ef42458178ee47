"""Document files: type checked by content, stored once per SHA-256 in the file store."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
import zipfile
from pathlib import Path
from typing import BinaryIO

from ..core.storage import FileStore
from ..core.zipguard import DOCUMENT_LIMITS, ZipRejected, open_zip, read_member
from .models import MAX_DOCUMENT_BYTES, MediaType

_CHUNK = 1024 * 1024
_UNSAFE = re.compile(r"[\x00-\x1f\x7f<>:\"|?*]")

EXTENSIONS = {
    MediaType.pdf: (".pdf",),
    MediaType.docx: (".docx",),
    MediaType.odt: (".odt",),
    MediaType.xlsx: (".xlsx",),
}


class DocumentRejected(ValueError):
    """The upload cannot be kept; ``status`` is 413 (too large) or 422 (name or type)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def safe_filename(name: str) -> str:
    """The last path component of ``name``, NFC, without control or shell-special characters.

    The name is only ever shown and offered as the download name: files are stored by
    their hash, so no name can reach outside the upload folder.
    """
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("", name).strip().lstrip(".").strip()
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 200 - len(ext) - 1] + dot + ext) if dot else name[:200]
    return name


def _zip_kind(head: bytes, path: Path) -> MediaType | None:
    """The office format of a ZIP container; ``DocumentRejected`` for a decompression bomb."""
    try:
        with open_zip(path, DOCUMENT_LIMITS) as zf:
            names = set(zf.namelist())
            if "mimetype" in names:
                mimetype = read_member(zf, "mimetype", 100).strip()
                if mimetype == MediaType.odt.value.encode():
                    return MediaType.odt
                return None
            if "[Content_Types].xml" in names:
                if "word/document.xml" in names:
                    return MediaType.docx
                if "xl/workbook.xml" in names:
                    return MediaType.xlsx
    except ZipRejected as exc:
        if exc.reason == "unreadable":
            return None
        raise DocumentRejected(422, "archive") from exc
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return None
    return None


def detect_type(path: Path) -> MediaType | None:
    """PDF by its magic bytes; DOCX, XLSX and ODT by the members of their ZIP container."""
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(b"%PDF-"):
        return MediaType.pdf
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(head, path)
    return None


def store(
    stream: BinaryIO, filename: str, file_store: FileStore
) -> tuple[str, int, MediaType, str]:
    """Check and keep an upload; returns (sha256, size, media type, safe name).

    The stream is copied to a temporary file while hashing and checked there, so nothing
    half-checked ever reaches the store; a refused upload leaves nothing behind.
    """
    name = safe_filename(filename)
    if not name or "." not in name:
        raise DocumentRejected(422, "name")
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(prefix="expertnet-upload-")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > MAX_DOCUMENT_BYTES:
                    raise DocumentRejected(413, "size")
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise DocumentRejected(422, "empty")
        kind = detect_type(tmp)
        if kind is None:
            raise DocumentRejected(422, "type")
        if not name.lower().endswith(EXTENSIONS[kind]):
            raise DocumentRejected(422, "extension")
        sha = digest.hexdigest()
        key = key_for(sha)
        if not file_store.exists(key):
            file_store.put_file(key, tmp)
        return sha, size, kind, name
    finally:
        tmp.unlink(missing_ok=True)


def key_for(sha256: str) -> str:
    """The storage key of the file with this hash: ``ab/abcdef…``."""
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError("not a SHA-256 hex digest")
    return f"{sha256[:2]}/{sha256}"
