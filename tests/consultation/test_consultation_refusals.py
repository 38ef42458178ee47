"""Every refusal answers with the right status and a clear error, and changes nothing:
each refused call runs inside ``unchanged(session)``, which compares every table's rows
before and after it."""

from __future__ import annotations

import pytest
from helpers import unchanged
from sqlalchemy import func, select, text

from expertnet.consultation.models import Consolidation, Request, RequestHistory
from expertnet.consultation.operations import perform_action
from expertnet.core.errors import ApiError


def _unchanged(world, rid: int, state: str, version: int) -> None:
    now = world.ok(world.coordinator, "GET", f"/api/v1/requests/{rid}")
    assert (now["state"], now["version"]) == (state, version)


def test_an_action_the_state_does_not_allow_is_409_and_changes_nothing(world, session):
    rid = world.file()["id"]
    with unchanged(session):
        res = world.call(world.coordinator, "POST", f"/api/v1/requests/{rid}/actions/approve", {})
    assert res.status_code == 409
    assert res.json["error"]["code"] == "invalid_transition"
    assert res.json["error"]["message"]
    _unchanged(world, rid, "draft", 1)


def test_an_action_the_role_does_not_allow_is_403(world, session):
    rid = world.file()["id"]
    world.act(world.agency, rid, "submit")
    with unchanged(session):
        res = world.call(world.agency, "POST", f"/api/v1/requests/{rid}/actions/accept", {})
    assert res.status_code == 403
    assert res.json["error"]["code"] == "forbidden"
    _unchanged(world, rid, "submitted", 2)


def test_a_stale_version_is_409_with_the_fresh_state(world, session):
    rid = world.file()["id"]
    world.act(world.agency, rid, "submit", version=1)
    with unchanged(session):
        res = world.call(
            world.coordinator, "POST", f"/api/v1/requests/{rid}/actions/accept", {"version": 1}
        )
    assert res.status_code == 409
    error = res.json["error"]
    assert error["code"] == "version_conflict"
    assert (error["current_state"], error["current_version"]) == ("submitted", 2)
    _unchanged(world, rid, "submitted", 2)


def test_the_race_lost_after_the_engine_check_is_a_409(world, session, app):
    """The compare-and-set catches a change made between reading the facts and writing."""
    rid = world.file()["id"]
    req = session.get(Request, rid)
    # Someone else's transaction moved the version on behind the loaded object's back.
    session.execute(
        text("UPDATE consultation_request SET version = version + 1 WHERE id = :id"), {"id": rid}
    )
    with app.test_request_context(), pytest.raises(ApiError) as err:
        perform_action(req, "submit", world.agency.user, {}, None)
    assert err.value.status == 409 and err.value.code == "version_conflict"
    assert err.value.extra["current_version"] == 2
    count = session.scalar(select(func.count()).where(RequestHistory.request_id == rid))
    assert count == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [({"version": "one"}, "version"), ({"comment": 5}, "comment")],
)
def test_malformed_action_fields_are_422(world, session, body, field):
    rid = world.file()["id"]
    with unchanged(session):
        res = world.call(world.agency, "POST", f"/api/v1/requests/{rid}/actions/submit", body)
    assert res.status_code == 422
    assert field in res.json["error"]["fields"]
    _unchanged(world, rid, "draft", 1)


def test_unknown_action_is_404(world, session):
    rid = world.file()["id"]
    with unchanged(session):
        res = world.call(world.agency, "POST", f"/api/v1/requests/{rid}/actions/explode", {})
    assert res.status_code == 404
    assert res.json["error"]["code"] == "unknown_action"


def test_return_and_decline_need_a_reason(world, session):
    rid = world.file()["id"]
    world.act(world.agency, rid, "submit")
    for action in ("return", "decline"):
        with unchanged(session):
            url = f"/api/v1/requests/{rid}/actions/{action}"
            res = world.call(world.coordinator, "POST", url, {})
        assert res.status_code == 422
        assert "comment" in res.json["error"]["fields"]
    _unchanged(world, rid, "submitted", 2)


def test_return_and_resubmit_loop_keeps_the_questions(world):
    rid = world.file()["id"]
    world.act(world.agency, rid, "submit")
    world.act(world.coordinator, rid, "return", comment="Thiếu báo cáo ĐTM.")
    update = world.call(world.agency, "PATCH", f"/api/v1/requests/{rid}", {"summary": "Đã bổ sung"})
    assert update.status_code == 200
    world.act(world.agency, rid, "resubmit")
    history = world.ok(world.agency, "GET", f"/api/v1/requests/{rid}/history")["items"]
    assert [h["action"] for h in history] == ["submit", "return", "resubmit"]
    assert history[1]["comment"] == "Thiếu báo cáo ĐTM."


