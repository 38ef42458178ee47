"""Row values: phones, titles and degrees, birth years, names with titles, headers."""

from __future__ import annotations

from datetime import date

import pytest

from expertnet.roster.columns import (
    header_key,
    normalize_phone,
    parse_birth_year,
    parse_titles,
    plausible_birth_year,
    split_name_prefix,
)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("0912345678", "0912345678"),
        ("0912 345 678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("+84912345678", "0912345678"),
        ("84912345678", "0912345678"),
        ("0084 912 345 678", "0912345678"),
        ("912345678", "0912345678"),  # a spreadsheet dropped the zero
        ("(0225) 3812 345", "02253812345"),
        ("+84 225 3812 345", "02253812345"),
        ("01689123456", "0389123456"),  # renumbered in 2018
        ("+1 650 253 0000", "+16502530000"),
        ("12345", None),
        ("0112345678", None),
        ("abc", None),
        ("09123456789012", None),
    ],
)
def test_phone_normalisation(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    "raw, titles, degrees",
    [
        ("PGS.TS.", {"PGS"}, {"TS"}),
        ("PGS. TS", {"PGS"}, {"TS"}),
        ("GS.TSKH", {"GS"}, {"TSKH"}),
        ("GS", {"GS"}, set()),
        ("Giáo sư", {"GS"}, set()),
        ("Phó Giáo sư", {"PGS"}, set()),
        ("Tiến sĩ", set(), {"TS"}),
        ("Tiến sỹ", set(), set()),  # not in the vocabulary: reported as unknown
        ("Thạc sĩ", set(), {"ThS"}),
        ("ThS.", set(), {"ThS"}),
        ("Kỹ sư", set(), {"KS"}),
        ("BSCKII", set(), {"BSCKII"}),
        ("BS.CKII", set(), {"BSCKII"}),
        ("Bác sĩ chuyên khoa I", set(), {"BSCKI"}),
        ("Cử nhân", set(), {"CN"}),
        ("TS. NGƯT", set(), {"TS"}),
        ("PhD", set(), {"TS"}),
        ("Không", set(), set()),
    ],
)
def test_titles_and_degrees(raw, titles, degrees):
    got_titles, got_degrees, unknown = parse_titles(raw)
    assert (got_titles, got_degrees) == (titles, degrees)
    assert bool(unknown) == (raw == "Tiến sỹ")


def test_name_with_titles_in_front():
    assert split_name_prefix("PGS.TS. Nguyễn Văn An") == ("PGS.TS.", "Nguyễn Văn An")
    assert split_name_prefix("Nguyễn Văn An") == ("", "Nguyễn Văn An")
    assert split_name_prefix("Th. Nguyễn") == ("", "Th. Nguyễn")


@pytest.mark.parametrize(
    "raw, year",
    [
        ("1975", 1975),
        ("1975.0", 1975),
        ("12/03/1975", 1975),
        ("1975-03-12", 1975),
        ("03/1975", 1975),
    ],
)
def test_birth_year_forms(raw, year):
    assert parse_birth_year(raw) == year


def test_birth_year_plausibility():
    assert plausible_birth_year(1940)
    assert not plausible_birth_year(1899)
    assert not plausible_birth_year(date.today().year - 5)
    with pytest.raises(ValueError):
        parse_birth_year("năm 75")


@pytest.mark.parametrize(
    "text, key",
    [
        ("Họ và tên", "ho va ten"),
        ("E-mail", "e mail"),
        ("ĐIỆN THOẠI", "dien thoai"),
        ("full_name", "full name"),
    ],
)
def test_header_keys_ignore_case_diacritics_and_punctuation(text, key):
    assert header_key(text) == key
