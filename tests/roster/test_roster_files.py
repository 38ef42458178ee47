"""Roster files: encodings, XLSX, and each kind of bad input (a clear message, nothing imported)."""

from __future__ import annotations

import codecs

import pytest
from roster_helpers import HEADER, count_people, csv_text, members_of, to_cp1258

from expertnet.roster.reader import RosterError, looks_like_formula, read_roster

NAMES = ["Nguyễn Thị Ngọc Ánh", "Đặng Hữu Phước", "Trương Quốc Việt"]
ROWS = [["Họ và tên", "Năm sinh", "Học vị"]] + [[n, "1980", "Tiến sĩ"] for n in NAMES]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1258"])
def test_csv_in_each_accepted_encoding_imports_the_same_nfc_names(
    session, org, write_csv, run_import, encoding
):
    path = write_csv(ROWS, encoding=encoding)
    result = run_import(path, org)
    assert result.created == 3 and result.encoding == encoding
    names = sorted(p.full_name for p in members_of(session, org))
    assert names == sorted(NAMES)
    assert all(p.degree == "TS" for p in members_of(session, org))


def test_cp1258_really_uses_combining_tone_marks(tmp_path):
    raw = to_cp1258("Nguyễn")
    assert raw.decode("cp1258") != "Nguyễn"  # decomposed: needs NFC
    path = tmp_path / "a.csv"
    path.write_bytes(to_cp1258(csv_text([["full_name"], ["Nguyễn"]])))
    assert read_roster(path).rows[1][1] == ["Nguyễn"]


def test_nfd_utf8_is_normalised(session, org, write_csv, tmp_path, run_import):
    import unicodedata

    path = tmp_path / "nfd.csv"
    path.write_text(unicodedata.normalize("NFD", "full_name\nPhạm Thị Hường\n"), "utf-8")
    run_import(path, org)
    assert members_of(session, org)[0].full_name == unicodedata.normalize("NFC", "Phạm Thị Hường")


def test_semicolon_separated_csv(session, org, write_csv, run_import):
    path = write_csv([["full_name", "fields"], ["Hồ Văn Lâm", "ENG-IT; ENG-CON"]], delimiter=";")
    result = run_import(path, org)
    assert result.created == 1
    assert sorted(f.code for f in members_of(session, org)[0].fields) == ["ENG-CON", "ENG-IT"]


def test_xlsx_with_numbers_dates_and_a_title_row(session, org, write_xlsx, run_import):
    import datetime as dt

    path = write_xlsx(
        [
            ["DANH SÁCH HỘI VIÊN NĂM 2025"],
            ["STT", "Họ và tên", "Điện thoại", "Ngày sinh", "Học hàm", "Ghi chú"],
            [1, "Bùi Thanh Tùng", 912345678, dt.datetime(1968, 5, 2), "PGS.TS", "x"],
            [2, "Mai Lan Hương", "0225 3842 111", 1990, None, None],
        ]
    )
    result = run_import(path, org)
    assert (result.created, result.rejected, result.file_format) == (2, 0, "xlsx")
    assert result.unknown_columns == ["Ghi chú"]
    tung = next(p for p in members_of(session, org) if p.full_name == "Bùi Thanh Tùng")
    assert (tung.phone, tung.birth_year, tung.academic_title, tung.degree) == (
        "0912345678",
        1968,
        "PGS",
        "TS",
    )


def test_unknown_columns_are_reported_not_fatal(session, org, write_csv, run_import):
    result = run_import(write_csv([["full_name", "Quê quán"], ["Lý Thị Mai", "Nam Định"]]), org)
    assert result.created == 1 and result.unknown_columns == ["Quê quán"]


# --- bad input: the whole file is refused -------------------------------------------------


def _refused(run_import, org, session, path, *words):
    with pytest.raises(RosterError) as info:
        run_import(path, org)
    message = str(info.value)
    for word in words:
        assert word in message, message
    assert count_people(session) == 0
    return message


def test_empty_file(session, org, tmp_path, run_import):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    _refused(run_import, org, session, path, "empty")


def test_blank_lines_only(session, org, tmp_path, run_import):
    path = tmp_path / "blank.csv"
    path.write_bytes(b"\r\n ,, \r\n\r\n")
    _refused(run_import, org, session, path, "empty")


def test_header_without_members(session, org, write_csv, run_import):
    _refused(run_import, org, session, write_csv([HEADER]), "no members")


