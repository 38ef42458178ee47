"""Sign-in attempts, kept where every worker of every node counts them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..core.types import UTCDateTime, utcnow
from ..extensions import db


class SignInAttempt(db.Model):
    """One sign-in attempt that counts against a limit; ``scope`` says which."""

    __tablename__ = "sign_in_attempt"
    __table_args__ = (
        CheckConstraint("scope IN ('address', 'account')", name="scope"),
        Index("ix_sign_in_attempt_scope_key_at", "scope", "key", "attempted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(16))
    #: The client address, or the lower-cased e-mail the attempt named.
    key: Mapped[str] = mapped_column(String(254))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
