"""Reads of the contest that its pages and its API share."""

from __future__ import annotations

from sqlalchemy import or_, select

from workflows import EditionState

from ..auth.models import User
from ..extensions import db
from .models import Edition, Entry, EntryAuthor, JudgeAssignment, JudgeState, can_run_contests


def editions_for(user) -> list[Edition]:
    """Every announced edition, newest first; drafts too for those who run contests."""
    stmt = select(Edition).order_by(Edition.id.desc())
    if not can_run_contests(user):
        stmt = stmt.where(Edition.state != EditionState.DRAFT.value)
    return list(db.session.scalars(stmt))


def entries_of(user) -> list[Entry]:
    """The entries ``user`` filed or is an author of, in every edition, newest first."""
    authored = select(EntryAuthor.entry_id).where(EntryAuthor.user_id == user.id)
    return list(
        db.session.scalars(
            select(Entry)
            .where(or_(Entry.filed_by_id == user.id, Entry.id.in_(authored)))
            .order_by(Entry.id.desc())
        )
    )


def judge_seats(person_id: int) -> list[JudgeAssignment]:
    """A judge's active seats, the latest edition first, in entry order."""
    return list(
        db.session.scalars(
            select(JudgeAssignment)
            .join(Entry, Entry.id == JudgeAssignment.entry_id)
            .where(
                JudgeAssignment.person_id == person_id,
                JudgeAssignment.state == JudgeState.active.value,
            )
            .order_by(Entry.edition_id.desc(), Entry.number)
        )
    )


def approvers() -> list[User]:
    """Active approvers by name: who may sit on an edition's organising board."""
    return list(
        db.session.scalars(
            select(User).where(User.role == "approver", User.active.is_(True)).order_by(User.name)
        )
    )
