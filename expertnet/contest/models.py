"""The Technical Creativity Contest: editions, their criteria, awards and juries, entries.

The youth contest is an edition like any other: its criteria, award levels, minimum of
judges and allowed spread are the edition's rows, so there is one code path.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflows import EditionState, EntryState

from ..consultation.models import MAX_DOCUMENT_BYTES, MediaType
from ..core.i18n import N_
from ..core.roles import MANAGERS, has_role, user_roles
from ..core.types import NFCString, NFCText, TitledEnum, UTCDateTime, utcnow
from ..directory.models import Audited, Field, Organization, Person
from ..extensions import db

if TYPE_CHECKING:
    from ..auth.models import User

# The default criteria of the city's contest (max points, summing to 100).
DEFAULT_CRITERIA: tuple[tuple[str, int], ...] = (
    (N_("Novelty and creativity"), 40),
    (N_("Applicability"), 30),
    (N_("Economic and social effect"), 30),
)
# Default award levels: (name, minimum mean total, quota per field).
DEFAULT_AWARDS: tuple[tuple[str, int, int | None], ...] = (
    (N_("First prize"), 85, 1),
    (N_("Second prize"), 75, 2),
    (N_("Third prize"), 65, 3),
    (N_("Consolation prize"), 50, None),
)
# Entry states in which the authors (or staff) may still edit an entry.
EDITABLE_ENTRY_STATES = (EntryState.SUBMITTED.value,)


def _values(enum_cls) -> str:
    return ", ".join(f"'{m.value}'" for m in enum_cls)


class Body(TitledEnum):
    board = "board", N_("Organising board")
    jury = "jury", N_("Jury")


edition_field = Table(
    "contest_edition_field",
    db.metadata,
    Column("edition_id", ForeignKey("contest_edition.id", ondelete="CASCADE"), primary_key=True),
    Column("field_id", ForeignKey("field.id", ondelete="CASCADE"), primary_key=True),
)


class Edition(Audited, db.Model):
    """One edition (kỳ hội thi) of a contest, from its draft to its published results."""

    __tablename__ = "contest_edition"
    __table_args__ = (
        CheckConstraint(f"state IN ({_values(EditionState)})", name="state"),
        CheckConstraint("version >= 1", name="version"),
        CheckConstraint("number >= 1", name="number"),
        CheckConstraint("min_judges BETWEEN 1 AND 15", name="min_judges"),
        CheckConstraint("judge_cap >= 1", name="judge_cap"),
        CheckConstraint("max_spread > 0 AND max_spread <= 100", name="max_spread"),
        CheckConstraint(
            "entries_close_on IS NULL OR entries_open_on IS NULL "
            "OR entries_open_on <= entries_close_on",
            name="entry_dates",
        ),
        CheckConstraint(
            "state NOT IN ('results_proposed', 'results_approved', 'published') "
            "OR results_proposed_by_id IS NOT NULL",
            name="proposed",
        ),
        CheckConstraint(
            "state NOT IN ('results_approved', 'published') OR results_approved_by_id IS NOT NULL",
            name="approved",
        ),
        CheckConstraint("state != 'published' OR published_at IS NOT NULL", name="published"),
        UniqueConstraint("name", "number", name="uq_contest_edition_name_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(NFCString(300))
    number: Mapped[int] = mapped_column(Integer)
    youth: Mapped[bool] = mapped_column(Boolean, default=False)
    organisers: Mapped[str] = mapped_column(NFCText, default="")
    description: Mapped[str] = mapped_column(NFCText, default="")
    entries_open_on: Mapped[date | None] = mapped_column(Date)
    entries_close_on: Mapped[date | None] = mapped_column(Date)
    judging_from: Mapped[date | None] = mapped_column(Date)
    judging_until: Mapped[date | None] = mapped_column(Date)
    results_on: Mapped[date | None] = mapped_column(Date)
    min_judges: Mapped[int] = mapped_column(Integer, default=3)
    # Largest allowed difference (points) between two judges' totals of one entry.
    max_spread: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal(20))
    # Most entries one juror judges in this edition (the workload cap).
    judge_cap: Mapped[int] = mapped_column(Integer, default=20)
    state: Mapped[str] = mapped_column(String(20), default=EditionState.DRAFT.value)
    # Bumped by every workflow action with a compare-and-set, never by the ORM.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    results_proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    results_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    fields: Mapped[list[Field]] = relationship(secondary=edition_field, order_by=Field.code)
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="edition", order_by="Criterion.position", cascade="all, delete-orphan"
    )
    award_levels: Mapped[list[AwardLevel]] = relationship(
        back_populates="edition", order_by="AwardLevel.rank", cascade="all, delete-orphan"
    )
    members: Mapped[list[EditionMember]] = relationship(
        back_populates="edition", order_by="EditionMember.id", cascade="all, delete-orphan"
    )
    entries: Mapped[list[Entry]] = relationship(back_populates="edition", order_by="Entry.number")
    documents: Mapped[list[ContestDocument]] = relationship(
        primaryjoin="and_(ContestDocument.edition_id == Edition.id, "
        "ContestDocument.entry_id.is_(None))",
        order_by="ContestDocument.id",
        viewonly=True,
    )
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])

    @property
    def board(self) -> list[EditionMember]:
        return [m for m in self.members if m.body == Body.board]

    @property
    def jury(self) -> list[EditionMember]:
        return [m for m in self.members if m.body == Body.jury]

    def sub_jury(self, field_id: int) -> list[EditionMember]:
        return [m for m in self.jury if m.field_id == field_id]

    def is_public(self) -> bool:
        return self.state != EditionState.DRAFT

    @property
    def state_label(self) -> str:
        """The English title of the state; templates translate it."""
        return EditionState(self.state).label

    def can_view(self, user) -> bool:
        """Announced editions are public; a draft is the secretariat's."""
        return self.is_public() or can_run_contests(user)

    def can_edit(self, user) -> bool:
        """The secretariat sets an edition up until entries close."""
        editable = (EditionState.DRAFT, EditionState.ANNOUNCED, EditionState.OPEN)
        return can_run_contests(user) and self.state in editable

    def __repr__(self) -> str:
        return f"<Edition {self.id} {self.name} #{self.number} {self.state}>"


