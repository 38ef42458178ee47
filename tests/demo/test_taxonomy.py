"""The field taxonomy as data (the database side is in test_loader)."""

from __future__ import annotations

import unicodedata
from collections import Counter

from expertnet.directory.taxonomy import AREAS, DISCIPLINES, EXPERTISE, FIELDS, area_of


def test_six_national_areas_and_about_forty_disciplines():
    assert [a.code for a in AREAS] == ["NAT", "ENG", "MED", "AGR", "SOC", "HUM"]
    assert 36 <= len(DISCIPLINES) <= 50
    area_codes = {a.code for a in AREAS}
    for d in DISCIPLINES:
        assert d.parent in area_codes and area_of(d.code) == d.parent
    assert set(Counter(d.parent for d in DISCIPLINES)) == area_codes


def test_codes_are_unique_short_ascii():
    codes = [f.code for f in FIELDS]
    assert len(set(codes)) == len(codes)
    assert all(c.isascii() and len(c) <= 16 for c in codes)
    for code in ("ENG-IT", "ENG-CON", "AGR-AQU", "SOC-ECO", "SOC-LAW", "MED-CLI", "SOC-EDU"):
        assert code in codes


def test_names_are_vietnamese_nfc_with_english_ones():
    names = [f.name for f in FIELDS]
    assert len(set(names)) == len(names)
    for f in FIELDS:
        assert unicodedata.is_normalized("NFC", f.name) and f.name_en.isascii()
        assert f.name[0].isupper() and f.name_en[0].isupper()
    assert {f.code: f.name for f in FIELDS}["AGR-AQU"] == "Nuôi trồng thủy sản"


def test_every_discipline_has_real_keywords():
    assert set(EXPERTISE) == {d.code for d in DISCIPLINES}
    for code, keywords in EXPERTISE.items():
        assert len(keywords) >= 5, code
        assert len(set(keywords)) == len(keywords), code
        for kw in keywords:
            assert unicodedata.is_normalized("NFC", kw) and 2 < len(kw) <= 100
            assert kw == kw.strip() and "  " not in kw
    assert {"trí tuệ nhân tạo", "học máy", "an toàn thông tin", "chuyển đổi số"} <= set(
        EXPERTISE["ENG-IT"]
    )
    assert {"nuôi trồng thủy sản", "bệnh tôm"} <= set(EXPERTISE["AGR-AQU"])
