"""Each node's index follows the change log in the database (in one test transaction).

"Another node" here is a second index folder on the same database: the commit applies
the change to the node whose folder is configured, the other learns of it only by
``sync_index`` replaying the log.
"""

from __future__ import annotations

import contextlib
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from expertnet.core.types import utcnow
from expertnet.search import changelog
from expertnet.search.hooks import mark_all_people_changed
from expertnet.search.index import (
    get_index,
    index_status,
    node_folder,
    rebuild_index,
    record_position,
    sync_index,
)
from expertnet.search.models import IndexChange, IndexLogHead
from expertnet.search.node import NodeState
from search_index import SearchQuery


@contextlib.contextmanager
def on_node(app, folder: Path):
    """Act as the node whose index is ``folder``."""
    before = app.config["EXPERTNET_INDEX_DIR"]
    app.config["EXPERTNET_INDEX_DIR"] = str(folder)
    try:
        yield
    finally:
        app.config["EXPERTNET_INDEX_DIR"] = before


def found(app, text: str) -> set[int]:
    hits = get_index(app).search(SearchQuery(text=text, per_page=100)).hits
    return {h["id"] for h in hits}


def generation(folder: Path) -> str:
    return (folder / "CURRENT").read_text()


def head(session) -> int:
    return changelog.head(session).last_id


@pytest.fixture
def other(app, tmp_path, session, make_person):
    """A second node, synced with the log, and one person both nodes know."""
    person = make_person(full_name="Phạm Minh Châu", expertise=["cảng biển"])
    session.commit()
    folder = tmp_path / "node-b"
    with on_node(app, folder):
        report = sync_index(app)
    assert report.rebuilt == 1
    return {"folder": folder, "person": person}


def test_a_commit_logs_each_changed_person_in_its_own_transaction(app, session, make_person):
    start = head(session)
    person = make_person(full_name="Vũ Thị Hoa")
    session.commit()
    rows = session.execute(
        select(IndexChange.id, IndexChange.kind, IndexChange.entity_id).where(
            IndexChange.id > start
        )
    ).all()
    assert [(r.kind, r.entity_id) for r in rows] == [("person", person.id)]
    assert rows[0].id == start + 1 == head(session)


def test_a_rolled_back_change_logs_nothing(app, session, make_person):
    start = head(session)
    make_person(full_name="Đỗ Văn Lùi")
    session.rollback()
    assert head(session) == start
    assert session.scalar(select(func.count()).where(IndexChange.id > start)) == 0


def test_another_node_replays_a_change_without_rebuilding(app, session, other):
    person, folder = other["person"], other["folder"]
    built = generation(folder)
    person.expertise = [*person.expertise, "luồng hàng hải"]
    session.commit()
    with on_node(app, folder):
        assert person.id not in found(app, "luong hang hai")  # the other node is stale
        report = sync_index(app)
        assert report.applied == 1 and report.rebuilt is None
        assert person.id in found(app, "luong hang hai")
        assert node_folder(app).read_state().applied == head(session)
    assert generation(folder) == built  # replayed, not rebuilt


def test_a_removed_person_leaves_every_index(app, session, other):
    person, folder = other["person"], other["folder"]
    session.delete(person)
    session.commit()
    assert person.id not in found(app, "cang bien")  # this node, at once
    with on_node(app, folder):
        assert person.id in found(app, "cang bien")
        sync_index(app)
        assert person.id not in found(app, "cang bien")


def test_a_commit_here_moves_this_nodes_position_without_a_sync(app, session, make_person):
    sync_index(app)
    make_person(full_name="Lý Thị Mai", expertise=["điện gió"])
    session.commit()
    assert node_folder(app).read_state().applied == head(session)
    assert index_status(app)["behind"] == 0


def test_a_node_too_far_behind_rebuilds(app, session, other, make_person):
    app.config["EXPERTNET_INDEX_MAX_LAG"] = 2
    try:
        for n in range(3):
            make_person(full_name=f"Người thứ {n}", expertise=["năng lượng tái tạo"])
            session.commit()
        with on_node(app, other["folder"]):
            report = sync_index(app)
            assert report.rebuilt == 4 and "behind" in report.reason
            assert len(found(app, "nang luong tai tao")) == 3
    finally:
        app.config["EXPERTNET_INDEX_MAX_LAG"] = 5000


def test_a_node_whose_missed_entries_were_pruned_rebuilds(app, session, other):
    other["person"].bio = "Kỹ sư thủy lợi"
    session.commit()
    removed = changelog.prune(session, timedelta(0), now=utcnow() + timedelta(seconds=1))
    assert removed >= 1
    with on_node(app, other["folder"]):
        report = sync_index(app)
        assert report.rebuilt is not None and "pruned" in report.reason
        assert other["person"].id in found(app, "thuy loi")


def test_pruning_keeps_the_entries_a_live_node_still_needs(app, session, other, make_person):
    sync_index(app)
    behind_at = node_folder(app).read_state().applied
    with on_node(app, other["folder"]):
        record_position(app)  # the other node reports where it stands, then stops
        assert node_folder(app).read_state().applied == behind_at
    make_person(full_name="Hồ Văn Cường", expertise=["logistics"])
    session.commit()
    assert record_position(app, prune=True) == behind_at  # all but what B lacks
    assert changelog.first_after(session, 0) == behind_at + 1
    with on_node(app, other["folder"]):
        report = sync_index(app)
        assert report.rebuilt is None and report.applied == 1
        record_position(app)
    # Now both have applied everything: it all goes.
    assert record_position(app, prune=True) == 1
    assert changelog.first_after(session, 0) is None


