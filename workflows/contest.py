"""The Technical Creativity Contest (Hội thi Sáng tạo Kỹ thuật): two tables for the engine.

An **edition** goes draft → announced → open → closed → judging → results_proposed →
results_approved → published; each **entry** is screened (eligible or ineligible), scored
by at least ``min_judges`` judges, flagged when their totals disagree by more than the
edition's spread, and finally scored. The youth contest is the same two tables: its
criteria, award levels and numbers are the edition's data, not another workflow.

Who may act (``Permit(role, relation)``):

- the secretariat (``coordinator``, with ``admin`` standing in): everything about the
  edition's calendar and the screening, judging and flag handling of entries;
- the organising board (``approver`` users named on the edition's board): send the
  proposed results back, approve them (four eyes: not the user who proposed them nor one
  who edited the awards), publish;
- an entry's judges (``expert`` users assigned to it): the last judge's score completes
  the scoring or flags the entry; the sub-jury's chair may settle a flagged entry;
- an entry's authors (any user recorded as one): withdraw it while entries are open.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from .engine import RELATIONS, Permit, Relation, RelationCheck, Transition, Workflow
from .errors import GuardFailure
from .guards import COMMENT_REQUIRED, Guard, GuardContext
from .i18n import N_, Message
from .model import Actor, Role


class EditionState(StrEnum):
    DRAFT = "draft"
    ANNOUNCED = "announced"
    OPEN = "open"
    CLOSED = "closed"
    JUDGING = "judging"
    RESULTS_PROPOSED = "results_proposed"
    RESULTS_APPROVED = "results_approved"
    PUBLISHED = "published"

    @property
    def label(self) -> str:
        return EDITION_STATE_LABELS[self]


class EditionAction(StrEnum):
    ANNOUNCE = "announce"
    OPEN_ENTRIES = "open_entries"
    CLOSE_ENTRIES = "close_entries"
    START_JUDGING = "start_judging"
    PROPOSE_RESULTS = "propose_results"
    SEND_BACK = "send_back"
    APPROVE_RESULTS = "approve_results"
    PUBLISH = "publish"

    @property
    def label(self) -> str:
        return EDITION_ACTION_LABELS[self]


class EntryState(StrEnum):
    SUBMITTED = "submitted"
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    SCORING = "scoring"
    FLAGGED = "flagged"
    SCORED = "scored"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return ENTRY_STATE_LABELS[self]


class EntryAction(StrEnum):
    MARK_ELIGIBLE = "mark_eligible"
    MARK_INELIGIBLE = "mark_ineligible"
    REOPEN_SCREENING = "reopen_screening"
    WITHDRAW = "withdraw"
    OPEN_SCORING = "open_scoring"
    COMPLETE_SCORING = "complete_scoring"
    FLAG = "flag"
    REQUEST_RESCORE = "request_rescore"
    RESOLVE = "resolve"
    REOPEN_SCORING = "reopen_scoring"

    @property
    def label(self) -> str:
        return ENTRY_ACTION_LABELS[self]


EDITION_STATE_LABELS: dict[EditionState, str] = {
    EditionState.DRAFT: N_("Draft"),
    EditionState.ANNOUNCED: N_("Announced"),
    EditionState.OPEN: N_("Open for entries"),
    EditionState.CLOSED: N_("Entries closed"),
    EditionState.JUDGING: N_("Judging"),
    EditionState.RESULTS_PROPOSED: N_("Results proposed"),
    EditionState.RESULTS_APPROVED: N_("Results approved"),
    EditionState.PUBLISHED: N_("Published"),
}
EDITION_ACTION_LABELS: dict[EditionAction, str] = {
    EditionAction.ANNOUNCE: N_("Announce"),
    EditionAction.OPEN_ENTRIES: N_("Open entries"),
    EditionAction.CLOSE_ENTRIES: N_("Close entries"),
    EditionAction.START_JUDGING: N_("Start judging"),
    EditionAction.PROPOSE_RESULTS: N_("Propose the results"),
    EditionAction.SEND_BACK: N_("Send back for revision"),
    EditionAction.APPROVE_RESULTS: N_("Approve the results"),
    EditionAction.PUBLISH: N_("Publish the results"),
}
ENTRY_STATE_LABELS: dict[EntryState, str] = {
    EntryState.SUBMITTED: N_("Submitted"),
    EntryState.ELIGIBLE: N_("Eligible"),
    EntryState.INELIGIBLE: N_("Ineligible"),
    EntryState.SCORING: N_("Being scored"),
    EntryState.FLAGGED: N_("Flagged for discussion"),
    EntryState.SCORED: N_("Scored"),
    EntryState.WITHDRAWN: N_("Withdrawn"),
}
ENTRY_ACTION_LABELS: dict[EntryAction, str] = {
    EntryAction.MARK_ELIGIBLE: N_("Mark eligible"),
    EntryAction.MARK_INELIGIBLE: N_("Mark ineligible"),
    EntryAction.REOPEN_SCREENING: N_("Reopen the screening"),
    EntryAction.WITHDRAW: N_("Withdraw"),
    EntryAction.OPEN_SCORING: N_("Open the scoring"),
    EntryAction.COMPLETE_SCORING: N_("Complete the scoring"),
    EntryAction.FLAG: N_("Flag for discussion"),
    EntryAction.REQUEST_RESCORE: N_("Ask for a re-score"),
    EntryAction.RESOLVE: N_("Keep the scores"),
    EntryAction.REOPEN_SCORING: N_("Reopen the scoring"),
}


# --- the facts ------------------------------------------------------------------------------

EDITION_KIND = "contest_edition"
ENTRY_KIND = "contest_entry"


@dataclass(frozen=True)
class EditionFacts:
    """What the contest tables need to know about one edition, read by the app."""

    state: str
    version: int
    kind: str = EDITION_KIND
    board_user_ids: tuple[int, ...] = ()
    criteria_max_points: tuple[int, ...] = ()
    field_count: int = 0
    award_level_count: int = 0
    entries_pending_screening: int = 0
    eligible_entries: int = 0
    # Eligible entries with fewer judges than the edition's minimum.
    entries_short_of_judges: int = 0
    # Entries being scored or flagged: results cannot be proposed while any remains.
    entries_unsettled: int = 0
    results_proposed_by_user_id: int | None = None
    awards_edited_by_user_ids: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        for name in ("board_user_ids", "criteria_max_points", "awards_edited_by_user_ids"):
            object.__setattr__(self, name, tuple(getattr(self, name)))


@dataclass(frozen=True)
class JudgeSeat:
    """One judge assigned to an entry; ``total`` is None until the judge has scored it."""

    person_id: int
    user_id: int | None = None
    total: Decimal | None = None


@dataclass(frozen=True)
class EntryFacts:
    """What the contest tables need to know about one entry and its edition."""

    state: str
    version: int
    edition_state: str
    kind: str = ENTRY_KIND
    author_user_ids: tuple[int, ...] = ()
    judges: tuple[JudgeSeat, ...] = ()
    min_judges: int = 3
    # Largest allowed difference between two judges' totals (points); None: never flag.
    max_spread: Decimal | None = None
    subjury_chair_person_ids: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "author_user_ids", tuple(self.author_user_ids))
        object.__setattr__(self, "judges", tuple(self.judges))
        object.__setattr__(self, "subjury_chair_person_ids", tuple(self.subjury_chair_person_ids))

    @property
    def spread(self) -> Decimal | None:
        totals = [j.total for j in self.judges if j.total is not None]
        return max(totals) - min(totals) if totals else None


@dataclass(frozen=True)
class ContestPolicy:
    """The contest's numbers are per edition (facts); a policy only adds guards."""

    extra_guards: Mapping[str, tuple[Guard, ...]] = field(default_factory=dict)


