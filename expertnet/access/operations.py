"""Accounts for people who have none yet, account invitations, recovery and link actions.

An expert invited by e-mail gets an account without a password at once (so every later
notification reaches them); they answer through signed links, and become a full user when
they choose a password ("join"). Nothing here ever tells a caller whether an e-mail
address is known.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..auth.models import User
from ..auth.operations import MIN_PASSWORD
from ..consultation import notify
from ..core.errors import ApiError, ValidationFailed
from ..core.roles import MANAGERS, has_role, role_of
from ..core.types import utcnow
from ..directory.models import Membership, Person
from ..extensions import db
from . import tokens
from .models import AccessLink, LinkPurpose

#: A person gets at most one account invitation a day, whoever sends it.
REINVITE_AFTER = timedelta(hours=24)
#: Password-reset mails per account and hour (on top of the per-address request limit).
RESETS_PER_HOUR = 3
#: Account invitations one sender may send per day (the rest waits for the next day).
INVITATIONS_PER_SENDER_PER_DAY = 2000

INVITATION_KINDS = ("invitation_received", "reminder_invitation")
OPINION_KINDS = ("review_started", "reminder_opinion")


def normal_email(address: str | None) -> str | None:
    """The address as accounts store it (validated, lower case), or None if it is not one."""
    if not address:
        return None
    try:
        return validate_email(address.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


def _user_by_email(address: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == address.lower()))


# --- accounts for invited experts --------------------------------------------------------------


def account_problem(person: Person) -> str | None:
    """Why this person cannot be given an account by e-mail, or None."""
    if person.user is not None:
        return None if person.user.active else _("This expert's account is deactivated.")
    address = normal_email(person.email)
    if address is None:
        return _(
            "This expert has no e-mail address: add one to the profile (or ask the liaison "
            "of their organisation to), then invite again."
        )
    if _user_by_email(address) is not None:
        return _(
            "The e-mail address of this expert belongs to another account: an administrator "
            "can link that account to this profile."
        )
    return None


def ensure_account(person: Person, field: str = "expert_id") -> User:
    """The person's account, created without a password when they have none yet."""
    problem = account_problem(person)
    if problem is not None:
        raise ValidationFailed({field: problem})
    if person.user is not None:
        return person.user
    user = User(
        email=normal_email(person.email),
        name=person.full_name,
        role="expert",
        person=person,
        password_hash=None,
        active=True,
    )
    db.session.add(user)
    db.session.flush()
    return user


# --- links in notification mail ----------------------------------------------------------------


def mail_link(user: User, kind: str, *, request=None, invitation=None) -> str | None:
    """A signed link for a notification about to be mailed, or None when it needs none.

    Invitations always carry one (answering needs no password); opinion mail carries one
    only for an expert who has not chosen a password yet.
    """
    from ..consultation.models import InvitationState

    if kind in INVITATION_KINDS and invitation is not None:
        if invitation.state != InvitationState.invited:
            return None
        until = None
        if invitation.respond_by is not None:
            until = invitation.respond_by + timedelta(days=7)
        _link, token = tokens.issue(
            LinkPurpose.invitation, user, invitation=invitation, expires_at=until
        )
        return tokens.url(LinkPurpose.invitation, token)
    if kind in OPINION_KINDS and request is not None and not user.has_password:
        if not request.is_panel_member(user):
            return None
        until = request.opinion_due_at + timedelta(days=14) if request.opinion_due_at else None
        _link, token = tokens.issue(LinkPurpose.opinion, user, request=request, expires_at=until)
        return tokens.url(LinkPurpose.opinion, token)
    return None


def opinion_link(user: User, request) -> str:
    """A fresh link to write the opinion (shown to an expert who just accepted by link)."""
    until = request.opinion_due_at + timedelta(days=14) if request.opinion_due_at else None
    _link, token = tokens.issue(LinkPurpose.opinion, user, request=request, expires_at=until)
    return tokens.PATHS[LinkPurpose.opinion] + token


def join_link(user: User) -> str:
    """A fresh link to choose a password (shown after an answer given by link)."""
    _link, token = tokens.issue(LinkPurpose.account, user)
    return tokens.PATHS[LinkPurpose.account] + token


# --- account invitations -----------------------------------------------------------------------


def can_invite_to_account(user, person: Person) -> bool:
    """Coordinators and admins invite anyone; a liaison the members of their organisation."""
    role = role_of(user)
    if role in MANAGERS:
        return True
    return (
        has_role(user, "liaison")
        and user.organization_id is not None
        and user.organization_id in person.organization_ids()
    )


def can_invite_roster(user, organization_id: int) -> bool:
    role = role_of(user)
    return role in MANAGERS or (
        has_role(user, "liaison") and user.organization_id == organization_id
    )


