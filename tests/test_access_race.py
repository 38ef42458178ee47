"""A link is spent once even when two requests use it at the same moment (real PostgreSQL)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import delete

from expertnet.access import operations as access
from expertnet.access import tokens
from expertnet.access.models import AccessLink, LinkPurpose
from expertnet.auth.models import User
from expertnet.auth.operations import create_user
from expertnet.extensions import db

pytestmark = pytest.mark.postgres


@pytest.fixture
def committed_link(base_app, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("two transactions cannot race on a row under SQLite's database-wide lock")
    with base_app.test_request_context():
        user = create_user(
            email="race-link@example.org",
            name="Race",
            role="coordinator",
            password="correct horse battery",
        )
        _link, token = tokens.issue(LinkPurpose.reset, user)
        db.session.commit()
        ids = user.id, token
        db.session.remove()
    try:
        yield ids
    finally:
        with base_app.app_context(), db.engine.begin() as conn:
            conn.execute(delete(AccessLink).where(AccessLink.user_id == ids[0]))
            conn.execute(delete(User).where(User.id == ids[0]))


def test_two_requests_with_one_reset_link_set_one_password(base_app, committed_link):
    user_id, token = committed_link
    barrier = threading.Barrier(2)
    results: list[object] = [None, None]

    def run(slot: int) -> None:
        with base_app.test_request_context():
            try:
                link = tokens.resolve(token, LinkPurpose.reset)  # both see it unused
                barrier.wait(timeout=10)
                try:
                    access.set_password_by_link(link, f"mật khẩu số {slot} đủ dài")
                    time.sleep(0.3)  # hold the row so the other UPDATE waits on it
                    db.session.commit()
                    results[slot] = "won"
                except tokens.LinkRefused as exc:
                    db.session.rollback()
                    results[slot] = exc.reason
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(map(str, results)) == ["used", "won"]
    with base_app.app_context():
        user = db.session.get(User, user_id)
        winner = results.index("won")
        assert user.check_password(f"mật khẩu số {winner} đủ dài")
        db.session.remove()