# --- relations ------------------------------------------------------------------------------


class ContestRelation(StrEnum):
    BOARD_MEMBER = "board_member"
    ENTRY_AUTHOR = "entry_author"
    ENTRY_JUDGE = "entry_judge"
    SUBJURY_CHAIR = "subjury_chair"


def _is_board_member(actor: Actor, facts: EditionFacts) -> bool:
    return actor.user_id in facts.board_user_ids


def _is_entry_author(actor: Actor, facts: EntryFacts) -> bool:
    return actor.user_id in facts.author_user_ids


def _is_entry_judge(actor: Actor, facts: EntryFacts) -> bool:
    return any(
        (actor.person_id is not None and j.person_id == actor.person_id)
        or (j.user_id is not None and j.user_id == actor.user_id)
        for j in facts.judges
    )


def _is_subjury_chair(actor: Actor, facts: EntryFacts) -> bool:
    return actor.person_id is not None and actor.person_id in facts.subjury_chair_person_ids


CONTEST_RELATIONS: Mapping[str, RelationCheck] = MappingProxyType(
    {
        Relation.ANY: RELATIONS[Relation.ANY],
        ContestRelation.BOARD_MEMBER: _is_board_member,
        ContestRelation.ENTRY_AUTHOR: _is_entry_author,
        ContestRelation.ENTRY_JUDGE: _is_entry_judge,
        ContestRelation.SUBJURY_CHAIR: _is_subjury_chair,
    }
)


