"""The experts API: validation, privacy, versions, errors of one shape."""

from __future__ import annotations

import unicodedata

import pytest
from helpers import bearer
from sqlalchemy import func, select

from expertnet.audit.models import AuditEntry
from expertnet.directory.models import Person


@pytest.fixture
def coordinator(make_user):
    return make_user("coordinator")


def test_create_expert_returns_201_with_the_expert(client, coordinator, make_org):
    _, token = coordinator
    org = make_org()
    body = {
        "full_name": "Trần Thị Bình",
        "academic_title": "PGS",
        "degree": "TS",
        "email": "Binh@Example.org",
        "organizations": [org.id],
        "fields": ["ENG-IT"],
        "expertise": ["trí tuệ nhân tạo", "học máy"],
        "public_profile": True,
    }
    res = client.post("/api/v1/experts", json=body, headers=bearer(token))
    assert res.status_code == 201, res.json
    data = res.json
    assert data["full_name"] == "Trần Thị Bình"
    assert data["email"] == "binh@example.org"
    assert [o["id"] for o in data["organizations"]] == [org.id]
    assert [f["code"] for f in data["fields"]] == ["ENG-IT"]
    assert data["version"] == 1


def test_nfd_input_is_stored_as_nfc(client, coordinator, session):
    _, token = coordinator
    nfd = unicodedata.normalize("NFD", "Đặng Thị Hường")
    assert nfd != "Đặng Thị Hường"
    res = client.post("/api/v1/experts", json={"full_name": nfd}, headers=bearer(token))
    assert res.status_code == 201
    stored = session.get(Person, res.json["id"])
    assert stored.full_name == "Đặng Thị Hường"
    assert unicodedata.is_normalized("NFC", stored.full_name)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "full_name"),
        ({"full_name": "x" * 201}, "full_name"),
        ({"full_name": 12}, "full_name"),
        ({"full_name": "Lê Văn C", "degree": "XYZ"}, "degree"),
        ({"full_name": "Lê Văn C", "academic_title": "Dr"}, "academic_title"),
        ({"full_name": "Lê Văn C", "birth_year": "1970"}, "birth_year"),
        ({"full_name": "Lê Văn C", "birth_year": 1800}, "birth_year"),
        ({"full_name": "Lê Văn C", "email": "not-an-email"}, "email"),
        ({"full_name": "Lê Văn C", "phone": "call me"}, "phone"),
        ({"full_name": "Lê Văn C", "organizations": [999999]}, "organizations"),
        ({"full_name": "Lê Văn C", "employer": 999999}, "employer"),
        ({"full_name": "Lê Văn C", "fields": ["NOPE"]}, "fields"),
        ({"full_name": "Lê Văn C", "public_profile": "yes"}, "public_profile"),
        ({"full_name": "Lê Văn C", "expertise": ["x" * 101]}, "expertise"),
        ({"full_name": "Lê Văn C", "surprise": 1}, "surprise"),
    ],
)
def test_bad_expert_input_is_422_naming_the_field_and_writes_nothing(
    client, coordinator, session, body, field
):
    _, token = coordinator
    before = session.scalar(select(func.count(Person.id)))
    res = client.post("/api/v1/experts", json=body, headers=bearer(token))
    assert res.status_code == 422, res.json
    err = res.json["error"]
    assert err["code"] == "invalid"
    assert field in err["fields"], err
    assert err["fields"][field]
    assert session.scalar(select(func.count(Person.id))) == before


def test_duplicate_email_is_422(client, coordinator, make_person):
    _, token = coordinator
    make_person(full_name="Phạm Văn D", email="d@example.org")
    res = client.post(
        "/api/v1/experts",
        json={"full_name": "Phạm Văn E", "email": "D@example.org"},
        headers=bearer(token),
    )
    assert res.status_code == 422
    assert "email" in res.json["error"]["fields"]


def test_malformed_json_is_400(client, coordinator):
    _, token = coordinator
    res = client.post(
        "/api/v1/experts",
        data="{not json",
        headers={**bearer(token), "Content-Type": "application/json"},
    )
    assert res.status_code == 400
    assert res.json["error"]["code"] == "bad_request"
    res = client.post("/api/v1/experts", json=[1, 2], headers=bearer(token))
    assert res.status_code == 400


def test_write_without_authentication_is_401(client):
    res = client.post("/api/v1/experts", json={"full_name": "Lê Văn F"})
    assert res.status_code == 401
    assert res.json["error"]["code"] == "unauthorized"


def test_invalid_token_is_401_not_anonymous(client):
    res = client.get("/api/v1/experts", headers=bearer("exn_wrong"))
    assert res.status_code == 401
    assert res.json["error"]["code"] == "invalid_token"


@pytest.mark.parametrize("role", ["expert", "agency", "approver"])
def test_roles_that_may_not_add_experts_get_403(client, make_user, role):
    _, token = make_user(role)
    res = client.post("/api/v1/experts", json={"full_name": "Lê Văn G"}, headers=bearer(token))
    assert res.status_code == 403
    assert res.json["error"]["code"] == "forbidden"


