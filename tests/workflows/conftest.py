"""Fixtures for the workflow engine: a cast of actors and facts where every guard passes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from workflows import Actor, PanelRole, PanelSeat, RequestFacts

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
AGENCY_ORG = 10
OTHER_ORG = 11

# One user per role, each standing in the relation that role needs to the request.
CAST: dict[str, Actor] = {
    "agency": Actor(user_id=1, roles=frozenset({"agency"}), organization_id=AGENCY_ORG),
    "coordinator": Actor(user_id=2, roles=frozenset({"coordinator"})),
    "approver": Actor(user_id=3, roles=frozenset({"approver"})),
    "expert": Actor(user_id=4, roles=frozenset({"expert"}), person_id=40),
    "admin": Actor(user_id=5, roles=frozenset({"admin"})),
    "liaison": Actor(user_id=6, roles=frozenset({"liaison"}), organization_id=AGENCY_ORG),
    # A contest author's account: nothing of the consultation.
    "author": Actor(user_id=7, roles=frozenset({"author"})),
}

READY_PANEL = (
    PanelSeat(person_id=40, role=PanelRole.SECRETARY, opinion_submitted=True, user_id=4),
    PanelSeat(person_id=41, role=PanelRole.CHAIR, opinion_submitted=True),
    PanelSeat(person_id=42, role=PanelRole.REVIEWER, opinion_submitted=True),
)


def ready_facts(state: str = "draft", **overrides: Any) -> RequestFacts:
    """Facts of a request filed by the agency, run by coordinator 2, where every guard passes."""
    facts = RequestFacts(
        state=state,
        version=7,
        kind="critique",
        filed_by_user_id=CAST["agency"].user_id,
        agency_organization_id=AGENCY_ORG,
        assigned_coordinator_id=CAST["coordinator"].user_id,
        panel=READY_PANEL,
        unresolved_conflicts=0,
        opinion_deadline=NOW + timedelta(days=3),
        has_consolidation=True,
        consolidation_author_user_id=CAST["coordinator"].user_id,
        recommendation_ids=(101, 102),
    )
    return replace(facts, **overrides)


def full_payload() -> dict[str, Any]:
    """A body that satisfies every input guard of every action."""
    return {
        "comment": "Please attach the environmental impact report.",
        "responses": [
            {"recommendation": 101, "status": "adopted", "explanation": ""},
            {"recommendation": 102, "status": "not_adopted", "explanation": "Out of budget."},
        ],
    }


@pytest.fixture
def cast() -> dict[str, Actor]:
    return CAST


@pytest.fixture
def make_facts() -> Callable[..., RequestFacts]:
    return ready_facts


@pytest.fixture
def payload() -> dict[str, Any]:
    return full_payload()


@pytest.fixture
def full_body() -> Callable[[], dict[str, Any]]:
    return full_payload


@pytest.fixture
def now() -> datetime:
    return NOW
