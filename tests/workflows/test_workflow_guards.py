"""Each guard, passing and failing, with the defaults and with a kind's own policy."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

import pytest

from workflows import CONSULTATION_WORKFLOW as WF
from workflows import (
    Actor,
    Guard,
    GuardFailed,
    GuardFailure,
    KindPolicy,
    Message,
    PanelRole,
    PanelSeat,
    RequestFacts,
    ResponseStatus,
    UnknownKind,
    apply_action,
    available_actions,
)

Facts = Callable[..., RequestFacts]


def seats(*roles: str, submitted: int | None = None) -> tuple[PanelSeat, ...]:
    """Accepted seats with the given roles; the first ``submitted`` have sent their opinion."""
    count = len(roles) if submitted is None else submitted
    return tuple(
        PanelSeat(person_id=100 + i, role=PanelRole(role), opinion_submitted=i < count)
        for i, role in enumerate(roles)
    )


def failure_codes(caught: pytest.ExceptionInfo[GuardFailed]) -> list[str]:
    return [f.code for f in caught.value.failures]


# --- comment required: return, decline, send_back -------------------------------------------


@pytest.mark.parametrize(
    ("state", "action", "role"),
    [
        ("submitted", "return", "coordinator"),
        ("submitted", "decline", "coordinator"),
        ("returned", "decline", "coordinator"),
        ("approval", "send_back", "approver"),
    ],
)
@pytest.mark.parametrize("comment", [None, "", "   ", 42])
def test_action_without_a_reason_is_refused_with_422_on_comment(
    state: str, action: str, role: str, comment: Any, make_facts: Facts, cast: dict[str, Actor]
) -> None:
    body = {} if comment is None else {"comment": comment}
    with pytest.raises(GuardFailed) as caught:
        apply_action(WF, make_facts(state), action, cast[role], body)
    assert caught.value.status == 422
    assert set(caught.value.fields) == {"comment"}


def test_return_keeps_the_coordinators_question_in_the_history(
    make_facts: Facts, cast: dict[str, Actor], now: datetime
) -> None:
    outcome = apply_action(
        WF, make_facts("submitted"), "return", cast["coordinator"], {"comment": "  Map?  "}, now=now
    )
    assert outcome.history_entry.comment == "Map?"
    assert "comment" not in outcome.history_entry.payload


# --- start_review: panel of 3 with a chair, no unresolved conflict --------------------------


@pytest.mark.parametrize(
    "panel",
    [seats("chair", "member", "reviewer"), seats("chair", "secretary", "member", "member")],
)
def test_start_review_with_three_members_and_a_chair_passes(
    panel: tuple[PanelSeat, ...], make_facts: Facts, cast: dict[str, Actor]
) -> None:
    facts = make_facts("panel_forming", panel=panel)
    assert apply_action(WF, facts, "start_review", cast["coordinator"]).to_state == "in_review"


@pytest.mark.parametrize(
    "panel", [(), seats("chair", "member"), seats("member", "reviewer", "secretary")]
)
def test_start_review_without_three_members_or_a_chair_is_refused(
    panel: tuple[PanelSeat, ...], make_facts: Facts, cast: dict[str, Actor]
) -> None:
    facts = make_facts("panel_forming", panel=panel)
    with pytest.raises(GuardFailed) as caught:
        apply_action(WF, facts, "start_review", cast["coordinator"])
    assert caught.value.status == 409
    assert failure_codes(caught) == ["panel_incomplete"]
    assert "panel" in caught.value.fields


def test_start_review_with_an_unresolved_conflict_is_refused(
    make_facts: Facts, cast: dict[str, Actor]
) -> None:
    facts = make_facts("panel_forming", unresolved_conflicts=1)
    with pytest.raises(GuardFailed) as caught:
        apply_action(WF, facts, "start_review", cast["coordinator"])
    assert failure_codes(caught) == ["unresolved_conflicts"]


def test_start_review_reports_every_failed_condition_at_once(
    make_facts: Facts, cast: dict[str, Actor]
) -> None:
    facts = make_facts("panel_forming", panel=seats("member"), unresolved_conflicts=2)
    with pytest.raises(GuardFailed) as caught:
        apply_action(WF, facts, "start_review", cast["coordinator"])
    assert failure_codes(caught) == ["panel_incomplete", "unresolved_conflicts"]


# --- close_review: all opinions, or after the deadline 2/3 and a reason ---------------------


def test_close_review_with_every_opinion_in_needs_no_reason(
    make_facts: Facts, cast: dict[str, Actor], now: datetime
) -> None:
    facts = make_facts("in_review", panel=seats("chair", "member", "member"))
    outcome = apply_action(WF, facts, "close_review", cast["coordinator"], now=now)
    assert outcome.to_state == "consolidation"


def test_close_review_before_the_deadline_with_an_opinion_missing_is_refused(
    make_facts: Facts, cast: dict[str, Actor], now: datetime
) -> None:
    facts = make_facts(
        "in_review",
        panel=seats("chair", "member", "member", submitted=2),
        opinion_deadline=now + timedelta(hours=1),
    )
    with pytest.raises(GuardFailed) as caught:
        apply_action(WF, facts, "close_review", cast["coordinator"], {"comment": "x"}, now=now)
    assert failure_codes(caught) == ["opinions_missing"]
    assert caught.value.status == 409


def test_close_review_after_the_deadline_with_two_thirds_and_a_reason_passes(
    make_facts: Facts, cast: dict[str, Actor], now: datetime
) -> None:
    facts = make_facts(
        "in_review",
        panel=seats("chair", "member", "member", submitted=2),
        opinion_deadline=now - timedelta(minutes=1),
    )
    body = {"comment": "Dr. Lê is ill; the chair agreed to close."}
    outcome = apply_action(WF, facts, "close_review", cast["coordinator"], body, now=now)
    assert outcome.to_state == "consolidation"


def test_close_review_at_the_very_deadline_counts_as_passed(
    make_facts: Facts, cast: dict[str, Actor], now: datetime
) -> None:
    facts = make_facts(
        "in_review", panel=seats("chair", "member", "member", submitted=2), opinion_deadline=now
    )
    body = {"comment": "Deadline reached."}
    assert apply_action(WF, facts, "close_review", cast["coordinator"], body, now=now)


def test_close_review_after_the_deadline_without_a_reason_is_refused_with_422(
    make_facts: Facts, cast: dict[str, Actor], now: datetime
) -> None:
    facts = make_facts(
        "in_review",
        panel=seats("chair", "member", "member", submitted=2),
        opinion_deadline=now - timedelta(days=1),
    )
    with pytest.raises(GuardFailed) as caught:
        apply_action(WF, facts, "close_review", cast["coordinator"], now=now)
    assert failure_codes(caught) == ["reason_required"]
    assert caught.value.status == 422
    assert set(caught.value.fields) == {"comment"}


def test_close_review_after_the_deadline_below_two_thirds_is_refused(
    make_facts: Facts, cast: dict[str, Actor], now: datetime
) -> None:
    facts = make_facts(
        "in_review",
        panel=seats("chair", "member", "member", "member", submitted=2),
        opinion_deadline=now - timedelta(days=1),
    )
    with pytest.raises(GuardFailed) as caught:
        apply_action(WF, facts, "close_review", cast["coordinator"], {"comment": "x"}, now=now)
    assert failure_codes(caught) == ["opinions_missing"]


def test_close_review_without_a_deadline_needs_every_opinion(
    make_facts: Facts, cast: dict[str, Actor], now: datetime
) -> None:
    facts = make_facts(
        "in_review",
        panel=seats("chair", "member", "member", submitted=2),
        opinion_deadline=None,
    )
    with pytest.raises(GuardFailed):
        apply_action(WF, facts, "close_review", cast["coordinator"], {"comment": "x"}, now=now)


def test_close_review_with_no_accepted_member_left_is_refused(
    make_facts: Facts, cast: dict[str, Actor], now: datetime
) -> None:
    facts = make_facts("in_review", panel=(), opinion_deadline=now - timedelta(days=1))
    with pytest.raises(GuardFailed) as caught:
        apply_action(WF, facts, "close_review", cast["coordinator"], {"comment": "x"}, now=now)
    assert failure_codes(caught) == ["opinions_missing"]


def test_naive_deadline_is_read_as_utc(
    make_facts: Facts, cast: dict[str, Actor], now: datetime
) -> None:
    naive_past = (now - timedelta(minutes=5)).replace(tzinfo=None)
    facts = make_facts(
        "in_review",
        panel=seats("chair", "member", "member", submitted=2),
        opinion_deadline=naive_past,
    )
    body = {"comment": "late"}
    assert apply_action(WF, facts, "close_review", cast["coordinator"], body, now=now)


# --- consolidation and approval ---------------------------------------------------------------


def test_submit_consolidation_without_a_consolidation_is_refused(
    make_facts: Facts, cast: dict[str, Actor]
) -> None:
    facts = make_facts("consolidation", has_consolidation=False)
    with pytest.raises(GuardFailed) as caught:
        apply_action(WF, facts, "submit_consolidation", cast["expert"])
    assert failure_codes(caught) == ["consolidation_missing"]


def test_approve_without_a_consolidation_is_refused(
    make_facts: Facts, cast: dict[str, Actor]
) -> None:
    facts = make_facts("approval", has_consolidation=False)
    with pytest.raises(GuardFailed) as caught:
        apply_action(WF, facts, "approve", cast["approver"])
    assert failure_codes(caught) == ["consolidation_missing"]


def test_approve_by_another_approver_than_the_author_passes(
    make_facts: Facts, cast: dict[str, Actor]
) -> None:
    facts = make_facts("approval", consolidation_author_user_id=99)
    assert apply_action(WF, facts, "approve", cast["approver"]).to_state == "published"


# --- record_response: one valid answer per recommendation -------------------------------------


def answer(rec: object, status: object = "adopted", explanation: object = "") -> dict[str, object]:
    return {"recommendation": rec, "status": status, "explanation": explanation}


def test_record_response_with_one_answer_per_recommendation_closes(
    make_facts: Facts, cast: dict[str, Actor]
) -> None:
    body = {
        "responses": [
            answer(102, "partially_adopted", "Only the first phase."),
            answer(101, "adopted"),
        ]
    }
    outcome = apply_action(WF, make_facts("published"), "record_response", cast["agency"], body)
    assert outcome.to_state == "closed"
    assert outcome.history_entry.payload["responses"] == body["responses"]


def test_record_response_for_an_opinion_without_recommendations_accepts_an_empty_list(
    make_facts: Facts, cast: dict[str, Actor]
) -> None:
    facts = make_facts("published", recommendation_ids=())
    assert apply_action(WF, facts, "record_response", cast["agency"], {"responses": []})


@pytest.mark.parametrize(
    ("responses", "bad_field"),
    [
        (None, "responses"),
        ("adopted", "responses"),
        ([answer(101)], "responses"),
        ([answer(101), answer(101), answer(102)], "responses[1].recommendation"),
        ([answer(101), answer(102), answer(103)], "responses[2].recommendation"),
        ([answer(101), answer(True)], "responses[1].recommendation"),
        ([answer(101), answer(102, "maybe")], "responses[1].status"),
        ([answer(101), answer(102, ["adopted"])], "responses[1].status"),
        ([answer(101), answer(102, "not_adopted")], "responses[1].explanation"),
        ([answer(101), answer(102, "not_adopted", "  ")], "responses[1].explanation"),
        ([answer(101), answer(102, "adopted", 5)], "responses[1].explanation"),
        ([answer(101), "102"], "responses[1]"),
    ],
)
def test_record_response_that_does_not_answer_each_recommendation_once_is_refused(
    responses: object, bad_field: str, make_facts: Facts, cast: dict[str, Actor]
) -> None:
    body = {} if responses is None else {"responses": responses}
    with pytest.raises(GuardFailed) as caught:
        apply_action(WF, make_facts("published"), "record_response", cast["agency"], body)
    assert caught.value.status == 422
    assert bad_field in caught.value.fields


def test_response_statuses_are_those_of_the_api() -> None:
    assert [s.value for s in ResponseStatus] == ["adopted", "partially_adopted", "not_adopted"]


# --- policies per kind ------------------------------------------------------------------------


def test_a_kind_with_a_larger_minimum_panel_refuses_a_three_member_panel(
    make_facts: Facts, cast: dict[str, Actor]
) -> None:
    strict = replace(WF, policies={**WF.policies, "assessment": KindPolicy(min_panel_size=5)})
    facts = make_facts("panel_forming", kind="assessment")
    with pytest.raises(GuardFailed):
        apply_action(strict, facts, "start_review", cast["coordinator"])
    # The other kinds keep the default.
    assert apply_action(strict, replace(facts, kind="critique"), "start_review", cast["admin"])


def test_a_kind_may_require_a_secretary_as_well_as_a_chair(
    make_facts: Facts, cast: dict[str, Actor]
) -> None:
    policy = KindPolicy(required_panel_roles=frozenset({PanelRole.CHAIR, PanelRole.SECRETARY}))
    wf = replace(WF, policies={"critique": policy})
    facts = make_facts("panel_forming", panel=seats("chair", "member", "member"))
    with pytest.raises(GuardFailed) as caught:
        apply_action(wf, facts, "start_review", cast["coordinator"])
    # The seats are named by their labels, which the app translates (never the raw value).
    assert "Secretary" in str(caught.value.message)


def test_a_kind_with_a_lower_late_quorum_closes_with_half_the_opinions(
    make_facts: Facts, cast: dict[str, Actor], now: datetime
) -> None:
    wf = replace(WF, policies={"critique": KindPolicy(late_close_quorum=Fraction(1, 2))})
    facts = make_facts(
        "in_review",
        panel=seats("chair", "member", "member", "member", submitted=2),
        opinion_deadline=now - timedelta(days=1),
    )
    body = {"comment": "half is enough for this kind"}
    assert apply_action(wf, facts, "close_review", cast["coordinator"], body, now=now)


def test_a_kind_may_add_its_own_guard_to_an_action(
    make_facts: Facts, cast: dict[str, Actor]
) -> None:
    def needs_two_recommendations(ctx: Any) -> GuardFailure | None:
        if len(ctx.facts.recommendation_ids) >= 2:
            return None
        return GuardFailure("too_few_recommendations", Message("Two at least."))

    guard = Guard("two_recommendations", needs_two_recommendations)
    wf = replace(WF, policies={"critique": KindPolicy(extra_guards={"approve": (guard,)})})
    with pytest.raises(GuardFailed) as caught:
        apply_action(
            wf, make_facts("approval", recommendation_ids=(1,)), "approve", cast["approver"]
        )
    assert failure_codes(caught) == ["too_few_recommendations"]
    assert apply_action(wf, make_facts("approval"), "approve", cast["approver"])


def test_a_new_kind_is_one_more_policy(make_facts: Facts, cast: dict[str, Actor]) -> None:
    quick = KindPolicy(min_panel_size=1, required_panel_roles=frozenset())
    wf = replace(WF, policies={**WF.policies, "quick_advice": quick})
    facts = make_facts("panel_forming", kind="quick_advice", panel=seats("member"))
    assert apply_action(wf, facts, "start_review", cast["coordinator"]).to_state == "in_review"
    with pytest.raises(UnknownKind):
        apply_action(WF, facts, "start_review", cast["coordinator"])


def test_a_request_of_an_unknown_kind_is_refused_with_422(
    make_facts: Facts, cast: dict[str, Actor]
) -> None:
    with pytest.raises(UnknownKind) as caught:
        apply_action(WF, make_facts("draft", kind="petition"), "submit", cast["agency"])
    assert caught.value.status == 422


def test_every_kind_of_the_api_has_a_policy() -> None:
    assert set(WF.policies) == {"consultation", "critique", "assessment"}


# --- blocked actions for the pages ------------------------------------------------------------


def test_available_actions_explain_why_start_review_is_blocked(
    make_facts: Facts, cast: dict[str, Actor]
) -> None:
    facts = make_facts("panel_forming", panel=seats("chair"))
    options = available_actions(WF, facts, cast["coordinator"])
    start = next(o for o in options if o.action == "start_review")
    assert not start.allowed
    assert start.blocked is not None
    assert "at least 3" in str(start.blocked.message)
    # The coordinator may not withdraw: only the filer's actions would add to the list.
    assert [o.action for o in options] == ["start_review"]
