"""Change-log entries become visible in id order, with no gaps, on real PostgreSQL.

A node that has applied entry *n* never looks below *n* again; if a slow transaction
could commit an entry below one another transaction had already committed, that node
would miss it for ever. Two real transactions append at once here.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import delete, text, update

from expertnet.extensions import db
from expertnet.search import changelog
from expertnet.search.models import IndexChange, IndexLogHead

pytestmark = pytest.mark.postgres


@pytest.fixture
def engine(base_app, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip(
            "SQLite lets one writer in at a time, so two appends cannot overlap; "
            "set EXPERTNET_TEST_DATABASE_URL to run this."
        )
    with base_app.app_context():
        engine = db.engine
        with engine.connect() as conn:
            start = changelog.head(conn).last_id
        try:
            yield engine, start
        finally:
            with engine.begin() as conn:
                conn.execute(delete(IndexChange).where(IndexChange.id > start))
                conn.execute(update(IndexLogHead).values(last_id=start))


def _blocked_on_the_head_row(engine) -> bool:
    with engine.connect() as conn:
        return bool(
            conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND query ILIKE '%index_log_head%'"
                )
            ).scalar()
        )


@pytest.mark.parametrize("first_outcome", ["commit", "rollback"])
def test_a_later_writer_waits_and_takes_the_next_id(engine, first_outcome):
    engine, start = engine
    out: dict = {}

    def second_writer():
        with engine.connect() as conn, conn.begin():
            out["second"] = changelog.append(conn, "person", [102])

    with engine.connect() as first:
        tx = first.begin()
        appended = changelog.append(first, "person", [101])
        assert appended.first == start + 1
        thread = threading.Thread(target=second_writer)
        thread.start()
        deadline = time.monotonic() + 30
        while not _blocked_on_the_head_row(engine):
            assert time.monotonic() < deadline, "the second writer never reached the head row"
            assert thread.is_alive(), "the second writer did not wait for the first"
            time.sleep(0.02)
        with engine.connect() as reader:
            # Neither transaction's entry is visible while the first is open.
            assert changelog.head(reader).last_id == start
            assert changelog.entries(reader, start, start + 10) == []
        getattr(tx, first_outcome)()
    thread.join(30)
    assert not thread.is_alive()

    with engine.connect() as reader:
        ids = [(i, e) for i, _kind, e in changelog.entries(reader, start, start + 10)]
    if first_outcome == "commit":
        assert out["second"].first == appended.last + 1
        assert ids == [(start + 1, 101), (start + 2, 102)]
    else:  # gapless: the rolled-back id is handed out again
        assert out["second"].first == start + 1
        assert ids == [(start + 1, 102)]
