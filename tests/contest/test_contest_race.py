"""Two authors filing at the same moment get different entry numbers, on real PostgreSQL."""

from __future__ import annotations

import threading
import time

import pytest
from contest_data import edition_data, entry_data
from sqlalchemy import delete, func, select

from expertnet.audit.models import AuditEntry
from expertnet.auth.models import ApiToken, User
from expertnet.auth.operations import create_user
from expertnet.consultation.models import OutboxMail
from expertnet.contest import operations as ops
from expertnet.contest.models import Edition, Entry
from expertnet.extensions import db

pytestmark = pytest.mark.postgres


@pytest.fixture
def committed_edition(base_app, database_url):
    """An edition open for entries and two authors, committed so other connections see them."""
    if not database_url.startswith("postgresql"):
        pytest.skip(
            "SQLite lets one writer in at a time with a database-wide lock, so two "
            "transactions cannot race; set EXPERTNET_TEST_DATABASE_URL to run this."
        )
    with base_app.test_request_context():
        audit_mark = db.session.scalar(select(func.max(AuditEntry.id))) or 0
        # Filing gives co-authors accounts and mails them: those go too.
        user_mark = db.session.scalar(select(func.max(User.id))) or 0
        mail_mark = db.session.scalar(select(func.max(OutboxMail.id))) or 0
        users = [
            create_user(
                email=f"contest-race-{n}@example.org", name=f"Race {n}", role=role,
                password="correct horse battery",
            )
            for n, role in enumerate(("coordinator", "approver", "approver"))
        ]  # fmt: skip
        edition = ops.create_edition(users[0], edition_data(name="Hội thi thử cạnh tranh"))
        ops.perform_edition_action(edition, "announce", users[0])
        ops.perform_edition_action(edition, "open_entries", users[0])
        db.session.commit()
        ids = {"edition": edition.id, "users": [u.id for u in users]}
        db.session.remove()
    try:
        yield ids
    finally:
        with base_app.app_context(), db.engine.begin() as conn:
            conn.execute(delete(Edition).where(Edition.id == ids["edition"]))  # cascades
            conn.execute(delete(ApiToken).where(ApiToken.user_id.in_(ids["users"])))
            conn.execute(delete(OutboxMail).where(OutboxMail.id > mail_mark))
            conn.execute(delete(User).where(User.id.in_(ids["users"]) | (User.id > user_mark)))
            conn.execute(delete(AuditEntry).where(AuditEntry.id > audit_mark))


def test_two_authors_filing_at_once_get_different_numbers(base_app, committed_edition):
    barrier = threading.Barrier(2)
    results: list[object] = [None, None]

    def run(slot: int, user_id: int) -> None:
        with base_app.test_request_context():
            try:
                edition = db.session.get(Edition, committed_edition["edition"])
                user = db.session.get(User, user_id)
                data = entry_data(title=f"Giải pháp của tác giả {slot + 1} nộp cùng lúc")
                barrier.wait(timeout=10)
                try:
                    entry = ops.create_entry(edition, user, data)
                    time.sleep(0.3)  # hold the edition's row lock so the other filing waits
                    db.session.commit()
                    results[slot] = entry.number
                except Exception as exc:  # the failure (a duplicate number) is the finding
                    db.session.rollback()
                    results[slot] = exc
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=run, args=(i, uid))
        for i, uid in enumerate(committed_edition["users"][1:])
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(results) == [1, 2], results
    with base_app.app_context():
        numbers = db.session.scalars(
            select(Entry.number).where(Entry.edition_id == committed_edition["edition"])
        ).all()
        assert sorted(numbers) == [1, 2]
        db.session.remove()
