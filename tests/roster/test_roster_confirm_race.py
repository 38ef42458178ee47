"""Parallel confirmations of one roster upload import it exactly once, on real PostgreSQL."""

from __future__ import annotations

import io
import threading

import pytest
from helpers import csrf_from
from roster_helpers import csv_text
from sqlalchemy import delete, func, select

from expertnet.audit.models import AuditEntry
from expertnet.auth.models import ApiToken, User
from expertnet.auth.operations import create_user
from expertnet.directory.models import Membership, Organization, Person
from expertnet.extensions import db
from expertnet.roster.models import RosterImportClaim

pytestmark = pytest.mark.postgres

ROWS = 60
PARALLEL = 4


@pytest.fixture
def committed_liaison(base_app, database_url, tmp_path):
    if not database_url.startswith("postgresql"):
        pytest.skip(
            "SQLite lets one writer in at a time with a database-wide lock, so two "
            "confirmations cannot race; set EXPERTNET_TEST_DATABASE_URL to run this."
        )
    base_app.config["EXPERTNET_UPLOAD_DIR"] = str(tmp_path / "uploads")
    base_app.config["EXPERTNET_INDEX_DIR"] = str(tmp_path / "index")
    with base_app.test_request_context():
        org = Organization(code="RACEROSTER", name="Hội thử xác nhận", kind="member_association")
        db.session.add(org)
        db.session.flush()
        user = create_user(
            email="race-liaison@example.org",
            name="Race liaison",
            role="liaison",
            password="correct horse battery",
            organization_id=org.id,
        )
        db.session.commit()
        ids = {"org": org.id, "user": user.id}
        db.session.remove()
    try:
        yield ids
    finally:
        with base_app.app_context(), db.engine.begin() as conn:
            people = select(Membership.person_id).where(Membership.organization_id == ids["org"])
            person_ids = list(conn.scalars(people))
            conn.execute(delete(Membership).where(Membership.organization_id == ids["org"]))
            conn.execute(delete(Person).where(Person.id.in_(person_ids)))
            conn.execute(
                delete(RosterImportClaim).where(RosterImportClaim.organization_id == ids["org"])
            )
            conn.execute(delete(ApiToken).where(ApiToken.user_id == ids["user"]))
            conn.execute(delete(AuditEntry).where(AuditEntry.actor_user_id == ids["user"]))
            conn.execute(delete(User).where(User.id == ids["user"]))
            conn.execute(delete(Organization).where(Organization.id == ids["org"]))


def test_parallel_confirms_of_one_upload_import_it_exactly_once(base_app, committed_liaison):
    ids = committed_liaison
    rows = [["full_name", "email", "birth_year"]] + [
        [f"Người Thử {i}", f"race{i}@example.org", "1971"] for i in range(ROWS)
    ]
    clients = [base_app.test_client() for _ in range(PARALLEL)]
    for c in clients:
        page = c.get("/login")
        c.post(
            "/login",
            data={
                "email": "race-liaison@example.org",
                "password": "correct horse battery",
                "csrf_token": csrf_from(page.text),
            },
        )
    first = clients[0]
    page = first.get(f"/organizations/{ids['org']}/roster/import")
    res = first.post(
        f"/organizations/{ids['org']}/roster/import",
        data={
            "csrf_token": csrf_from(page.text),
            "file": (io.BytesIO(csv_text(rows).encode()), "race.csv"),
        },
        content_type="multipart/form-data",
    )
    assert res.status_code == 302, res.text
    preview_url = res.headers["Location"]
    tokens = [csrf_from(c.get(preview_url).text) for c in clients]

    barrier = threading.Barrier(PARALLEL)
    statuses: list[int | None] = [None] * PARALLEL

    def confirm(slot: int) -> None:
        barrier.wait(timeout=10)
        answer = clients[slot].post(preview_url, data={"csrf_token": tokens[slot]})
        statuses[slot] = answer.status_code

    threads = [threading.Thread(target=confirm, args=(i,)) for i in range(PARALLEL)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert statuses == [302] * PARALLEL  # no 500, however the race went
    with base_app.app_context():
        members = db.session.scalar(
            select(func.count(Membership.id)).where(Membership.organization_id == ids["org"])
        )
        people = db.session.scalar(
            select(func.count(Person.id)).where(Person.full_name.like("Người Thử %"))
        )
        claims = db.session.scalars(
            select(RosterImportClaim).where(RosterImportClaim.organization_id == ids["org"])
        ).all()
        db.session.remove()
    assert (members, people) == (ROWS, ROWS)
    assert len(claims) == 1 and claims[0].result["created"] == ROWS
    # Every confirmer is shown the one result.
    for c in clients:
        shown = c.get(preview_url).text
        assert f">{ROWS}<" in shown
