"""The contest tables: every state × action × role, against expectations written out by hand.

As for the consultation, the expectations are plain strings from the issue, not derived
from the engine's table, so that a wrong row cannot confirm itself.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from workflows import (
    CONTEST_EDITION_WORKFLOW,
    CONTEST_ENTRY_WORKFLOW,
    ActionForbidden,
    Actor,
    EditionFacts,
    EntryFacts,
    GuardFailed,
    JudgeSeat,
    TransitionNotAllowed,
    allowed_actions,
    apply_action,
    replay,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

EDITION_STATES = [
    "draft", "announced", "open", "closed", "judging", "results_proposed",
    "results_approved", "published",
]  # fmt: skip
EDITION_ACTIONS = [
    "announce", "open_entries", "close_entries", "start_judging", "propose_results",
    "send_back", "approve_results", "publish",
]  # fmt: skip
ENTRY_STATES = [
    "submitted", "eligible", "ineligible", "scoring", "flagged", "scored", "withdrawn",
]  # fmt: skip
ENTRY_ACTIONS = [
    "mark_eligible", "mark_ineligible", "reopen_screening", "withdraw", "open_scoring",
    "complete_scoring", "flag", "request_rescore", "resolve", "reopen_scoring",
]  # fmt: skip

# Who is who: each stands in the relation its role needs (board member, author, judge, chair).
CAST: dict[str, Actor] = {
    "secretariat": Actor(user_id=2, roles=frozenset({"coordinator"})),
    "admin": Actor(user_id=5, roles=frozenset({"admin"})),
    "board": Actor(user_id=3, roles=frozenset({"approver"})),
    "outside_approver": Actor(user_id=33, roles=frozenset({"approver"})),
    "judge": Actor(user_id=4, roles=frozenset({"expert"}), person_id=40),
    "chair": Actor(user_id=8, roles=frozenset({"expert"}), person_id=80),
    "other_expert": Actor(user_id=9, roles=frozenset({"expert"}), person_id=90),
    "author": Actor(user_id=11, roles=frozenset({"liaison"}), organization_id=10),
    "agency": Actor(user_id=1, roles=frozenset({"agency"}), organization_id=10),
}
ROLES = list(CAST)

SEC = {"secretariat", "admin"}
EDITION_EXPECTED: dict[tuple[str, str], tuple[str, set[str]]] = {
    ("draft", "announce"): ("announced", SEC),
    ("announced", "open_entries"): ("open", SEC),
    ("open", "close_entries"): ("closed", SEC),
    ("closed", "start_judging"): ("judging", SEC),
    ("judging", "propose_results"): ("results_proposed", SEC),
    ("results_proposed", "send_back"): ("judging", {"board"}),
    ("results_proposed", "approve_results"): ("results_approved", {"board"}),
    ("results_approved", "publish"): ("published", SEC | {"board"}),
}
ENTRY_EXPECTED: dict[tuple[str, str], tuple[str, set[str]]] = {
    ("submitted", "mark_eligible"): ("eligible", SEC),
    ("submitted", "mark_ineligible"): ("ineligible", SEC),
    ("eligible", "reopen_screening"): ("submitted", SEC),
    ("ineligible", "reopen_screening"): ("submitted", SEC),
    ("submitted", "withdraw"): ("withdrawn", {"author"}),
    ("eligible", "open_scoring"): ("scoring", SEC),
    ("scoring", "complete_scoring"): ("scored", SEC | {"judge"}),
    ("scoring", "flag"): ("flagged", SEC | {"judge"}),
    ("flagged", "request_rescore"): ("scoring", SEC | {"chair"}),
    ("flagged", "resolve"): ("scored", SEC | {"chair"}),
    ("scored", "reopen_scoring"): ("scoring", SEC),
}
# The edition's state each entry action needs (everything else about it is ready).
ENTRY_ACTION_EDITION = {
    "mark_eligible": "closed", "mark_ineligible": "closed", "reopen_screening": "open",
    "withdraw": "open",
}  # fmt: skip


def ready_edition(state: str, **overrides: Any) -> EditionFacts:
    facts = EditionFacts(
        state=state,
        version=7,
        board_user_ids=(3,),
        criteria_max_points=(40, 30, 30),
        field_count=5,
        award_level_count=4,
        eligible_entries=12,
        results_proposed_by_user_id=2,
    )
    return replace(facts, **overrides)


def judges(*totals: int | None) -> tuple[JudgeSeat, ...]:
    return tuple(
        JudgeSeat(person_id=40 + i, user_id=4 if i == 0 else None,
                  total=None if t is None else Decimal(t))
        for i, t in enumerate(totals)
    )  # fmt: skip


def ready_entry(state: str, action: str = "", **overrides: Any) -> EntryFacts:
    # complete_scoring needs agreeing totals, flag needs disagreeing ones.
    totals = (70, 90, 72) if action == "flag" else (70, 75, 72)
    facts = EntryFacts(
        state=state,
        version=7,
        edition_state=ENTRY_ACTION_EDITION.get(action, "judging"),
        author_user_ids=(11,),
        judges=judges(*totals),
        max_spread=Decimal(15),
        subjury_chair_person_ids=(80,),
    )
    return replace(facts, **overrides)


BODY = {"comment": "Tài liệu minh chứng chưa đủ."}


def test_values_are_those_of_the_issue() -> None:
    assert [s.value for s in CONTEST_EDITION_WORKFLOW.state_type] == EDITION_STATES
    assert [a.value for a in CONTEST_EDITION_WORKFLOW.action_type] == EDITION_ACTIONS
    assert [s.value for s in CONTEST_ENTRY_WORKFLOW.state_type] == ENTRY_STATES
    assert [a.value for a in CONTEST_ENTRY_WORKFLOW.action_type] == ENTRY_ACTIONS


def test_the_tables_have_no_row_the_expectations_lack() -> None:
    edition_rows = {(str(t.source), str(t.action)) for t in CONTEST_EDITION_WORKFLOW.transitions}
    entry_rows = {(str(t.source), str(t.action)) for t in CONTEST_ENTRY_WORKFLOW.transitions}
    assert edition_rows == set(EDITION_EXPECTED)
    assert entry_rows == set(ENTRY_EXPECTED)


def _check(workflow, facts, action, role, expected, fresh) -> None:  # type: ignore[no-untyped-def]
    body = dict(BODY)
    run = lambda: apply_action(  # noqa: E731
        workflow, facts, action, CAST[role], body, expected_version=7, now=NOW
    )
    if expected is None:
        with pytest.raises(TransitionNotAllowed):
            run()
    elif role not in expected[1]:
        with pytest.raises(ActionForbidden):
            run()
    else:
        outcome = run()
        assert outcome.to_state == expected[0]
        assert outcome.new_version == 8
    assert facts == fresh()
    assert body == BODY


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", EDITION_ACTIONS)
@pytest.mark.parametrize("state", EDITION_STATES)
def test_each_edition_state_action_and_role(state: str, action: str, role: str) -> None:
    expected = EDITION_EXPECTED.get((state, action))
    facts = ready_edition(state)
    _check(CONTEST_EDITION_WORKFLOW, facts, action, role, expected, lambda: ready_edition(state))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ENTRY_ACTIONS)
@pytest.mark.parametrize("state", ENTRY_STATES)
def test_each_entry_state_action_and_role(state: str, action: str, role: str) -> None:
    expected = ENTRY_EXPECTED.get((state, action))
    facts = ready_entry(state, action)
    _check(
        CONTEST_ENTRY_WORKFLOW, facts, action, role, expected, lambda: ready_entry(state, action)
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state", EDITION_STATES)
def test_allowed_edition_actions_are_the_permitted_ones(state: str, role: str) -> None:
    listed = allowed_actions(CONTEST_EDITION_WORKFLOW, ready_edition(state), CAST[role], now=NOW)
    expected = [a for a in EDITION_ACTIONS if role in EDITION_EXPECTED.get((state, a), ("", ()))[1]]
    assert [str(a) for a in listed] == expected


def test_the_author_acts_whatever_their_role_and_the_history_records_the_relation() -> None:
    out = apply_action(
        CONTEST_ENTRY_WORKFLOW, ready_entry("submitted", "withdraw"), "withdraw", CAST["author"]
    )
    assert out.history_entry.actor_role == "entry_author"
    stranger = Actor(user_id=12, roles=frozenset({"liaison"}), organization_id=10)
    with pytest.raises(ActionForbidden):
        apply_action(
            CONTEST_ENTRY_WORKFLOW, ready_entry("submitted", "withdraw"), "withdraw", stranger
        )


def test_an_approver_outside_the_board_cannot_approve_results() -> None:
    with pytest.raises(ActionForbidden):
        apply_action(
            CONTEST_EDITION_WORKFLOW,
            ready_edition("results_proposed"),
            "approve_results",
            CAST["outside_approver"],
        )


@pytest.mark.parametrize(
    "overrides",
    [{"results_proposed_by_user_id": 3}, {"awards_edited_by_user_ids": (2, 3)}],
    ids=["proposed", "edited"],
)
def test_board_member_who_proposed_or_edited_results_cannot_approve_them(
    overrides: dict[str, Any],
) -> None:
    with pytest.raises(GuardFailed) as info:
        apply_action(
            CONTEST_EDITION_WORKFLOW,
            ready_edition("results_proposed", **overrides),
            "approve_results",
            CAST["board"],
        )
    assert info.value.status == 403
    assert [f.code for f in info.value.failures] == ["four_eyes"]


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"criteria_max_points": (40, 30, 20)}, "criteria_incomplete"),
        ({"criteria_max_points": ()}, "criteria_incomplete"),
        ({"field_count": 0}, "no_fields"),
        ({"award_level_count": 0}, "no_award_levels"),
    ],
)
def test_an_incomplete_edition_cannot_be_announced(overrides: dict[str, Any], code: str) -> None:
    with pytest.raises(GuardFailed) as info:
        apply_action(
            CONTEST_EDITION_WORKFLOW, ready_edition("draft", **overrides), "announce",
            CAST["secretariat"],
        )  # fmt: skip
    assert [f.code for f in info.value.failures] == [code]


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"entries_pending_screening": 2}, "screening_pending"),
        ({"eligible_entries": 0}, "no_eligible_entries"),
        ({"entries_short_of_judges": 1}, "judges_missing"),
    ],
)
def test_judging_starts_only_when_screened_and_staffed(
    overrides: dict[str, Any], code: str
) -> None:
    with pytest.raises(GuardFailed) as info:
        apply_action(
            CONTEST_EDITION_WORKFLOW, ready_edition("closed", **overrides), "start_judging",
            CAST["secretariat"],
        )  # fmt: skip
    assert [f.code for f in info.value.failures] == [code]


def test_results_cannot_be_proposed_while_entries_are_unsettled() -> None:
    with pytest.raises(GuardFailed) as info:
        apply_action(
            CONTEST_EDITION_WORKFLOW, ready_edition("judging", entries_unsettled=1),
            "propose_results", CAST["secretariat"],
        )  # fmt: skip
    assert [f.code for f in info.value.failures] == ["scoring_unfinished"]


def test_disagreeing_judges_flag_the_entry_and_agreeing_ones_complete_it() -> None:
    wf = CONTEST_ENTRY_WORKFLOW
    apart = ready_entry("scoring", judges=judges(60, 80, 76))  # spread 20 > 15
    close = ready_entry("scoring", judges=judges(70, 85, 76))  # spread 15 = limit
    judge = CAST["judge"]
    assert [str(a) for a in allowed_actions(wf, apart, judge)] == ["flag"]
    assert [str(a) for a in allowed_actions(wf, close, judge)] == ["complete_scoring"]
    missing = ready_entry("scoring", judges=judges(70, None, 76))
    assert allowed_actions(wf, missing, judge) == []


@pytest.mark.parametrize("edition_state", ["results_proposed", "results_approved", "published"])
@pytest.mark.parametrize(
    ("state", "action"), [("scored", "reopen_scoring"), ("flagged", "request_rescore")]
)
def test_scores_cannot_be_reopened_once_results_are_proposed_or_approved(
    edition_state: str, state: str, action: str
) -> None:
    facts = ready_entry(state, action, edition_state=edition_state)
    with pytest.raises(GuardFailed) as info:
        apply_action(CONTEST_ENTRY_WORKFLOW, facts, action, CAST["secretariat"], BODY)
    assert [f.code for f in info.value.failures] == ["judging_closed"]


def test_an_entry_needs_enough_judges_before_scoring_opens() -> None:
    facts = ready_entry("eligible", judges=judges(None, None))
    with pytest.raises(GuardFailed) as info:
        apply_action(CONTEST_ENTRY_WORKFLOW, facts, "open_scoring", CAST["secretariat"])
    assert [f.code for f in info.value.failures] == ["judges_missing"]


def test_ineligible_needs_the_reason_the_authors_will_read() -> None:
    facts = ready_entry("submitted", "mark_ineligible")
    with pytest.raises(GuardFailed) as info:
        apply_action(CONTEST_ENTRY_WORKFLOW, facts, "mark_ineligible", CAST["secretariat"], {})
    assert info.value.status == 422
    out = apply_action(CONTEST_ENTRY_WORKFLOW, facts, "mark_ineligible", CAST["secretariat"], BODY)
    assert out.history_entry.comment == BODY["comment"]


def test_a_full_edition_history_replays() -> None:
    history, facts = [], ready_edition("draft")
    for action, who in [
        ("announce", "secretariat"), ("open_entries", "secretariat"),
        ("close_entries", "admin"), ("start_judging", "secretariat"),
        ("propose_results", "secretariat"), ("send_back", "board"),
        ("propose_results", "secretariat"), ("approve_results", "board"), ("publish", "board"),
    ]:  # fmt: skip
        out = apply_action(CONTEST_EDITION_WORKFLOW, facts, action, CAST[who], BODY)
        history.append(out.history_entry)
        facts = replace(facts, state=out.to_state, version=out.new_version)
    assert replay(CONTEST_EDITION_WORKFLOW, history) == "published"
