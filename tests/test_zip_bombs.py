"""Decompression bombs: every zip-based input is refused from its directory, before inflating."""

from __future__ import annotations

import io
import zipfile

import pytest
from bombs import forge_sizes, member_bomb, ratio_bomb, size_bomb, total_bomb, zip_bytes

from expertnet.core.zipguard import (
    DOCUMENT_LIMITS,
    ROSTER_LIMITS,
    ZipLimits,
    ZipRejected,
    check_zip,
    open_zip,
    read_member,
)

KINDS = ("odt", "docx", "xlsx")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("bomb", "reason"),
    [(ratio_bomb, "ratio"), (size_bomb, "member_size"), (member_bomb, "members")],
)
def test_each_bomb_kind_is_refused_from_the_directory(kind, bomb, reason):
    with pytest.raises(ZipRejected) as exc:
        check_zip(io.BytesIO(bomb(kind)), DOCUMENT_LIMITS)
    assert exc.value.reason == reason


def test_total_uncompressed_size_is_capped_even_when_each_member_is_small():
    no_ratio = ZipLimits(max_ratio=float("inf"))
    with pytest.raises(ZipRejected) as exc:
        check_zip(io.BytesIO(total_bomb("docx")), no_ratio)
    assert exc.value.reason == "total_size"


def test_an_ordinary_document_passes():
    check_zip(io.BytesIO(zip_bytes({"word/document.xml": b"<w/>" * 10_000})), DOCUMENT_LIMITS)


def test_reading_a_member_stops_at_the_cap():
    data = zip_bytes({"mimetype": b"\0" * (4 << 20)})
    with open_zip(io.BytesIO(data), ZipLimits(max_ratio=float("inf"))) as zf:
        assert read_member(zf, "mimetype", 100) == b"\0" * 100


def test_a_member_that_lies_about_its_size_is_not_read_past_what_it_declares():
    # Declares 10 bytes, holds 4 MiB: zipfile stops at the declared size, and the CRC fails.
    data = forge_sizes(zip_bytes({"mimetype": b"\0" * (4 << 20)}), {"mimetype": 10})
    with (
        open_zip(io.BytesIO(data), ZipLimits(max_ratio=float("inf"))) as zf,
        pytest.raises(ZipRejected) as exc,
    ):
        read_member(zf, "mimetype", 1 << 30)
    assert exc.value.reason == "unreadable"


def test_roster_limits_allow_a_large_roster_but_not_a_bomb():
    assert ROSTER_LIMITS.max_total_bytes >= 1 << 30
    with pytest.raises(ZipRejected):
        check_zip(io.BytesIO(ratio_bomb("xlsx", mib=8)), ROSTER_LIMITS)


def test_not_a_zip_is_unreadable_not_a_crash():
    with pytest.raises(ZipRejected) as exc:
        check_zip(io.BytesIO(b"PK\x03\x04 not really"))
    assert exc.value.reason == "unreadable"
    assert zipfile.is_zipfile(io.BytesIO(b"x")) is False
