"""Judging: conflicts, the batch assignment of jurors to entries, swaps, scores and re-scores.

Assignment reuses the panel's machinery: the expert graph (for conflicts and the jurors'
profiles), its TF-IDF affinity model (entry text against each juror's profile), and the
min-cost-flow planner of :mod:`expertnet.panel.assign` over the whole edition at once,
with each juror's remaining capacity (the edition's cap minus the seats they hold).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from sqlalchemy import select

from workflows import EditionState, EntryAction, EntryState

from ..auth.models import User
from ..core.errors import ApiError, ValidationFailed
from ..core.types import utcnow
from ..directory.models import Person
from ..extensions import db
from ..panel.cache import get_graph
from . import notify
from . import operations as ops
from .conflicts import AuthorFacts, EntryConflict, EntryConflictContext, find_entry_conflicts
from .models import (
    Edition,
    Entry,
    EntryAuthor,
    JudgeAssignment,
    JudgeState,
    Score,
    can_run_contests,
)
from .workload import judging_in

if TYPE_CHECKING:  # numpy, scipy and networkx load when a plan is first made
    from ..panel.assign import Assignment, AssignmentProblem
    from ..panel.graph import ExpertGraph

# Entry states in which the jurors may still be changed.
STAFFING_STATES = (EntryState.ELIGIBLE, EntryState.SCORING, EntryState.FLAGGED)


# --- conflicts -----------------------------------------------------------------------------


def _contest_coauthors(person_ids: set[int]) -> dict[int, frozenset[int]]:
    """person -> the people they wrote contest entries with (every edition)."""
    if not person_ids:
        return {}
    rows = db.session.execute(
        select(EntryAuthor.entry_id, EntryAuthor.person_id).where(EntryAuthor.person_id.isnot(None))
    ).all()
    by_entry: dict[int, set[int]] = defaultdict(set)
    for entry_id, pid in rows:
        by_entry[entry_id].add(pid)
    out: dict[int, set[int]] = defaultdict(set)
    for people in by_entry.values():
        for pid in people & person_ids:
            out[pid] |= people - {pid}
    return {k: frozenset(v) for k, v in out.items()}


def conflict_context(
    entry: Entry, eg: ExpertGraph, coauthors: Mapping[int, frozenset[int]] | None = None
) -> EntryConflictContext:
    authors = tuple(
        AuthorFacts(a.full_name, a.person_id, a.employer_organization_id) for a in entry.authors
    )
    if coauthors is None:
        coauthors = _contest_coauthors({a.person_id for a in authors if a.person_id})
    return EntryConflictContext(
        graph=eg,
        entry_id=entry.id,
        entry_title=entry.title,
        authors=authors,
        applying_org_id=entry.applying_organization_id,
        contest_coauthors=coauthors,
        declared_person_ids=frozenset(
            j.person_id for j in entry.judges if j.state == JudgeState.conflicted
        ),
    )


def conflicts_of(entry: Entry, person_ids) -> dict[int, list[EntryConflict]]:
    return find_entry_conflicts(conflict_context(entry, get_graph()), person_ids)


# --- assignment ----------------------------------------------------------------------------


def _load(edition: Edition) -> dict[int, int]:
    load: dict[int, int] = defaultdict(int)
    for entry in edition.entries:
        for j in entry.active_judges:
            load[j.person_id] += 1
    return load


def _affinity(eg: ExpertGraph, entry: Entry, jurors: list[int]) -> dict[int, float]:
    """Text similarity of the entry with each juror's profile, plus a field match, in [0, 1]."""
    from ..panel.affinity import field_match

    model = eg.affinity
    text_scores: dict[int, float] = {}
    if model is not None:
        qvec = model.query_vector(f"{entry.title}\n{entry.description}")
        scores = model.text_scores(qvec)
        for pid in jurors:
            row = model.row_of.get(pid)
            text_scores[pid] = float(scores[row]) if row is not None else 0.0
    out = {}
    for pid in jurors:
        info = eg.people.get(pid)
        fm = field_match(info.field_codes, [entry.field.code]) if info else 0.0
        out[pid] = round(0.7 * text_scores.get(pid, 0.0) + 0.3 * fm, 4)
    return out


