"""A throw-away API token for the in-process benchmarks (``bench/endpoints.py``,
``bench/request_cost.py``): issued for a user before the run, deleted after it."""

from __future__ import annotations

from typing import Any


def issue_bench_token(app: Any, email: str, name: str) -> tuple[int, int, str]:
    """(token id, user id, the token in plain) for the user with this e-mail."""
    from sqlalchemy import select

    from expertnet.auth.models import ApiToken, User
    from expertnet.extensions import db

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            raise SystemExit(f"no user {email}")
        token, plain = ApiToken.issue(user, name=name)
        db.session.commit()
        return token.id, user.id, plain


def delete_bench_token(app: Any, token_id: int) -> None:
    from expertnet.auth.models import ApiToken
    from expertnet.extensions import db

    table = ApiToken.__table__
    with app.app_context():
        db.session.execute(table.delete().where(table.c.id == token_id))
        db.session.commit()
