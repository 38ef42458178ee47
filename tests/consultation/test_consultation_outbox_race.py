"""Ten reminder runs at once against one SMTP server: each mail leaves exactly once (PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import delete, select
from test_consultation_mail import _Collect, _free_port

from expertnet.audit.models import AuditEntry
from expertnet.auth.models import ApiToken, User
from expertnet.auth.operations import create_user
from expertnet.consultation.models import Notification, OutboxMail, Request, RequestHistory
from expertnet.consultation.operations import create_request, perform_action
from expertnet.consultation.reminders import remind
from expertnet.directory.models import Organization
from expertnet.extensions import db

pytestmark = pytest.mark.postgres

RUNS = 10


@pytest.fixture
def waiting_mail(base_app, database_url, monkeypatch):
    """Committed: a request due tomorrow (reminders to queue) and 40 mails in the outbox."""
    if not database_url.startswith("postgresql"):
        pytest.skip(
            "SQLite lets one writer in at a time; the row-by-row claim is proved on "
            "PostgreSQL: set EXPERTNET_TEST_DATABASE_URL to run this."
        )
    monkeypatch.setitem(base_app.config, "EXPERTNET_SMTP_URL", None)
    with base_app.test_request_context():
        org = Organization(code="OUTBOX", name="Sở thử hộp thư", kind="agency")
        db.session.add(org)
        db.session.flush()
        users = [
            create_user(
                email=f"outbox-{role}-{n}@example.org",
                name=f"Outbox {role} {n}",
                role=role,
                password="correct horse battery",
                organization_id=org.id if role == "agency" else None,
            )
            for n, role in enumerate(["agency"] + ["coordinator"] * 3 + ["approver"] * 5)
        ]
        tomorrow = (datetime.now(UTC) + timedelta(days=1)).date()
        req = create_request(
            users[0], {"kind": "critique", "title": "Đề án thử hộp thư", "due_date": tomorrow}
        )
        perform_action(req, "submit", users[0])  # queues a mail to each coordinator
        for n in range(40):
            user = users[n % len(users)]
            db.session.add(
                OutboxMail(
                    user_id=user.id,
                    to_address=user.email,
                    subject=f"Thư số {n}",
                    body="Nội dung\n",
                    dedupe_key=f"outbox-race:{n}",
                    attempts=0,
                )
            )
        db.session.commit()
        ids = {"request": req.id, "org": org.id, "users": [u.id for u in users]}
        db.session.remove()
    try:
        yield ids
    finally:
        with base_app.app_context(), db.engine.begin() as conn:
            user_ids = ids["users"]
            conn.execute(delete(Notification).where(Notification.user_id.in_(user_ids)))
            conn.execute(delete(OutboxMail).where(OutboxMail.user_id.in_(user_ids)))
            conn.execute(delete(RequestHistory).where(RequestHistory.request_id == ids["request"]))
            conn.execute(delete(Request).where(Request.id == ids["request"]))
            conn.execute(delete(ApiToken).where(ApiToken.user_id.in_(user_ids)))
            conn.execute(delete(User).where(User.id.in_(user_ids)))
            conn.execute(
                delete(AuditEntry).where(
                    AuditEntry.entity_type == "organization", AuditEntry.entity_id == ids["org"]
                )
            )
            conn.execute(delete(Organization).where(Organization.id == ids["org"]))


def test_ten_concurrent_reminder_runs_send_each_mail_exactly_once(
    base_app, waiting_mail, monkeypatch
):
    handler = _Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    monkeypatch.setitem(
        base_app.config, "EXPERTNET_SMTP_URL", f"smtp://127.0.0.1:{controller.port}"
    )
    barrier = threading.Barrier(RUNS)
    results: list[object] = [None] * RUNS

    def run(slot: int) -> None:
        with base_app.test_request_context():
            try:
                barrier.wait(timeout=30)
                results[slot] = remind()
            except Exception as exc:  # reported below, with the others
                results[slot] = exc
            finally:
                db.session.remove()

    try:
        threads = [threading.Thread(target=run, args=(n,)) for n in range(RUNS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    finally:
        controller.stop()

    errors = [r for r in results if not isinstance(r, dict)]
    assert errors == [], errors
    with base_app.app_context():
        user_ids = waiting_mail["users"]
        rows = db.session.execute(
            select(OutboxMail.id, OutboxMail.sent_at, OutboxMail.dedupe_key).where(
                OutboxMail.user_id.in_(user_ids)
            )
        ).all()
        db.session.remove()
    # 3 "submitted" mails, 40 waiting, and the due-date reminders that one run queued.
    reminders = [r for r in rows if r.dedupe_key.startswith("reminder_request_due")]
    assert reminders and len(rows) == 43 + len(reminders)
    assert sum(r["reminder"] for r in results) == len(reminders)  # queued by one run only
    assert all(r.sent_at is not None for r in rows)
    sent_ids = [str(m["Message-ID"]) for _to, m in handler.messages]
    assert sorted(sent_ids) == sorted(f"<outbox-{r.id}@expertnet>" for r in rows)  # once each
