"""Every list endpoint and page runs a bounded number of SQL statements, whatever the page.

Each list is counted twice: with a few items, then with more items of every kind (fields,
subject organisations, a published opinion, notifications). A count that grows with the
items is an N+1 query; the request list must stay within six statements.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from helpers import bearer
from sqlalchemy import event

from expertnet.extensions import db


@contextmanager
def statements(app) -> Iterator[list[str]]:
    """Collect every SQL statement the app's engine runs inside the block."""
    seen: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


def count(app, client, url: str, token: str | None) -> int:
    headers = bearer(token) if token else {}
    with statements(app) as seen:
        res = client.get(url, headers=headers)
    assert res.status_code == 200, (url, res.status_code)
    return len(seen)


# (url, who asks, the most statements it may run: authentication and the page included)
LISTS = [
    ("/api/v1/requests", "coordinator", 6),
    ("/api/v1/requests?per_page=100", "agency", 6),
    ("/api/v1/experts?q=", "coordinator", 6),
    ("/api/v1/experts?q=nguyen", None, 6),
    ("/api/v1/organizations", None, 5),
    ("/api/v1/opinions", None, 5),
    ("/api/v1/me/notifications", "coordinator", 5),
    ("/api/v1/me/invitations", "expert", 8),
    ("/requests", "coordinator", 6),
    ("/workbench", "coordinator", 6),
    # The signed-in user's row and roles may be reloaded (two statements, once, not per item).
    ("/approvals", "approver", 11),
    ("/register", None, 6),
    ("/notifications", "coordinator", 6),
    ("/experts", None, 6),
    ("/experts?q=nguyen", "coordinator", 8),
    ("/organizations", None, 6),
    ("/inbox", "expert", 9),
]


def _counts(app, client, world) -> dict[str, tuple[int, list[str]]]:
    out = {}
    for url, role, _limit in LISTS:
        who = world.experts[0] if role == "expert" else getattr(world, role) if role else None
        headers = bearer(who.token) if who is not None and url.startswith("/api/") else {}
        if who is not None and not url.startswith("/api/"):
            _login(client, who)
        with statements(app) as seen:
            res = client.get(url, headers=headers)
        assert res.status_code == 200, (url, res.status_code)
        out[url] = (len(seen), list(seen))
        with client.session_transaction() as sess:
            sess.clear()
    return out


def _login(client, who) -> None:
    with client.session_transaction() as sess:
        sess["_user_id"] = who.user.get_id()
        sess["_fresh"] = True


def test_list_endpoints_and_pages_run_a_bounded_number_of_statements(app, client, world):
    # One item of every kind first, so that every eager load already runs once.
    world.to_approval(fields=["ENG-IT"])
    world.to_published(fields=["ENG-IT"])
    world.file(fields=["ENG-IT"])
    few = _counts(app, client, world)
    # More of everything a list item can carry: fields, subject organisations, panels,
    # consolidations awaiting approval, published opinions, notifications.
    subject = world.agency.user.organization_id
    world.to_approval(fields=["ENG-IT", "NAT-MAT"], subject_organizations=[subject])
    world.to_published(fields=["NAT-MAT"], subject_organizations=[subject])
    for _ in range(20):
        world.file(fields=["ENG-IT", "NAT-MAT"], subject_organizations=[subject])
    many = _counts(app, client, world)
    for url, _role, limit in LISTS:
        n, seen = many[url]
        # Two more are allowed: an eager load runs only once a relation is non-empty, and
        # the signed-in user (row and roles) may be reloaded after the test's own commits.
        assert n <= limit and n <= few[url][0] + 2, (url, few[url][0], n, seen)


def test_request_list_runs_at_most_six_statements_for_a_full_page(app, client, world):
    subject = world.agency.user.organization_id
    for _ in range(25):
        world.file(fields=["ENG-IT", "NAT-MAT"], subject_organizations=[subject])
    with statements(app) as seen:
        res = client.get("/api/v1/requests?per_page=20", headers=bearer(world.agency.token))
    assert len(res.json["items"]) == 20
    assert len(seen) <= 6, seen
