"""Invitations, conflicts, replacements, workload caps, and meetings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from expertnet.consultation.models import Invitation
from expertnet.consultation.operations import workload


def test_expert_at_the_workload_cap_cannot_accept_more(world, session):
    expert = world.experts[0]
    expert.user.person.max_assignments = 1
    session.flush()
    first = world.to_panel_forming()
    world.accept(expert, world.invite(first, expert)["id"])
    second = world.to_panel_forming()
    inv = world.invite(second, expert)
    res = world.call(
        expert,
        "POST",
        f"/api/v1/invitations/{inv['id']}/accept",
        {"conflict_declaration": {"has_conflict": False}},
    )
    assert res.status_code == 409
    assert res.json["error"]["code"] == "workload_cap"
    assert res.json["error"]["message"]
    assert session.get(Invitation, inv["id"]).state == "invited"
    assert world.ok(expert, "GET", "/api/v1/me/invitations")["workload"] == 1


def test_workload_counts_only_open_requests(world):
    world.to_published()
    ids = [e.person_id for e in world.experts[:3]]
    assert set(workload(ids).values()) == {0}
    open_one = world.to_panel_forming()
    world.accept(world.experts[0], world.invite(open_one, world.experts[0])["id"])
    assert workload(ids)[world.experts[0].person_id] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "conflict_declaration"),
        ({"conflict_declaration": {"has_conflict": True}}, "conflict_declaration.details"),
        ({"conflict_declaration": {"has_conflict": "no"}}, "conflict_declaration.has_conflict"),
    ],
)
def test_accept_needs_a_conflict_declaration(world, body, field):
    rid = world.to_panel_forming()
    inv = world.invite(rid, world.experts[0])
    res = world.call(world.experts[0], "POST", f"/api/v1/invitations/{inv['id']}/accept", body)
    assert res.status_code == 422
    assert field in res.json["error"]["fields"]


def test_only_the_invitee_answers_and_only_once(world):
    rid = world.to_panel_forming()
    inv = world.invite(rid, world.experts[0])
    url = f"/api/v1/invitations/{inv['id']}"
    body = {"conflict_declaration": {"has_conflict": False}}
    assert world.call(world.experts[1], "POST", f"{url}/accept", body).status_code == 404
    assert world.call(world.coordinator, "POST", f"{url}/accept", body).status_code == 403
    assert world.call(world.experts[0], "POST", f"{url}/decline", {}).status_code == 422
    world.ok(world.experts[0], "POST", f"{url}/accept", body)
    again = world.call(world.experts[0], "POST", f"{url}/decline", {"reason": "Đổi ý"})
    assert again.status_code == 409


def test_invitation_refusals(world, make_person):
    rid = world.file()["id"]
    body = {"expert_id": world.experts[0].person_id, "role": "member"}
    url = f"/api/v1/requests/{rid}/invitations"
    # Not yet forming a panel.
    world.act(world.agency, rid, "submit")
    world.act(world.coordinator, rid, "accept")
    assert world.call(world.coordinator, "POST", url, body).status_code == 409
    world.act(world.coordinator, rid, "open_panel")
    # Not the coordinator.
    assert world.call(world.approver, "POST", url, body).status_code == 403
    assert world.call(world.agency, "POST", url, body).status_code == 403
    # Bad input, each named.
    for bad, field in (
        ({"expert_id": 999999, "role": "member"}, "expert_id"),
        ({"expert_id": world.experts[0].person_id, "role": "boss"}, "role"),
        ({"expert_id": make_person(full_name="Trần Văn Không").id, "role": "member"}, "expert_id"),
        (
            {"expert_id": world.experts[0].person_id, "role": "member",
             "respond_by": "2001-01-01T00:00:00Z"},
            "respond_by",
        ),
    ):  # fmt: skip
        res = world.call(world.coordinator, "POST", url, bad)
        assert res.status_code == 422 and field in res.json["error"]["fields"], bad
    world.ok(world.coordinator, "POST", url, {**body, "role": "chair"}, status=201)
    assert world.call(world.coordinator, "POST", url, body).status_code == 409  # duplicate
    second_chair = {"expert_id": world.experts[1].person_id, "role": "chair"}
    res = world.call(world.coordinator, "POST", url, second_chair)
    assert res.status_code == 422 and "role" in res.json["error"]["fields"]


def test_a_declined_seat_is_replaced(world, session):
    rid = world.to_panel_forming()
    inv = world.invite(rid, world.experts[0], "chair")
    world.ok(world.experts[0], "POST", f"/api/v1/invitations/{inv['id']}/decline", {"reason": "Ốm"})
    new = world.ok(
        world.coordinator,
        "POST",
        f"/api/v1/invitations/{inv['id']}/replace",
        {"expert_id": world.experts[1].person_id},
        status=201,
    )
    assert (new["role"], new["state"], new["expert_id"]) == (
        "chair",
        "invited",
        world.experts[1].person_id,
    )
    assert session.get(Invitation, inv["id"]).replaced_by_id == new["id"]
    res = world.call(
        world.coordinator,
        "POST",
        f"/api/v1/invitations/{inv['id']}/replace",
        {"expert_id": world.experts[2].person_id},
    )
    assert res.status_code == 409


def test_a_conflicted_member_is_replaced(world):
    rid = world.to_panel_forming()
    inv = world.invite(rid, world.experts[0], "member")
    world.accept(world.experts[0], inv["id"], conflict="Vợ tôi làm việc cho chủ đầu tư.")
    res = world.ok(
        world.coordinator,
        "POST",
        f"/api/v1/invitations/{inv['id']}/resolve_conflict",
        {
            "resolution": "replaced",
            "note": "Xung đột lợi ích trực tiếp.",
            "replacement_expert_id": world.experts[1].person_id,
        },
    )
    assert res["conflict_resolution"] == "replaced" and res["state"] == "revoked"
    panel = world.ok(world.coordinator, "GET", f"/api/v1/requests/{rid}/panel")["items"]
    assert [(i["expert_id"], i["state"]) for i in panel] == [
        (world.experts[0].person_id, "revoked"),
        (world.experts[1].person_id, "invited"),
    ]
    missing = world.call(
        world.coordinator,
        "POST",
        f"/api/v1/invitations/{inv['id']}/resolve_conflict",
        {"resolution": "keep_with_note", "note": "Giữ lại"},
    )
    assert missing.status_code == 409  # already resolved


def test_revoked_expert_loses_sight_of_the_request(world, session):
    rid = world.to_panel_forming()
    inv = world.invite(rid, world.experts[0])
    world.ok(world.coordinator, "POST", f"/api/v1/invitations/{inv['id']}/revoke", {})
    assert world.call(world.experts[0], "GET", f"/api/v1/requests/{rid}").status_code == 404
    kinds = world.ok(world.experts[0], "GET", "/api/v1/me/notifications")["items"]
    assert [n["kind"] for n in kinds] == ["invitation_revoked", "invitation_received"]
    count = session.scalar(select(func.count()).select_from(Invitation))
    assert count == 1


def test_meetings_are_scheduled_attended_and_minuted(world):
    rid = world.to_in_review()
    e = world.experts
    starts = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    body = {
        "kind": "workshop",
        "title": "Hội thảo phản biện đề án",
        "starts_at": starts,
        "place": "Hội trường Liên hiệp Hội",
        "agenda": "1. Trình bày đề án\n2. Thảo luận",
        "experts": [x.person_id for x in e[:3]],
        "guests": [{"name": "Đại diện Sở Tài chính", "organization": "Sở Tài chính"}],
    }
    meeting = world.ok(world.coordinator, "POST", f"/api/v1/requests/{rid}/meetings", body, 201)
    assert len(meeting["experts"]) == 3
    invited = world.ok(e[0], "GET", "/api/v1/me/notifications")["items"]
    assert "meeting_scheduled" in [n["kind"] for n in invited]
    update = {
        "held": True,
        "minutes": "Các chuyên gia thống nhất kiến nghị.",
        "attendance": [
            {"expert_id": e[0].person_id, "attended": True},
            {"expert_id": e[1].person_id, "attended": False},
        ],
    }
    changed = world.ok(world.coordinator, "PATCH", f"/api/v1/meetings/{meeting['id']}", update)
    attended = {x["expert_id"]: x["attended"] for x in changed["experts"]}
    assert attended == {e[0].person_id: True, e[1].person_id: False, e[2].person_id: None}
    assert changed["held"] is True
    nowhere = world.call(
        world.coordinator, "PATCH", f"/api/v1/meetings/{meeting['id']}", {"place": None}
    )
    assert nowhere.status_code == 422 and "place" in nowhere.json["error"]["fields"]
    listed = world.ok(e[0], "GET", f"/api/v1/requests/{rid}/meetings")
    assert listed["total"] == 1
    assert world.call(world.agency, "GET", f"/api/v1/meetings/{meeting['id']}").status_code == 404


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"place": None}, "place"),
        ({"kind": "party"}, "kind"),
        ({"starts_at": "soon"}, "starts_at"),
        ({"online_url": "ftp://x"}, "online_url"),
        ({"experts": [999999]}, "experts"),
    ],
)
def test_meeting_input_is_validated(world, patch, field):
    rid = world.to_in_review()
    body = {
        "kind": "panel_meeting",
        "title": "Họp tổ chuyên gia",
        "starts_at": "2030-05-01T08:00:00+07:00",
        "place": "Phòng họp số 2",
        **patch,
    }
    res = world.call(world.coordinator, "POST", f"/api/v1/requests/{rid}/meetings", body)
    assert res.status_code == 422, res.json
    assert field in res.json["error"]["fields"]


def test_only_the_coordinator_schedules_meetings(world):
    rid = world.to_in_review()
    body = {"kind": "panel_meeting", "title": "Họp", "starts_at": "2030-05-01T08:00:00Z",
            "online_url": "https://meet.example.org/x"}  # fmt: skip
    assert (
        world.call(world.experts[0], "POST", f"/api/v1/requests/{rid}/meetings", body).status_code
        == 403
    )