def can_run_contests(user) -> bool:
    """The contest's secretariat: coordinators, with admins standing in."""
    return has_role(user, *MANAGERS)


class Criterion(Audited, db.Model):
    """A scoring criterion of an edition and its maximum points."""

    __tablename__ = "contest_criterion"
    __table_args__ = (
        CheckConstraint("max_points BETWEEN 1 AND 100", name="max_points"),
        UniqueConstraint("edition_id", "position", name="uq_contest_criterion_position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("contest_edition.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(NFCString(200))
    max_points: Mapped[int] = mapped_column(Integer)

    edition: Mapped[Edition] = relationship(back_populates="criteria")


class AwardLevel(Audited, db.Model):
    """An award (giải Nhất, Nhì, …): entries from ``min_total`` up, at most ``quota`` per field."""

    __tablename__ = "contest_award_level"
    __table_args__ = (
        CheckConstraint("rank >= 1", name="rank"),
        CheckConstraint("min_total >= 0 AND min_total <= 100", name="min_total"),
        CheckConstraint("quota IS NULL OR quota >= 1", name="quota"),
        UniqueConstraint("edition_id", "rank", name="uq_contest_award_level_rank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("contest_edition.id", ondelete="CASCADE"), index=True
    )
    rank: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(NFCString(100))
    min_total: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    # Per field; None: as many as reach the threshold.
    quota: Mapped[int | None] = mapped_column(Integer)

    edition: Mapped[Edition] = relationship(back_populates="award_levels")


class EditionMember(Audited, db.Model):
    """A seat on the organising board (a user) or the jury (an expert, in a field's sub-jury)."""

    __tablename__ = "contest_member"
    __table_args__ = (
        CheckConstraint(f"body IN ({_values(Body)})", name="body"),
        CheckConstraint("body != 'board' OR user_id IS NOT NULL", name="board_user"),
        CheckConstraint("body != 'jury' OR person_id IS NOT NULL", name="jury_person"),
        UniqueConstraint("edition_id", "body", "user_id", name="uq_contest_member_user"),
        UniqueConstraint("edition_id", "body", "person_id", name="uq_contest_member_person"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("contest_edition.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(String(8))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    # The sub-jury (tiểu ban) of a juror; None for the board and the jury's chair.
    field_id: Mapped[int | None] = mapped_column(ForeignKey("field.id"))
    chair: Mapped[bool] = mapped_column(Boolean, default=False)

    edition: Mapped[Edition] = relationship(back_populates="members")
    user: Mapped[User | None] = relationship()
    person: Mapped[Person | None] = relationship()
    field: Mapped[Field | None] = relationship()


class Entry(Audited, db.Model):
    """A technical solution (giải pháp dự thi) entered in an edition."""

    __tablename__ = "contest_entry"
    __table_args__ = (
        CheckConstraint(f"state IN ({_values(EntryState)})", name="state"),
        CheckConstraint("version >= 1", name="version"),
        CheckConstraint(
            "state != 'ineligible' OR screening_reason IS NOT NULL", name="ineligible_reason"
        ),
        UniqueConstraint("edition_id", "number", name="uq_contest_entry_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("contest_edition.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(NFCString(500))
    field_id: Mapped[int] = mapped_column(ForeignKey("field.id"), index=True)
    description: Mapped[str] = mapped_column(NFCText, default="")
    applying_organization_name: Mapped[str] = mapped_column(NFCString(300), default="")
    applying_organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    applied_where: Mapped[str] = mapped_column(NFCText, default="")
    applied_since: Mapped[date | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16), default=EntryState.SUBMITTED.value)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The scoring round; a re-score after a flag starts the next one (earlier ones are kept).
    score_round: Mapped[int] = mapped_column(Integer, default=1)
    # Why the secretariat found the entry ineligible; the authors read it.
    screening_reason: Mapped[str | None] = mapped_column(NFCText)
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    edition: Mapped[Edition] = relationship(back_populates="entries")
    field: Mapped[Field] = relationship()
    applying_organization: Mapped[Organization | None] = relationship()
    filed_by: Mapped[User] = relationship()
    authors: Mapped[list[EntryAuthor]] = relationship(
        back_populates="entry", order_by="EntryAuthor.position", cascade="all, delete-orphan"
    )
    documents: Mapped[list[ContestDocument]] = relationship(
        back_populates="entry", order_by="ContestDocument.id"
    )
    judges: Mapped[list[JudgeAssignment]] = relationship(
        back_populates="entry", order_by="JudgeAssignment.id"
    )

    @property
    def active_judges(self) -> list[JudgeAssignment]:
        return [j for j in self.judges if j.state == JudgeState.active]

    def is_judge(self, user) -> bool:
        return (
            has_role(user, "expert")
            and user.person_id is not None
            and any(j.person_id == user.person_id for j in self.active_judges)
        )

    def is_author(self, user) -> bool:
        if not user_roles(user):
            return False
        return user.id == self.filed_by_id or any(a.user_id == user.id for a in self.authors)

    def can_view(self, user) -> bool:
        """The secretariat, the authors and the entry's judges."""
        return can_run_contests(user) or self.is_author(user) or self.is_judge(user)

    def can_edit(self, user) -> bool:
        """Editable by its authors and the secretariat until entries close, before screening."""
        return (
            (self.is_author(user) or can_run_contests(user))
            and self.edition.state == EditionState.OPEN
            and self.state in EDITABLE_ENTRY_STATES
        )

    def __repr__(self) -> str:
        return f"<Entry {self.id} {self.edition_id}/{self.number} {self.state}>"


class EntryAuthor(Audited, db.Model):
    """An author of an entry, member of the union or not, with their share of the work."""

    __tablename__ = "contest_entry_author"
    __table_args__ = (
        CheckConstraint("share BETWEEN 1 AND 100", name="share"),
        UniqueConstraint("entry_id", "position", name="uq_contest_entry_author_position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("contest_entry.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    full_name: Mapped[str] = mapped_column(NFCString(200))
    # Percent of the work (tỷ lệ đóng góp); the authors of an entry sum to 100.
    share: Mapped[int] = mapped_column(Integer)
    employer: Mapped[str] = mapped_column(NFCString(300), default="")
    employer_organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    # The expert record when the author is one (used for conflicts of interest).
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    # The author's account, when they have one.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)

    entry: Mapped[Entry] = relationship(back_populates="authors")
    employer_organization: Mapped[Organization | None] = relationship()
    person: Mapped[Person | None] = relationship()


class ContestDocument(db.Model):
    """A file of an edition (its rules) or of an entry, stored once per content hash."""

    __tablename__ = "contest_document"
    __table_args__ = (
        CheckConstraint(f"size > 0 AND size <= {MAX_DOCUMENT_BYTES}", name="size"),
        CheckConstraint(f"media_type IN ({_values(MediaType)})", name="media_type"),
        CheckConstraint("length(sha256) = 64", name="sha256"),
        UniqueConstraint("edition_id", "entry_id", "sha256", name="uq_contest_document_sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("contest_edition.id", ondelete="CASCADE"), index=True
    )
    # None: a document of the edition itself (the rules, thể lệ).
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("contest_entry.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(NFCString(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(100))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entry: Mapped[Entry | None] = relationship(back_populates="documents")
    edition: Mapped[Edition] = relationship()

    def can_download(self, user) -> bool:
        if self.entry is None:
            return self.edition.can_view(user)
        return self.entry.can_view(user)


class ContestHistory(db.Model):
    """One workflow transition of an edition or (with ``entry_id``) of an entry; append-only."""

    __tablename__ = "contest_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("contest_edition.id", ondelete="CASCADE"), index=True
    )
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("contest_entry.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    actor_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    actor_role: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    comment: Mapped[str | None] = mapped_column(NFCText)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer)

    actor: Mapped[User] = relationship()


class JudgeState(TitledEnum):
    active = "active", N_("Judging")
    conflicted = "conflicted", N_("Declared a conflict")
    replaced = "replaced", N_("Replaced")


class JudgeAssignment(Audited, db.Model):
    """A juror judging one entry; a declared conflict or a swap ends the seat, never deletes it."""

    __tablename__ = "contest_judge"
    __table_args__ = (
        CheckConstraint(f"state IN ({_values(JudgeState)})", name="state"),
        CheckConstraint(
            "state != 'conflicted' OR conflict_details IS NOT NULL", name="conflict_details"
        ),
        UniqueConstraint("entry_id", "person_id", name="uq_contest_judge_entry_person"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("contest_entry.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    state: Mapped[str] = mapped_column(String(12), default=JudgeState.active.value)
    affinity: Mapped[Decimal] = mapped_column(Numeric(5, 4), default=Decimal(0))
    conflict_details: Mapped[str | None] = mapped_column(NFCText)
    assigned_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entry: Mapped[Entry] = relationship(back_populates="judges")
    person: Mapped[Person] = relationship()
    scores: Mapped[list[Score]] = relationship(
        back_populates="judge", order_by="(Score.round, Score.criterion_id)"
    )

    def current_scores(self, round_: int) -> list[Score]:
        return [s for s in self.scores if s.round == round_]


class Score(db.Model):
    """A judge's points on one criterion in one scoring round; a re-score adds a round."""

    __tablename__ = "contest_score"
    __table_args__ = (
        CheckConstraint("points >= 0 AND points <= 100", name="points"),
        CheckConstraint("round >= 1", name="round"),
        UniqueConstraint("judge_id", "criterion_id", "round", name="uq_contest_score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    judge_id: Mapped[int] = mapped_column(
        ForeignKey("contest_judge.id", ondelete="CASCADE"), index=True
    )
    criterion_id: Mapped[int] = mapped_column(ForeignKey("contest_criterion.id"))
    round: Mapped[int] = mapped_column(Integer, default=1)
    points: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    comment: Mapped[str] = mapped_column(NFCText, default="")
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    judge: Mapped[JudgeAssignment] = relationship(back_populates="scores")
    criterion: Mapped[Criterion] = relationship()


class ResultLine(Audited, db.Model):
    """One scored entry's result: totals, rank in its field, the proposed and the decided award.

    Written when the secretariat proposes the results; the board changes ``award_level``
    with a reason (``edited_by``); approval freezes it. Sending the results back deletes
    the lines (the audit log keeps them) so the next proposal starts from the scores.
    """

    __tablename__ = "contest_result"
    __table_args__ = (
        CheckConstraint("rank_in_field >= 1", name="rank"),
        CheckConstraint("edited_by_id IS NULL OR edit_reason IS NOT NULL", name="edit_reason"),
        UniqueConstraint("entry_id", name="uq_contest_result_entry"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("contest_edition.id", ondelete="CASCADE"), index=True
    )
    entry_id: Mapped[int] = mapped_column(ForeignKey("contest_entry.id", ondelete="CASCADE"))
    mean_total: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    # The mean after removing each judge's severity (their average deviation from the
    # other judges of the same entries); shown beside the mean, for the jury's information.
    adjusted_total: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    rank_in_field: Mapped[int] = mapped_column(Integer)
    proposed_level_id: Mapped[int | None] = mapped_column(ForeignKey("contest_award_level.id"))
    award_level_id: Mapped[int | None] = mapped_column(ForeignKey("contest_award_level.id"))
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    edit_reason: Mapped[str | None] = mapped_column(NFCText)

    entry: Mapped[Entry] = relationship()
    proposed_level: Mapped[AwardLevel | None] = relationship(foreign_keys=[proposed_level_id])
    award_level: Mapped[AwardLevel | None] = relationship(foreign_keys=[award_level_id])