def build_problem(edition: Edition, eg: ExpertGraph) -> tuple[AssignmentProblem, dict]:
    """Seats still open on each eligible entry, allowed (sub-jury, no conflict) pairs, capacity."""
    from ..panel.assign import AssignmentProblem

    load = _load(edition)
    subjury: dict[int, list[int]] = defaultdict(list)
    for m in edition.jury:
        if m.field_id is not None:
            subjury[m.field_id].append(m.person_id)
    all_authors = {a.person_id for e in edition.entries for a in e.authors if a.person_id}
    coauthors = _contest_coauthors(all_authors)
    seats: dict[int, int] = {}
    affinity: dict[tuple[int, int], float] = {}
    excluded: dict[int, dict[int, list[EntryConflict]]] = {}
    for entry in edition.entries:
        if entry.state not in STAFFING_STATES:
            continue
        seated = {j.person_id for j in entry.judges}  # a past seat (conflict, swap) never returns
        open_seats = edition.min_judges - len(entry.active_judges)
        if open_seats <= 0:
            continue
        seats[entry.id] = open_seats
        candidates = [p for p in subjury.get(entry.field_id, []) if p not in seated]
        conflicts = find_entry_conflicts(conflict_context(entry, eg, coauthors), candidates)
        excluded[entry.id] = conflicts
        allowed = [p for p in candidates if not any(c.excludes for c in conflicts.get(p, []))]
        for pid, a in _affinity(eg, entry, allowed).items():
            affinity[(entry.id, pid)] = a
    jurors = [m.person for m in edition.jury if m.field_id is not None]
    at_cap = _at_workload_cap(edition, jurors)
    capacity = {
        p.id: 0 if p.id in at_cap else max(edition.judge_cap - load.get(p.id, 0), 0) for p in jurors
    }
    return AssignmentProblem(seats=seats, capacity=capacity, affinity=affinity), excluded


def _at_workload_cap(edition: Edition, people: list) -> set[int]:
    """Jurors who may not start judging this edition: panels and juries reach their cap.

    Whoever already has entries to judge here counts this edition already, so more entries
    of it (up to the edition's ``judge_cap``) add nothing (see ``contest.workload``).
    """
    from ..consultation.operations import workload

    loads = workload(p.id for p in people)
    here = judging_in(edition.id, loads)
    return {p.id for p in people if p.id not in here and loads[p.id] >= p.max_assignments}


def plan_assignments(edition: Edition, user: User) -> tuple[Assignment, AssignmentProblem]:
    """The best plan for every open seat of the edition (computed, not saved)."""
    plan, problem, _excluded = _plan(edition, user)
    return plan, problem


def _plan(edition: Edition, user: User):
    from ..panel.assign import assign

    _require_staffing(edition, user)
    problem, excluded = build_problem(edition, get_graph())
    return assign(problem), problem, excluded


def plan_fingerprint(edition: Edition, plan: Assignment) -> str:
    """What a confirmed preview must still match: the edition's version and the planned seats.

    Any change that alters the plan (a seat filled or swapped by hand, the jury, an entry's
    screening, a declared conflict) or the edition itself gives another fingerprint.
    """
    digest = hashlib.sha256(f"{edition.id}:{edition.version}".encode())
    for entry_id, person_id in sorted(plan.pairs):
        digest.update(f";{entry_id}-{person_id}".encode())
    return digest.hexdigest()[:32]


@dataclass(frozen=True)
class PlannedJudge:
    person: Person
    affinity: float


@dataclass(frozen=True)
class AvoidedJuror:
    """A juror of the sub-jury left off the entry for a conflict with its authors."""

    person: Person
    reason: str
    path: str  # the steps that link them, "A → B → C"


@dataclass
class EntryPlan:
    entry: Entry
    open_seats: int
    judges: list[PlannedJudge] = field(default_factory=list)
    avoided: list[AvoidedJuror] = field(default_factory=list)

    @property
    def unfilled(self) -> int:
        return self.open_seats - len(self.judges)


@dataclass
class PlanPreview:
    """The plan of every open seat as the secretariat reads it before confirming it."""

    entries: list[EntryPlan]
    fingerprint: str
    seats: int
    filled: int


def preview_plan(edition: Edition, user: User) -> PlanPreview:
    """The batch assignment per entry — judges, affinity, conflicts avoided — nothing saved."""
    plan, problem, excluded = _plan(edition, user)
    by_entry: dict[int, list[int]] = defaultdict(list)
    for entry_id, person_id in plan.pairs:
        by_entry[entry_id].append(person_id)
    people = {
        p.id: p
        for p in db.session.scalars(
            select(Person).where(Person.id.in_({m.person_id for m in edition.jury}))
        )
    }
    out = []
    for entry in edition.entries:
        if entry.id not in problem.seats:
            continue
        judges = sorted(
            (
                PlannedJudge(people[pid], problem.affinity[(entry.id, pid)])
                for pid in by_entry.get(entry.id, [])
            ),
            key=lambda j: (-j.affinity, j.person.full_name),
        )
        avoided = [
            AvoidedJuror(
                people[pid],
                c.reason,
                " → ".join(step.label for step in c.path),
            )
            for pid, found in sorted(excluded.get(entry.id, {}).items())
            for c in found[:1]
            if c.excludes and pid in people
        ]
        out.append(EntryPlan(entry, problem.seats[entry.id], judges, avoided))
    return PlanPreview(
        entries=out,
        fingerprint=plan_fingerprint(edition, plan),
        seats=sum(problem.seats.values()),
        filled=len(plan.pairs),
    )


