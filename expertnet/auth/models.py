"""User accounts and API tokens."""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import datetime, timedelta

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..core.roles import STAFF, Role
from ..core.types import NFCString, UTCDateTime, check_in, utcnow
from ..directory.models import Organization, Person
from ..extensions import db

#: A sign-in (its session and remember-me cookie) lasts at most this long by default.
DEFAULT_LOGIN_DAYS = 30
#: API tokens expire after this many days unless asked otherwise; at most MAX_TOKEN_DAYS.
DEFAULT_TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 3650


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(check_in("role", Role), name="role"),
        # Agencies and liaisons act for an organisation; experts are a person.
        CheckConstraint(
            "role NOT IN ('agency', 'liaison') OR organization_id IS NOT NULL", name="org"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(NFCString(200))
    # NULL until the person chooses a password (an expert invited by e-mail, not yet joined).
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), unique=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Part of every session id and remember-me cookie; bumping it ends them all.
    session_generation: Mapped[int] = mapped_column(Integer, default=1)

    person: Mapped[Person | None] = relationship(back_populates="user")
    organization: Mapped[Organization | None] = relationship()
    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    extra_roles: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="UserRole.role"
    )

    def set_password(self, password: str) -> None:
        from flask import current_app

        # scrypt by default; the test suite configures a cheap method to stay fast.
        method = current_app.config.get("EXPERTNET_PASSWORD_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)
        # Whoever held a session or a remember-me cookie signed in with the old password.
        self.end_sessions()

    def begin_sign_in(self) -> None:
        """The next ``get_id`` mints a fresh session id (call before ``login_user``)."""
        self._session_id = None

    def end_sessions(self) -> None:
        """Make every session and remember-me cookie of this account invalid."""
        self.session_generation = (self.session_generation or 0) + 1
        self._session_id = None

    def get_id(self) -> str:  # Flask-Login: what the session and remember-me cookie carry
        """``user:generation:issued:nonce``: a fresh value per sign-in, dead once the
        generation moves (sign-out, password change) or the sign-in is too old."""
        sid = getattr(self, "_session_id", None)
        if sid is None:
            nonce = secrets.token_urlsafe(12)
            sid = f"{self.id}:{self.session_generation}:{int(time.time())}:{nonce}"
            self._session_id = sid
        return sid

    @classmethod
    def from_session_id(cls, sid: str, max_age: timedelta) -> User | None:
        """The user a session id names, if the sign-in it records is still valid."""
        from ..extensions import db

        parts = sid.split(":")
        if len(parts) != 4 or not all(p.isdigit() for p in parts[:3]):
            return None  # also the plain ids of sessions from before generations existed
        user_id, generation, issued = (int(p) for p in parts[:3])
        if user_id > 2**31 - 1 or not 0 <= time.time() - issued <= max_age.total_seconds():
            return None
        user = db.session.get(cls, user_id)
        if user is None or user.session_generation != generation:
            return None
        user._session_id = sid
        return user

    def check_password(self, password: str) -> bool:
        if not self.password_hash:
            return False
        return check_password_hash(self.password_hash, password)

    @property
    def has_password(self) -> bool:
        """The person has joined: they chose a password and can sign in."""
        return bool(self.password_hash)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    @property
    def roles(self) -> frozenset[str]:
        """Every role the user holds: the main one and any extra (expert, liaison)."""
        return frozenset({self.role, *(r.role for r in self.extra_roles)})

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF

    def has_role(self, *roles: str) -> bool:
        return not self.roles.isdisjoint(roles)

    @property
    def role_label(self) -> str:
        return Role(self.role).label

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class UserRole(db.Model):
    """A role a user holds besides the main one (``User.role``)."""

    __tablename__ = "user_role"
    __table_args__ = (CheckConstraint("role IN ('expert', 'liaison')", name="role"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16), primary_key=True)


def hash_token(token: str) -> str:
    """Tokens are random, so one round of SHA-256 is enough to keep them unusable if leaked."""
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(db.Model):
    __tablename__ = "api_token"
    __table_args__ = (CheckConstraint("expires_at > created_at", name="expiry"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(NFCString(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="tokens")

    @classmethod
    def issue(
        cls, user: User, name: str | None = None, expires_days: int = DEFAULT_TOKEN_DAYS
    ) -> tuple[ApiToken, str]:
        """Create a token for ``user``; the plain value is returned once and never stored."""
        plain = "exn_" + secrets.token_urlsafe(32)
        now = utcnow()
        token = cls(
            user=user,
            token_hash=hash_token(plain),
            name=(name or "").strip() or f"token {now:%Y-%m-%d}",
            created_at=now,
            expires_at=now + timedelta(days=expires_days),
        )
        db.session.add(token)
        return token, plain

    @property
    def expired(self) -> bool:
        return self.expires_at <= utcnow()

    @property
    def live(self) -> bool:
        return self.revoked_at is None and not self.expired
