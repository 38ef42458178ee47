"""The whole consultation through the API, from the agency's request to its response."""

from __future__ import annotations

from sqlalchemy import select

from expertnet.consultation.models import Notification, OutboxMail, PublishedOpinion
from expertnet.consultation.operations import content_hash
from workflows import CONSULTATION_WORKFLOW, replay


def test_the_whole_journey_from_request_to_response(world, session):
    w = world
    e = w.experts
    # The agency files and submits.
    created = w.file(confidential=False)
    rid = created["id"]
    assert created["state"] == "draft" and created["version"] == 1
    assert created["allowed_actions"] == ["submit", "withdraw"]
    w.act(w.agency, rid, "submit", version=1)

    # The coordinator accepts (and becomes the request's coordinator) and opens the panel.
    req = w.act(w.coordinator, rid, "accept")
    assert req["coordinator"]["id"] == w.coordinator.id
    w.act(w.coordinator, rid, "open_panel")

    # Three experts are invited and accept; a fourth declines and is replaced.
    invitations = {}
    for expert, role in zip(e[:3], ("chair", "secretary", "reviewer"), strict=True):
        invitations[expert.person_id] = w.invite(rid, expert, role)
    declined = w.invite(rid, e[3], "member")
    res = w.call(e[3], "POST", f"/api/v1/invitations/{declined['id']}/decline", {"reason": "Bận"})
    assert res.status_code == 200 and res.json["state"] == "declined"
    mine = w.ok(e[0], "GET", "/api/v1/me/invitations")
    assert [i["request_id"] for i in mine["items"]] == [rid]
    for expert in e[:3]:
        accepted = w.accept(expert, invitations[expert.person_id]["id"])
        assert accepted["state"] == "accepted"
    panel = w.ok(w.coordinator, "GET", f"/api/v1/requests/{rid}/panel")
    states = sorted(i["state"] for i in panel["items"])
    assert states == ["accepted", "accepted", "accepted", "declined"]
    assert all(i["workload"] == 1 for i in panel["items"] if i["state"] == "accepted")

    # Review: each expert writes and submits an opinion.
    w.act(w.coordinator, rid, "start_review", opinion_due_at="2030-01-01T00:00:00+07:00")
    for expert in e[:3]:
        opinion = w.write_opinion(expert, rid)
        assert opinion["submitted"] is True
        assert "<strong>Đề án</strong>" in opinion["assessment_html"]
    own = w.ok(e[0], "GET", f"/api/v1/requests/{rid}/opinions")
    assert [o["expert_id"] for o in own["items"]] == [e[0].person_id]
    assert w.ok(w.coordinator, "GET", f"/api/v1/requests/{rid}/opinions")["total"] == 3
    w.act(w.coordinator, rid, "close_review")

    # Consolidation by the secretary; the approver sends it back; resubmitted; approved.
    w.consolidate(rid, who=e[1])
    w.act(e[1], rid, "submit_consolidation")
    w.act(w.approver, rid, "send_back", comment="Nêu rõ căn cứ pháp lý.")
    assert w.ok(w.coordinator, "GET", f"/api/v1/requests/{rid}")["state"] == "consolidation"
    w.consolidate(rid)
    w.act(w.coordinator, rid, "submit_consolidation")
    published = w.act(w.approver, rid, "approve")
    assert published["state"] == "published"
    opinion_id = published["published_opinion"]

    # The public reads it without a token.
    register = w.ok(None, "GET", "/api/v1/opinions")
    assert [o["id"] for o in register["items"]] == [opinion_id]
    assert register["items"][0]["request_id"] == rid
    public = w.ok(None, "GET", f"/api/v1/opinions/{opinion_id}")
    assert public["number"].endswith("/LHH-TVPB")
    assert sorted(p["role"] for p in public["panel"]) == ["chair", "reviewer", "secretary"]
    first, second = public["recommendations"]
    assert first["endorsed_by"] == sorted([e[0].person_id, e[1].person_id])
    assert first["dissent"][0]["expert_id"] == e[2].person_id  # dissent survives publication
    assert first["response"] is None
    stored = session.get(PublishedOpinion, opinion_id)
    assert public["content_hash"] == content_hash(stored.content)

    # After publication the panel sees each other's opinions.
    assert w.ok(e[0], "GET", f"/api/v1/requests/{rid}/opinions")["total"] == 3

    # The agency records its response; the request closes.
    responses = [
        {"recommendation": first["id"], "status": "adopted"},
        {
            "recommendation": second["id"],
            "status": "partially_adopted",
            "explanation": "Nguồn vốn sẽ được làm rõ ở giai đoạn sau.",
        },
    ]
    closed = w.act(w.agency, rid, "record_response", responses=responses)
    assert closed["state"] == "closed" and closed["allowed_actions"] == []
    answered = w.ok(None, "GET", f"/api/v1/opinions/{opinion_id}")
    assert [r["response"]["status"] for r in answered["recommendations"]] == [
        "adopted",
        "partially_adopted",
    ]

    # Every step is in the history, in order.
    history = w.ok(w.agency, "GET", f"/api/v1/requests/{rid}/history")["items"]
    assert [h["action"] for h in history] == [
        "submit", "accept", "open_panel", "start_review", "close_review",
        "submit_consolidation", "send_back", "submit_consolidation", "approve",
        "record_response",
    ]  # fmt: skip
    assert history[6]["comment"] == "Nêu rõ căn cứ pháp lý."
    assert history[6]["actor"]["role"] == "approver"
    assert [h["from_state"] for h in history[1:]] == [h["to_state"] for h in history[:-1]]
    # Replaying the stored history through the engine's table reproduces the state.
    assert replay(CONSULTATION_WORKFLOW, history) == "closed"

    # Notifications reached inboxes and the outbox (no SMTP configured: kept there).
    inbox = w.ok(w.agency, "GET", "/api/v1/me/notifications")
    kinds = {n["kind"] for n in inbox["items"]}
    assert {"request_accepted", "opinion_published"} <= kinds
    unsent = session.scalars(select(OutboxMail).where(OutboxMail.sent_at.is_(None))).all()
    assert len(unsent) == len(session.scalars(select(Notification)).all())
    assert unsent and all(m.attempts == 0 for m in unsent)


def test_record_response_needs_one_answer_per_recommendation(world):
    rid, opinion_id = world.to_published()
    recs = world.ok(None, "GET", f"/api/v1/opinions/{opinion_id}")["recommendations"]
    res = world.call(
        world.agency,
        "POST",
        f"/api/v1/requests/{rid}/actions/record_response",
        {"responses": [{"recommendation": recs[0]["id"], "status": "not_adopted"}]},
    )
    assert res.status_code == 422
    assert "responses" in res.json["error"]["fields"]
    assert "responses[0].explanation" in res.json["error"]["fields"]
    assert world.ok(world.agency, "GET", f"/api/v1/requests/{rid}")["state"] == "published"
