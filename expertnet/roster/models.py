"""What a roster import leaves in the database: its claim, and links staff must confirm."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.i18n import N_
from ..core.roles import MANAGERS
from ..core.types import NFCString, TitledEnum, UTCDateTime, utcnow
from ..directory.models import Audited, Organization, Person
from ..extensions import db


class RosterImportClaim(db.Model):
    """One confirmation of one uploaded file: inserted in the import's own transaction.

    Its primary key is the upload's token, so of two confirmations of one file exactly
    one inserts it; the other waits for that transaction and then answers with its result.
    """

    __tablename__ = "roster_import_claim"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    result: Mapped[dict | None] = mapped_column(JSON)


class LinkState(TitledEnum):
    pending = "pending", N_("Waiting for confirmation")
    confirmed = "confirmed", N_("Confirmed")
    rejected = "rejected", N_("Rejected")


class PendingLink(Audited, db.Model):
    """A roster row that matched a person of another organisation, waiting for staff.

    The import never merges such a row itself: the liaison learns only that the row
    matches someone elsewhere, and a coordinator decides whether that person joins the
    roster (confirm: a membership) or not (reject).
    """

    __tablename__ = "roster_pending_link"
    __table_args__ = (
        CheckConstraint("state IN ('pending', 'confirmed', 'rejected')", name="state"),
        CheckConstraint(
            "(state = 'pending') = (decided_at IS NULL)", name="decided_when_not_pending"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source: Mapped[str | None] = mapped_column(NFCString(255))
    row_no: Mapped[int | None] = mapped_column(Integer)
    #: What the roster row said (name, e-mail, phone, birth year …), for the coordinator.
    row_values: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16), default=LinkState.pending.value, index=True)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organization: Mapped[Organization] = relationship()
    person: Mapped[Person] = relationship()

    @property
    def state_label(self) -> str:
        return LinkState(self.state).label


def can_decide_links(user) -> bool:
    """Coordinators and admins confirm or reject links; liaisons never decide their own."""
    return bool(getattr(user, "is_authenticated", False)) and user.role in MANAGERS
