"""Decompression bombs for the tests, built in memory in a fraction of a second."""

from __future__ import annotations

import io
import struct
import zipfile

_CENTRAL = b"PK\x01\x02"
_LOCAL = b"PK\x03\x04"


def zip_bytes(members: dict[str, bytes], level: int = 9) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def zeros_member(zf: zipfile.ZipFile, name: str, mib: int) -> None:
    """A member of ``mib`` MiB of zeros, written in chunks (never whole in memory)."""
    with zf.open(name, "w", force_zip64=True) as fh:
        chunk = b"\0" * (1 << 20)
        for _ in range(mib):
            fh.write(chunk)


def forge_sizes(data: bytes, sizes: dict[str, int]) -> bytes:
    """Rewrite the declared uncompressed size of members (central and local headers)."""
    out = bytearray(data)
    for sig, size_at, name_len_at, name_at in ((_CENTRAL, 24, 28, 46), (_LOCAL, 22, 26, 30)):
        pos = out.find(sig)
        while pos != -1:
            (name_len,) = struct.unpack_from("<H", out, pos + name_len_at)
            name = bytes(out[pos + name_at : pos + name_at + name_len]).decode()
            if name in sizes:
                struct.pack_into("<I", out, pos + size_at, sizes[name])
            pos = out.find(sig, pos + 4)
    return bytes(out)


def ratio_bomb(kind: str, mib: int = 16) -> bytes:
    """A valid container of ``kind`` (odt, docx, xlsx) with a member of zeros."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        if kind == "odt":
            zeros_member(zf, "mimetype", mib)
            zf.writestr("content.xml", b"<x/>")
        else:
            zf.writestr("[Content_Types].xml", b"<Types/>")
            main = "word/document.xml" if kind == "docx" else "xl/workbook.xml"
            zf.writestr(main, b"<x/>")
            zeros_member(zf, "docProps/padding.bin", mib)
    return buf.getvalue()


def _skeleton(kind: str) -> dict[str, bytes]:
    if kind == "odt":
        return {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}
    main = "word/document.xml" if kind == "docx" else "xl/workbook.xml"
    return {"[Content_Types].xml": b"<Types/>", main: b"<x/>"}


def size_bomb(kind: str, declared: int = 0xFFFF_FFF0) -> bytes:
    """A container whose main member declares ``declared`` bytes (4 GiB by default)."""
    members = _skeleton(kind) | {"big.xml": b"<x/>" * 100}
    return forge_sizes(zip_bytes(members), {"big.xml": declared})


def total_bomb(kind: str, parts: int = 8, each: int = 200 * 1024 * 1024) -> bytes:
    """Many members, each declared below the per-member cap, together far above the total."""
    members = _skeleton(kind) | {f"part{i}.xml": b"<x/>" for i in range(parts)}
    return forge_sizes(zip_bytes(members), {f"part{i}.xml": each for i in range(parts)})


def member_bomb(kind: str, count: int = 5_000) -> bytes:
    """A container of a few thousand empty members."""
    members = _skeleton(kind) | {f"m/{i}.xml": b"" for i in range(count)}
    return zip_bytes(members, level=1)
