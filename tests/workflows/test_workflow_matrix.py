"""Every state × action × role, against an expectation written out here by hand from API.md.

The expectations are plain strings on purpose: they must not be derived from the
engine's own table, or a wrong row there would be "confirmed" by its own copy.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from workflows import (
    CONSULTATION_WORKFLOW,
    Action,
    ActionForbidden,
    Actor,
    RequestFacts,
    Role,
    State,
    TransitionNotAllowed,
    allowed_actions,
    apply_action,
)

STATES = [
    "draft", "submitted", "returned", "accepted", "panel_forming", "in_review",
    "consolidation", "approval", "published", "closed", "declined", "withdrawn",
]  # fmt: skip
ACTIONS = [
    "submit", "return", "resubmit", "decline", "accept", "open_panel", "start_review",
    "close_review", "submit_consolidation", "send_back", "approve", "record_response",
    "withdraw",
]  # fmt: skip
ROLES = ["admin", "coordinator", "approver", "expert", "agency", "liaison", "author"]

FILER = {"agency"}
COORD = {"coordinator", "admin"}

# (state, action) -> (next state, roles that may do it, given the right relation)
EXPECTED: dict[tuple[str, str], tuple[str, set[str]]] = {
    ("draft", "submit"): ("submitted", FILER),
    ("submitted", "return"): ("returned", COORD),
    ("returned", "resubmit"): ("submitted", FILER),
    ("submitted", "decline"): ("declined", COORD),
    ("returned", "decline"): ("declined", COORD),
    ("submitted", "accept"): ("accepted", COORD),
    ("accepted", "open_panel"): ("panel_forming", COORD),
    ("panel_forming", "start_review"): ("in_review", COORD),
    ("in_review", "close_review"): ("consolidation", COORD),
    ("consolidation", "submit_consolidation"): ("approval", COORD | {"expert"}),
    ("approval", "send_back"): ("consolidation", {"approver"}),
    ("approval", "approve"): ("published", {"approver"}),
    ("published", "record_response"): ("closed", FILER),
    **{
        (state, "withdraw"): ("withdrawn", FILER)
        for state in [
            "draft", "submitted", "returned", "accepted", "panel_forming", "in_review",
            "consolidation", "approval",
        ]
    },
}  # fmt: skip


def test_state_and_action_values_are_exactly_those_of_the_api() -> None:
    assert [s.value for s in State] == STATES
    assert [a.value for a in Action] == ACTIONS
    assert sorted(r.value for r in Role) == sorted(ROLES)


def test_the_table_has_no_row_the_expectation_lacks() -> None:
    rows = {(str(t.source), str(t.action)) for t in CONSULTATION_WORKFLOW.transitions}
    assert rows == set(EXPECTED)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("state", STATES)
def test_each_state_action_and_role_moves_or_is_refused_as_the_api_says(
    state: str,
    action: str,
    role: str,
    cast: dict[str, Actor],
    make_facts: Callable[..., RequestFacts],
    full_body: Callable[[], dict[str, Any]],
    now: datetime,
) -> None:
    facts = make_facts(state)
    body = full_body()
    expected = EXPECTED.get((state, action))
    run = lambda: apply_action(  # noqa: E731
        CONSULTATION_WORKFLOW, facts, action, cast[role], body, expected_version=7, now=now
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
        assert outcome.from_state == state
        assert outcome.new_version == 8
        assert outcome.history_entry.actor_role == role
    # Whatever happened, the inputs are as they were.
    assert facts == make_facts(state)
    assert body == full_body()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state", STATES)
def test_allowed_actions_are_the_permitted_ones_when_every_guard_passes(
    state: str,
    role: str,
    cast: dict[str, Actor],
    make_facts: Callable[..., RequestFacts],
    now: datetime,
) -> None:
    listed = allowed_actions(CONSULTATION_WORKFLOW, make_facts(state), cast[role], now=now)
    expected = [a for a in ACTIONS if role in EXPECTED.get((state, a), ("", set()))[1]]
    assert [str(a) for a in listed] == expected
