"""Creating accounts and managing API tokens (used by the command line and the pages)."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from ..core.roles import EXTRA_ROLES, Role
from ..core.types import utcnow
from ..directory.models import Organization, Person
from ..extensions import db
from .models import DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS, ApiToken, User, UserRole
from .passwords import MIN_LENGTH as MIN_PASSWORD
from .passwords import password_problem

__all__ = ["MIN_PASSWORD", "AccountError", "create_user", "update_user"]


class AccountError(ValueError):
    """A user cannot be created as asked; the message says why (``field``: which input)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _check(
    *,
    email: str,
    name: str,
    role: str,
    organization_id: int | None,
    person_id: int | None,
    user: User | None,
) -> str:
    """Validate account data; return the normalised e-mail or raise AccountError."""
    try:
        email = validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise AccountError(f"invalid e-mail: {exc}") from None
    if role not in Role.values():
        raise AccountError(f"unknown role {role!r}; one of {', '.join(Role.values())}")
    if not name.strip():
        raise AccountError("the name is empty")
    clash = db.session.scalar(select(User.id).where(func.lower(User.email) == email))
    if clash is not None and (user is None or clash != user.id):
        raise AccountError(f"a user with e-mail {email} already exists")
    if organization_id is not None and db.session.get(Organization, organization_id) is None:
        raise AccountError(f"no organisation with id {organization_id}")
    if role in ("agency", "liaison") and organization_id is None:
        raise AccountError(f"a {role} account needs --organization")
    if person_id is not None:
        if db.session.get(Person, person_id) is None:
            raise AccountError(f"no person with id {person_id}")
        owner = db.session.scalar(select(User.id).where(User.person_id == person_id))
        if owner is not None and (user is None or owner != user.id):
            raise AccountError(f"person {person_id} already has an account")
    if role == "expert" and person_id is None:
        raise AccountError("an expert account needs --expert (the person id)")
    return email


def _check_extra(role: str, extra: tuple[str, ...], organization_id, person_id) -> list[str]:
    """The extra roles, checked: an expert needs a profile, a liaison an organisation."""
    roles = sorted(set(extra) - {role})
    for r in roles:
        if r not in EXTRA_ROLES:
            raise AccountError(
                f"role {r!r} cannot be held besides another; extra roles: " + ", ".join(EXTRA_ROLES)
            )
        if r == "expert" and person_id is None:
            raise AccountError("an expert role needs --expert (the person id)")
        if r == "liaison" and organization_id is None:
            raise AccountError("a liaison role needs --organization")
    return roles


def _set_extra(user: User, roles: list[str]) -> None:
    current = {r.role: r for r in user.extra_roles}
    user.extra_roles = [current.get(r) or UserRole(role=r) for r in roles]


def _check_password(password: str, *related: str | None) -> None:
    problem = password_problem(password, related)
    if problem:
        raise AccountError(problem, "password")


def create_user(
    *, email: str, name: str, role: str, password: str,
    organization_id: int | None = None, person_id: int | None = None,
    extra_roles: tuple[str, ...] = (),
) -> User:  # fmt: skip
    """Create an account; AccountError says what is wrong and nothing is written."""
    email = _check(email=email, name=name, role=role, organization_id=organization_id,
                   person_id=person_id, user=None)  # fmt: skip
    extra = _check_extra(role, extra_roles, organization_id, person_id)
    _check_password(password, email, name)
    user = User(email=email, name=name.strip(), role=role, organization_id=organization_id,
                person_id=person_id)  # fmt: skip
    user.set_password(password)
    _set_extra(user, extra)
    db.session.add(user)
    db.session.flush()
    return user


def update_user(
    user: User, *, email: str, name: str, role: str, organization_id: int | None,
    person_id: int | None, active: bool, password: str | None = None,
    extra_roles: tuple[str, ...] | None = None,
) -> User:  # fmt: skip
    """Change an account; AccountError says what is wrong and nothing is changed."""
    email = _check(email=email, name=name, role=role, organization_id=organization_id,
                   person_id=person_id, user=user)  # fmt: skip
    if extra_roles is None:
        extra_roles = tuple(r.role for r in user.extra_roles)
    extra = _check_extra(role, extra_roles, organization_id, person_id)
    if password:
        _check_password(password, email, name)
        user.set_password(password)
    if user.active and not active:
        # Reactivating the account later must not bring its old cookies back to life.
        user.end_sessions()
    user.email, user.name, user.role = email, name.strip(), role
    user.organization_id, user.person_id, user.active = organization_id, person_id, active
    _set_extra(user, extra)
    db.session.flush()
    return user


# --- API tokens -------------------------------------------------------------------------------


def issue_token(
    user: User, *, name: str | None = None, expires_days: int = DEFAULT_TOKEN_DAYS
) -> tuple[ApiToken, str]:
    """A new token for ``user``; the plain value is returned once and never stored."""
    if name is not None and len(name.strip()) > 100:
        raise AccountError("the token name has more than 100 characters")
    if not 1 <= expires_days <= MAX_TOKEN_DAYS:
        raise AccountError(f"a token expires after 1 to {MAX_TOKEN_DAYS} days")
    if not user.active:
        raise AccountError(f"the account {user.email} is deactivated")
    token, plain = ApiToken.issue(user, name=name, expires_days=expires_days)
    db.session.flush()
    return token, plain


def tokens_of(user: User, *, include_revoked: bool = False) -> list[ApiToken]:
    """The user's tokens, newest first; revoked ones only when asked."""
    stmt = select(ApiToken).where(ApiToken.user_id == user.id)
    if not include_revoked:
        stmt = stmt.where(ApiToken.revoked_at.is_(None))
    return list(db.session.scalars(stmt.order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke_token(token: ApiToken) -> bool:
    """Revoke ``token`` from now on; False if it was already revoked (nothing changes)."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    db.session.flush()
    return True