def _require_staffing(edition: Edition, user: User) -> None:
    if not can_run_contests(user):
        raise ApiError(403, _("Only the contest's secretariat assigns judges."))
    if edition.state not in (EditionState.CLOSED, EditionState.JUDGING):
        raise ApiError(409, _("Judges are assigned after entries close and before the results."))


def apply_plan(
    edition: Edition, user: User, fingerprint: str | None = None
) -> list[JudgeAssignment]:
    """Plan and save the assignment of every open seat; returns the new seats.

    With the ``fingerprint`` of a preview, saves only that very plan: when the edition or
    the plan changed meanwhile, refuses (409 ``plan_changed``) and writes nothing.
    """
    if fingerprint is not None:
        # One confirmation at a time per edition: a second one waits, then finds the seats
        # filled (another plan, another fingerprint) and is refused.
        db.session.execute(select(Edition.id).where(Edition.id == edition.id).with_for_update())
        db.session.expire_all()  # what the other confirmation saved, read afresh
    plan, problem = plan_assignments(edition, user)
    if fingerprint is not None and fingerprint != plan_fingerprint(edition, plan):
        raise ApiError(
            409,
            _(
                "The edition changed since the preview, so the assignment was not saved. "
                "This is the fresh preview; check it and confirm again."
            ),
            "plan_changed",
        )
    by_id = {e.id: e for e in edition.entries}
    created = []
    for entry_id, person_id in plan.pairs:
        seat = JudgeAssignment(
            entry_id=entry_id,
            person_id=person_id,
            state=JudgeState.active.value,
            affinity=Decimal(str(problem.affinity[(entry_id, person_id)])),
            assigned_by_id=user.id,
            assigned_at=utcnow(),
        )
        by_id[entry_id].judges.append(seat)
        created.append(seat)
    db.session.flush()
    notify.judges_assigned(edition, created)
    return created


def assign_judge(entry: Entry, user: User, person_id: int, *, replacing: int | None = None):
    """Seat one juror on an entry by hand (or swap one out): sub-jury, conflicts and cap hold."""
    edition = entry.edition
    _require_staffing(edition, user)
    if entry.state not in STAFFING_STATES:
        raise ApiError(409, _("Judges are assigned to eligible entries only."))
    sub = {m.person_id for m in edition.sub_jury(entry.field_id)}
    if person_id not in sub:
        raise ValidationFailed({"expert_id": _("Not a juror of this entry's sub-jury.")})
    if any(j.person_id == person_id for j in entry.judges):
        raise ValidationFailed({"expert_id": _("This juror has already been seated on the entry.")})
    conflicts = [c for c in conflicts_of(entry, [person_id]).get(person_id, []) if c.excludes]
    if conflicts:
        raise ApiError(
            409,
            _("Conflict of interest: %(reason)s", reason=conflicts[0].reason),
            "conflict_of_interest",
            extra={"path": conflicts[0].path_json()},
        )
    if _load(edition).get(person_id, 0) >= edition.judge_cap:
        raise ValidationFailed({"expert_id": _("This juror has reached the workload cap.")})
    if _at_workload_cap(edition, [db.session.get(Person, person_id)]):
        raise ValidationFailed(
            {
                "expert_id": _(
                    "This expert is at their workload cap (open panels and contest juries "
                    "together)."
                )
            }
        )
    old = None
    if replacing is not None:
        old = next((j for j in entry.active_judges if j.person_id == replacing), None)
        if old is None:
            raise ValidationFailed({"replacing": _("Not an active judge of this entry.")})
        old.state = JudgeState.replaced.value
    seat = JudgeAssignment(
        entry=entry,
        person_id=person_id,
        state=JudgeState.active.value,
        assigned_by_id=user.id,
        assigned_at=utcnow(),
    )
    db.session.add(seat)
    db.session.flush()
    notify.judges_assigned(edition, [seat])
    return seat


