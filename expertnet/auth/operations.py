"""Creating accounts (used by the command line and the admin pages)."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from ..directory.models import Organization, Person
from ..extensions import db
from .models import Role, User

MIN_PASSWORD = 10


class AccountError(ValueError):
    """A user cannot be created as asked; the message says why."""


def create_user(
    *,
    email: str,
    name: str,
    role: str,
    password: str,
    organization_id: int | None = None,
    person_id: int | None = None,
) -> User:
    try:
        email = validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise AccountError(f"invalid e-mail: {exc}") from None
    if role not in Role.values():
        raise AccountError(f"unknown role {role!r}; one of {', '.join(Role.values())}")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
    if not name.strip():
        raise AccountError("the name is empty")
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise AccountError(f"a user with e-mail {email} already exists")
    if organization_id is not None and db.session.get(Organization, organization_id) is None:
        raise AccountError(f"no organisation with id {organization_id}")
    if role in ("agency", "liaison") and organization_id is None:
        raise AccountError(f"a {role} account needs --organization")
    if person_id is not None:
        if db.session.get(Person, person_id) is None:
            raise AccountError(f"no person with id {person_id}")
        if db.session.scalar(select(User.id).where(User.person_id == person_id)):
            raise AccountError(f"person {person_id} already has an account")
    if role == "expert" and person_id is None:
        raise AccountError("an expert account needs --expert (the person id)")
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        organization_id=organization_id,
        person_id=person_id,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user