def test_start_review_needs_three_members_and_a_chair(world, session):
    rid = world.to_panel_forming()
    for expert in world.experts[:2]:
        world.accept(expert, world.invite(rid, expert, "member")["id"])
    with unchanged(session):
        url = f"/api/v1/requests/{rid}/actions/start_review"
        res = world.call(world.coordinator, "POST", url, {})
    assert res.status_code == 409
    assert res.json["error"]["code"] == "panel_incomplete"
    detail = world.ok(world.coordinator, "GET", f"/api/v1/requests/{rid}")
    assert "start_review" not in detail["allowed_actions"]


def test_an_unresolved_conflict_blocks_the_review_until_resolved(world, session):
    rid = world.to_panel_forming()
    e = world.experts
    world.accept(e[0], world.invite(rid, e[0], "chair")["id"])
    world.accept(e[1], world.invite(rid, e[1], "member")["id"])
    conflicted = world.invite(rid, e[2], "member")
    world.accept(e[2], conflicted["id"], conflict="Tôi là cố vấn của chủ đầu tư.")
    with unchanged(session):
        url = f"/api/v1/requests/{rid}/actions/start_review"
        res = world.call(world.coordinator, "POST", url, {})
    assert res.status_code == 409 and res.json["error"]["code"] == "unresolved_conflicts"
    kept = world.ok(
        world.coordinator,
        "POST",
        f"/api/v1/invitations/{conflicted['id']}/resolve_conflict",
        {"resolution": "keep_with_note", "note": "Quan hệ đã chấm dứt từ 2020."},
    )
    assert kept["conflict_resolution"] == "keep_with_note"
    world.act(world.coordinator, rid, "start_review")


def test_close_review_needs_every_opinion_before_the_deadline(world, session):
    rid = world.to_in_review()
    world.write_opinion(world.experts[0], rid)
    with unchanged(session):
        url = f"/api/v1/requests/{rid}/actions/close_review"
        res = world.call(world.coordinator, "POST", url, {})
    assert res.status_code == 409 and res.json["error"]["code"] == "opinions_missing"


def test_approve_needs_a_consolidation(world, session):
    rid = world.to_consolidation()
    with unchanged(session):
        url = f"/api/v1/requests/{rid}/actions/submit_consolidation"
        res = world.call(world.coordinator, "POST", url, {})
    assert res.status_code == 409 and res.json["error"]["code"] == "consolidation_missing"


def test_approver_cannot_approve_own_consolidation(world, session):
    """Four eyes: the one who wrote the consolidated opinion never approves it."""
    rid = world.to_approval()
    # One role per account means the author is normally a coordinator; make the approver
    # the author to check that the rule itself holds.
    consolidation = session.scalar(select(Consolidation).where(Consolidation.request_id == rid))
    consolidation.author_id = world.approver.id
    session.flush()
    before = world.ok(world.approver, "GET", f"/api/v1/requests/{rid}")
    assert "approve" not in before["allowed_actions"]
    with unchanged(session):
        res = world.call(world.approver, "POST", f"/api/v1/requests/{rid}/actions/approve", {})
    assert res.status_code == 403
    assert res.json["error"]["code"] == "four_eyes"
    _unchanged(world, rid, "approval", before["version"])
    world.act(world.approver2, rid, "approve")


def test_send_back_needs_comments(world, session):
    rid = world.to_approval()
    with unchanged(session):
        res = world.call(world.approver, "POST", f"/api/v1/requests/{rid}/actions/send_back", {})
    assert res.status_code == 422 and "comment" in res.json["error"]["fields"]


def test_withdraw_is_refused_after_publication(world, session):
    rid, _opinion = world.to_published()
    with unchanged(session):
        res = world.call(world.agency, "POST", f"/api/v1/requests/{rid}/actions/withdraw", {})
    assert res.status_code == 409
    assert res.json["error"]["code"] == "invalid_transition"


def test_agency_can_withdraw_before_publication(world):
    rid = world.to_in_review()
    assert world.act(world.agency, rid, "withdraw")["state"] == "withdrawn"


def test_another_coordinator_cannot_act_once_one_is_assigned(world, session):
    rid = world.file()["id"]
    world.act(world.agency, rid, "submit")
    world.act(world.coordinator, rid, "accept")
    with unchanged(session):
        url = f"/api/v1/requests/{rid}/actions/open_panel"
        res = world.call(world.coordinator2, "POST", url, {})
    assert res.status_code == 403
    assert res.json["error"]["code"] == "forbidden"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "kind"),
        ({"kind": "gossip"}, "kind"),
        ({"kind": "critique", "title": ""}, "title"),
        ({"kind": "critique", "title": "Đề án", "fields": ["NOPE"]}, "fields"),
        ({"kind": "critique", "title": "Đề án", "subject_organizations": [999999]},
         "subject_organizations"),
        ({"kind": "critique", "title": "Đề án", "due_date": "2001-01-01"}, "due_date"),
        ({"kind": "critique", "title": "Đề án", "due_date": "tomorrow"}, "due_date"),
        ({"kind": "critique", "title": "Đề án", "confidential": "yes"}, "confidential"),
        ({"kind": "critique", "title": "Đề án", "colour": "blue"}, "colour"),
    ],
)  # fmt: skip
def test_bad_request_input_is_422_naming_the_field(world, session, body, field):
    with unchanged(session):
        res = world.call(world.agency, "POST", "/api/v1/requests", body)
    assert res.status_code == 422, res.json
    assert field in res.json["error"]["fields"]


