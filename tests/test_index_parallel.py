"""The parallel index rebuild: each index worker reads its own id range with plain SQL and
writes its own shard; the index holds exactly the documents the serial rebuild (and the
ORM's ``person_doc``) gives."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from helpers import drop_database, worker_database_url
from whoosh import index as windex

import search_index.build
from expertnet import create_app
from expertnet.extensions import db
from expertnet.search import index as search_index_module
from expertnet.search.documents import id_ranges, iter_docs, iter_docs_sql


@pytest.fixture
def committed_app(tmp_path):
    """A database of its own with committed data: forked workers read it on their own
    connections (a test transaction would be invisible to them)."""
    base = os.environ.get("EXPERTNET_TEST_DATABASE_URL")
    if base:
        url = worker_database_url(base, "index_parallel")
        drop_database(base, url)
        url = worker_database_url(base, "index_parallel")
    else:
        url = f"sqlite:///{tmp_path / 'index.db'}"
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path / "inst"),
            "SQLALCHEMY_DATABASE_URI": url,
            "TESTING": True,
            "SECRET_KEY": "x" * 32,
            "EXPERTNET_INDEX_DIR": str(tmp_path / "index"),
            "EXPERTNET_GRAPH_BACKGROUND": False,
        }
    )
    with app.app_context():
        from flask_migrate import upgrade

        from expertnet.demo.loader import load_demo

        upgrade()
        load_demo(db.session, n_people=700, seed=5)
        db.session.commit()
        db.session.remove()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if base:
        drop_database(base, url)


def _stored(index_dir: str) -> dict[str, dict]:
    """Every document's stored fields, by id, across the current generation's shards."""
    root = Path(index_dir)
    gen = root / (root / "CURRENT").read_text().strip()
    out: dict[str, dict] = {}
    shards = sorted(p for p in gen.iterdir() if p.is_dir())
    for shard in shards:
        ix = windex.open_dir(str(shard))
        with ix.searcher() as s:
            for d in s.all_stored_fields():
                assert d["id"] not in out, "a person indexed twice"
                out[d["id"]] = d
    return out, len(shards)


def test_sql_documents_are_the_orm_documents(committed_app):
    with committed_app.app_context():
        conn = db.session.connection()
        orm = list(iter_docs(db.session))
        rows = list(iter_docs_sql(conn, batch=97))  # batches that end mid-way
        assert len(orm) == 700 and rows == orm
        # Id ranges cover everyone once.
        ranges = id_ranges(conn, 2)
        assert len(ranges) == 2
        parts = [list(iter_docs_sql(conn, lo, hi)) for lo, hi in ranges]
        assert [d["id"] for p in parts for d in p] == [d["id"] for d in orm]
        assert all(len(p) > 300 for p in parts)
        db.session.remove()


def test_parallel_rebuild_indexes_the_same_documents_as_the_serial_one(committed_app, monkeypatch):
    index_dir = committed_app.config["EXPERTNET_INDEX_DIR"]
    with committed_app.app_context():
        committed_app.config["EXPERTNET_INDEX_PROCS"] = 1
        assert search_index_module.rebuild_index() == 700
        serial, serial_shards = _stored(index_dir)
        db.session.remove()

        # Parallel from 100 documents: two workers, each reading its own id range.
        monkeypatch.setattr(search_index_module, "PARALLEL_MIN_DOCS", 100)
        monkeypatch.setattr(search_index.build, "PARALLEL_MIN_DOCS", 100)
        committed_app.config["EXPERTNET_INDEX_PROCS"] = 2
        log = Path(index_dir).parent / "reads.log"
        real = search_index_module._read_part

        def spy(engine, lo, hi):
            with open(log, "a") as fh:  # runs in the worker that reads this range
                fh.write(f"{os.getpid()} {lo} {hi}\n")
            yield from real(engine, lo, hi)

        monkeypatch.setattr(search_index_module, "_read_part", spy)
        assert search_index_module.rebuild_index() == 700
        parallel, parallel_shards = _stored(index_dir)
        db.session.remove()
    assert serial_shards == 1 and parallel_shards == 2
    # Each id range was read by a worker of its own, not by this process.
    reads = [line.split() for line in log.read_text().splitlines()]
    assert len(reads) == 2 and len({pid for pid, _lo, _hi in reads}) == 2
    assert str(os.getpid()) not in {pid for pid, _lo, _hi in reads}
    assert len(parallel) == 700
    assert parallel == serial


def test_a_background_rebuild_ends_with_what_was_committed_while_it_ran(committed_app, monkeypatch):
    """``start_rebuild``: the index is built in a forked process from the committed data
    while this process keeps writing (WAL on SQLite); ``wait()`` replays what was
    committed meanwhile, so the index ends up as a rebuild of the final data would be."""
    from sqlalchemy import select

    from expertnet.demo.loader import sqlite_journal_mode
    from expertnet.directory.models import Person

    index_dir = committed_app.config["EXPERTNET_INDEX_DIR"]
    monkeypatch.setattr(search_index_module, "PARALLEL_MIN_DOCS", 100)
    monkeypatch.setattr(search_index.build, "PARALLEL_MIN_DOCS", 100)
    read = Path(index_dir).parent / "read"
    read.mkdir()
    real = search_index_module._read_part

    def read_first(engine, lo, hi):
        docs = list(real(engine, lo, hi))  # the worker's whole range, its snapshot closed
        (read / str(os.getpid())).touch()
        yield from docs

    monkeypatch.setattr(search_index_module, "_read_part", read_first)
    with committed_app.app_context():
        committed_app.config["EXPERTNET_INDEX_PROCS"] = 2
        db.engine.dispose()
        sqlite_journal_mode(db.engine, "wal")  # None (nothing to do) on PostgreSQL
        running = search_index_module.start_rebuild()
        assert running is not None and running.total == 700
        # The change is committed after both workers have read: only the replay has it.
        deadline = time.monotonic() + 120
        while len(list(read.iterdir())) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(list(read.iterdir())) == 2
        person = db.session.scalars(select(Person).order_by(Person.id.desc())).first()
        person.position = "Kỹ sư trưởng phòng thí nghiệm nổi"
        changed = str(person.id)
        db.session.commit()
        running.wait()
        background, shards = _stored(index_dir)
        db.session.remove()

        committed_app.config["EXPERTNET_INDEX_PROCS"] = 1
        assert search_index_module.rebuild_index() == 700
        serial, _ = _stored(index_dir)
        db.session.remove()
    assert shards == 2
    assert "Kỹ sư trưởng phòng thí nghiệm nổi" in str(serial[changed])
    assert background == serial