def test_unknown_expert_is_404(client):
    res = client.get("/api/v1/experts/987654")
    assert res.status_code == 404
    assert res.json["error"]["code"] == "not_found"


def test_public_sees_only_consenting_experts_and_no_contact(client, make_person, session):
    shown = make_person(
        full_name="Vũ Văn Hiện",
        public_profile=True,
        email="h@example.org",
        phone="0912345678",
        birth_year=1970,
    )
    hidden = make_person(full_name="Vũ Văn Ẩn", public_profile=False)
    session.commit()  # indexed after the commit
    res = client.get(f"/api/v1/experts/{shown.id}")
    assert res.status_code == 200
    assert "email" not in res.json and "phone" not in res.json and "birth_year" not in res.json
    assert client.get(f"/api/v1/experts/{hidden.id}").status_code == 404
    listed = client.get("/api/v1/experts?per_page=100").json
    ids = {item["id"] for item in listed["items"]}
    assert shown.id in ids and hidden.id not in ids


def test_staff_see_contact_details(client, coordinator, make_person):
    _, token = coordinator
    p = make_person(full_name="Vũ Văn Kín", email="kin@example.org", phone="0912345678")
    res = client.get(f"/api/v1/experts/{p.id}", headers=bearer(token))
    assert res.json["email"] == "kin@example.org"
    assert res.json["phone"] == "0912345678"


def test_expert_edits_own_profile_but_not_others(client, make_user, make_person):
    user, token = make_user("expert")
    other = make_person(full_name="Người Khác", public_profile=True)
    own = client.patch(
        f"/api/v1/experts/{user.person_id}",
        json={"bio": "Nghiên cứu thủy sản."},
        headers=bearer(token),
    )
    assert own.status_code == 200
    assert own.json["bio"] == "Nghiên cứu thủy sản."
    res = client.patch(f"/api/v1/experts/{other.id}", json={"bio": "x"}, headers=bearer(token))
    assert res.status_code == 403


def test_stale_version_is_409_and_changes_nothing(client, coordinator, make_person, session):
    _, token = coordinator
    p = make_person(full_name="Hoàng Văn Lâm")
    first = client.patch(
        f"/api/v1/experts/{p.id}",
        json={"position": "Giảng viên", "version": 1},
        headers=bearer(token),
    )
    assert first.status_code == 200 and first.json["version"] == 2
    stale = client.patch(
        f"/api/v1/experts/{p.id}",
        json={"position": "Trưởng khoa", "version": 1},
        headers=bearer(token),
    )
    assert stale.status_code == 409
    assert stale.json["error"]["code"] == "version_conflict"
    session.expire_all()
    assert session.get(Person, p.id).position == "Giảng viên"


def test_liaison_adds_members_to_own_organisation_only(client, make_user, make_org):
    user, token = make_user("liaison")
    other = make_org()
    res = client.post(
        "/api/v1/experts",
        json={"full_name": "Đỗ Văn Mới", "organizations": [other.id]},
        headers=bearer(token),
    )
    assert res.status_code == 422  # another organisation's roster is not the liaison's
    res = client.post("/api/v1/experts", json={"full_name": "Đỗ Văn Mới"}, headers=bearer(token))
    assert res.status_code == 201
    org_ids = {o["id"] for o in res.json["organizations"]}
    assert org_ids == {user.organization_id}


def test_changes_to_people_are_audited(client, coordinator, session):
    user, token = coordinator
    res = client.post("/api/v1/experts", json={"full_name": "Bùi Văn Nhật"}, headers=bearer(token))
    pid = res.json["id"]
    client.patch(f"/api/v1/experts/{pid}", json={"position": "Kỹ sư trưởng"}, headers=bearer(token))
    entries = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity_type == "person", AuditEntry.entity_id == pid)
        .order_by(AuditEntry.id)
    ).all()
    assert [e.action for e in entries] == ["create", "update"]
    assert all(e.actor_user_id == user.id for e in entries)
    assert entries[1].changes["position"] == [None, "Kỹ sư trưởng"]


def test_pagination_is_bounded(client):
    res = client.get("/api/v1/organizations?per_page=1000")
    assert res.status_code == 200
    assert res.json["per_page"] == 100
    bad = client.get("/api/v1/organizations?page=zero")
    assert bad.status_code == 422
    assert "page" in bad.json["error"]["fields"]


def test_organizations_filter_by_kind(client, make_org):
    make_org(kind="club", name="Câu lạc bộ Thử")
    res = client.get("/api/v1/organizations?kind=club")
    assert res.status_code == 200
    assert {i["kind"] for i in res.json["items"]} == {"club"}
    assert {"id", "code", "name", "kind", "former_province", "member_count"} <= set(
        res.json["items"][0]
    )
    assert client.get("/api/v1/organizations?kind=nonsense").status_code == 422


def test_fields_taxonomy_has_areas_and_disciplines(client):
    items = client.get("/api/v1/fields").json["items"]
    areas = [f for f in items if f["parent"] is None]
    assert len(areas) == 6
    assert len(items) - len(areas) >= 35
    assert all({"code", "name", "parent"} <= set(f) for f in items)
