"""Exports of rosters and search results: who may, what they see, formula safety."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from expertnet.directory.models import Field
from expertnet.roster.export import COLUMNS, export_rows, safe_cell

ROLES = [
    "public",
    "admin",
    "coordinator",
    "approver",
    "expert",
    "agency",
    "liaison",
    "liaison_other",
]
ROSTER_ALLOWED = {"admin", "coordinator", "approver", "liaison"}
SEARCH_ALLOWED = {"admin", "coordinator", "approver"}

EVIL = {
    "full_name": '=HYPERLINK("http://evil.example","Bấm vào")',
    "position": "+cmd|' /C calc'!A0",
    "employer_name": "@SUM(1+1)*cmd",
    "expertise": ["-2+3", "\tcài đặt"],
}


@pytest.fixture
def world(session, make_org, make_person, make_user, org):
    other = make_org(name="Hội Luật gia")
    member = make_person(
        full_name="Nguyễn Văn An",
        email="an@example.org",
        phone="0912345678",
        birth_year=1970,
        organizations=[org],
    )
    # (make_person cannot take organisations and fields at once without an autoflush warning)
    member.fields = list(session.scalars(select(Field).where(Field.code == "ENG-IT")))
    session.flush()
    evil = make_person(organizations=[org], **EVIL)
    outsider = make_person(
        full_name="Trần Văn Ngoài", email="ngoai@example.org", organizations=[other]
    )
    users = {}
    for role in ROLES[1:]:
        if role == "liaison":
            users[role] = make_user("liaison", organization=org)[0]
        elif role == "liaison_other":
            users[role] = make_user("liaison", organization=other)[0]
        else:
            users[role] = make_user(role)[0]
    return {"member": member, "evil": evil, "outsider": outsider, "users": users}


# The Vietnamese headers of an export (the default language), back to the column names.
VI_HEADERS = {
    "Mã số": "id",
    "Họ và tên": "full_name",
    "Học hàm": "academic_title",
    "Học vị": "degree",
    "Giới tính": "gender",
    "Năm sinh": "birth_year",
    "Thư điện tử": "email",
    "Điện thoại": "phone",
    "Cơ quan công tác": "employer",
    "Chức vụ": "position",
    "Tổ chức": "organizations",
    "Vai trò": "role",
    "Lĩnh vực": "fields",
    "Chuyên môn": "expertise",
}


def _rows_csv(res) -> list[dict]:
    text = res.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    keys = [VI_HEADERS[h] for h in rows[0]]
    return [dict(zip(keys, row, strict=True)) for row in rows[1:]]


def _rows_xlsx(res) -> list[dict]:
    ws = load_workbook(io.BytesIO(res.data)).active
    values = list(ws.iter_rows(values_only=True))
    keys = [VI_HEADERS[h] for h in values[0]]
    return [dict(zip(keys, row, strict=True)) for row in values[1:]]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("role", ROLES)
def test_who_may_export_a_roster(client, auth, session, world, org, role, fmt):
    if role != "public":
        auth.login(world["users"][role].email)
    res = client.get(f"/organizations/{org.id}/roster.{fmt}")
    if role == "public":
        assert res.status_code == 302
    elif role in ROSTER_ALLOWED:
        assert res.status_code == 200
        assert res.headers["Cache-Control"] == "no-store"
        assert "attachment" in res.headers["Content-Disposition"]
        rows = _rows_csv(res) if fmt == "csv" else _rows_xlsx(res)
        names = {r["full_name"] for r in rows}
        assert "Nguyễn Văn An" in names and "Trần Văn Ngoài" not in names
        an = next(r for r in rows if r["full_name"] == "Nguyễn Văn An")
        assert an["email"] == "an@example.org" and str(an["phone"]) == "0912345678"
        assert an["fields"] == _field_name(session, "ENG-IT")
        assert an["role"] == "Hội viên"
    else:
        assert res.status_code == 403


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("role", ROLES)
def test_who_may_export_search_results(client, auth, world, role, fmt):
    if role != "public":
        auth.login(world["users"][role].email)
    res = client.get(f"/experts/export.{fmt}?q=Nguyễn")
    if role == "public":
        assert res.status_code == 302
    elif role in SEARCH_ALLOWED:
        assert res.status_code == 200
        rows = _rows_csv(res) if fmt == "csv" else _rows_xlsx(res)
        assert [r["full_name"] for r in rows] == ["Nguyễn Văn An"]
    else:
        assert res.status_code == 403


def test_search_export_goes_through_every_page(client, auth, world, make_person):
    for i in range(130):
        make_person(full_name=f"Phạm Văn Số {i:03d}")
    auth.login(world["users"]["coordinator"].email)
    rows = _rows_csv(client.get("/experts/export.csv?q=Phạm"))
    assert len(rows) == 130 and len({r["id"] for r in rows}) == 130


def test_search_export_is_bounded(client, auth, world, monkeypatch):
    monkeypatch.setattr("expertnet.roster.views.MAX_SEARCH_EXPORT", 1)
    auth.login(world["users"]["admin"].email)
    res = client.get("/experts/export.csv")
    assert res.status_code == 422


def test_contact_details_are_blank_for_who_may_not_see_them(session, world, org):
    expert = world["users"]["expert"]
    rows = list(export_rows(session, [world["member"].id], expert, org.id))
    row = dict(zip(COLUMNS, rows[0], strict=True))
    assert row["full_name"] == "Nguyễn Văn An"
    assert row["email"] is None and row["phone"] is None and row["birth_year"] is None
    staff = list(export_rows(session, [world["member"].id], world["users"]["approver"], org.id))
    assert dict(zip(COLUMNS, staff[0], strict=True))["email"] == "an@example.org"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_cannot_carry_formulas(client, auth, world, org, fmt):
    auth.login(world["users"]["liaison"].email)
    res = client.get(f"/organizations/{org.id}/roster.{fmt}")
    if fmt == "csv":
        rows = _rows_csv(res)
    else:
        ws = load_workbook(io.BytesIO(res.data)).active
        assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
        rows = _rows_xlsx(res)
    evil = next(r for r in rows if "HYPERLINK" in (r["full_name"] or ""))
    assert evil["full_name"] == "'" + EVIL["full_name"]
    assert evil["position"] == "'" + EVIL["position"]
    assert evil["employer"] == "'" + EVIL["employer_name"]
    assert evil["expertise"] == "'-2+3; \tcài đặt"
    for value in evil.values():
        assert not (isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"))


@pytest.mark.parametrize("value", ["=1", "+1", "-1", "@a", "\tx", "\rx"])
def test_safe_cell_prefixes_formula_starts(value):
    assert safe_cell(value) == "'" + value
    assert safe_cell("Nguyễn") == "Nguyễn" and safe_cell(5) == 5


def test_exported_roster_imports_back_unchanged(
    client, auth, world, make_org, tmp_path, run_import
):
    club = make_org(kind="club", name="Câu lạc bộ Trí thức trẻ")
    rows = [
        ["full_name", "email", "phone", "birth_year", "degree", "fields", "expertise"],
        ["Hoàng Thị Lan", "lan@example.org", "0987654321", "1991", "ThS", "ENG-IT", "dữ liệu lớn"],
        ["Đinh Văn Quý", "", "", "1979", "", "", ""],
    ]
    source = tmp_path / "source.csv"
    source.write_text("\n".join(",".join(r) for r in rows), "utf-8")
    assert run_import(source, club).created == 2
    auth.login(world["users"]["admin"].email)
    for fmt in ("csv", "xlsx"):
        path = tmp_path / f"export.{fmt}"
        path.write_bytes(client.get(f"/organizations/{club.id}/roster.{fmt}").data)
        result = run_import(path, club)
        assert (result.created, result.updated, result.merged, result.rejected) == (0, 0, 0, 0)
        assert result.unchanged == 2
        assert set(result.unknown_columns) == {"Mã số", "Tổ chức", "Vai trò"}


def _field_name(session, code: str) -> str:
    return session.scalar(select(Field.name).where(Field.code == code))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_speak_the_readers_language(client, auth, session, world, org, fmt):
    world["member"].gender = "female"
    session.flush()
    auth.login(world["users"]["coordinator"].email)
    res = client.get(f"/organizations/{org.id}/roster.{fmt}")
    rows = _rows_csv(res) if fmt == "csv" else _rows_xlsx(res)
    an = next(r for r in rows if r["full_name"] == "Nguyễn Văn An")
    assert (an["gender"], an["role"]) == ("Nữ", "Hội viên")
    if fmt == "xlsx":
        assert load_workbook(io.BytesIO(res.data)).active.title == "Danh sách hội viên"
        search = client.get("/experts/export.xlsx?q=Nguyễn")
        assert load_workbook(io.BytesIO(search.data)).active.title == "Chuyên gia"
    english = client.get(f"/organizations/{org.id}/roster.csv?lang=en").data.decode("utf-8-sig")
    header = english.splitlines()[0]
    assert header.startswith("ID,Full name,Academic title,Degree,Gender")
    assert ",Female," in english and ",Member," in english


def test_roster_export_is_in_vietnamese_alphabetical_order(client, auth, session, world, org):
    from expertnet.directory.models import Person

    for name in ("Ngô Văn Bình", "Nguyễn Thị Ánh", "Đỗ Văn Bình", "Dương Văn Bình", "Lê Anh"):
        make = Person(full_name=name)
        session.add(make)
        session.flush()
        from expertnet.directory.models import Membership

        session.add(Membership(person_id=make.id, organization_id=org.id))
    session.flush()
    auth.login(world["users"]["coordinator"].email)
    names = [r["full_name"] for r in _rows_csv(client.get(f"/organizations/{org.id}/roster.csv"))]
    wanted = ["Nguyễn Văn An", "Lê Anh", "Nguyễn Thị Ánh", "Dương Văn Bình", "Đỗ Văn Bình"]
    wanted += ["Ngô Văn Bình"]
    assert [n for n in names if n in wanted] == wanted
