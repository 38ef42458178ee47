"""Reads of user accounts that the pages and the API share."""

from __future__ import annotations

import functools

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import bindparam, func, or_, select

from ..core.paging import paginate
from ..extensions import db
from .models import User


def user_page(q: str = "", *, page: int = 1, per_page: int = 50) -> Pagination:
    """Accounts whose e-mail or name contains ``q``, by role then e-mail."""
    stmt = select(User)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(or_(func.lower(User.email).like(like), func.lower(User.name).like(like)))
    return paginate(stmt.order_by(User.role, User.email), page, per_page)


@functools.cache
def _token_statement():
    """``token_by_hash``' statement, built once (every API request runs it)."""
    from sqlalchemy.orm import joinedload

    from .models import ApiToken

    return (
        select(ApiToken)
        .options(joinedload(ApiToken.user).joinedload(User.extra_roles))
        .where(ApiToken.token_hash == bindparam("token_hash"))
    )


def token_by_hash(token_hash: str):
    """The API token with this hash, its user and the user's extra roles in one statement."""
    return db.session.scalars(_token_statement(), {"token_hash": token_hash}).unique().first()


def user_by_email(email: str) -> User | None:
    """The account with this e-mail address, compared without case."""
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
