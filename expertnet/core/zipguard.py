"""Bounded reading of ZIP containers (DOCX, ODT, XLSX): no decompression bomb gets through.

Every zip-based input goes through ``open_zip`` before anything is decompressed. It reads
only the central directory and refuses the archive when it has too many members, when a
member or all members together declare more uncompressed bytes than allowed, or when a
member's declared size is too many times its compressed size. What is read afterwards
stays within those declared sizes: Python's ``zipfile`` stops every member at its declared
``file_size`` (and fails its CRC check if the data goes on), and ``read_member`` stops at
its own cap as well, so a lying header cannot make a reader use more memory than checked.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO


class ZipRejected(ValueError):
    """The archive is unsafe or unreadable; ``reason`` is a stable machine word."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class ZipLimits:
    """What one kind of archive may hold."""

    max_members: int = 2_000
    max_member_bytes: int = 256 * 1024 * 1024
    max_total_bytes: int = 512 * 1024 * 1024
    #: Declared size over compressed size, checked for members above ``ratio_floor`` bytes
    #: (tiny members such as ``mimetype`` legitimately compress oddly).
    max_ratio: float = 100.0
    ratio_floor: int = 1024 * 1024


#: Office documents attached to requests (at most 25 MB compressed).
DOCUMENT_LIMITS = ZipLimits()
#: Roster workbooks (at most 50 MB compressed; a 250,000-row sheet is a few hundred MB).
ROSTER_LIMITS = ZipLimits(
    max_members=1_000,
    max_member_bytes=1024 * 1024 * 1024,
    max_total_bytes=1536 * 1024 * 1024,
)


def check_members(zf: zipfile.ZipFile, limits: ZipLimits) -> None:
    """Refuse ``zf`` from its central directory alone; nothing is decompressed."""
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise ZipRejected("members", f"{len(infos)} > {limits.max_members}")
    total = 0
    for info in infos:
        size, packed = info.file_size, info.compress_size
        if size > limits.max_member_bytes:
            raise ZipRejected("member_size", f"{info.filename}: {size}")
        total += size
        if total > limits.max_total_bytes:
            raise ZipRejected("total_size", str(total))
        if size > limits.ratio_floor and size > limits.max_ratio * max(packed, 1):
            raise ZipRejected("ratio", f"{info.filename}: {size}/{packed}")


def open_zip(
    source: str | Path | IO[bytes], limits: ZipLimits = DOCUMENT_LIMITS
) -> zipfile.ZipFile:
    """A ``ZipFile`` whose declared contents are within ``limits``; ``ZipRejected`` otherwise."""
    try:
        zf = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ZipRejected("unreadable", str(exc)) from exc
    try:
        check_members(zf, limits)
    except ZipRejected:
        zf.close()
        raise
    return zf


def check_zip(source: str | Path | IO[bytes], limits: ZipLimits = DOCUMENT_LIMITS) -> None:
    """Check an archive without keeping it open."""
    open_zip(source, limits).close()


def read_member(zf: zipfile.ZipFile, name: str, cap: int) -> bytes:
    """At most ``cap`` bytes of member ``name``: reading stops there, whatever it declares."""
    try:
        with zf.open(name) as fh:
            return fh.read(cap)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError) as exc:
        raise ZipRejected("unreadable", f"{name}: {exc}") from exc
