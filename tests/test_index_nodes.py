"""Two app nodes with index folders of their own on one database, with real commits.

Each node runs its background syncer as a web process does: on PostgreSQL it is woken
by LISTEN/NOTIFY (its poll is set far beyond the test's bound, so only the notification
can make it in time), on SQLite it polls. Waits poll the other node with a generous
bound; nothing depends on how fast the machine is.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from helpers import bearer, drop_database, worker_database_url

from expertnet import create_app
from expertnet.extensions import db
from expertnet.search import changelog
from expertnet.search.syncer import start_syncer, stop_syncers

BOUND = 30.0  # seconds: generous; the design target is 2 s (docs/performance.md)


def wait_for(condition, what: str, bound: float = BOUND):
    deadline = time.monotonic() + bound
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {bound} s: {what}")
        time.sleep(0.05)


@pytest.fixture
def shared_url(tmp_path):
    base = os.environ.get("EXPERTNET_TEST_DATABASE_URL")
    if not base:
        # Several app nodes share a server database; SQLite is the one-node embedded
        # default, where a node's long index rebuild holds the file's lock against the
        # other node's writes. The syncer itself is tested on SQLite in test_index_sync.py.
        pytest.skip("several nodes need a server database (set EXPERTNET_TEST_DATABASE_URL)")
    url = worker_database_url(base, "nodes")
    drop_database(base, url)
    url = worker_database_url(base, "nodes")
    yield url
    drop_database(base, url)


@pytest.fixture
def nodes(tmp_path, shared_url):
    postgres = shared_url.startswith("postgresql")
    apps = []
    for name in ("a", "b"):
        apps.append(
            create_app(
                {
                    "INSTANCE_PATH": str(tmp_path / name),
                    "TESTING": True,
                    "SECRET_KEY": "two-nodes-test-secret",
                    "SQLALCHEMY_DATABASE_URI": shared_url,
                    "EXPERTNET_INDEX_DIR": str(tmp_path / name / "index"),
                    "EXPERTNET_PASSWORD_METHOD": "pbkdf2:sha256:1000",
                    "EXPERTNET_INDEX_WARM": False,
                    "EXPERTNET_INDEX_SYNC": True,
                    # Only the index's own threads here: a background graph build's long
                    # read would hold SQLite's lock against the writes these tests make.
                    "EXPERTNET_GRAPH_BACKGROUND": False,
                    "EXPERTNET_JOBS_EAGER": True,
                    # PostgreSQL: only a notification can wake the other node in time.
                    "EXPERTNET_INDEX_POLL_SECONDS": 600.0 if postgres else 0.2,
                }
            )
        )
    a, b = apps
    with a.app_context():
        from flask_migrate import upgrade

        from expertnet.auth.models import ApiToken
        from expertnet.auth.operations import create_user
        from expertnet.directory.taxonomy import ensure_fields

        upgrade()
        ensure_fields(db.session)
        user = create_user(
            email="admin@example.org",
            name="Quản trị",
            role="admin",
            password="correct horse battery",
        )
        _, token = ApiToken.issue(user)
        db.session.commit()
        db.session.remove()
    try:
        yield {"a": a, "b": b, "token": token, "postgres": postgres}
    finally:
        stop_syncers()
        for app in apps:
            with app.app_context():
                db.engine.dispose()


def search(app, token: str, q: str) -> dict:
    res = app.test_client().get("/api/v1/experts", query_string={"q": q}, headers=bearer(token))
    assert res.status_code == 200, res.json
    return res.json


def from_index(app, token: str, q: str) -> list[int]:
    """Ids found by the node's index (None while it answers from the database fallback)."""
    body = search(app, token, q)
    if body.get("notice"):
        return None
    return [item["id"] for item in body["items"]]


def health(app) -> dict:
    return app.test_client().get("/healthz").json


def caught_up(app) -> bool:
    body = health(app)
    return body["status"] == "ok" and body["index"]["behind"] == 0


def generation(app) -> str:
    return (Path(app.config["EXPERTNET_INDEX_DIR"]) / "CURRENT").read_text()


