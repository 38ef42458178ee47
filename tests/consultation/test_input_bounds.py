"""Input no column can hold: 404 for ids out of range, 422 naming the field, nothing written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from expertnet.consultation.models import Request
from expertnet.extensions import db

TOO_BIG = 2**31
HUGE = 9223372036854775807


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/opinions/{TOO_BIG}",
        f"/register/{TOO_BIG}",
        f"/experts/{TOO_BIG}",
        f"/api/v1/experts/{HUGE}",
        f"/api/v1/documents/{68719476735}",
        f"/register?page={HUGE}",
        f"/api/v1/opinions?page={TOO_BIG}",
    ],
)
def test_ids_and_pages_beyond_the_database_range_are_404_even_anonymously(client, url):
    res = client.get(url)
    assert res.status_code == 404


def test_the_largest_id_is_still_an_ordinary_404(client):
    assert client.get(f"/api/v1/opinions/{TOO_BIG - 1}").status_code == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("field=%00", "field"),
        ("q=abc%00", "q"),
        (f"year={TOO_BIG}", "year"),
        (f"agency={HUGE}", "agency"),
    ],
)
def test_nul_and_out_of_range_query_values_are_422_naming_the_parameter(client, query, field):
    res = client.get(f"/api/v1/opinions?{query}")
    assert res.status_code == 422
    assert field in res.json["error"]["fields"]


def test_nul_in_request_field_codes_is_422_naming_the_field_and_nothing_is_filed(world):
    before = db.session.query(Request).count()
    body = {"kind": "critique", "title": "abc def", "fields": ["\u0000"]}
    res = world.call(world.agency, "POST", "/api/v1/requests", body)
    assert res.status_code == 422
    assert "fields.0" in res.json["error"]["fields"]
    huge = {"kind": "critique", "title": "abc def", "subject_organizations": [3000000000]}
    res = world.call(world.agency, "POST", "/api/v1/requests", huge)
    assert res.status_code == 422
    assert "subject_organizations.0" in res.json["error"]["fields"]
    assert db.session.query(Request).count() == before


def test_nul_in_a_page_form_is_422_naming_the_field(world, auth):
    from helpers import csrf_from

    auth.login(world.agency.user.email)
    before = db.session.query(Request).count()
    page = world.client.get("/requests/new")
    res = world.client.post(
        "/requests/new",
        data={"csrf_token": csrf_from(page.text), "title": "a\x00b c", "kind": "critique"},
    )
    assert res.status_code == 422
    assert db.session.query(Request).count() == before


def test_attendance_entry_without_attended_is_422_naming_the_field(world):
    rid = world.to_in_review()
    starts = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    body = {
        "kind": "workshop",
        "title": "Hội thảo phản biện",
        "starts_at": starts,
        "place": "Hội trường",
        "experts": [world.experts[0].person_id],
    }
    meeting = world.ok(world.coordinator, "POST", f"/api/v1/requests/{rid}/meetings", body, 201)
    url = f"/api/v1/meetings/{meeting['id']}"
    res = world.call(
        world.coordinator, "PATCH", url, {"attendance": [{"expert_id": world.experts[0].person_id}]}
    )
    assert res.status_code == 422
    assert "attendance.0.attended" in res.json["error"]["fields"]
    guest = world.call(world.coordinator, "PATCH", url, {"guests": [{"organization": "Sở"}]})
    assert guest.status_code == 422 and "guests.0.name" in guest.json["error"]["fields"]
    after = world.ok(world.coordinator, "GET", url)
    assert [x["attended"] for x in after["experts"]] == [None]
    assert after["guests"] == []


def test_meeting_invitees_are_the_panel_only_api(world, make_person, make_user):
    from expertnet.consultation.models import Meeting, Notification

    rid = world.to_in_review()
    outsider_person = make_person(full_name="Người Ngoài Hội Đồng", public_profile=True)
    outsider, _ = make_user("expert", person=outsider_person)
    starts = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    body = {
        "kind": "workshop",
        "title": "Hội thảo phản biện",
        "starts_at": starts,
        "place": "Hội trường",
        "experts": [world.experts[0].person_id, outsider_person.id, 2_000_000],
        "guests": [{"name": "Đại diện Sở Tài chính"}],
    }
    url = f"/api/v1/requests/{rid}/meetings"
    res = world.call(world.coordinator, "POST", url, body)
    assert res.status_code == 422 and "experts" in res.json["error"]["fields"]
    assert db.session.query(Meeting).count() == 0
    assert db.session.query(Notification).filter_by(user_id=outsider.id).count() == 0
    body["experts"] = [world.experts[0].person_id]
    meeting = world.ok(world.coordinator, "POST", url, body, 201)
    add = world.call(
        world.coordinator,
        "PATCH",
        f"/api/v1/meetings/{meeting['id']}",
        {"attendance": [{"expert_id": outsider_person.id, "attended": True}]},
    )
    assert add.status_code == 422
    after = world.ok(world.coordinator, "GET", f"/api/v1/meetings/{meeting['id']}")
    assert [x["expert_id"] for x in after["experts"]] == [world.experts[0].person_id]
    assert db.session.query(Notification).filter_by(user_id=outsider.id).count() == 0
