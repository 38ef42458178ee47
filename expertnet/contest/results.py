"""Results: totals, judge severity, ranking per field, awards from thresholds and quotas.

Totals are the judges' current-round totals. The *mean* decides; the *adjusted* figure
removes each judge's severity — how far, on average, their totals sit from the mean of
the other judges of the same entries — and is shown beside it for the jury's information.
Awards are proposed per field in rank order: each entry gets the best level whose
threshold it reaches and whose quota in the field is not yet used up.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select

from workflows import EditionState, EntryState

from ..auth.models import User
from ..core.errors import ApiError, ValidationFailed
from ..extensions import db
from .models import AwardLevel, Edition, Entry, ResultLine, has_role

CENT = Decimal("0.01")
#: The awards are final: the decision and the certificates exist.
_FINAL = (EditionState.RESULTS_APPROVED, EditionState.PUBLISHED)


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def judge_totals(entry: Entry) -> dict[int, Decimal]:
    """person id -> the judge's total in the entry's current round (complete scorings only)."""
    n = len(entry.edition.criteria)
    out = {}
    for j in entry.active_judges:
        current = j.current_scores(entry.score_round)
        if len(current) == n and n:
            out[j.person_id] = sum((s.points for s in current), Decimal(0))
    return out


def severities(totals: dict[int, dict[int, Decimal]]) -> dict[int, Decimal]:
    """judge -> mean over their entries of (their total − the mean of the entry's other judges)."""
    deviations: dict[int, list[Decimal]] = defaultdict(list)
    for by_judge in totals.values():
        if len(by_judge) < 2:
            continue
        for pid, total in by_judge.items():
            others = [t for p, t in by_judge.items() if p != pid]
            deviations[pid].append(total - sum(others, Decimal(0)) / len(others))
    return {pid: sum(d, Decimal(0)) / len(d) for pid, d in deviations.items()}


def compute(edition: Edition) -> list[dict[str, Any]]:
    """Per scored entry: mean, adjusted total and rank in its field (mean, then adjusted)."""
    scored = [e for e in edition.entries if e.state == EntryState.SCORED]
    totals = {e.id: judge_totals(e) for e in scored}
    severity = severities(totals)
    rows = []
    for e in scored:
        by_judge = totals[e.id]
        if not by_judge:
            continue
        mean = sum(by_judge.values(), Decimal(0)) / len(by_judge)
        adjusted = sum(
            (t - severity.get(pid, Decimal(0)) for pid, t in by_judge.items()), Decimal(0)
        ) / len(by_judge)
        rows.append({"entry": e, "mean": _q(mean), "adjusted": _q(adjusted)})
    by_field: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_field[row["entry"].field_id].append(row)
    for field_rows in by_field.values():
        field_rows.sort(key=lambda r: (-r["mean"], -r["adjusted"], r["entry"].number))
        for i, row in enumerate(field_rows):
            row["rank"] = i + 1
    return rows


def propose_levels(edition: Edition, rows: list[dict[str, Any]]) -> None:
    """Set ``row["level"]``: per field, in rank order, the best level reached with quota left."""
    levels = sorted(edition.award_levels, key=lambda lv: lv.rank)
    used: dict[tuple[int, int], int] = defaultdict(int)
    for row in sorted(rows, key=lambda r: (r["entry"].field_id, r["rank"])):
        row["level"] = None
        for lv in levels:
            key = (row["entry"].field_id, lv.id)
            if row["mean"] >= lv.min_total and (lv.quota is None or used[key] < lv.quota):
                used[key] += 1
                row["level"] = lv
                break


def write_proposal(edition: Edition) -> list[ResultLine]:
    """The result lines of a proposal (called when the secretariat proposes the results)."""
    clear(edition)
    rows = compute(edition)
    propose_levels(edition, rows)
    lines = [
        ResultLine(
            edition_id=edition.id,
            entry_id=r["entry"].id,
            mean_total=r["mean"],
            adjusted_total=r["adjusted"],
            rank_in_field=r["rank"],
            proposed_level_id=r["level"].id if r["level"] else None,
            award_level_id=r["level"].id if r["level"] else None,
        )
        for r in rows
    ]
    db.session.add_all(lines)
    db.session.flush()
    return lines


def clear(edition: Edition) -> None:
    db.session.execute(delete(ResultLine).where(ResultLine.edition_id == edition.id))
    db.session.flush()


def lines_of(edition: Edition) -> list[ResultLine]:
    stmt = (
        select(ResultLine)
        .join(Entry, Entry.id == ResultLine.entry_id)
        .where(ResultLine.edition_id == edition.id)
        .order_by(Entry.field_id, ResultLine.rank_in_field)
    )
    return list(db.session.scalars(stmt))


def editors_of(edition: Edition) -> tuple[int, ...]:
    rows = db.session.scalars(
        select(ResultLine.edited_by_id).where(
            ResultLine.edition_id == edition.id, ResultLine.edited_by_id.isnot(None)
        )
    )
    return tuple(sorted(set(rows)))


def edit_award(
    edition: Edition, user: User, entry_id: int, level_id: int | None, reason: Any
) -> ResultLine:
    """A board member changes an entry's award, with a reason; another must then approve."""
    board = {m.user_id for m in edition.board}
    if not has_role(user, "approver") or user.id not in board:
        raise ApiError(403, _("Only members of the organising board edit the awards."))
    if edition.state != EditionState.RESULTS_PROPOSED:
        raise ApiError(409, _("Awards can be edited only while the results are proposed."))
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationFailed({"reason": _("Please give a reason.")})
    line = db.session.scalar(
        select(ResultLine).where(
            ResultLine.edition_id == edition.id, ResultLine.entry_id == entry_id
        )
    )
    if line is None:
        raise ValidationFailed({"entry": _("This entry has no result in this edition.")})
    if level_id is not None:
        level = db.session.get(AwardLevel, level_id)
        if level is None or level.edition_id != edition.id:
            raise ValidationFailed({"award_level": _("Not an award level of this edition.")})
    line.award_level_id = level_id
    line.edited_by_id = user.id
    line.edit_reason = reason.strip()
    db.session.flush()
    return line


def is_public(edition: Edition) -> bool:
    return edition.state == EditionState.PUBLISHED


def can_view_results(edition: Edition, user) -> bool:
    """Everyone once published; before that the secretariat and the board."""
    from .models import can_run_contests

    if is_public(edition):
        return True
    board = {m.user_id for m in edition.board}
    return can_run_contests(user) or (getattr(user, "is_authenticated", False) and user.id in board)


def results_json(edition: Edition, user) -> dict[str, Any]:
    """The results by field: rank, entry, authors, totals and award (public once published)."""
    staff = not is_public(edition)
    items = []
    for line in lines_of(edition):
        e = line.entry
        item = {
            "entry": {"id": e.id, "number": e.number, "title": e.title},
            "field": e.field.code,
            "authors": [a.full_name for a in e.authors],
            "applying_organization": e.applying_organization_name,
            "rank_in_field": line.rank_in_field,
            "mean_total": str(line.mean_total),
            "adjusted_total": str(line.adjusted_total),
            "award": line.award_level.name if line.award_level else None,
        }
        if staff:
            item["proposed_award"] = line.proposed_level.name if line.proposed_level else None
            item["edit_reason"] = line.edit_reason
        if line.award_level is not None and edition.state in _FINAL:
            # One certificate per author (see ``decision``), in DOCX and PDF.
            item["certificates"] = [
                {
                    "author": a.id,
                    "full_name": a.full_name,
                    **{
                        fmt: f"/api/v1/entries/{e.id}/certificates/{a.id}.{fmt}"
                        for fmt in ("docx", "pdf")
                    },
                }
                for a in e.authors
            ]
        items.append(item)
    body: dict[str, Any] = {"edition": edition.id, "state": edition.state, "results": items}
    if edition.state in _FINAL:
        body["decision"] = {
            fmt: f"/api/v1/contests/{edition.id}/decision.{fmt}" for fmt in ("docx", "pdf")
        }
    return body