# --- guards ---------------------------------------------------------------------------------


def _not_ready(code: str, msg: Message, field_name: str) -> GuardFailure:
    return GuardFailure(code, msg, status=409, fields={field_name: msg})


def _edition_complete(ctx: GuardContext) -> GuardFailure | None:
    f: EditionFacts = ctx.facts
    total = sum(f.criteria_max_points)
    if not f.criteria_max_points or total != 100:
        msg = Message(
            N_("The criteria's maximum points must sum to 100; they sum to %(total)s."),
            {"total": total},
        )
        return _not_ready("criteria_incomplete", msg, "criteria")
    if f.field_count == 0:
        return _not_ready("no_fields", Message(N_("The edition has no fields.")), "fields")
    if f.award_level_count == 0:
        msg = Message(N_("The edition has no award levels."))
        return _not_ready("no_award_levels", msg, "award_levels")
    return None


def _ready_for_judging(ctx: GuardContext) -> GuardFailure | None:
    f: EditionFacts = ctx.facts
    if f.entries_pending_screening:
        msg = Message(
            N_("%(count)s entries are still waiting for screening."),
            {"count": f.entries_pending_screening},
        )
        return _not_ready("screening_pending", msg, "entries")
    if f.eligible_entries == 0:
        msg = Message(N_("No entry is eligible, so there is nothing to judge."))
        return _not_ready("no_eligible_entries", msg, "entries")
    if f.entries_short_of_judges:
        msg = Message(
            N_("%(count)s eligible entries do not have enough judges yet."),
            {"count": f.entries_short_of_judges},
        )
        return _not_ready("judges_missing", msg, "judges")
    return None


def _all_entries_settled(ctx: GuardContext) -> GuardFailure | None:
    f: EditionFacts = ctx.facts
    if f.entries_unsettled == 0:
        return None
    msg = Message(
        N_("%(count)s entries are still being scored or are flagged for discussion."),
        {"count": f.entries_unsettled},
    )
    return _not_ready("scoring_unfinished", msg, "entries")


def _board_four_eyes(ctx: GuardContext) -> GuardFailure | None:
    f: EditionFacts = ctx.facts
    uid = ctx.actor.user_id
    if uid != f.results_proposed_by_user_id and uid not in f.awards_edited_by_user_ids:
        return None
    msg = Message(
        N_("You proposed or edited these results, so another board member must approve them.")
    )
    return GuardFailure("four_eyes", msg, status=403)


def _edition_in(name: str, *states: EditionState, code: str, message: str) -> Guard:
    allowed = frozenset(states)

    def check(ctx: GuardContext) -> GuardFailure | None:
        if EditionState(ctx.facts.edition_state) in allowed:
            return None
        return GuardFailure(code, Message(message))

    return Guard(name, check)


