"""Declared personal relationships between people, and the expert graph's version counter."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..core.i18n import N_
from ..core.types import NFCText, TitledEnum, UTCDateTime, check_in, utcnow
from ..directory.models import Audited, Person
from ..extensions import db


class RelationshipKind(TitledEnum):
    family = "family", N_("Family")
    advisor_advisee = "advisor_advisee", N_("Advisor and advisee")
    business_partner = "business_partner", N_("Business partner")


class PersonRelationship(Audited, db.Model):
    """A personal tie declared by a coordinator or an expert; it can make a conflict of interest.

    For ``advisor_advisee`` person A is the advisor; the other kinds are symmetric.
    """

    __tablename__ = "person_relationship"
    __table_args__ = (
        CheckConstraint(check_in("kind", RelationshipKind), name="kind"),
        CheckConstraint("person_a_id <> person_b_id", name="distinct_people"),
        UniqueConstraint("person_a_id", "person_b_id", "kind", name="uq_person_relationship"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_a_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    person_b_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(24))
    # Who declared it; kept (as NULL) when that account is deleted, the tie stays true.
    declared_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    note: Mapped[str | None] = mapped_column(NFCText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person_a: Mapped[Person] = relationship(foreign_keys=[person_a_id])
    person_b: Mapped[Person] = relationship(foreign_keys=[person_b_id])
    declared_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<PersonRelationship {self.person_a_id}-{self.kind}-{self.person_b_id}>"


class GraphVersion(db.Model):
    """One row whose counter rises whenever data the expert graph is built from changes.

    Every process compares it with the version of its cached graph (one cheap SELECT),
    so a change committed by any worker invalidates every worker's cache. The value is
    never reused (see ``panel.cache.bump``), so a rolled-back bump cannot alias a later one.
    """

    __tablename__ = "graph_version"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    #: People, organisations, memberships, fields, relationships: a full rebuild.
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    #: Requests and invitations: only the small consultation layer is rebuilt.
    activity_version: Mapped[int] = mapped_column(BigInteger, default=0)
