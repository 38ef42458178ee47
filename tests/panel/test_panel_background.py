"""The expert graph off the request path: a profile edit is patched in at once; any other
directory change is rebuilt in the background while requests are served from the current
snapshot; one build per process at a time; the anonymous network endpoint never makes a
process build the graph."""

from __future__ import annotations

import threading

import pytest
from test_panel_cache import (
    _config,
    scratch_url,  # noqa: F401
)

from expertnet import create_app
from expertnet.extensions import db
from expertnet.panel import cache
from expertnet.panel.graph import onode, pnode


@pytest.fixture
def bg_app(tmp_path, scratch_url):  # noqa: F811
    config = _config(tmp_path, scratch_url)
    config["EXPERTNET_GRAPH_BACKGROUND"] = True
    app = create_app(config)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    cache.clear()
    yield app
    with app.app_context():
        cache.wait_for_build(db.engine, timeout=120)
        db.session.remove()
        db.engine.dispose()
    cache.clear()


@pytest.fixture
def blocked_builds(monkeypatch):
    """Full builds wait for ``release`` to be set: a request that waited would hang."""
    release = threading.Event()
    started = threading.Event()
    real = cache.build_graph

    def slow(conn, version=(0, 0)):
        started.set()
        assert release.wait(60), "the build was never released"
        return real(conn, version)

    monkeypatch.setattr(cache, "build_graph", slow)
    yield release, started
    release.set()


def _seed():
    from expertnet.directory.models import Organization, Person

    org = Organization(code="X1", name="Hội Thử", kind="member_association")
    person = Person(full_name="Nguyễn Văn Thử", expertise=["thủy sản"], public_profile=True)
    db.session.add_all([org, person])
    db.session.commit()
    return person.id, org.id


def test_profile_edit_is_patched_in_at_once_without_a_build(bg_app, blocked_builds):
    from expertnet.directory.models import Membership

    release, started = blocked_builds
    release.set()  # the first graph of the process is built on the spot
    with bg_app.app_context():
        person_id, org_id = _seed()
        first = cache.get_graph()
        db.session.commit()
        release.clear()
        started.clear()

        db.session.add(Membership(person_id=person_id, organization_id=org_id, role="member"))
        db.session.commit()
        patched = cache.get_graph()
        assert patched.version[0] > first.version[0]
        assert patched.edge_kinds(pnode(person_id), onode(org_id)) == ("member",)
        assert patched.people[person_id].union_orgs == (org_id,)
        assert not started.is_set() and not cache.is_building(db.engine)
        assert first.edge_kinds(pnode(person_id), onode(org_id)) == ()  # left intact
        db.session.remove()


def test_other_directory_change_is_served_from_the_current_graph_while_a_new_one_builds(
    bg_app, blocked_builds
):
    from expertnet.directory.models import Organization

    release, started = blocked_builds
    release.set()  # the first graph of the process is built on the spot
    with bg_app.app_context():
        _person_id, org_id = _seed()
        first = cache.get_graph()
        db.session.commit()
        release.clear()
        started.clear()

        db.session.get(Organization, org_id).name = "Hội Thử Mới"
        db.session.commit()
        # Answered at once from the snapshot it has, while the new one is being built.
        served = cache.get_graph()
        assert served is first
        assert started.wait(60) and cache.is_building(db.engine)
        # Another request meanwhile: still no wait, and no second build.
        assert cache.get_graph() is first
        assert cache.start_background_build(db.engine) is False
        db.session.commit()

        release.set()
        cache.wait_for_build(db.engine, timeout=120)
        fresh = cache.get_graph()
        assert fresh is not first and fresh.version[0] > first.version[0]
        assert fresh.orgs[org_id].name == "Hội Thử Mới"
        db.session.remove()


def test_request_changes_stay_current_while_the_directory_rebuilds(bg_app, blocked_builds):
    """Panels and workload come from the cheap consultation layer: never stale."""
    from expertnet.auth.operations import create_user
    from expertnet.consultation.models import Request
    from expertnet.directory.models import Organization

    release, _started = blocked_builds
    release.set()
    with bg_app.app_context():
        bg_app.config["EXPERTNET_PASSWORD_METHOD"] = "pbkdf2:sha256:1000"
        _person_id, org_id = _seed()
        user = create_user(
            email="c@example.org", name="C", role="coordinator", password="correct horse battery"
        )
        db.session.commit()
        first = cache.get_graph()
        db.session.commit()
        release.clear()
        db.session.get(Organization, org_id).name = "Hội Thử Mới"  # not a patch: a build
        db.session.add(Request(kind="consultation", title="Thử", filed_by_id=user.id))
        db.session.commit()
        served = cache.get_graph()
        assert served.graph is first.graph  # the directory part: the snapshot it had
        assert len(served.requests) == 1  # the consultation layer: current
        db.session.commit()
        release.set()
        cache.wait_for_build(db.engine, timeout=120)
        db.session.remove()


def test_anonymous_network_never_builds_the_graph_on_the_request_path(bg_app, blocked_builds):
    release, started = blocked_builds
    with bg_app.app_context():
        person_id, _org_id = _seed()
        db.session.remove()
    client = bg_app.test_client()
    res = client.get(f"/api/v1/experts/{person_id}/network")
    assert res.status_code == 503
    assert res.headers["Retry-After"] and res.json["error"]["code"] == "graph_not_ready"
    page = client.get(f"/experts/{person_id}/network")
    assert page.status_code == 503 and page.headers["Retry-After"]
    assert started.wait(60)  # the build runs, in the background
    release.set()
    with bg_app.app_context():
        cache.wait_for_build(db.engine, timeout=120)
    res = client.get(f"/api/v1/experts/{person_id}/network")
    assert res.status_code == 200 and res.json["center"] == f"person:{person_id}"


def test_refresh_is_a_plain_function_a_job_can_run(bg_app):
    with bg_app.app_context():
        person_id, _org_id = _seed()
        eg = cache.refresh(db.engine)
        assert person_id in eg.people
        assert cache.refresh(db.engine) is eg  # up to date: nothing rebuilt
        assert cache.get_graph() is eg
        db.session.remove()
