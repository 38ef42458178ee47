"""Who sees what: requests, opinions, the register, the inbox — checked on the server per object."""

from __future__ import annotations

import pytest

ROLES = (
    "agency",
    "other_agency",
    "coordinator",
    "approver",
    "admin",
    "liaison",
    "invited",
    "outsider",
)


def _who(world, name):
    if name == "invited":
        return world.experts[0]
    if name == "outsider":
        return world.experts[4]
    return getattr(world, name)


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("agency", True),
        ("other_agency", False),
        ("coordinator", True),
        ("approver", True),
        ("admin", True),
        ("liaison", False),
        ("invited", True),
        ("outsider", False),
    ],
)
def test_request_visibility_by_role(world, role, sees):
    rid = world.to_panel_forming()
    world.invite(rid, world.experts[0])
    who = _who(world, role)
    detail = world.call(who, "GET", f"/api/v1/requests/{rid}")
    assert detail.status_code == (200 if sees else 404)
    listed = world.ok(who, "GET", "/api/v1/requests")
    assert (rid in [r["id"] for r in listed["items"]]) is sees
    history = world.call(who, "GET", f"/api/v1/requests/{rid}/history")
    assert history.status_code == (200 if sees else 404)


def test_the_public_needs_a_token_for_requests(world):
    rid = world.file()["id"]
    assert world.call(None, "GET", "/api/v1/requests").status_code == 401
    assert world.call(None, "GET", f"/api/v1/requests/{rid}").status_code == 401


def test_allowed_actions_are_per_caller(world):
    rid = world.file()["id"]
    world.act(world.agency, rid, "submit")
    as_agency = world.ok(world.agency, "GET", f"/api/v1/requests/{rid}")["allowed_actions"]
    as_coordinator = world.ok(world.coordinator, "GET", f"/api/v1/requests/{rid}")
    assert as_agency == ["withdraw"]
    assert as_coordinator["allowed_actions"] == ["return", "decline", "accept"]
    assert world.ok(world.approver, "GET", f"/api/v1/requests/{rid}")["allowed_actions"] == []


def test_list_filters_by_state_and_kind(world):
    a = world.file(kind="critique")["id"]
    b = world.file(kind="assessment")["id"]
    world.act(world.agency, b, "submit")
    drafts = world.ok(world.coordinator, "GET", "/api/v1/requests?state=draft")
    assert [r["id"] for r in drafts["items"]] == [a]
    assessments = world.ok(world.coordinator, "GET", "/api/v1/requests?kind=assessment")
    assert [r["id"] for r in assessments["items"]] == [b]
    bad = world.call(world.coordinator, "GET", "/api/v1/requests?state=nope")
    assert bad.status_code == 422 and "state" in bad.json["error"]["fields"]


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        (None, False),
        ("agency", True),
        ("other_agency", False),
        ("coordinator", True),
        ("approver", True),
        ("invited", False),
        ("liaison", False),
    ],
)
def test_confidential_opinions_only_for_their_agency_and_staff(world, role, sees):
    _rid, opinion_id = world.to_published(confidential=True)
    who = _who(world, role) if role else None
    register = world.ok(who, "GET", "/api/v1/opinions")
    assert (opinion_id in [o["id"] for o in register["items"]]) is sees
    detail = world.call(who, "GET", f"/api/v1/opinions/{opinion_id}")
    assert detail.status_code == (200 if sees else 404)


def test_register_filters(world):
    _rid, opinion_id = world.to_published(kind="assessment")
    year = world.ok(None, "GET", f"/api/v1/opinions/{opinion_id}")["published_at"][:4]
    assert world.ok(None, "GET", f"/api/v1/opinions?year={year}")["total"] == 1
    assert world.ok(None, "GET", f"/api/v1/opinions?year={int(year) - 1}")["total"] == 0
    hit = world.ok(None, "GET", "/api/v1/opinions?kind=assessment&q=Lạch")
    assert [o["id"] for o in hit["items"]] == [opinion_id]
    miss = world.ok(None, "GET", "/api/v1/opinions?kind=consultation")
    assert miss["total"] == 0
    agency_org = world.agency.user.organization_id
    mine = world.ok(None, "GET", f"/api/v1/opinions?agency={agency_org}")
    assert mine["total"] == 1
    assert world.call(None, "GET", "/api/v1/opinions?year=abc").status_code == 422


def test_opinions_of_others_stay_hidden_until_publication(world):
    rid = world.to_in_review()
    for expert in world.experts[:2]:
        world.write_opinion(expert, rid)
    own = world.ok(world.experts[1], "GET", f"/api/v1/requests/{rid}/opinions")
    assert [o["expert_id"] for o in own["items"]] == [world.experts[1].person_id]
    none = world.ok(world.experts[2], "GET", f"/api/v1/requests/{rid}/opinions")
    assert none["items"] == []
    agency = world.ok(world.agency, "GET", f"/api/v1/requests/{rid}/opinions")
    assert agency["items"] == []
    assert world.ok(world.approver, "GET", f"/api/v1/requests/{rid}/opinions")["total"] == 2


def test_assessment_markdown_is_sanitised(world):
    rid = world.to_in_review()
    body = {
        "summary": "x",
        "assessment": "<script>alert(1)</script>[a](javascript:alert(1)) **đậm**",
        "position": "support",
    }
    saved = world.ok(world.experts[0], "PUT", f"/api/v1/requests/{rid}/opinion", body)
    html = saved["assessment_html"]
    assert "<script" not in html and "javascript:" not in html
    assert "<strong>đậm</strong>" in html


def test_inbox_is_personal(world):
    rid = world.file()["id"]
    world.act(world.agency, rid, "submit")
    mine = world.ok(world.coordinator, "GET", "/api/v1/me/notifications")
    assert mine["total"] == 1 and mine["items"][0]["kind"] == "request_submitted"
    nid = mine["items"][0]["id"]
    other = world.call(world.agency, "POST", f"/api/v1/me/notifications/{nid}/read")
    assert other.status_code == 404
    read = world.ok(world.coordinator, "POST", f"/api/v1/me/notifications/{nid}/read")
    assert read["read_at"] is not None
    assert world.ok(world.coordinator, "GET", "/api/v1/me/notifications?unread=1")["total"] == 0


def test_panel_is_for_staff_and_members(world):
    rid = world.to_in_review()
    assert world.call(world.agency, "GET", f"/api/v1/requests/{rid}/panel").status_code == 403
    assert world.call(world.experts[0], "GET", f"/api/v1/requests/{rid}/panel").status_code == 200


def test_consolidation_is_not_shown_to_the_agency(world):
    rid = world.to_consolidation()
    world.consolidate(rid)
    url = f"/api/v1/requests/{rid}/consolidation"
    assert world.call(world.agency, "GET", url).status_code == 403
    assert world.call(world.approver, "GET", url).status_code == 200