def _judges_assigned(ctx: GuardContext) -> GuardFailure | None:
    f: EntryFacts = ctx.facts
    if len(f.judges) >= f.min_judges:
        return None
    msg = Message(
        N_("The entry needs at least %(minimum)s judges; it has %(count)s."),
        {"minimum": f.min_judges, "count": len(f.judges)},
    )
    return _not_ready("judges_missing", msg, "judges")


def _all_judges_scored(ctx: GuardContext) -> GuardFailure | None:
    f: EntryFacts = ctx.facts
    done = sum(1 for j in f.judges if j.total is not None)
    if f.judges and done == len(f.judges) and done >= f.min_judges:
        return None
    msg = Message(
        N_("%(done)s of %(total)s judges have scored the entry."),
        {"done": done, "total": len(f.judges)},
    )
    return _not_ready("scores_missing", msg, "scores")


def _spread_exceeded(f: EntryFacts) -> bool:
    spread = f.spread
    return f.max_spread is not None and spread is not None and spread > f.max_spread


def _within_spread(ctx: GuardContext) -> GuardFailure | None:
    f: EntryFacts = ctx.facts
    if not _spread_exceeded(f):
        return None
    msg = Message(
        N_("The judges' totals differ by %(spread)s points, more than the allowed %(max)s."),
        {"spread": str(f.spread), "max": str(f.max_spread)},
    )
    return _not_ready("spread_exceeded", msg, "scores")


def _beyond_spread(ctx: GuardContext) -> GuardFailure | None:
    f: EntryFacts = ctx.facts
    if _spread_exceeded(f):
        return None
    msg = Message(N_("The judges' totals agree within the allowed spread."))
    return _not_ready("spread_within_limit", msg, "scores")


EDITION_COMPLETE = Guard("edition_complete", _edition_complete)
READY_FOR_JUDGING = Guard("ready_for_judging", _ready_for_judging)
ALL_ENTRIES_SETTLED = Guard("all_entries_settled", _all_entries_settled)
BOARD_FOUR_EYES = Guard("board_four_eyes", _board_four_eyes)
SCREENING_OPEN = _edition_in(
    "edition_screening",
    EditionState.OPEN,
    EditionState.CLOSED,
    code="screening_closed",
    message=N_("Entries can be screened only while the edition is open or closed."),
)
ENTRIES_OPEN = _edition_in(
    "edition_open",
    EditionState.OPEN,
    code="entries_closed",
    message=N_("Entries can be changed only while the edition is open for entries."),
)
JUDGING_OPEN = _edition_in(
    "edition_judging",
    EditionState.JUDGING,
    code="judging_closed",
    message=N_("Scores can change only while the edition is being judged."),
)
JUDGES_ASSIGNED = Guard("judges_assigned", _judges_assigned)
ALL_JUDGES_SCORED = Guard("all_judges_scored", _all_judges_scored)
WITHIN_SPREAD = Guard("within_spread", _within_spread)
BEYOND_SPREAD = Guard("beyond_spread", _beyond_spread)


# --- the tables -----------------------------------------------------------------------------

SECRETARIAT = (Permit(Role.COORDINATOR, Relation.ANY), Permit(Role.ADMIN, Relation.ANY))
BOARD = (Permit(Role.APPROVER, ContestRelation.BOARD_MEMBER),)
AUTHOR = (Permit(None, ContestRelation.ENTRY_AUTHOR),)
JUDGE = (Permit(Role.EXPERT, ContestRelation.ENTRY_JUDGE),)
CHAIR = (Permit(Role.EXPERT, ContestRelation.SUBJURY_CHAIR),)

