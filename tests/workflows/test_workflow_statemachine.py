"""Random action sequences by random actors, with the world changing underneath them.

Properties: the request is only ever in a state of API.md, reached by a move API.md
allows; every refused action leaves facts and body as they were; the version counts the
history; ``replay(history)`` gives the current state; whatever ``allowed_actions`` offers
succeeds with a well-formed body; and the guards held whenever their transition happened.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from workflows import CONSULTATION_WORKFLOW as WF
from workflows import (
    Action,
    Actor,
    EffectKind,
    HistoryEntry,
    PanelRole,
    PanelSeat,
    RequestFacts,
    WorkflowError,
    allowed_actions,
    apply_action,
    replay,
)

# Written out from API.md, independently of the engine's table.
MOVES = {
    ("draft", "submitted"), ("submitted", "returned"), ("returned", "submitted"),
    ("submitted", "accepted"), ("submitted", "declined"), ("returned", "declined"),
    ("accepted", "panel_forming"), ("panel_forming", "in_review"),
    ("in_review", "consolidation"), ("consolidation", "approval"),
    ("approval", "consolidation"), ("approval", "published"), ("published", "closed"),
    *((s, "withdrawn") for s in (
        "draft", "submitted", "returned", "accepted", "panel_forming", "in_review",
        "consolidation", "approval",
    )),
}  # fmt: skip
STATES = {s for move in MOVES for s in move}
FINISHED = {"closed", "declined", "withdrawn"}
FORWARD_FIRST = [
    "submit", "resubmit", "accept", "open_panel", "start_review", "close_review",
    "submit_consolidation", "approve", "record_response", "return", "send_back", "decline",
    "withdraw",
]  # fmt: skip
WORLD_EVENTS = [
    "an expert accepts a seat",
    "an expert submits an opinion",
    "a conflict is declared",
    "a conflict is resolved",
    "someone writes the consolidation",
    "time passes",
]

ACTORS: list[Actor] = [
    Actor(6, frozenset({"liaison"}), organization_id=10),
    Actor(1, frozenset({"agency"}), organization_id=10),  # filed the request
    Actor(91, frozenset({"agency"}), organization_id=10),  # a colleague at the agency
    Actor(90, frozenset({"agency"}), organization_id=11),  # another agency
    Actor(2, frozenset({"coordinator"})),
    Actor(20, frozenset({"coordinator"})),
    Actor(3, frozenset({"approver"})),
    Actor(30, frozenset({"approver"})),
    Actor(7, frozenset({"coordinator", "approver"})),
    Actor(4, frozenset({"expert"}), person_id=40),
    Actor(41, frozenset({"expert"}), person_id=41),
    Actor(5, frozenset({"admin"})),
]
FILER, COORDINATOR, SECOND_APPROVER, SECRETARY = 1, 4, 7, 9  # indexes in ACTORS
READY_PANEL = (
    PanelSeat(person_id=41, role=PanelRole.CHAIR, opinion_submitted=True, user_id=41),
    PanelSeat(person_id=40, role=PanelRole.SECRETARY, opinion_submitted=True, user_id=4),
    PanelSeat(person_id=42, role=PanelRole.MEMBER, opinion_submitted=True, user_id=42),
)
# (actor, action, facts of the world just before it) along the usual way to a closed request.
JOURNEY: list[tuple[int, Action, dict[str, Any]]] = [
    (FILER, Action.SUBMIT, {}),
    (COORDINATOR, Action.ACCEPT, {}),
    (COORDINATOR, Action.OPEN_PANEL, {}),
    (COORDINATOR, Action.START_REVIEW, {"panel": READY_PANEL}),
    (COORDINATOR, Action.CLOSE_REVIEW, {}),
    (SECRETARY, Action.SUBMIT_CONSOLIDATION, {"has_consolidation": True,
                                              "consolidation_author_user_id": 4}),
    (SECOND_APPROVER, Action.APPROVE, {}),
    (FILER, Action.RECORD_RESPONSE, {}),
]  # fmt: skip
START = datetime(2026, 5, 4, 2, 0, tzinfo=UTC)


class ConsultationMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.history: list[HistoryEntry] = []
        self.now = START
        self.facts = RequestFacts(state="draft", version=0, kind="consultation")

    @initialize(
        kind=st.sampled_from(["consultation", "critique", "assessment"]),
        head_start=st.integers(0, len(JOURNEY)),
        author=st.sampled_from([3, 4, 2, 7]),
    )
    def file_request(self, kind: str, head_start: int, author: int) -> None:
        self.facts = RequestFacts(
            state="draft",
            version=0,
            kind=kind,
            filed_by_user_id=1,
            agency_organization_id=10,
            opinion_deadline=START + timedelta(days=5),
            recommendation_ids=(501, 502),
        )
        # Random steps rarely get far on their own, so a run may start part way along the
        # usual journey (taken through the engine, so it is in the history like any step).
        for actor_index, action, world in JOURNEY[:head_start]:
            self.facts = replace(self.facts, **world)
            if action == Action.SUBMIT_CONSOLIDATION:
                # Any author, even an approver, so that four eyes is tested from here on.
                self.facts = replace(self.facts, consolidation_author_user_id=author)
            version = self.facts.version
            self.someone_acts(ACTORS[actor_index], action, "Lý do.", "good", "current")
            assert self.facts.version == version + 1

    # --- the world changes between actions ----------------------------------------------------
    # One rule for all world events, so that actions (two rules) get most of the steps.
    # Once the request is finished only the random actor keeps trying (and is refused).

    @precondition(lambda self: self.facts.state not in FINISHED)
    @rule(data=st.data(), event=st.sampled_from(WORLD_EVENTS))
    def the_world_changes(self, data: st.DataObject, event: str) -> None:
        facts = self.facts
        if event == "an expert accepts a seat" and len(facts.panel) < 5:
            person = 40 + len(facts.panel)
            role = data.draw(st.sampled_from(list(PanelRole)))
            seat = PanelSeat(person_id=person, role=role, user_id=person if person > 40 else 4)
            self.facts = replace(facts, panel=(*facts.panel, seat))
        elif event == "an expert submits an opinion" and facts.panel:
            i = data.draw(st.integers(0, len(facts.panel) - 1))
            panel = list(facts.panel)
            panel[i] = replace(panel[i], opinion_submitted=True)
            self.facts = replace(facts, panel=tuple(panel))
        elif event == "a conflict is declared":
            self.facts = replace(facts, unresolved_conflicts=facts.unresolved_conflicts + 1)
        elif event == "a conflict is resolved" and facts.unresolved_conflicts:
            self.facts = replace(facts, unresolved_conflicts=facts.unresolved_conflicts - 1)
        elif event == "someone writes the consolidation":
            author = data.draw(st.sampled_from([2, 4, 3, 7]))
            self.facts = replace(facts, has_consolidation=True, consolidation_author_user_id=author)
        elif event == "time passes":
            self.now += timedelta(days=data.draw(st.integers(1, 4)))

    # --- somebody acts ------------------------------------------------------------------------

    @rule(
        actor=st.sampled_from(ACTORS),
        action=st.sampled_from(list(Action)),
        comment=st.sampled_from([None, "", "  ", "Lý do: thiếu hồ sơ."]),
        responses=st.sampled_from(["good", "missing_one", "bad_status", "absent"]),
        version=st.sampled_from(["current", "stale", "none"]),
    )
    def someone_acts(
        self, actor: Actor, action: Action, comment: str | None, responses: str, version: str
    ) -> None:
        body = self._body(comment, responses)
        expected = {"current": self.facts.version, "stale": self.facts.version - 1}.get(version)
        before_facts, before_body = self.facts, copy.deepcopy(body)
        try:
            outcome = apply_action(
                WF, self.facts, action, actor, body, expected_version=expected, now=self.now
            )
        except WorkflowError:
            assert self.facts == before_facts
            assert body == before_body
            return
        assert version != "stale"
        self._check_guards_held(action, actor, body, outcome.to_state)
        self._record(outcome, actor)

    @precondition(lambda self: self.facts.state not in FINISHED)
    @rule(
        data=st.data(),
        comment=st.sampled_from([None, "Lý do: thiếu hồ sơ."]),
        responses=st.sampled_from(["good", "missing_one"]),
        # Hypothesis favours boundary values, so "ends the run" is a value in the middle.
        may_end=st.integers(0, 15).map(lambda n: n == 9),
    )
    def someone_takes_an_offered_action(
        self, data: st.DataObject, comment: str | None, responses: str, may_end: bool
    ) -> None:
        # Random (actor, action) pairs are mostly refused; this rule moves the request on,
        # so that deep states are explored too. Withdrawing and declining end a run, so they
        # are offered rarely; forward moves come first because Hypothesis favours the first.
        ending = set() if may_end else {Action.WITHDRAW, Action.DECLINE}
        offered = sorted(
            (
                (actor, action)
                for actor in ACTORS
                for action in allowed_actions(WF, self.facts, actor, now=self.now)
                if action not in ending
            ),
            key=lambda pair: FORWARD_FIRST.index(pair[1]),
        )
        if offered:
            actor, action = data.draw(st.sampled_from(offered))
            self.someone_acts(actor, action, comment, responses, "current")

    # --- invariants ---------------------------------------------------------------------------

    @invariant()
    def state_is_legal_and_replays_from_history(self) -> None:
        assert self.facts.state in STATES
        assert replay(WF, self.history) == self.facts.state
        assert self.facts.version == len(self.history)
        for before, after in zip(self.history, self.history[1:], strict=False):
            assert before.to_state == after.from_state

    @invariant()
    def every_offered_action_succeeds_with_a_well_formed_body(self) -> None:
        for actor in ACTORS:
            for action in allowed_actions(WF, self.facts, actor, now=self.now):
                body = self._body("A reason.", "good")
                outcome = apply_action(WF, self.facts, action, actor, body, now=self.now)
                self._check_guards_held(action, actor, body, outcome.to_state)

    @invariant()
    def nobody_may_act_on_a_finished_request(self) -> None:
        if self.facts.state in FINISHED:
            assert all(not allowed_actions(WF, self.facts, a, now=self.now) for a in ACTORS)

    # --- helpers ------------------------------------------------------------------------------

    def _body(self, comment: str | None, responses: str) -> dict[str, Any]:
        body: dict[str, Any] = {} if comment is None else {"comment": comment}
        ids = list(self.facts.recommendation_ids)
        answers = [{"recommendation": i, "status": "adopted"} for i in ids]
        if responses == "missing_one":
            body["responses"] = answers[:-1]
        elif responses == "bad_status":
            body["responses"] = [{**a, "status": "ignored"} for a in answers]
        elif responses == "good":
            body["responses"] = answers
        return body

    def _check_guards_held(self, action: str, actor: Actor, body: Any, to: str) -> None:
        facts, move = self.facts, (str(self.facts.state), str(to))
        assert move in MOVES
        comment = (body.get("comment") or "").strip()
        if action in {"return", "decline", "send_back"}:
            assert comment
        if to == "in_review":
            assert len(facts.panel) >= 3
            assert any(seat.role == "chair" for seat in facts.panel)
            assert facts.unresolved_conflicts == 0
        if move == ("in_review", "consolidation"):
            done = sum(seat.opinion_submitted for seat in facts.panel)
            late = facts.opinion_deadline is not None and self.now >= facts.opinion_deadline
            assert done == len(facts.panel) or (
                late and Fraction(done, len(facts.panel)) >= Fraction(2, 3) and comment
            )
        if to in {"approval", "published"}:
            assert facts.has_consolidation
        if to == "published":
            assert facts.consolidation_author_user_id != actor.user_id
        if to == "closed":
            answered = sorted(r["recommendation"] for r in body["responses"])
            assert answered == sorted(facts.recommendation_ids)

    def _record(self, outcome: Any, actor: Actor) -> None:
        assert outcome.new_version == self.facts.version + 1
        assert outcome.history_entry.from_state == self.facts.state
        assert outcome.history_entry.actor_user_id == actor.user_id
        coordinator = self.facts.assigned_coordinator_id
        if coordinator is None and any(
            e.kind is EffectKind.ASSIGN_COORDINATOR for e in outcome.effects
        ):
            coordinator = actor.user_id
        self.facts = replace(
            self.facts,
            state=outcome.to_state,
            version=outcome.new_version,
            assigned_coordinator_id=coordinator,
        )
        self.history.append(outcome.history_entry)


ConsultationMachine.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=50,
    deadline=None,
    database=None,  # no .hypothesis folder in the work tree; failures print their example
    suppress_health_check=[HealthCheck.too_slow],
)
TestRandomActionSequencesKeepTheWorkflowConsistent = ConsultationMachine.TestCase
