"""Issuing and checking signed one-time links.

A link's token is ``itsdangerous``-signed (so a tampered token is refused before the
database is asked) and carries the link's id and a random secret; the database keeps only
the SHA-256 of that secret, so a leaked table opens nothing. A link works for one purpose
and one user (and one invitation or request), until it is used or expires.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from ..core.types import utcnow
from ..core.urls import external
from ..extensions import db
from .models import AccessLink, LinkPurpose

_SALT = "expertnet.access-link.v1"

#: How long each kind of link works (an invitation's link also until its respond-by date).
TTL = {
    LinkPurpose.invitation: timedelta(days=14),
    LinkPurpose.opinion: timedelta(days=30),
    LinkPurpose.account: timedelta(days=14),
    LinkPurpose.reset: timedelta(hours=2),
    LinkPurpose.email: timedelta(hours=24),
}
#: No link lives longer than this, whatever its row says (the signature's own age limit).
MAX_AGE = timedelta(days=90)

#: The page each purpose opens (``access`` blueprint routes use the same prefixes).
PATHS = {
    LinkPurpose.invitation: "/answer/",
    LinkPurpose.opinion: "/write/",
    LinkPurpose.account: "/join/",
    LinkPurpose.reset: "/password/reset/",
    LinkPurpose.email: "/account/email/",
}


class LinkRefused(Exception):
    """A link that cannot be used; ``reason`` is invalid, expired, used or elsewhere."""

    def __init__(self, reason: str, link: AccessLink | None = None):
        super().__init__(reason)
        self.reason = reason
        self.link = link


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=_SALT)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue(
    purpose: LinkPurpose,
    user,
    *,
    invitation=None,
    request=None,
    new_email: str | None = None,
    by=None,
    expires_at: datetime | None = None,
) -> tuple[AccessLink, str]:
    """Create a link; the token is returned once and only its secret's hash is kept."""
    now = utcnow()
    if expires_at is None:
        expires_at = now + TTL[purpose]
    expires_at = min(max(expires_at, now + timedelta(hours=1)), now + MAX_AGE)
    secret = secrets.token_urlsafe(24)
    link = AccessLink(
        purpose=purpose.value,
        token_hash=_digest(secret),
        user=user,
        invitation=invitation,
        request=request,
        new_email=new_email,
        created_by_id=by.id if by is not None else None,
        created_at=now,
        expires_at=expires_at,
    )
    db.session.add(link)
    db.session.flush()
    return link, _serializer().dumps([link.id, secret])


def issue_many(purpose: LinkPurpose, users: list, *, by=None) -> list[tuple[AccessLink, str]]:
    """``issue`` for many users at once, with one flush (a whole roster's invitations)."""
    now = utcnow()
    secrets_ = [secrets.token_urlsafe(24) for _ in users]
    links = [
        AccessLink(
            purpose=purpose.value,
            token_hash=_digest(secret),
            user=user,
            created_by_id=by.id if by is not None else None,
            created_at=now,
            expires_at=now + TTL[purpose],
        )
        for user, secret in zip(users, secrets_, strict=True)
    ]
    db.session.add_all(links)
    db.session.flush()
    signer = _serializer()
    return [
        (link, signer.dumps([link.id, secret]))
        for link, secret in zip(links, secrets_, strict=True)
    ]


def url(purpose: LinkPurpose, token: str) -> str:
    """The absolute address of a link (under ``EXPERTNET_BASE_URL``)."""
    return external(PATHS[purpose] + token)


def resolve(token: str, purpose: LinkPurpose) -> AccessLink:
    """The link a token stands for, if it is genuine, meant for this page and still usable."""
    try:
        link_id, secret = _serializer().loads(token, max_age=int(MAX_AGE.total_seconds()))
        link_id = int(link_id)
        secret = str(secret)
    except SignatureExpired:
        raise LinkRefused("expired") from None
    except (BadSignature, TypeError, ValueError):
        raise LinkRefused("invalid") from None
    link = db.session.get(AccessLink, link_id)
    if link is None or not hmac.compare_digest(link.token_hash, _digest(secret)):
        raise LinkRefused("invalid")
    if link.purpose != purpose:
        raise LinkRefused("elsewhere", link)
    if not link.user.active:
        raise LinkRefused("invalid")
    if link.used_at is not None:
        raise LinkRefused("used", link)
    if link.expires_at <= utcnow():
        raise LinkRefused("expired", link)
    return link


def use(link: AccessLink) -> None:
    """Spend a link, once: of two requests using it at the same time only one gets through."""
    now = utcnow()
    done = db.session.execute(
        update(AccessLink)
        .where(AccessLink.id == link.id, AccessLink.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise LinkRefused("used", link)
    set_committed_value(link, "used_at", now)


def retire(user, purpose: LinkPurpose) -> None:
    """Spend every open link of ``user`` for ``purpose`` (after a password was chosen)."""
    db.session.execute(
        update(AccessLink)
        .where(
            AccessLink.user_id == user.id,
            AccessLink.purpose == purpose.value,
            AccessLink.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