def _sent_today(by: User) -> int:
    since = utcnow() - timedelta(days=1)
    return db.session.scalar(
        select(func.count(AccessLink.id)).where(
            AccessLink.purpose == LinkPurpose.account.value,
            AccessLink.created_by_id == by.id,
            AccessLink.created_at >= since,
        )
    )


def _recently_invited(person_ids: list[int]) -> set[int]:
    if not person_ids:
        return set()
    since = utcnow() - REINVITE_AFTER
    rows = db.session.scalars(
        select(User.person_id)
        .join(AccessLink, AccessLink.user_id == User.id)
        .where(
            User.person_id.in_(person_ids),
            AccessLink.purpose == LinkPurpose.account.value,
            AccessLink.created_at >= since,
        )
    )
    return set(rows)


def _mail_account_invitations(users: list[User], by: User, *, send_now: bool) -> None:
    """One account-invitation mail per user, in the outbox (a handful of statements in all)."""
    for user, (link, token) in zip(
        users, tokens.issue_many(LinkPurpose.account, users, by=by), strict=True
    ):
        subject, body = notify.render(
            "account_invitation",
            user.locale or "vi",
            user=user,
            request=None,
            sender=by.name,
            join_url=tokens.url(LinkPurpose.account, token),
            expires_at=link.expires_at,
        )
        link.mail = notify.queue_mail(
            user.email,
            subject,
            body,
            f"account_invitation:l{link.id}",
            user_id=user.id,
            send_now=send_now,
        )


def _taken_addresses(addresses: set[str]) -> set[str]:
    """Which of these addresses accounts already use (in chunks, one query each)."""
    taken: set[str] = set()
    pending = sorted(addresses)
    for i in range(0, len(pending), 500):
        chunk = pending[i : i + 500]
        taken.update(
            db.session.scalars(
                select(func.lower(User.email)).where(func.lower(User.email).in_(chunk))
            )
        )
    return taken


def invite_to_accounts(people: Iterable[Person], by: User) -> Counter:
    """Mail an account invitation to each person who can get one; counts each outcome.

    Outcomes: ``invited``, ``joined`` (has an account already), ``no_email``,
    ``address_taken``, ``deactivated``, ``recent`` (invited in the last day),
    ``not_allowed`` (outside a liaison's organisation), ``over_limit`` (sender's daily cap).
    More than one person: the mails wait in the outbox and leave in throttled batches.
    The work is a few bulk statements whatever the number of people (a whole roster).
    """
    people = list({p.id: p for p in people}.values())
    outcome: Counter = Counter()
    budget = INVITATIONS_PER_SENDER_PER_DAY - _sent_today(by)
    recent = _recently_invited([p.id for p in people if p.user is not None])
    addresses = {p.id: normal_email(p.email) for p in people if p.user is None}
    taken = _taken_addresses({a for a in addresses.values() if a})
    chosen: list[Person] = []
    claimed: set[str] = set()
    for person in people:
        user = person.user
        if not can_invite_to_account(by, person):
            outcome["not_allowed"] += 1
        elif user is not None and user.has_password:
            outcome["joined"] += 1
        elif user is not None and not user.active:
            outcome["deactivated"] += 1
        elif person.id in recent:
            outcome["recent"] += 1
        elif user is None and addresses.get(person.id) is None:
            outcome["no_email"] += 1
        elif user is None and (addresses[person.id] in taken or addresses[person.id] in claimed):
            outcome["address_taken"] += 1
        elif budget <= 0:
            outcome["over_limit"] += 1
        else:
            if user is None:
                claimed.add(addresses[person.id])
            chosen.append(person)
            budget -= 1
    # Linked by id, not through ``Person.user``: the people themselves do not change (no
    # audit entries, no index updates for 500 unchanged profiles).
    new_users = {
        p.id: User(
            email=addresses[p.id],
            name=p.full_name,
            role="expert",
            person_id=p.id,
            password_hash=None,
            active=True,
        )
        for p in chosen
        if p.user is None
    }
    db.session.add_all(new_users.values())
    db.session.flush()
    users = [new_users.get(p.id) or p.user for p in chosen]
    if users:
        _mail_account_invitations(users, by, send_now=len(people) == 1)
    outcome["invited"] += len(users)
    db.session.flush()
    return outcome


def roster_people(organization_id: int) -> list[Person]:
    """The current members of an organisation (for inviting a whole roster)."""
    from sqlalchemy.orm import selectinload

    return list(
        db.session.scalars(
            select(Person)
            .join(Membership, Membership.person_id == Person.id)
            .where(Membership.organization_id == organization_id, Membership.ended_on.is_(None))
            .options(selectinload(Person.user), selectinload(Person.memberships))
            .order_by(Person.id)
        )
    )