def test_experts_cannot_file_requests(world, session):
    with unchanged(session):
        body = {"kind": "critique", "title": "Đề án"}
        res = world.call(world.experts[0], "POST", "/api/v1/requests", body)
    assert res.status_code == 403
    assert res.json["error"]["code"] == "forbidden"


def test_opinion_input_is_validated(world, session):
    rid = world.to_in_review()
    url = f"/api/v1/requests/{rid}/opinion"
    with unchanged(session):
        res = world.call(world.experts[0], "PUT", url, {"position": "maybe"})
    assert res.status_code == 422 and "position" in res.json["error"]["fields"]
    with unchanged(session):
        res = world.call(world.experts[0], "PUT", url, {"recommendations": [{"txt": "x"}]})
    assert res.status_code == 422
    assert any(k.startswith("recommendations") for k in res.json["error"]["fields"])
    world.ok(world.experts[0], "PUT", url, {"summary": "Tóm tắt"})
    with unchanged(session):
        res = world.call(world.experts[0], "POST", f"{url}/submit")
    assert res.status_code == 422 and "position" in res.json["error"]["fields"]


def test_opinions_are_only_written_by_panel_members_in_review(world, session):
    rid = world.to_in_review()
    outsider = world.experts[4]
    url = f"/api/v1/requests/{rid}/opinion"
    with unchanged(session):
        res = world.call(outsider, "PUT", url, {"summary": "x"})
    assert res.status_code == 404  # not invited: the request is not even visible
    with unchanged(session):
        res = world.call(world.coordinator, "PUT", url, {"summary": "x"})
    assert res.status_code == 403


def test_opinion_is_resubmittable_until_the_review_closes(world, session):
    rid = world.to_in_review()
    e0 = world.experts[0]
    first = world.write_opinion(e0, rid)
    # PUT replaces the draft; saving a submitted opinion makes it a draft to resubmit.
    body = {"summary": "Sửa lại", "position": "oppose"}
    again = world.ok(e0, "PUT", f"/api/v1/requests/{rid}/opinion", body)
    assert again["submitted"] is False and again["version"] > first["version"]
    assert world.ok(e0, "POST", f"/api/v1/requests/{rid}/opinion/submit")["submitted"]
    for expert in world.experts[1:3]:
        world.write_opinion(expert, rid)
    world.act(world.coordinator, rid, "close_review")
    with unchanged(session):
        res = world.call(e0, "PUT", f"/api/v1/requests/{rid}/opinion", {"summary": "Muộn"})
    assert res.status_code == 409


def test_consolidation_keeps_dissent_and_panel_only_endorsements(world, session):
    rid = world.to_consolidation()
    world.consolidate(rid)
    url = f"/api/v1/requests/{rid}/consolidation"
    e = world.experts
    erased = {
        "text": "Bản tổng hợp",
        "recommendations": [{"text": "Bổ sung ĐTM.", "endorsed_by": [e[0].person_id]}],
    }
    with unchanged(session):
        res = world.call(world.coordinator, "PUT", url, erased)
    assert res.status_code == 422 and "recommendations" in res.json["error"]["fields"]
    stranger = {
        "text": "Bản tổng hợp",
        "recommendations": [{"text": "x", "endorsed_by": [e[4].person_id]}],
    }
    with unchanged(session):
        res = world.call(world.coordinator, "PUT", url, stranger)
    assert res.status_code == 422
    assert "recommendations.0.endorsed_by" in res.json["error"]["fields"]
    with unchanged(session):
        res = world.call(e[0], "PUT", url, stranger)  # a member but not the secretary
    assert res.status_code == 403


def test_published_opinion_cannot_be_changed(world, session):
    from expertnet.consultation.models import PublishedOpinion

    _rid, opinion_id = world.to_published()
    opinion = session.get(PublishedOpinion, opinion_id)
    opinion.content = {"tampered": True}
    with pytest.raises(RuntimeError, match="frozen"):
        session.flush()
    session.rollback()


def test_history_cannot_be_rewritten(world, session):
    rid = world.file()["id"]
    world.act(world.agency, rid, "submit")
    entry = session.scalar(select(RequestHistory).where(RequestHistory.request_id == rid))
    entry.comment = "rewritten"
    with pytest.raises(RuntimeError, match="append-only"):
        session.flush()
    session.rollback()
