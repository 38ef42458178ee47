"""Random moves on one edition and one of its entries, by random actors, as the world changes.

Properties: both stay in states of the issue, reached by moves it allows; a refusal
changes nothing; versions count the histories and ``replay`` gives the current states;
whatever ``allowed_actions`` offers succeeds; an entry's scoring moves only while the
edition is being judged, so nothing about the scores moves once results are proposed;
the board member who proposed the results never approves them.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from decimal import Decimal

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from workflows import (
    CONTEST_EDITION_WORKFLOW as EDITION_WF,
)
from workflows import (
    CONTEST_ENTRY_WORKFLOW as ENTRY_WF,
)
from workflows import (
    Actor,
    EditionFacts,
    EntryFacts,
    JudgeSeat,
    WorkflowError,
    allowed_actions,
    apply_action,
    replay,
)

# Written out from the issue, independently of the tables.
EDITION_MOVES = {
    ("draft", "announced"), ("announced", "open"), ("open", "closed"), ("closed", "judging"),
    ("judging", "results_proposed"), ("results_proposed", "judging"),
    ("results_proposed", "results_approved"), ("results_approved", "published"),
}  # fmt: skip
ENTRY_MOVES = {
    ("submitted", "eligible"), ("submitted", "ineligible"), ("eligible", "submitted"),
    ("ineligible", "submitted"), ("submitted", "withdrawn"), ("eligible", "scoring"),
    ("scoring", "scored"), ("scoring", "flagged"), ("flagged", "scoring"),
    ("flagged", "scored"), ("scored", "scoring"),
}  # fmt: skip
SCORING_STATES = {"scoring", "flagged", "scored"}

ACTORS = [
    Actor(2, frozenset({"coordinator"})),
    Actor(5, frozenset({"admin"})),
    Actor(3, frozenset({"approver"})),  # on the board
    Actor(6, frozenset({"approver"})),  # on the board
    Actor(7, frozenset({"approver", "coordinator"})),  # on the board and in the secretariat
    Actor(33, frozenset({"approver"})),  # not on the board
    Actor(40, frozenset({"expert"}), person_id=40),  # a judge of the entry
    Actor(80, frozenset({"expert"}), person_id=80),  # the sub-jury's chair
    Actor(11, frozenset({"liaison"}), organization_id=10),  # the author
]
FORWARD_FIRST = [
    "announce", "open_entries", "close_entries", "start_judging", "propose_results",
    "approve_results", "publish", "mark_eligible", "open_scoring", "complete_scoring", "flag",
    "resolve", "request_rescore", "send_back", "mark_ineligible", "reopen_screening",
    "reopen_scoring", "withdraw",
]  # fmt: skip
EDITION_ACTIONS = [str(a) for a in EDITION_WF.action_type]
ENTRY_ACTIONS = [str(a) for a in ENTRY_WF.action_type]


class ContestMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.edition = EditionFacts(
            state="draft", version=0, board_user_ids=(3, 6, 7),
            criteria_max_points=(40, 30, 30), field_count=3, award_level_count=4,
        )  # fmt: skip
        self.entry = EntryFacts(
            state="submitted", version=0, edition_state="draft", author_user_ids=(11,),
            max_spread=Decimal(15), subjury_chair_person_ids=(80,),
        )  # fmt: skip
        self.edition_history: list = []
        self.entry_history: list = []
        self.proposer: int | None = None

    # --- keeping the two sets of facts consistent, as the app does -------------------------

    def _sync(self) -> None:
        e = self.entry
        self.entry = replace(e, edition_state=self.edition.state)
        self.edition = replace(
            self.edition,
            entries_pending_screening=int(e.state == "submitted"),
            eligible_entries=int(e.state in {"eligible"} | SCORING_STATES),
            entries_short_of_judges=int(e.state == "eligible" and len(e.judges) < e.min_judges),
            entries_unsettled=int(e.state in {"eligible", "scoring", "flagged"}),
            results_proposed_by_user_id=self.proposer,
        )

    def _edition_act(self, action: str, actor: Actor, body: dict) -> bool:
        before, body_before = self.edition, copy.deepcopy(body)
        try:
            out = apply_action(EDITION_WF, self.edition, action, actor, body)
        except WorkflowError:
            assert self.edition == before and body == body_before
            return False
        assert (str(out.from_state), str(out.to_state)) in EDITION_MOVES
        if action == "approve_results":
            assert actor.user_id != self.proposer
        if action == "propose_results":
            self.proposer = actor.user_id
        self.edition_history.append(out.history_entry)
        self.edition = replace(self.edition, state=out.to_state, version=out.new_version)
        self._sync()
        return True

    def _entry_act(self, action: str, actor: Actor, body: dict) -> bool:
        before, body_before = self.entry, copy.deepcopy(body)
        try:
            out = apply_action(ENTRY_WF, self.entry, action, actor, body)
        except WorkflowError:
            assert self.entry == before and body == body_before
            return False
        move = (str(out.from_state), str(out.to_state))
        assert move in ENTRY_MOVES
        if move[0] in SCORING_STATES or move[1] in SCORING_STATES:
            assert self.edition.state == "judging", "scores moved outside judging"
        self.entry_history.append(out.history_entry)
        judges = self.entry.judges
        if action == "request_rescore":  # the app keeps the old scores in history, clears them
            judges = tuple(replace(j, total=None) for j in judges)
        self.entry = replace(self.entry, state=out.to_state, version=out.new_version, judges=judges)
        self._sync()
        return True

    # --- rules ----------------------------------------------------------------------------

    @rule(action=st.sampled_from(EDITION_ACTIONS), who=st.sampled_from(ACTORS), c=st.booleans())
    def act_on_edition(self, action: str, who: Actor, c: bool) -> None:
        self._edition_act(action, who, {"comment": "Lý do"} if c else {})

    @rule(action=st.sampled_from(ENTRY_ACTIONS), who=st.sampled_from(ACTORS), c=st.booleans())
    def act_on_entry(self, action: str, who: Actor, c: bool) -> None:
        self._entry_act(action, who, {"comment": "Lý do"} if c else {})

    @rule(who=st.sampled_from(ACTORS))
    def take_whatever_is_offered(self, who: Actor) -> None:
        for action in allowed_actions(EDITION_WF, self.edition, who):
            assert self._edition_act(str(action), who, {"comment": "Lý do"})
            break
        for action in allowed_actions(ENTRY_WF, self.entry, who):
            assert self._entry_act(str(action), who, {"comment": "Lý do"})
            break

    @rule()
    def someone_moves_things_forward(self) -> None:
        for action in FORWARD_FIRST:
            for who in ACTORS:
                wf, facts = (
                    (EDITION_WF, self.edition)
                    if action in EDITION_ACTIONS
                    else (ENTRY_WF, self.entry)
                )
                if action in {str(a) for a in allowed_actions(wf, facts, who)}:
                    act = self._edition_act if wf is EDITION_WF else self._entry_act
                    assert act(action, who, {"comment": "Lý do"})
                    return

    @rule()
    def assign_a_judge(self) -> None:
        n = len(self.entry.judges)
        if n < 4 and self.entry.state in {"submitted", "eligible"}:
            seat = JudgeSeat(person_id=40 + n, user_id=40 + n)
            self.entry = replace(self.entry, judges=(*self.entry.judges, seat))
            self._sync()

    @rule(i=st.integers(0, 3), total=st.integers(0, 100))
    def a_judge_scores(self, i: int, total: int) -> None:
        # The app accepts scores only while the entry is being scored.
        if self.entry.state == "scoring" and i < len(self.entry.judges):
            judges = list(self.entry.judges)
            judges[i] = replace(judges[i], total=Decimal(total))
            self.entry = replace(self.entry, judges=tuple(judges))

    @rule(base=st.integers(0, 80), gaps=st.lists(st.integers(0, 20), min_size=4, max_size=4))
    def every_judge_scores(self, base: int, gaps: list[int]) -> None:
        if self.entry.state == "scoring":
            judges = tuple(
                replace(j, total=Decimal(base + g))
                for j, g in zip(self.entry.judges, gaps, strict=False)
            )
            self.entry = replace(self.entry, judges=judges)

    # --- invariants -----------------------------------------------------------------------

    @invariant()
    def histories_replay_to_the_states(self) -> None:
        assert self.edition.version == len(self.edition_history)
        assert self.entry.version == len(self.entry_history)
        assert replay(EDITION_WF, self.edition_history) == self.edition.state
        assert replay(ENTRY_WF, self.entry_history) == self.entry.state

    @invariant()
    def results_are_proposed_only_over_settled_entries(self) -> None:
        if self.edition.state in {"results_proposed", "results_approved", "published"}:
            assert self.entry.state not in {"eligible", "scoring", "flagged"}


ContestMachine.TestCase.settings = settings(
    max_examples=150,
    stateful_step_count=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_contest_state_machine = ContestMachine.TestCase