def test_an_index_built_from_another_database_rebuilds(app, session, other):
    folder = other["folder"]
    with on_node(app, folder):
        node_folder(app).write_state(NodeState("0" * 32, head(session)))
        report = sync_index(app)
    assert report.rebuilt == 1 and "another database" in report.reason


def test_a_bulk_change_makes_every_node_rebuild(app, session, other):
    mark_all_people_changed(session)
    session.commit()
    with on_node(app, other["folder"]):
        report = sync_index(app)
    assert report.rebuilt == 1 and "all people" in report.reason


def test_a_node_ahead_of_a_restored_log_rebuilds(app, session, other):
    session.execute(update(IndexLogHead).values(last_id=0))
    with on_node(app, other["folder"]):
        node_folder(app).write_state(NodeState(changelog.head(session).epoch, 5))
        report = sync_index(app)
    assert report.rebuilt == 1 and "ahead" in report.reason


def test_deleting_the_index_folder_is_recovered(app, client, session, make_person):
    """Issue 9 item 10: the rebuild used to fail for ever on a missing folder."""
    person = make_person(full_name="Nguyễn Hữu Đạt", public_profile=True, expertise=["đê điều"])
    session.commit()
    sync_index(app)
    folder = Path(app.config["EXPERTNET_INDEX_DIR"])
    get_index(app).close()
    shutil.rmtree(folder)

    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json["status"] == "degraded"
    assert any("database fallback" in p for p in health.json["problems"]), health.json
    res = client.get("/api/v1/experts?q=Nguyễn Hữu Đạt")
    assert res.json["notice"] and [i["id"] for i in res.json["items"]] == [person.id]

    report = sync_index(app)  # what the background repair runs
    assert report.rebuilt == 1
    assert client.get("/healthz").json["status"] == "ok"
    res = client.get("/api/v1/experts?q=de dieu")
    assert not res.json.get("notice") and [i["id"] for i in res.json["items"]] == [person.id]


def test_rebuild_index_recreates_a_deleted_folder(app, session, make_person):
    make_person(full_name="Trịnh Văn Bền")
    session.commit()
    shutil.rmtree(app.config["EXPERTNET_INDEX_DIR"], ignore_errors=True)
    assert rebuild_index() == 1
    assert get_index(app).status()["doc_count"] == 1


def test_healthz_says_how_far_behind_the_index_is(app, client, session, make_person):
    sync_index(app)
    person = make_person(full_name="Mai Văn Tới")
    session.commit()
    # A change committed elsewhere: in the log, not yet applied here.
    changelog.append(session, "person", [person.id])
    session.commit()
    body = client.get("/healthz").json
    assert body["index"]["behind"] == 1 and body["index"]["head"] == head(session)
    assert body["status"] == "ok"  # a second behind is normal
    session.execute(
        update(IndexChange)
        .where(IndexChange.id == head(session))
        .values(created_at=utcnow() - timedelta(minutes=5))
    )
    body = client.get("/healthz").json
    assert body["status"] == "degraded"
    assert any("1 changes behind" in p for p in body["problems"]), body
    sync_index(app)
    body = client.get("/healthz").json
    assert body["status"] == "ok" and body["index"]["behind"] == 0


def test_index_sync_command_applies_then_reports_up_to_date(runner, session, make_person):
    res = runner.invoke(args=["index", "sync"])
    assert res.exit_code == 0, res.output
    assert "rebuilt" in res.stdout
    person = make_person(full_name="Kiều Văn Sáng")
    session.commit()
    changelog.append(session, "person", [person.id])  # as if committed on another node
    session.commit()
    res = runner.invoke(args=["index", "sync"])
    assert res.exit_code == 0 and "applied 1 changes" in res.stdout, res.output
    res = runner.invoke(args=["index", "sync"])
    assert "up to date" in res.stdout
    res = runner.invoke(args=["index", "status"])
    assert res.exit_code == 0 and '"behind": 0' in res.stdout


def test_init_is_the_cluster_part_and_leaves_the_index_alone(app, runner, tmp_path):
    folder = tmp_path / "untouched-index"
    with on_node(app, folder):
        res = runner.invoke(args=["init"])
    assert res.exit_code == 0, res.output
    assert "database ready" in res.stdout and "index sync" in res.stdout
    assert not folder.exists()


def test_imported_people_are_logged_for_every_node(app, session, make_org, tmp_path):
    from expertnet.roster.importer import RosterImport

    org = make_org()
    roster = tmp_path / "roster.csv"
    roster.write_text("full_name,expertise\nTạ Văn Nhập,khai khoáng\nLê Thị Xuất,khai khoáng\n")
    start = head(session)
    RosterImport(session, org, roster).run()
    session.commit()
    logged = session.scalars(select(IndexChange.entity_id).where(IndexChange.id > start)).all()
    assert len(logged) == 2
    assert found(app, "khai khoang") == set(logged)