def declare_conflict(entry: Entry, user: User, details: str) -> JudgeAssignment:
    """A judge steps off an entry with a declared conflict; the seat is kept as a record."""
    seat = _own_seat(entry, user)
    if not (details or "").strip():
        raise ValidationFailed({"details": _("Give the details of the conflict.")})
    if seat.current_scores(entry.score_round) and entry.state != EntryState.SCORING:
        raise ApiError(409, _("Scores already count; ask the secretariat."))
    seat.state = JudgeState.conflicted.value
    seat.conflict_details = details.strip()
    db.session.flush()
    return seat


# --- scoring -------------------------------------------------------------------------------


def _own_seat(entry: Entry, user: User) -> JudgeAssignment:
    seat = next(
        (j for j in entry.active_judges if user.person_id and j.person_id == user.person_id), None
    )
    if seat is None:
        raise ApiError(403, _("You are not a judge of this entry."))
    return seat


def _parse_points(entry: Entry, raw: Any) -> dict[int, Decimal]:
    if not isinstance(raw, Mapping):
        raise ValidationFailed({"scores": _("Give the points for each criterion.")})
    criteria = {str(c.id): c for c in entry.edition.criteria}
    by_name = {c.name: c for c in entry.edition.criteria}
    errors: dict[str, str] = {}
    points: dict[int, Decimal] = {}
    for key, value in raw.items():
        crit = criteria.get(str(key)) or by_name.get(str(key))
        if crit is None:
            errors[f"scores.{key}"] = _("Not a criterion of this edition.")
            continue
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            errors[f"scores.{key}"] = _("Must be a number.")
            continue
        try:
            p = Decimal(str(value))
        except ArithmeticError:
            errors[f"scores.{key}"] = _("Must be a number.")
            continue
        if not p.is_finite() or p < 0 or p > crit.max_points:
            errors[f"scores.{key}"] = _("Must be between 0 and %(max)s.", max=crit.max_points)
            continue
        points[crit.id] = p.quantize(Decimal("0.01"))
    missing = [c.name for c in entry.edition.criteria if c.id not in points]
    if missing and not errors:
        errors["scores"] = _("Points are missing for: %(names)s.", names=", ".join(missing))
    if errors:
        raise ValidationFailed(errors)
    return points


def save_score(entry: Entry, user: User, scores: Any, comment: Any) -> list[Score]:
    """A judge's points for every criterion, with a comment; the last judge settles the entry.

    Scores change only while the entry is being scored, so never after the results are
    proposed, let alone approved. When every judge has scored, the entry is scored — or
    flagged for the sub-jury when the totals differ by more than the edition allows.
    """
    seat = _own_seat(entry, user)
    if entry.state != EntryState.SCORING or entry.edition.state != EditionState.JUDGING:
        raise ApiError(409, _("The entry is not open for scoring."), "scoring_closed")
    if comment is not None and not isinstance(comment, str):
        raise ValidationFailed({"comment": _("Not a valid string.")})
    points = _parse_points(entry, scores)
    current = {s.criterion_id: s for s in seat.current_scores(entry.score_round)}
    now = utcnow()
    for crit_id, p in points.items():
        row = current.get(crit_id)
        if row is None:
            row = Score(criterion_id=crit_id, round=entry.score_round, points=p, scored_at=now)
            seat.scores.append(row)
        row.points = p
        row.comment = (comment or "").strip()
    db.session.flush()
    db.session.expire(seat, ["scores"])
    settle(entry, user)
    return seat.current_scores(entry.score_round)


def settle(entry: Entry, user: User) -> None:
    """Complete or flag the entry once every judge has scored (the engine decides which)."""
    actions = ops.entry_actions_for(entry, user)
    for action in (EntryAction.COMPLETE_SCORING, EntryAction.FLAG):
        if action in actions:
            ops.perform_entry_action(entry, action, user)
            return


def request_rescore(entry: Entry, user: User, comment: str) -> None:
    """The sub-jury asks for a new round; the earlier round's scores stay as history."""
    ops.perform_entry_action(entry, EntryAction.REQUEST_RESCORE, user, {"comment": comment})
    entry.score_round += 1
    db.session.flush()
    notify.rescore_requested(entry, comment)


def visible_scores(entry: Entry, user: User) -> list[Score]:
    """The secretariat sees all; a judge only their own until the entry's scoring closes."""
    rows = [s for j in entry.judges for s in j.scores]
    if can_run_contests(user):
        return rows
    if entry.is_judge(user):
        if entry.state in (EntryState.SCORED, EntryState.FLAGGED):
            return rows
        return [s for s in rows if s.judge.person_id == user.person_id]
    return []
