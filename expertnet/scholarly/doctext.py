"""Plain text of uploaded PDF, DOCX and ODT documents, so affinity reads a request's content.

A two-page draft decree says far more about who should review it than its title does.
Extraction is bounded like every zip and PDF input here: at most ``MAX_PAGES`` pages,
``MAX_CHARS`` characters, and a DOCX/ODT whose members would unpack to more than
``MAX_UNPACKED_BYTES`` is not opened (a zip bomb). A file that cannot be read gives no
text (and a log line), never an error: the request is still matched on its title and
summary.

Text is cached per content hash in a file beside the uploads (``text/<sha256>.txt``):
extraction is deterministic from the content, so a cache shared by every process needs
no database write on the read path of suggestions.
"""

from __future__ import annotations

import html
import io
import logging
import re
import zipfile
from collections.abc import Iterable
from typing import Any

from ..core.text import clean_text

log = logging.getLogger(__name__)

MAX_PAGES = 60
MAX_CHARS = 200_000
MAX_UNPACKED_BYTES = 50 * 1024 * 1024

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"

_TAG = re.compile(r"<[^>]+>")
_ODT_BREAK = re.compile(r"</text:(?:p|h)>|<text:line-break/>|<text:tab/>")


class ExtractionRefused(ValueError):
    """The file is too large once unpacked, or not what its type says."""


def _check_zip(data: bytes) -> zipfile.ZipFile:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ExtractionRefused("not a zip container") from exc
    total = sum(i.file_size for i in zf.infolist())
    if total > MAX_UNPACKED_BYTES:
        zf.close()
        raise ExtractionRefused("unpacks to more than the limit")
    return zf


def _pdf(data: bytes) -> Iterable[str]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    for page in reader.pages[:MAX_PAGES]:
        yield page.extract_text() or ""


def _docx(data: bytes) -> Iterable[str]:
    from docx import Document

    _check_zip(data).close()
    doc = Document(io.BytesIO(data))
    for p in doc.paragraphs:
        yield p.text
    for table in doc.tables:
        for row in table.rows:
            yield " | ".join(cell.text for cell in row.cells)


def _odt(data: bytes) -> Iterable[str]:
    with _check_zip(data) as zf:
        try:
            raw = zf.read("content.xml").decode("utf-8", errors="replace")
        except KeyError as exc:
            raise ExtractionRefused("no content.xml") from exc
    # Tags removed, not parsed: no entity expansion can happen (no XML parser runs).
    yield html.unescape(_TAG.sub("", _ODT_BREAK.sub("\n", raw)))


_EXTRACTORS = {PDF: _pdf, DOCX: _docx, ODT: _odt}


def extract_text(data: bytes, media_type: str) -> str:
    """The document's text, NFC, bounded; empty for types that carry no prose (XLSX)."""
    extractor = _EXTRACTORS.get(media_type)
    if extractor is None:
        return ""
    out: list[str] = []
    size = 0
    for part in extractor(data):
        out.append(part)
        size += len(part)
        if size >= MAX_CHARS:
            break
    return (clean_text("\n".join(out)) or "")[:MAX_CHARS]


def _cache_key(sha256: str) -> str:
    return f"text/{sha256[:2]}/{sha256}.txt"


def cached_text(store: Any, sha256: str, media_type: str, key: str) -> str:
    """The text of the stored file ``key``, from the cache beside it or extracted once.

    The cache lives in the same file store as the documents (a folder or a bucket), so every
    app node reads the text another node extracted.
    """
    if not re.fullmatch(r"[0-9a-f]{64}", sha256 or ""):
        return ""
    try:
        cached = store.get_bytes(_cache_key(sha256))
    except Exception as exc:  # the store being down must never break suggestions
        log.warning("document text cache unreadable: %s", exc)
        cached = None
    if cached is not None:
        return cached.decode("utf-8", errors="replace")
    try:
        data = store.get_bytes(key)
        text = extract_text(data, media_type) if data is not None else ""
    except Exception as exc:  # an unreadable file must never break suggestions
        log.warning("no text from document %s: %s", sha256, exc)
        text = ""
    try:
        store.put_bytes(_cache_key(sha256), text.encode("utf-8"))
    except Exception as exc:
        log.warning("document text not cached: %s", exc)
    return text


def request_document_texts(req: Any) -> list[str]:
    """The text of each document of a consultation request (for its affinity profile)."""
    from ..consultation.documents import key_for
    from ..core.storage import current_store

    store = current_store()
    out = []
    for doc in getattr(req, "documents", ()) or ():
        text = cached_text(store, doc.sha256, doc.media_type, key_for(doc.sha256))
        if text:
            out.append(text)
    return out
