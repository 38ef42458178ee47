"""Reads of user accounts that the pages and the API share."""

from __future__ import annotations

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, or_, select

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


def token_by_hash(token_hash: str):
    """The API token with this hash, its user and the user's extra roles in one statement."""
    from sqlalchemy.orm import joinedload

    from .models import ApiToken

    return (
        db.session.scalars(
            select(ApiToken)
            .options(joinedload(ApiToken.user).joinedload(User.extra_roles))
            .where(ApiToken.token_hash == token_hash)
        )
        .unique()
        .first()
    )


def user_by_email(email: str) -> User | None:
    """The account with this e-mail address, compared without case."""
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
