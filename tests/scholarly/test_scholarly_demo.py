"""The demo's scholarly record: generated, then written in bulk with the schema intact."""

from __future__ import annotations

from sqlalchemy import func, select

from expertnet.demo.loader import load_demo
from expertnet.scholarly.demo import generate_records, write_records
from expertnet.scholarly.models import Publication, PublicationAuthor


def _indexes(session) -> list[tuple]:
    if session.get_bind().dialect.name != "sqlite":
        return []
    return [
        tuple(r)
        for r in session.connection().exec_driver_sql(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
        )
    ]


def test_written_records_are_the_generated_ones_and_the_indexes_stay(session):
    load_demo(session, n_people=400, seed=2)
    before = _indexes(session)
    records = generate_records(session, seed=2)
    assert records.publications and len(records.teams) == len(records.publications)
    counts = write_records(session, records)
    assert _indexes(session) == before
    assert counts["publications"] == len(records.publications)
    assert session.scalar(select(func.count()).select_from(Publication)) == len(
        records.publications
    )
    assert session.scalar(select(func.count()).select_from(PublicationAuthor)) == sum(
        len(t) for t in records.teams
    )
    # Each publication's first author is the expert it was generated for, in the order made.
    firsts = session.execute(
        select(Publication.title, Publication.person_id).order_by(Publication.id)
    ).all()
    assert [(t, p) for t, p in firsts] == [(row[2], row[0]) for row in records.publications]
    # The indexes were built again: a lookup by title key uses one.
    if session.get_bind().dialect.name == "sqlite":
        plan = (
            session.connection()
            .exec_driver_sql("EXPLAIN QUERY PLAN SELECT id FROM publication WHERE title_key = 'x'")
            .all()
        )
        assert "ix_publication_title_key" in str(plan)
