"""The contest's share of an expert's workload, counted with their consultation panels.

One rule for both workflows (``Person.max_assignments``, "how many things at once"):
an expert's workload is the open panels they sit on **plus one for each contest edition
in which they still have entries to judge** (an active seat on an entry that is eligible,
being scored or flagged for a re-score), whatever the number of entries; how many entries
one juror judges in an edition is the edition's own ``judge_cap``. So:

* accepting a panel seat is refused when panels plus juries reach the cap
  (``consultation.operations.workload``);
* panel suggestions and the batch panel assignment see the juries in the graph's load
  (``panel.graph.add_consultation_layer``);
* the contest's assignment gives no entries of an edition to a juror who does not judge
  in it yet and is already at the cap (``contest.judging``).

A jury seat stops counting once the juror's entries are scored.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import distinct, func, select

from workflows import EntryState

from ..extensions import db

#: Entry states in which a judge still has work to do.
OPEN_ENTRY_STATES = (
    EntryState.ELIGIBLE.value,
    EntryState.SCORING.value,
    EntryState.FLAGGED.value,
)


def judging_units(person_ids: Iterable[int]) -> dict[int, int]:
    """person -> the number of editions in which they have entries still to judge."""
    from .models import Entry, JudgeAssignment, JudgeState

    ids = list(set(person_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(JudgeAssignment.person_id, func.count(distinct(Entry.edition_id)))
        .join(Entry, Entry.id == JudgeAssignment.entry_id)
        .where(
            JudgeAssignment.person_id.in_(ids),
            JudgeAssignment.state == JudgeState.active.value,
            Entry.state.in_(OPEN_ENTRY_STATES),
        )
        .group_by(JudgeAssignment.person_id)
    ).all()
    return dict(rows)


def judging_in(edition_id: int, person_ids: Iterable[int]) -> set[int]:
    """Which of these people already have entries to judge in this edition."""
    from .models import Entry, JudgeAssignment, JudgeState

    ids = list(set(person_ids))
    if not ids:
        return set()
    return set(
        db.session.scalars(
            select(JudgeAssignment.person_id)
            .join(Entry, Entry.id == JudgeAssignment.entry_id)
            .where(
                Entry.edition_id == edition_id,
                JudgeAssignment.person_id.in_(ids),
                JudgeAssignment.state == JudgeState.active.value,
                Entry.state.in_(OPEN_ENTRY_STATES),
            )
        )
    )