ES, EA = EditionState, EditionAction
EDITION_TRANSITIONS: tuple[Transition, ...] = (
    Transition(ES.DRAFT, EA.ANNOUNCE, ES.ANNOUNCED, SECRETARIAT, (EDITION_COMPLETE,)),
    Transition(ES.ANNOUNCED, EA.OPEN_ENTRIES, ES.OPEN, SECRETARIAT, (EDITION_COMPLETE,)),
    Transition(ES.OPEN, EA.CLOSE_ENTRIES, ES.CLOSED, SECRETARIAT),
    Transition(ES.CLOSED, EA.START_JUDGING, ES.JUDGING, SECRETARIAT, (READY_FOR_JUDGING,)),
    Transition(
        ES.JUDGING, EA.PROPOSE_RESULTS, ES.RESULTS_PROPOSED, SECRETARIAT, (ALL_ENTRIES_SETTLED,)
    ),
    Transition(ES.RESULTS_PROPOSED, EA.SEND_BACK, ES.JUDGING, BOARD, (COMMENT_REQUIRED,)),
    Transition(
        ES.RESULTS_PROPOSED, EA.APPROVE_RESULTS, ES.RESULTS_APPROVED, BOARD, (BOARD_FOUR_EYES,)
    ),
    Transition(ES.RESULTS_APPROVED, EA.PUBLISH, ES.PUBLISHED, (*SECRETARIAT, *BOARD)),
)

NS, NA = EntryState, EntryAction
ENTRY_TRANSITIONS: tuple[Transition, ...] = (
    Transition(NS.SUBMITTED, NA.MARK_ELIGIBLE, NS.ELIGIBLE, SECRETARIAT, (SCREENING_OPEN,)),
    Transition(
        NS.SUBMITTED, NA.MARK_INELIGIBLE, NS.INELIGIBLE, SECRETARIAT,
        (SCREENING_OPEN, COMMENT_REQUIRED),
    ),
    Transition(
        NS.ELIGIBLE, NA.REOPEN_SCREENING, NS.SUBMITTED, SECRETARIAT,
        (SCREENING_OPEN, COMMENT_REQUIRED),
    ),
    Transition(
        NS.INELIGIBLE, NA.REOPEN_SCREENING, NS.SUBMITTED, SECRETARIAT,
        (SCREENING_OPEN, COMMENT_REQUIRED),
    ),
    Transition(NS.SUBMITTED, NA.WITHDRAW, NS.WITHDRAWN, AUTHOR, (ENTRIES_OPEN,)),
    Transition(
        NS.ELIGIBLE, NA.OPEN_SCORING, NS.SCORING, SECRETARIAT, (JUDGING_OPEN, JUDGES_ASSIGNED)
    ),
    # The last judge's score settles the entry, either way; the secretariat may too.
    Transition(
        NS.SCORING, NA.COMPLETE_SCORING, NS.SCORED, (*SECRETARIAT, *JUDGE),
        (JUDGING_OPEN, ALL_JUDGES_SCORED, WITHIN_SPREAD),
    ),
    Transition(
        NS.SCORING, NA.FLAG, NS.FLAGGED, (*SECRETARIAT, *JUDGE),
        (JUDGING_OPEN, ALL_JUDGES_SCORED, BEYOND_SPREAD),
    ),
    Transition(
        NS.FLAGGED, NA.REQUEST_RESCORE, NS.SCORING, (*SECRETARIAT, *CHAIR),
        (JUDGING_OPEN, COMMENT_REQUIRED),
    ),
    Transition(
        NS.FLAGGED, NA.RESOLVE, NS.SCORED, (*SECRETARIAT, *CHAIR),
        (JUDGING_OPEN, COMMENT_REQUIRED),
    ),
    Transition(
        NS.SCORED, NA.REOPEN_SCORING, NS.SCORING, SECRETARIAT, (JUDGING_OPEN, COMMENT_REQUIRED)
    ),
)  # fmt: skip

CONTEST_EDITION_WORKFLOW = Workflow(
    name="contest_edition",
    state_type=EditionState,
    action_type=EditionAction,
    initial=EditionState.DRAFT,
    transitions=EDITION_TRANSITIONS,
    policies={EDITION_KIND: ContestPolicy()},
    relations=CONTEST_RELATIONS,
)

CONTEST_ENTRY_WORKFLOW = Workflow(
    name="contest_entry",
    state_type=EntryState,
    action_type=EntryAction,
    initial=EntryState.SUBMITTED,
    transitions=ENTRY_TRANSITIONS,
    policies={ENTRY_KIND: ContestPolicy()},
    relations=CONTEST_RELATIONS,
)
