"""Pruning the change log (``graph_change``): rows a snapshot holds are deleted, and a
process whose graph is older than what was pruned answers exactly like a fresh build —
by mapping the newest snapshot and patching from it, or by building when it has none."""

from __future__ import annotations

import shutil

from sqlalchemy import select
from test_panel_cache import scratch_url  # noqa: F401
from test_panel_snapshot import (
    _answers,
    _as_networkx,
    _edit,
    _same_graph,
    _seed,
    snap_app,  # noqa: F401
)

from expertnet.extensions import db
from expertnet.panel import cache, snapshot
from expertnet.panel.graph import build_graph
from expertnet.panel.models import GraphChange


def _rows() -> list[tuple[int, int | None]]:
    t = GraphChange.__table__
    return [tuple(r) for r in db.session.execute(select(t.c.version, t.c.person_id))]


def _count_builds(monkeypatch) -> list[int]:
    builds: list[int] = []
    real = cache.build_graph
    monkeypatch.setattr(cache, "build_graph", lambda *a, **k: builds.append(1) or real(*a, **k))
    return builds


def _edit_more(person_ids) -> None:
    from expertnet.directory.models import Person

    p = db.session.get(Person, person_ids[8])
    p.expertise = ["rừng ngập mặn", "đa dạng sinh học"]
    p.position = "Nghiên cứu viên chính"
    db.session.commit()


def test_a_process_whose_changes_were_pruned_answers_like_a_fresh_build(
    snap_app,  # noqa: F811
    monkeypatch,
):
    snap_app.config["EXPERTNET_GRAPH_CHANGE_KEEP"] = 0
    with snap_app.app_context():
        url = str(db.engine.url)
        person_ids, org_ids = _seed()
        db.session.remove()
        first = cache.refresh(db.engine)
        old = cache._graphs[url]  # this process maps the first snapshot
        assert old.version[0] == first.version[0]
        new_id = _edit(person_ids, org_ids)  # people change: rows in graph_change
        edited = cache.current_version()[0]
        assert any(v == edited and p is not None for v, p in _rows())
        db.session.remove()

        # Another process writes a new snapshot, which prunes the rows it holds.
        cache.clear()
        second = cache.refresh(db.engine)
        assert second.version[0] == edited
        rows = _rows()
        assert (edited, None) in rows  # the mark that changes up to here are gone
        assert all(v > edited or (v, p) == (edited, None) for v, p in rows)

        # This process still has the first snapshot; one more edit comes.
        cache.clear()
        cache._graphs[url] = old
        _edit_more(person_ids)
        builds = _count_builds(monkeypatch)
        eg = cache.get_graph()
        db.session.commit()
        assert not builds  # it mapped the second snapshot and patched the last edit
        full = build_graph(db.session.connection(), cache.current_version())
        ids = [*person_ids, new_id]
        assert eg.version[0] == full.version[0]
        _same_graph(_as_networkx(eg), _as_networkx(full))
        assert _answers(eg, ids, org_ids) == _answers(full, ids, org_ids)

        # A process that cannot see the second snapshot (another node, or it is gone)
        # builds instead of patching from an incomplete log.
        shutil.rmtree(snapshot.snapshot_dir(cache.snapshot_root(db.engine), edited))
        cache.clear()
        cache._graphs[url] = old
        db.session.commit()
        eg = cache.get_graph()
        db.session.commit()
        assert builds == [1]
        _same_graph(_as_networkx(eg), _as_networkx(full))
        assert _answers(eg, ids, org_ids) == _answers(full, ids, org_ids)
        db.session.remove()


def test_the_command_and_the_job_prune_only_what_a_snapshot_holds_and_is_old_enough(
    snap_app,  # noqa: F811
):
    from expertnet.jobs import job_name, run_job
    from expertnet.panel.jobs import prune_graph_changes

    with snap_app.app_context():
        person_ids, org_ids = _seed()
        db.session.remove()
        first = cache.refresh(db.engine)  # keeps the last hour: prunes nothing yet
        assert any(v <= first.version[0] for v, _p in _rows())
        _edit(person_ids, org_ids)
        edited = cache.current_version()[0]
        before = _rows()
        db.session.remove()

    runner = snap_app.test_cli_runner()
    result = runner.invoke(args=["graph", "prune-changes"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("0 graph_change rows")
    with snap_app.app_context():
        assert _rows() == before
        db.session.remove()

    # Everything is old enough: what the newest snapshot holds goes, the edit after it stays.
    result = runner.invoke(args=["graph", "prune-changes", "--keep-hours", "0"])
    assert result.exit_code == 0, result.output
    with snap_app.app_context():
        rows = _rows()
        assert (first.version[0], None) in rows
        assert [r for r in rows if r[0] > first.version[0]] == [
            r for r in before if r[0] > first.version[0]
        ]
        assert all(v >= first.version[0] for v, _p in rows)
        assert any(v == edited for v, _p in rows)

        # A new snapshot (the job of a deployment that builds rarely), then the job.
        cache.clear()
        db.session.remove()
        second = cache.refresh(db.engine)
        assert second.version[0] == edited
        assert any(v == edited and p is not None for v, p in _rows())  # young: kept
        db.session.remove()  # SQLite: no read transaction left open while the job writes
        out = run_job(snap_app, job_name(prune_graph_changes), [], {"keep_seconds": 0})
        assert out["up_to_version"] == edited and out["deleted"] > 0
        assert _rows() == [(edited, None)]

        # A fresh process maps the snapshot; nothing to patch, the same answers.
        cache.clear()
        eg = cache.get_graph()
        full = build_graph(db.session.connection(), cache.current_version())
        _same_graph(_as_networkx(eg), _as_networkx(full))
        db.session.remove()
