"""The engine's contract: order of checks, versions, history, effects, replay, variants."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_dir

import workflows
from workflows import CONSULTATION_WORKFLOW as WF
from workflows import (
    Action,
    ActionForbidden,
    Actor,
    Audience,
    GuardFailed,
    HistoryCorrupt,
    HistoryEntry,
    Permit,
    RequestFacts,
    Role,
    State,
    Transition,
    TransitionNotAllowed,
    UnknownAction,
    VersionConflict,
    Workflow,
    WorkflowError,
    apply_action,
    replay,
)

Facts = Callable[..., RequestFacts]


# --- versions and the order of checks ---------------------------------------------------------


def test_stale_version_is_refused_with_the_fresh_version(
    make_facts: Facts, cast: dict[str, Actor]
) -> None:
    with pytest.raises(VersionConflict) as caught:
        apply_action(WF, make_facts("draft"), "submit", cast["agency"], expected_version=6)
    error = caught.value
    assert (error.status, error.code) == (409, "version_conflict")
    assert (error.expected_version, error.current_version, error.current_state) == (6, 7, "draft")


def test_matching_version_moves_to_the_next_version(
    make_facts: Facts, cast: dict[str, Actor]
) -> None:
    outcome = apply_action(WF, make_facts("draft"), "submit", cast["agency"], expected_version=7)
    assert outcome.new_version == 8
    assert outcome.history_entry.version == 8


def test_two_actors_on_one_version_only_the_first_succeeds(
    make_facts: Facts, cast: dict[str, Actor]
) -> None:
    # Both read version 7; the app writes the first outcome, then the second arrives.
    facts = make_facts("submitted")
    first = apply_action(WF, facts, "accept", cast["coordinator"], expected_version=7)
    after = replace(facts, state=first.to_state, version=first.new_version)
    with pytest.raises(VersionConflict):
        apply_action(WF, after, "decline", cast["admin"], {"comment": "no"}, expected_version=7)


def test_version_is_checked_before_the_state(make_facts: Facts, cast: dict[str, Actor]) -> None:
    with pytest.raises(VersionConflict):
        apply_action(WF, make_facts("closed"), "submit", cast["liaison"], expected_version=1)


def test_state_is_checked_before_the_role(make_facts: Facts, cast: dict[str, Actor]) -> None:
    with pytest.raises(TransitionNotAllowed) as caught:
        apply_action(WF, make_facts("closed"), "approve", cast["liaison"])
    assert (caught.value.status, caught.value.code) == (409, "invalid_transition")


def test_role_is_checked_before_the_guards(make_facts: Facts, cast: dict[str, Actor]) -> None:
    facts = make_facts("panel_forming", panel=())
    with pytest.raises(ActionForbidden) as caught:
        apply_action(WF, facts, "start_review", cast["agency"])
    assert (caught.value.status, caught.value.code) == (403, "forbidden")


def test_withdraw_after_publication_is_a_state_conflict(
    make_facts: Facts, cast: dict[str, Actor]
) -> None:
    for state in ("published", "closed"):
        with pytest.raises(TransitionNotAllowed):
            apply_action(WF, make_facts(state), "withdraw", cast["agency"])


def test_unknown_action_is_refused_with_404(make_facts: Facts, cast: dict[str, Actor]) -> None:
    with pytest.raises(UnknownAction) as caught:
        apply_action(WF, make_facts("draft"), "publish", cast["agency"])
    assert caught.value.status == 404


def test_a_state_outside_the_workflow_is_a_data_error(
    make_facts: Facts, cast: dict[str, Actor]
) -> None:
    with pytest.raises(WorkflowError) as caught:
        apply_action(WF, make_facts("limbo"), "submit", cast["agency"])
    assert caught.value.code == "unknown_state"


def test_a_body_that_is_not_an_object_is_refused_with_400(
    make_facts: Facts, cast: dict[str, Actor]
) -> None:
    with pytest.raises(WorkflowError) as caught:
        apply_action(WF, make_facts("draft"), "submit", cast["agency"], ["comment"])  # type: ignore[arg-type]
    assert caught.value.status == 400


def test_error_body_has_the_api_shape_and_is_translated_by_the_caller(
    make_facts: Facts, cast: dict[str, Actor]
) -> None:
    with pytest.raises(GuardFailed) as caught:
        apply_action(WF, make_facts("submitted"), "decline", cast["coordinator"], {})
    shouted = caught.value.to_dict(str.upper)
    assert shouted == {
        "error": {
            "code": "comment_required",
            "message": "PLEASE GIVE A REASON.",
            "fields": {"comment": "PLEASE GIVE A REASON."},
        }
    }


def test_message_parameters_are_filled_in_after_translation(
    make_facts: Facts, cast: dict[str, Actor]
) -> None:
    with pytest.raises(TransitionNotAllowed) as caught:
        apply_action(WF, make_facts("closed"), "approve", cast["approver"])
    message = caught.value.message
    assert "%(action)s" in message.template
    assert (
        str(message)
        == "The action “Approve and publish” is not possible while the request is Closed."
    )
    vietnamese = {
        message.template: "Không thể “%(action)s” khi hồ sơ ở trạng thái %(state)s.",
        "Approve and publish": "Phê duyệt và công bố",
        "Closed": "Đã đóng",
    }
    assert message.render(vietnamese.__getitem__) == (
        "Không thể “Phê duyệt và công bố” khi hồ sơ ở trạng thái Đã đóng."
    )


# --- nothing is mutated -----------------------------------------------------------------------


def test_successful_action_does_not_touch_its_inputs_and_history_does_not_alias_them(
    make_facts: Facts, cast: dict[str, Actor], payload: dict[str, Any]
) -> None:
    facts = make_facts("published")
    outcome = apply_action(WF, facts, "record_response", cast["agency"], payload)
    payload["responses"][0]["status"] = "not_adopted"
    assert outcome.history_entry.payload["responses"][0]["status"] == "adopted"
    assert facts == make_facts("published")
    with pytest.raises(TypeError):
        outcome.history_entry.payload["x"] = 1  # type: ignore[index]


def test_refused_action_does_not_touch_its_inputs(
    make_facts: Facts, cast: dict[str, Actor]
) -> None:
    facts = make_facts("published")
    body: dict[str, Any] = {"responses": [{"recommendation": 101}]}
    with pytest.raises(GuardFailed):
        apply_action(WF, facts, "record_response", cast["agency"], body)
    assert body == {"responses": [{"recommendation": 101}]}
    assert facts == make_facts("published")


# --- history and effects ----------------------------------------------------------------------


def test_history_entry_records_actor_role_states_time_comment_and_payload(
    make_facts: Facts, cast: dict[str, Actor], now: datetime
) -> None:
    body = {"comment": "Out of our remit.", "version": 7, "note": "copied to the Sở"}
    outcome = apply_action(
        WF, make_facts("submitted"), "decline", cast["admin"], body, expected_version=7, now=now
    )
    entry = outcome.history_entry
    assert entry.to_dict() == {
        "action": "decline",
        "from_state": "submitted",
        "to_state": "declined",
        "actor_user_id": 5,
        "actor_role": "admin",
        "at": now.isoformat(),
        "comment": "Out of our remit.",
        "payload": {"note": "copied to the Sở"},
        "version": 8,
    }


def test_naive_now_is_recorded_as_utc(make_facts: Facts, cast: dict[str, Actor]) -> None:
    naive = datetime(2026, 1, 1, 8, 30)  # naive on purpose: the database gives such times
    outcome = apply_action(WF, make_facts("draft"), "submit", cast["agency"], now=naive)
    assert outcome.history_entry.at.isoformat() == "2026-01-01T08:30:00+00:00"


@pytest.mark.parametrize(
    ("state", "action", "role", "expected"),
    [
        ("draft", "submit", "agency", {("notify", "coordinator", "request_submitted")}),
        ("submitted", "return", "coordinator", {("notify", "agency", "request_returned")}),
        ("panel_forming", "start_review", "coordinator", {("notify", "panel", "review_started")}),
        (
            "consolidation",
            "submit_consolidation",
            "expert",
            {("notify", "approvers", "consolidation_submitted")},
        ),
        ("approval", "approve", "approver", {("notify", "agency", "opinion_published")}),
    ],
)
def test_transition_schedules_its_notifications(
    state: str,
    action: str,
    role: str,
    expected: set[tuple[str, str, str]],
    make_facts: Facts,
    cast: dict[str, Actor],
    payload: dict[str, Any],
) -> None:
    outcome = apply_action(WF, make_facts(state), action, cast[role], payload)
    assert expected <= {(e.kind, e.to, e.template) for e in outcome.effects}


def test_every_audience_of_the_table_is_one_the_app_knows() -> None:
    audiences = {e.to for t in WF.transitions for e in t.effects}
    assert audiences <= set(Audience)


# --- replay -----------------------------------------------------------------------------------


def walk(
    make_facts: Facts, cast: dict[str, Actor], steps: list[tuple[str, str]], body: dict[str, Any]
) -> tuple[RequestFacts, list[HistoryEntry]]:
    facts, history = make_facts("draft"), []
    for action, role in steps:
        outcome = apply_action(WF, facts, action, cast[role], body, expected_version=facts.version)
        history.append(outcome.history_entry)
        facts = replace(facts, state=outcome.to_state, version=outcome.new_version)
    return facts, history


JOURNEY = [
    ("submit", "agency"),
    ("return", "coordinator"),
    ("resubmit", "agency"),
    ("accept", "coordinator"),
    ("open_panel", "coordinator"),
    ("start_review", "coordinator"),
    ("close_review", "coordinator"),
    ("submit_consolidation", "expert"),
    ("send_back", "approver"),
    ("submit_consolidation", "coordinator"),
    ("approve", "approver"),
    ("record_response", "agency"),
]


def test_the_whole_journey_closes_and_replays_to_the_same_state(
    make_facts: Facts, cast: dict[str, Actor], payload: dict[str, Any]
) -> None:
    facts, history = walk(make_facts, cast, JOURNEY, payload)
    assert facts.state == "closed"
    assert facts.version == 7 + len(JOURNEY)
    assert replay(WF, history) == "closed"
    assert replay(WF, [e.to_dict() for e in history]) == State.CLOSED


def test_empty_history_replays_to_draft() -> None:
    assert replay(WF, []) is State.DRAFT


def test_replay_refuses_a_history_with_a_gap(
    make_facts: Facts, cast: dict[str, Actor], payload: dict[str, Any]
) -> None:
    _, history = walk(make_facts, cast, JOURNEY[:4], payload)
    del history[1]
    with pytest.raises(HistoryCorrupt, match="entry 1"):
        replay(WF, history)


def test_replay_refuses_an_entry_that_contradicts_the_table() -> None:
    forged = {"action": "submit", "from_state": "draft", "to_state": "published"}
    with pytest.raises(HistoryCorrupt):
        replay(WF, [forged])


def test_replay_refuses_an_unreadable_entry() -> None:
    with pytest.raises(HistoryCorrupt):
        replay(WF, [{"action": "submit", "from_state": "draft"}])


# --- the workflow is data ---------------------------------------------------------------------

# A variant: opinions on confidential matters pass a legal review between approval and
# publication. Only the state enum and the table change; the engine is the same.
ExtState = StrEnum(  # type: ignore[misc]
    "ExtState", [(s.name, s.value) for s in State] + [("LEGAL_REVIEW", "legal_review")]
)


def legal_review_variant() -> Workflow:
    approver = (Permit(Role.APPROVER, "any"),)
    lawyer = (Permit(Role.ADMIN, "any"),)
    return WF.derive(
        name="consultation_with_legal_review",
        state_type=ExtState,
        drop=[("approval", "approve")],
        add=[
            Transition(ExtState("approval"), Action.APPROVE, ExtState("legal_review"), approver),
            Transition(ExtState("legal_review"), Action.APPROVE, ExtState("published"), lawyer),
            Transition(ExtState("legal_review"), Action.SEND_BACK, ExtState("approval"), lawyer),
        ],
    )


def test_a_variant_with_a_new_state_is_built_from_the_table_alone(
    make_facts: Facts, cast: dict[str, Actor]
) -> None:
    variant = legal_review_variant()
    facts = make_facts("approval")
    first = apply_action(variant, facts, "approve", cast["approver"])
    assert first.to_state == "legal_review"
    in_review = replace(facts, state=first.to_state, version=first.new_version)
    with pytest.raises(ActionForbidden):
        apply_action(variant, in_review, "approve", cast["approver"])
    second = apply_action(variant, in_review, "approve", cast["admin"])
    assert second.to_state == "published"
    # The original workflow is untouched.
    assert apply_action(WF, facts, "approve", cast["approver"]).to_state == "published"
    with pytest.raises(WorkflowError):
        apply_action(WF, in_review, "approve", cast["admin"])


def test_a_table_that_leaves_a_state_unreachable_is_refused() -> None:
    with pytest.raises(ValueError, match="no transition reaches"):
        WF.derive(drop=[("approval", "approve")])


def test_a_table_with_two_rows_for_one_state_and_action_is_refused() -> None:
    duplicate = next(t for t in WF.transitions if t.action == "submit")
    with pytest.raises(ValueError, match="two transitions"):
        WF.derive(add=[duplicate])


def test_a_row_that_nobody_may_take_is_refused() -> None:
    with pytest.raises(ValueError, match="nobody may"):
        WF.derive(add=[Transition(State.CLOSED, Action.WITHDRAW, State.WITHDRAWN, ())])


def test_a_row_with_an_unknown_relation_is_refused() -> None:
    row = Transition(State.CLOSED, Action.WITHDRAW, State.WITHDRAWN, (Permit(Role.ADMIN, "boss"),))
    with pytest.raises(ValueError, match="unknown relation"):
        WF.derive(add=[row])


def test_the_table_describes_itself_one_row_per_transition() -> None:
    text = WF.describe()
    assert len(text.splitlines()) == 2 + len(WF.transitions)
    assert "| approval | approve | published | approver: any | has_consolidation, four_eyes |" in (
        text
    )


def test_terminal_states_are_closed_declined_and_withdrawn() -> None:
    assert WF.terminal_states == {"closed", "declined", "withdrawn"}


# --- labels and packaging ---------------------------------------------------------------------


def test_every_state_action_and_role_has_an_english_label() -> None:
    for member in (*State, *Action, *Role):
        assert member.label and member.label[0].isupper()


def test_pybabel_extracts_every_label_and_message_with_keywords_n_and_nc() -> None:
    package = Path(workflows.__file__).parent
    extracted = {
        (context, message)
        for _, _, message, _, context in extract_from_dir(
            package,
            keywords={"N_": None, "NC_": ((1, "c"), 2)},
            method_map=[("**.py", "python")],
        )
    }
    labels = {(getattr(m.label, "context", None), str(m.label)) for m in (*State, *Action, *Role)}
    assert labels <= extracted
    # Words with two senses carry their context (the request's "Accepted" is not the expert's).
    assert ("request state", "Accepted") in extracted
    assert (None, "Please give a reason.") in extracted


def test_the_engine_imports_neither_flask_nor_sqlalchemy_nor_the_app() -> None:
    code = (
        "import sys, workflows; "
        "bad = sorted(m for m in sys.modules "
        "if m.split('.')[0] in {'flask', 'flask_babel', 'sqlalchemy', 'expertnet'}); "
        "print(bad)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(workflows.__file__).parent.parent,
    )
    assert result.stdout.strip() == "[]"


def test_deadline_facts_in_another_zone_compare_in_utc(make_facts: Facts) -> None:
    hanoi = timezone(timedelta(hours=7))
    facts = make_facts("in_review", opinion_deadline=datetime(2026, 3, 2, 16, 0, tzinfo=hanoi))
    assert facts.opinion_deadline is not None
    assert facts.opinion_deadline.utcoffset() == timedelta(0)
    assert facts.opinion_deadline.hour == 9
