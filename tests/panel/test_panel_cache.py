"""The per-process graph cache: reused while nothing changes, refreshed when another
process commits a change (seen through the version row), never rebuilt per request."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from helpers import drop_database, worker_database_url

from expertnet import create_app
from expertnet.extensions import db
from expertnet.panel import cache
from expertnet.panel.graph import onode, pnode


@pytest.fixture
def scratch_url(tmp_path):
    """A committed database of its own: a second process cannot see a test transaction."""
    base = os.environ.get("EXPERTNET_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'graph.db'}"
        return
    url = worker_database_url(base, "panel_cache")
    drop_database(base, url)
    url = worker_database_url(base, "panel_cache")
    yield url
    drop_database(base, url)


def _config(tmp_path, url):
    return {
        "INSTANCE_PATH": str(tmp_path / "inst"),
        "SQLALCHEMY_DATABASE_URI": url,
        "TESTING": True,
        "SECRET_KEY": "x" * 32,
        "EXPERTNET_INDEX_DIR": str(tmp_path / "index"),
        "EXPERTNET_GRAPH_BACKGROUND": False,
    }


@pytest.fixture
def scratch_app(tmp_path, scratch_url):
    app = create_app(_config(tmp_path, scratch_url))
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


SECOND_PROCESS = textwrap.dedent(
    """
    import json, sys
    from expertnet import create_app
    from expertnet.extensions import db
    from expertnet.directory.models import Membership
    app = create_app(json.loads(sys.argv[1]))
    with app.app_context():
        db.session.add(Membership(person_id=int(sys.argv[2]), organization_id=int(sys.argv[3]),
                                  role="chair"))
        db.session.commit()
    """
)


def test_a_change_committed_by_another_process_invalidates_the_cache(tmp_path, scratch_app):
    import json

    from expertnet.directory.models import Organization, Person

    cache.clear()
    with scratch_app.app_context():
        org = Organization(code="X1", name="Hội Thử", kind="member_association")
        person = Person(full_name="Nguyễn Văn Thử", expertise=["thủy sản"])
        db.session.add_all([org, person])
        db.session.commit()
        first = cache.get_graph()
        assert not first.graph.has_edge(pnode(person.id), onode(org.id))
        # Nothing changed: the very same snapshot, no rebuild.
        db.session.commit()
        assert cache.get_graph() is first
        person_id, org_id = person.id, org.id
        db.session.remove()

    config = _config(tmp_path, scratch_app.config["SQLALCHEMY_DATABASE_URI"])
    done = subprocess.run(
        [sys.executable, "-c", SECOND_PROCESS, json.dumps(config), str(person_id), str(org_id)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr

    with scratch_app.app_context():
        second = cache.get_graph()
        assert second is not first
        assert second.version[0] > first.version[0]
        assert second.edge_kinds(pnode(person_id), onode(org_id)) == ("office",)
        db.session.remove()


def test_request_changes_rebuild_only_the_consultation_layer(scratch_app):
    from expertnet.auth.operations import create_user
    from expertnet.consultation.models import Request
    from expertnet.directory.models import Organization

    cache.clear()
    with scratch_app.app_context():
        scratch_app.config["EXPERTNET_PASSWORD_METHOD"] = "pbkdf2:sha256:1000"
        agency = Organization(code="A1", name="Sở Thử", kind="agency")
        db.session.add(agency)
        user = create_user(
            email="c@example.org", name="C", role="coordinator", password="correct horse battery"
        )
        db.session.commit()
        before = cache.get_graph()
        db.session.add(
            Request(kind="consultation", title="Thử", agency_id=agency.id, filed_by_id=user.id)
        )
        db.session.commit()
        after = cache.get_graph()
        assert after is not before
        assert after.graph is before.graph  # the big directory graph is shared, not rebuilt
        assert after.version[0] == before.version[0]
        assert after.version[1] > before.version[1]
        assert len(after.requests) == 1 and not before.requests
        db.session.remove()


def test_uncommitted_changes_get_a_private_snapshot(app, make_org, session):
    """Changes flushed but not committed are seen by their own transaction only; the
    version moves at commit."""
    shared = cache.get_graph()
    first = cache.current_version()
    org = make_org()
    assert cache.current_version() == first  # no row lock until the commit
    private = cache.get_graph()
    assert private is not shared and org.id in private.orgs
    assert org.id not in shared.orgs and cache.get_graph() is not private  # never cached
    session.commit()
    committed = cache.current_version()
    assert committed[0] > first[0] and committed[1] == first[1]
    assert cache.get_graph() is cache.get_graph()
    assert org.id in cache.get_graph().orgs
    cached = cache.get_graph()
    make_org()
    assert cache.get_graph() is not cached
    session.rollback()  # the change and its mark are gone: the shared snapshot again
    assert cache.get_graph() is cached


def test_versions_are_never_reused(app, session):
    """A bump lands at least on the clock (microseconds): a value seen inside a
    transaction that was rolled back cannot come back for different data."""
    import time

    before = time.time_ns() // 1000
    cache._bump(session, {"version"})
    one = cache.current_version()[0]
    cache._bump(session, {"version"})
    two = cache.current_version()[0]
    assert before <= one < two


def test_bulk_core_writes_bump_the_version_too(app, session):
    """The demo loader and imports write with Core ``insert()``, not the unit of work."""
    from sqlalchemy import insert

    from expertnet.directory.models import Organization

    before = cache.current_version()
    session.execute(
        insert(Organization),
        [{"code": "BULK1", "name": "Hội Bulk", "kind": "club"}],
    )
    assert any(o.code == "BULK1" for o in cache.get_graph().orgs.values())
    session.commit()
    after = cache.current_version()
    assert after[0] > before[0] and after[1] == before[1]
    assert any(o.code == "BULK1" for o in cache.get_graph().orgs.values())
