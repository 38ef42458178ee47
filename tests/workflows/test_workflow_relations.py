"""Who may act depends on the relation to the request, not only on the role."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from workflows import CONSULTATION_WORKFLOW as WF
from workflows import (
    ActionForbidden,
    Actor,
    EffectKind,
    GuardFailed,
    PanelRole,
    PanelSeat,
    RequestFacts,
    allowed_actions,
    apply_action,
)

Facts = Callable[..., RequestFacts]


def test_agency_of_another_organisation_cannot_submit(make_facts: Facts, now: datetime) -> None:
    stranger = Actor(user_id=90, roles=frozenset({"agency"}), organization_id=11)
    with pytest.raises(ActionForbidden):
        apply_action(WF, make_facts("draft"), "submit", stranger, now=now)


def test_colleague_at_the_filing_agency_may_submit(make_facts: Facts, now: datetime) -> None:
    colleague = Actor(user_id=91, roles=frozenset({"agency"}), organization_id=10)
    assert apply_action(WF, make_facts("draft"), "submit", colleague, now=now).to_state == (
        "submitted"
    )


def test_the_user_who_filed_may_act_after_changing_organisation(
    make_facts: Facts, now: datetime
) -> None:
    moved = Actor(user_id=1, roles=frozenset({"agency"}), organization_id=12)
    assert apply_action(WF, make_facts("returned"), "resubmit", moved, now=now).to_state == (
        "submitted"
    )


def test_coordinator_who_filed_union_work_acts_as_filer(make_facts: Facts, now: datetime) -> None:
    coordinator = Actor(user_id=2, roles=frozenset({"coordinator"}))
    facts = make_facts("draft", filed_by_user_id=2, agency_organization_id=None)
    outcome = apply_action(WF, facts, "submit", coordinator, now=now)
    assert outcome.to_state == "submitted"
    assert outcome.history_entry.actor_role == "coordinator"
    published = make_facts("published", filed_by_user_id=2, agency_organization_id=None)
    responses = [
        {"recommendation": 101, "status": "adopted"},
        {"recommendation": 102, "status": "adopted"},
    ]
    closed = apply_action(WF, published, "record_response", coordinator, {"responses": responses})
    assert closed.to_state == "closed"


def test_coordinator_who_did_not_file_cannot_submit(make_facts: Facts, now: datetime) -> None:
    coordinator = Actor(user_id=2, roles=frozenset({"coordinator"}))
    with pytest.raises(ActionForbidden):
        apply_action(WF, make_facts("draft"), "submit", coordinator, now=now)


def test_other_coordinator_cannot_act_on_an_assigned_request(
    make_facts: Facts, now: datetime
) -> None:
    other = Actor(user_id=20, roles=frozenset({"coordinator"}))
    with pytest.raises(ActionForbidden):
        apply_action(WF, make_facts("accepted"), "open_panel", other, now=now)


def test_any_coordinator_may_triage_while_none_is_assigned(
    make_facts: Facts, now: datetime
) -> None:
    other = Actor(user_id=20, roles=frozenset({"coordinator"}))
    facts = make_facts("submitted", assigned_coordinator_id=None)
    outcome = apply_action(WF, facts, "accept", other, now=now)
    assert outcome.to_state == "accepted"


def test_accept_asks_the_app_to_assign_the_accepting_coordinator(
    make_facts: Facts, cast: dict[str, Actor], now: datetime
) -> None:
    facts = make_facts("submitted", assigned_coordinator_id=None)
    outcome = apply_action(WF, facts, "accept", cast["coordinator"], now=now)
    assert [(e.kind, e.to) for e in outcome.effects if e.kind is EffectKind.ASSIGN_COORDINATOR] == [
        ("assign_coordinator", "actor")
    ]


def test_admin_stands_in_for_an_assigned_coordinator(
    make_facts: Facts, cast: dict[str, Actor], now: datetime
) -> None:
    outcome = apply_action(WF, make_facts("accepted"), "open_panel", cast["admin"], now=now)
    assert outcome.history_entry.actor_role == "admin"


def test_expert_who_is_not_the_panel_secretary_cannot_submit_consolidation(
    make_facts: Facts, now: datetime
) -> None:
    chair = Actor(user_id=41, roles=frozenset({"expert"}), person_id=41)
    with pytest.raises(ActionForbidden):
        apply_action(WF, make_facts("consolidation"), "submit_consolidation", chair, now=now)


def test_panel_secretary_is_recognised_by_user_id_too(make_facts: Facts, now: datetime) -> None:
    secretary = Actor(user_id=4, roles=frozenset({"expert"}), person_id=None)
    outcome = apply_action(WF, make_facts("consolidation"), "submit_consolidation", secretary)
    assert outcome.to_state == "approval"


def test_secretary_seat_without_the_expert_role_gives_no_right(
    make_facts: Facts, now: datetime
) -> None:
    liaison = Actor(user_id=4, roles=frozenset({"liaison"}), person_id=40)
    with pytest.raises(ActionForbidden):
        apply_action(WF, make_facts("consolidation"), "submit_consolidation", liaison, now=now)


def test_approver_cannot_approve_own_consolidation(make_facts: Facts, now: datetime) -> None:
    author = Actor(user_id=3, roles=frozenset({"approver"}))
    facts = make_facts("approval", consolidation_author_user_id=3)
    with pytest.raises(GuardFailed) as caught:
        apply_action(WF, facts, "approve", author, now=now)
    assert caught.value.status == 403
    assert caught.value.code == "four_eyes"


def test_approver_may_send_back_own_consolidation(make_facts: Facts, now: datetime) -> None:
    # Sending back only asks for more work; four eyes guards publication, not revision.
    author = Actor(user_id=3, roles=frozenset({"approver"}))
    facts = make_facts("approval", consolidation_author_user_id=3)
    outcome = apply_action(WF, facts, "send_back", author, {"comment": "Add the dissent."})
    assert outcome.to_state == "consolidation"


def test_coordinator_who_is_also_approver_may_approve_what_someone_else_wrote(
    make_facts: Facts, now: datetime
) -> None:
    both = Actor(user_id=2, roles=frozenset({"coordinator", "approver"}))
    facts = make_facts("approval", consolidation_author_user_id=4)
    outcome = apply_action(WF, facts, "approve", both, now=now)
    assert outcome.history_entry.actor_role == "approver"


def test_allowed_actions_hide_approve_from_the_consolidation_author(
    make_facts: Facts, now: datetime
) -> None:
    author = Actor(user_id=3, roles=frozenset({"approver"}))
    facts = make_facts("approval", consolidation_author_user_id=3)
    assert allowed_actions(WF, facts, author, now=now) == ["send_back"]


def test_expert_no_longer_seated_as_secretary_cannot_submit_consolidation(
    make_facts: Facts, now: datetime
) -> None:
    facts = make_facts(
        "consolidation", panel=(PanelSeat(person_id=41, role=PanelRole.CHAIR, user_id=41),)
    )
    secretary = Actor(user_id=4, roles=frozenset({"expert"}), person_id=40)
    with pytest.raises(ActionForbidden):
        apply_action(WF, facts, "submit_consolidation", secretary, now=now)
