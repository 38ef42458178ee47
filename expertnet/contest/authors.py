"""Accounts for contest authors, by e-mail link.

Authors are often not members of the union and have no account. Two ways give them one,
both through the signed links of :mod:`expertnet.access` (an account without a password
at once, and a "join" link to choose it):

* the public filing path: someone who wants to file an entry gives their name and e-mail
  address (:func:`invite_author`); the mail carries the link, after which they sign in and
  file. Nothing in the answer tells whether the address was known.
* an entry filed with co-authors' e-mail addresses (by an author or by staff): every
  co-author without an account gets one by mail (:func:`link_authors`), so they follow
  the entry, its screening and its result too.

The accounts have the ``author`` role: they see their own entries and what the public sees.
"""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from workflows import EditionState

from ..access import tokens
from ..access.models import AccessLink, LinkPurpose
from ..access.operations import REINVITE_AFTER, _user_by_email, normal_email
from ..auth.models import Role, User
from ..consultation import notify
from ..consultation.models import OutboxMail
from ..core.errors import ValidationFailed
from ..core.types import utcnow
from ..extensions import db
from .models import Edition, Entry

#: A "you already have an account" note goes to one address at most this often.
SIGN_IN_NOTE_EVERY = timedelta(days=1)


def _recently_invited(user: User) -> bool:
    since = utcnow() - REINVITE_AFTER
    return (
        db.session.scalar(
            select(func.count(AccessLink.id)).where(
                AccessLink.user_id == user.id,
                AccessLink.purpose == LinkPurpose.account.value,
                AccessLink.created_at >= since,
            )
        )
        > 0
    )


def _new_author(address: str, name: str) -> User | None:
    """A passwordless ``author`` account; None if another filing just took the address."""
    user = User(
        email=address,
        name=name,
        role=Role.author.value,
        password_hash=None,
        active=True,
    )
    try:
        with db.session.begin_nested():
            db.session.add(user)
            db.session.flush()
    except IntegrityError:
        return None  # a concurrent filing named the same person first: link to theirs
    return user


def _mail(user: User, edition: Edition, *, entry: Entry | None, by: User | None) -> None:
    """The account mail: a join link, or (a password is set) a note to sign in."""
    context = {
        "edition_title": f"{edition.name} lần thứ {edition.number}",
        "edition": edition,
        "entry": entry,
        "sender": by.name if by is not None else "",
        "open_path": f"/contests/{edition.id}",
        "join_url": None,
        "expires_at": None,
    }
    if user.has_password:
        stamp = utcnow().strftime("%Y%m%d")
        key = f"contest_author_signin:u{user.id}:e{edition.id}:{stamp}"
        if db.session.scalar(select(func.count()).where(OutboxMail.dedupe_key == key)):
            return
        link = None
    else:
        link, token = tokens.issue(LinkPurpose.account, user, by=by)
        context.update(join_url=tokens.url(LinkPurpose.account, token), expires_at=link.expires_at)
        key = f"contest_author_invitation:l{link.id}"
    subject, body = notify.render(
        "contest_author_invitation", user.locale or "vi", user=user, request=None, **context
    )
    mail = notify.queue_mail(user.email, subject, body, key, user_id=user.id)
    if link is not None:
        link.mail = mail


def invite_author(
    email: str, name: str, edition: Edition, *, by: User | None = None
) -> User | None:
    """Mail an account link to someone who wants to file an entry in ``edition``.

    A new address gets a passwordless ``author`` account and a join link; an account still
    without a password gets a fresh link (at most one a day); an account with a password
    gets a note to sign in (at most one a day). Deactivated accounts get nothing. The
    caller answers the same in every case. Returns the account (None when deactivated).
    """
    address = normal_email(email)
    errors = {}
    if address is None:
        errors["email"] = _("This is not an e-mail address.")
    name = " ".join((name or "").split())
    if not name:
        errors["full_name"] = _("Please give your full name.")
    if errors:
        raise ValidationFailed(errors)
    if edition.state != EditionState.OPEN:
        raise ValidationFailed({"edition": _("This edition is not open for entries.")})
    user = _user_by_email(address)
    if user is None:
        user = _new_author(address, name) or _user_by_email(address)
    if not user.active:
        return None
    elif not user.has_password and _recently_invited(user):
        return user
    _mail(user, edition, entry=None, by=by)
    db.session.flush()
    return user


def link_authors(entry: Entry, by: User) -> list[User]:
    """Give every author of ``entry`` named by e-mail an account; returns those just invited.

    An address that belongs to an account links the author to it; a new address gets a
    passwordless ``author`` account and a join link naming the entry.
    """
    invited: list[User] = []
    for author in entry.authors:
        if author.user_id is not None or not author.email:
            continue
        address = normal_email(author.email)
        if address is None:
            continue
        user = _user_by_email(address)
        if user is None:
            user = _new_author(address, author.full_name)
            if user is not None:
                _mail(user, entry.edition, entry=entry, by=by)
                invited.append(user)
            else:
                user = _user_by_email(address)
        author.user_id = user.id
    db.session.flush()
    return invited
