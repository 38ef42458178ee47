"""With a job broker, a web process that needs a new snapshot enqueues the build job
(once) instead of building in a thread; the snapshot the worker writes is then mapped.
Real Redis (skipped when it does not run), real messages."""

from __future__ import annotations

import socket
import uuid

import pytest
from test_panel_cache import _config, scratch_url  # noqa: F401
from test_panel_snapshot import _seed

from expertnet import create_app
from expertnet.extensions import db
from expertnet.jobs import broker_for, job_name, run_job
from expertnet.panel import cache
from expertnet.panel.jobs import build_graph_snapshot

REDIS = "redis://127.0.0.1:6379/0"


def _redis_running() -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", 6379)) == 0


@pytest.fixture
def broker_app(tmp_path, scratch_url):  # noqa: F811
    if not _redis_running():
        pytest.skip("redis is not running on 127.0.0.1:6379")
    queue = f"test-graph-{uuid.uuid4().hex[:10]}"
    app = create_app(
        {
            **_config(tmp_path, scratch_url),
            "EXPERTNET_GRAPH_BACKGROUND": True,
            "EXPERTNET_BROKER_URL": REDIS,
            "EXPERTNET_JOB_QUEUE": queue,
        }
    )
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    cache.clear()
    yield app, queue
    with app.app_context():
        broker = broker_for(app)
        broker.client.delete(f"dramatiq:{queue}", f"dramatiq:{queue}.msgs")
        broker.close()
        db.session.remove()
        db.engine.dispose()
    cache.clear()


def _queued(app, queue: str) -> int:
    return broker_for(app).client.hlen(f"dramatiq:{queue}.msgs")


def test_a_web_process_enqueues_the_build_once_and_maps_what_the_worker_wrote(broker_app):
    from expertnet.directory.models import Organization

    app, queue = broker_app
    with app.app_context():
        url = str(db.engine.url)
        _person_ids, org_ids = _seed(6)
        db.session.remove()
        first = cache.refresh(db.engine)
        assert cache.get_graph().version[0] == first.version[0]
        db.session.get(Organization, org_ids[0]).name = "Hội Đổi Tên"  # needs a build
        db.session.commit()
        wanted = cache.current_version()[0]

        stale = cache.get_graph()
        assert stale.version[0] == first.version[0]  # answered from what it has
        assert not cache.is_building()  # no thread: a worker was asked
        assert _queued(app, queue) == 1
        cache.get_graph()
        db.session.commit()
        assert _queued(app, queue) == 1  # asked once
        db.session.remove()

        # The worker (another process) runs the job: it builds and writes the snapshot.
        mine = dict(cache._graphs)
        cache._graphs.clear()
        out = run_job(app, job_name(build_graph_snapshot), [], {})
        assert out["version"][0] == wanted
        cache._graphs.clear()
        cache._graphs.update(mine)

        eg = cache.get_graph()
        assert eg.version[0] == wanted and eg.orgs[org_ids[0]].name == "Hội Đổi Tên"
        assert url not in cache._asked
        db.session.remove()


def test_without_a_broker_the_process_builds_in_a_thread(tmp_path, scratch_url):  # noqa: F811
    from expertnet.directory.models import Organization

    app = create_app({**_config(tmp_path, scratch_url), "EXPERTNET_GRAPH_BACKGROUND": True})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        cache.clear()
        _person_ids, org_ids = _seed(6)
        db.session.remove()
        first = cache.refresh(db.engine)
        db.session.get(Organization, org_ids[0]).name = "Hội Đổi Tên"
        db.session.commit()
        assert cache.get_graph().version[0] == first.version[0]
        db.session.remove()
        cache.wait_for_build(db.engine)
        eg = cache.get_graph()
        assert eg.version[0] == cache.current_version()[0]
        assert eg.orgs[org_ids[0]].name == "Hội Đổi Tên"
        db.session.remove()
        db.engine.dispose()
    cache.clear()