def account_invitations(viewer: User, organization_id: int | None = None):
    """The account invitations the viewer may see, newest first (a select to paginate)."""
    stmt = (
        select(AccessLink)
        .join(User, User.id == AccessLink.user_id)
        .where(
            AccessLink.purpose == LinkPurpose.account.value, AccessLink.created_by_id.is_not(None)
        )
        .order_by(AccessLink.created_at.desc(), AccessLink.id.desc())
    )
    if role_of(viewer) not in MANAGERS:
        organization_id = viewer.organization_id  # a liaison: their own organisation only
    if organization_id is not None:
        members = select(Membership.person_id).where(
            Membership.organization_id == organization_id, Membership.ended_on.is_(None)
        )
        stmt = stmt.where(User.person_id.in_(members))
    return stmt


# --- choosing a password -----------------------------------------------------------------------


def _check_password(password: str, field: str = "password") -> None:
    if len(password or "") < MIN_PASSWORD:
        raise ValidationFailed(
            {field: _("The password must have at least %(n)s characters.", n=MIN_PASSWORD)}
        )


def set_password_by_link(link: AccessLink, password: str) -> User:
    """Join (account link) or reset (reset link): choose the password, spend the link."""
    _check_password(password)
    tokens.use(link)
    user = link.user
    user.set_password(password)
    # Any other way in that was mailed before is now pointless: close it.
    tokens.retire(user, LinkPurpose.account)
    tokens.retire(user, LinkPurpose.reset)
    db.session.flush()
    return user


def request_password_reset(address: str) -> None:
    """Mail a reset link if the address is an active account's; silently nothing otherwise."""
    email = normal_email(address)
    user = _user_by_email(email) if email else None
    if user is None or not user.active:
        return
    since = utcnow() - timedelta(hours=1)
    recent = db.session.scalar(
        select(func.count(AccessLink.id)).where(
            AccessLink.user_id == user.id,
            AccessLink.purpose == LinkPurpose.reset.value,
            AccessLink.created_at >= since,
        )
    )
    if recent >= RESETS_PER_HOUR:
        return
    link, token = tokens.issue(LinkPurpose.reset, user)
    subject, body = notify.render(
        "password_reset",
        user.locale or "vi",
        user=user,
        request=None,
        reset_url=tokens.url(LinkPurpose.reset, token),
        expires_at=link.expires_at,
    )
    link.mail = notify.queue_mail(
        user.email, subject, body, f"password_reset:l{link.id}", user_id=user.id
    )


def reset_link_for_cli(user: User) -> str:
    """A one-time reset link for an administrator at the command line (nothing is mailed)."""
    _link, token = tokens.issue(LinkPurpose.reset, user)
    return tokens.url(LinkPurpose.reset, token)


def set_password_directly(user: User, password: str) -> None:
    """Set a password (``expertnet users reset-password --stdin``)."""
    _check_password(password)
    user.set_password(password)
    tokens.retire(user, LinkPurpose.reset)
    db.session.flush()


# --- a new e-mail address ----------------------------------------------------------------------


def request_email_change(user: User, new_address: str) -> None:
    """Mail a confirmation link to the new address; nothing tells whether it is in use."""
    email = normal_email(new_address)
    if email is None:
        raise ValidationFailed({"new_email": _("This is not an e-mail address.")})
    if email == user.email.lower():
        raise ValidationFailed({"new_email": _("This is your current address.")})
    if _user_by_email(email) is not None:
        return  # taken: say the same as always, send nothing
    link, token = tokens.issue(LinkPurpose.email, user, new_email=email)
    subject, body = notify.render(
        "email_change",
        user.locale or "vi",
        user=user,
        request=None,
        confirm_url=tokens.url(LinkPurpose.email, token),
        expires_at=link.expires_at,
    )
    link.mail = notify.queue_mail(email, subject, body, f"email_change:l{link.id}", user_id=user.id)


def confirm_email_change(link: AccessLink) -> User:
    """Switch the account to the confirmed address (refused if it was taken meanwhile)."""
    user = link.user
    if _user_by_email(link.new_email) is not None:
        raise ApiError(
            409, _("This address is now used by another account, so it cannot be yours."), "taken"
        )
    tokens.use(link)
    user.email = link.new_email
    if user.person is not None and user.person.email != link.new_email:
        clash = db.session.scalar(
            select(Person.id).where(
                func.lower(Person.email) == link.new_email, Person.id != user.person_id
            )
        )
        if clash is None:
            user.person.email = link.new_email
    db.session.flush()
    return user


def reset_limit() -> str:
    return current_app.config["EXPERTNET_RESET_LIMIT"]
