"""One row per signed link; only the hash of its secret is stored."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.i18n import N_
from ..core.types import TitledEnum, UTCDateTime, check_in, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..auth.models import User
    from ..consultation.models import Invitation, OutboxMail, Request


class LinkPurpose(TitledEnum):
    invitation = "invitation", N_("Answer an invitation")
    opinion = "opinion", N_("Write an opinion")
    account = "account", N_("Claim an account")
    reset = "reset", N_("Choose a new password")
    email = "email", N_("Confirm a new e-mail address")


class AccessLink(db.Model):
    """A link mailed to one user for one purpose; it works until used or expired."""

    __tablename__ = "access_link"
    __table_args__ = (
        CheckConstraint(check_in("purpose", LinkPurpose), name="purpose"),
        CheckConstraint("purpose != 'invitation' OR invitation_id IS NOT NULL", name="invitation"),
        CheckConstraint("purpose != 'opinion' OR request_id IS NOT NULL", name="request"),
        CheckConstraint("purpose != 'email' OR new_email IS NOT NULL", name="new_email"),
        CheckConstraint("expires_at > created_at", name="expiry"),
        Index("ix_access_link_user_purpose", "user_id", "purpose", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitation.id", ondelete="CASCADE"), index=True
    )
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation_request.id", ondelete="CASCADE")
    )
    new_email: Mapped[str | None] = mapped_column(String(254))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    mail_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_mail.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    invitation: Mapped[Invitation | None] = relationship()
    request: Mapped[Request | None] = relationship()
    mail: Mapped[OutboxMail | None] = relationship()

    def __repr__(self) -> str:
        return f"<AccessLink {self.id} {self.purpose} u{self.user_id}>"