def test_a_change_on_one_node_is_found_on_the_other(nodes):
    a, b, token = nodes["a"], nodes["b"], nodes["token"]
    for app in (a, b):
        start_syncer(app)
    wait_for(lambda: caught_up(a) and caught_up(b), "both nodes catch up on start")
    if nodes["postgres"]:
        assert health(b)["index"]["syncer"] == "listening"
    built = generation(b)

    res = a.test_client().post(
        "/api/v1/experts",
        json={"full_name": "Bùi Thanh Tùng", "expertise": ["địa kỹ thuật công trình biển"]},
        headers=bearer(token),
    )
    assert res.status_code == 201, res.json
    person_id = res.json["id"]
    assert from_index(a, token, "dia ky thuat cong trinh bien") == [person_id]  # at once
    started = time.monotonic()
    wait_for(
        lambda: from_index(b, token, "dia ky thuat cong trinh bien") == [person_id],
        "node B finds the expert created on node A",
    )
    print(f"\nnode B found node A's change after {time.monotonic() - started:.3f} s")

    res = a.test_client().patch(
        f"/api/v1/experts/{person_id}",
        json={"expertise": ["kè chắn sóng"], "version": res.json["version"]},
        headers=bearer(token),
    )
    assert res.status_code == 200, res.json
    wait_for(
        lambda: from_index(b, token, "ke chan song") == [person_id],
        "node B finds node A's edit",
    )
    assert from_index(b, token, "dia ky thuat cong trinh bien") == []
    assert generation(b) == built  # B replayed the log; it did not rebuild
    wait_for(lambda: caught_up(b), "node B reports itself caught up")


def test_a_node_that_was_down_catches_up_on_start(nodes):
    a, b, token = nodes["a"], nodes["b"], nodes["token"]
    start_syncer(b)
    wait_for(lambda: caught_up(b), "node B catches up on start")
    # Node B goes down (and its next request must not start it again).
    b.config["EXPERTNET_INDEX_SYNC"] = False
    stop_syncers(b)

    res = a.test_client().post(
        "/api/v1/experts",
        json={"full_name": "Ngô Thị Vắng", "expertise": ["môi trường đô thị"]},
        headers=bearer(token),
    )
    assert res.status_code == 201
    with b.app_context():
        head = changelog.head(db.session).last_id
        db.session.remove()
    body = health(b)
    assert body["index"]["behind"] == 1 and body["index"]["head"] == head
    assert from_index(b, token, "moi truong do thi") == []

    b.config["EXPERTNET_INDEX_SYNC"] = True
    start_syncer(b)  # node B comes back
    wait_for(
        lambda: from_index(b, token, "moi truong do thi") == [res.json["id"]],
        "node B applies what it missed",
    )


def test_a_node_registers_its_position_for_pruning(nodes):
    b = nodes["b"]
    start_syncer(b)

    def registered():
        with b.app_context():
            try:
                return changelog.nodes(db.session)
            finally:
                db.session.remove()

    rows = wait_for(registered, "node B registers itself")
    assert [r["index_dir"] for r in rows] == [str(Path(b.config["EXPERTNET_INDEX_DIR"]).resolve())]
    with b.app_context():
        assert rows[0]["applied_id"] == changelog.head(db.session).last_id
        db.session.remove()


def test_a_running_node_rebuilds_its_deleted_index_folder(nodes):
    """Issue 9 item 10, with the node's own background syncer doing the repair."""
    a, b, token = nodes["a"], nodes["b"], nodes["token"]
    res = a.test_client().post(
        "/api/v1/experts",
        json={"full_name": "Lưu Văn Bền", "expertise": ["phục hồi dữ liệu"]},
        headers=bearer(token),
    )
    assert res.status_code == 201
    start_syncer(b)
    wait_for(lambda: from_index(b, token, "phuc hoi du lieu") == [res.json["id"]], "B syncs")

    shutil.rmtree(b.config["EXPERTNET_INDEX_DIR"])

    wait_for(
        lambda: from_index(b, token, "phuc hoi du lieu") == [res.json["id"]],
        "node B rebuilds its deleted index and searches it again",
    )
    wait_for(lambda: caught_up(b), "node B reports itself healthy again")


def test_the_syncer_never_touches_the_request_session(nodes, monkeypatch):
    """Its thread has a session of its own: ``db.session`` belongs to requests (and the
    test fixture rebinds it to a test's connection, which a thread must never share)."""
    b = nodes["b"]
    syncer = start_syncer(b)
    wait_for(lambda: syncer.passes >= 1, "node B's first pass")

    class Forbidden:
        def remove(self):
            """Flask-SQLAlchemy's app-context teardown: ends this scope's session only."""

        def __getattr__(self, name):
            raise AssertionError(f"the syncer used db.session.{name}")

    monkeypatch.setattr(db, "session", Forbidden())
    before = syncer.passes
    syncer.wake()
    wait_for(lambda: syncer.passes > before or syncer.last_error, "another pass")
    assert syncer.last_error is None and syncer.passes > before


def test_a_sync_or_rebuild_job_commits_on_a_session_of_its_own(nodes):
    from expertnet.search.index import sync_in_own_session

    b = nodes["b"]
    first = sync_in_own_session(b)
    assert first.rebuilt is not None  # a new node: built from the database
    assert sync_in_own_session(b).describe().startswith("up to date")
    again = sync_in_own_session(b, rebuild=True)
    assert again.reason == "requested" and again.rebuilt is not None
    with b.app_context():
        rows = changelog.nodes(db.session)
        db.session.remove()
    assert [r["applied_id"] for r in rows] == [again.position]