def test_header_with_no_known_column(session, org, write_csv, run_import):
    path = write_csv([["Cột A", "Cột B"], ["x", "y"]])
    _refused(run_import, org, session, path, "No known column")


def test_header_without_a_name_column(session, org, write_csv, run_import):
    path = write_csv([["email", "phone"], ["a@example.org", "0912345678"]])
    _refused(run_import, org, session, path, "name column")


@pytest.mark.parametrize(
    "header, words",
    [
        (["full_name", "email", "email"], ["B", "C"]),
        (["full_name", "Email", "E-mail"], ["B", "C", "email"]),
        (["Họ và tên", "full_name"], ["A", "B"]),
        (["full_name", "Ghi chú", "ghi chu"], ["B", "C"]),
    ],
)
def test_duplicate_headers(session, org, write_csv, run_import, header, words):
    path = write_csv([header, ["Hà Văn Nam"] + ["x"] * (len(header) - 1)])
    _refused(run_import, org, session, path, *words)


@pytest.mark.parametrize(
    "data",
    [
        "full_name\nNguyễn Văn An\n".encode("utf-16"),
        "full_name\nNguyễn Văn An\n".encode("utf-16-le"),
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        # Shift-JIS and GBK bytes are not Vietnamese in any reading.
        "full_name\n山田太郎\n".encode("shift_jis"),
        "full_name\n王小明\n".encode("gbk"),
        # UTF-8 mark, then Windows-1258 bytes.
        codecs.BOM_UTF8 + to_cp1258("full_name\nNguyễn Văn An\n"),
    ],
)
def test_wrong_encoding(session, org, tmp_path, run_import, data):
    path = tmp_path / "wrong.csv"
    path.write_bytes(data)
    with pytest.raises(RosterError) as info:
        run_import(path, org)
    assert "UTF-8" in str(info.value) or "UTF-16" in str(info.value)
    assert count_people(session) == 0


def test_file_over_the_limit_is_refused_before_parsing(session, org, tmp_path, run_import):
    path = tmp_path / "huge.csv"
    with path.open("wb") as fh:
        fh.write(b"full_name\n")
        fh.truncate(200 * 1024 * 1024)  # sparse: 200 MB on paper, nothing on disk
    _refused(run_import, org, session, path, "too large", "200", "50")


def test_old_xls_is_refused(session, org, tmp_path, run_import):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    _refused(run_import, org, session, path, ".xls")


def test_broken_xlsx_is_refused(session, org, tmp_path, run_import):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not a workbook")
    _refused(run_import, org, session, path, "Excel")


@pytest.mark.parametrize(
    "value",
    ["=1+2", '=HYPERLINK("http://evil","x")', "@SUM(A1:A2)", "+cmd|' /C calc'!A0", "-2+3*A1"],
)
def test_csv_formula_cells_refuse_the_file(session, org, write_csv, run_import, value):
    path = write_csv([["full_name", "position"], ["Hà Văn Nam", "ok"], ["Lê Thu", value]])
    _refused(run_import, org, session, path, "formula", "B3")


def test_xlsx_formula_refuses_the_file(session, org, write_xlsx, run_import):
    path = write_xlsx([["full_name", "birth_year"], ["Hà Văn Nam", "=1900+80"]])
    _refused(run_import, org, session, path, "formula", "B2")


@pytest.mark.parametrize("value", ["+84 912 345 678", "-", "- 12", "+ (0225) 3812-345"])
def test_signs_that_are_not_formulas(value):
    assert not looks_like_formula(value)


def test_malformed_csv_quotes(session, org, tmp_path, run_import):
    path = tmp_path / "bad.csv"
    path.write_text('full_name,email\n"Hà Văn "Nam",x@example.org\n', "utf-8")
    _refused(run_import, org, session, path, "malformed")


@pytest.mark.parametrize("make", ["ratio_bomb", "size_bomb", "total_bomb", "member_bomb"])
def test_zip_bomb_roster_workbook_is_refused_before_inflating(
    session, org, tmp_path, run_import, make
):
    import bombs

    from expertnet.roster.reader import RosterError

    path = tmp_path / "roster.xlsx"
    path.write_bytes(getattr(bombs, make)("xlsx"))
    before = count_people(session)
    with pytest.raises(RosterError, match="bomb"):
        run_import(path, org)
    assert count_people(session) == before
