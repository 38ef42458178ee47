"""Two users acting on one request at the same moment: exactly one wins, on real PostgreSQL."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import delete, select

from expertnet.audit.models import AuditEntry
from expertnet.auth.models import ApiToken, User
from expertnet.auth.operations import create_user
from expertnet.consultation.models import Notification, OutboxMail, Request, RequestHistory
from expertnet.consultation.operations import create_request, facts_for, perform_action
from expertnet.core.errors import ApiError
from expertnet.directory.models import Organization
from expertnet.extensions import db

pytestmark = pytest.mark.postgres


@pytest.fixture
def committed_request(base_app, database_url):
    """A submitted request and two coordinators, committed so that other connections see them."""
    if not database_url.startswith("postgresql"):
        pytest.skip(
            "SQLite lets one writer in at a time with a database-wide lock, so two "
            "transactions cannot race on a row; set EXPERTNET_TEST_DATABASE_URL to run this."
        )
    with base_app.test_request_context():
        org = Organization(code="RACE", name="Sở thử cạnh tranh", kind="agency")
        db.session.add(org)
        db.session.flush()
        users = [
            create_user(
                email=f"race-{role}-{n}@example.org",
                name=f"Race {role} {n}",
                role=role,
                password="correct horse battery",
                organization_id=org.id if role == "agency" else None,
            )
            for n, role in enumerate(("agency", "coordinator", "coordinator"))
        ]
        req = create_request(users[0], {"kind": "critique", "title": "Đề án thử cạnh tranh"})
        perform_action(req, "submit", users[0])
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


def _race(app, request_id: int, user_ids: list[int], action: str) -> list[object]:
    """Each user in a thread of its own: read the request, wait for the others, act, commit."""
    barrier = threading.Barrier(len(user_ids))
    results: list[object] = [None] * len(user_ids)

    def run(slot: int, user_id: int) -> None:
        with app.test_request_context():
            try:
                req = db.session.get(Request, request_id)
                user = db.session.get(User, user_id)
                facts_for(req)  # both have read version 2 before either writes
                barrier.wait(timeout=10)
                try:
                    perform_action(req, action, user, {}, None)
                    # Hold the row lock a moment so the other UPDATE really waits on it.
                    time.sleep(0.3)
                    db.session.commit()
                    results[slot] = "won"
                except ApiError as exc:
                    db.session.rollback()
                    results[slot] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, uid)) for i, uid in enumerate(user_ids)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_two_coordinators_accepting_at_once_exactly_one_wins(base_app, committed_request):
    ids = committed_request
    coordinators = ids["users"][1:]
    results = _race(base_app, ids["request"], coordinators, "accept")

    assert results.count("won") == 1, results
    loser = next(r for r in results if r != "won")
    assert isinstance(loser, ApiError)
    assert (loser.status, loser.code) == (409, "version_conflict")
    assert loser.extra == {"current_version": 3, "current_state": "accepted"}

    winner = coordinators[results.index("won")]
    with base_app.app_context():
        req = db.session.get(Request, ids["request"])
        assert (req.state, req.version, req.coordinator_id) == ("accepted", 3, winner)
        accepts = db.session.scalars(
            select(RequestHistory).where(
                RequestHistory.request_id == ids["request"], RequestHistory.action == "accept"
            )
        ).all()
        assert [h.actor_user_id for h in accepts] == [winner]
        db.session.remove()
