"""Bulk loading of the demo union into a plain database (no app needed).

On SQLite each test gets a file in ``tmp_path``. When the suite runs on PostgreSQL
(``EXPERTNET_TEST_DATABASE_URL``), the tests use a scratch database created next to the
suite's own, because they need empty tables and real commits, which the suite's
rolled-back transaction cannot give; the scratch database is dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter

import pytest
from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

import expertnet.models  # noqa: F401  (registers every table on the metadata)
from expertnet.core.types import utcnow
from expertnet.demo.loader import DemoError, demo_union, load_demo
from expertnet.directory.models import Field, Membership, Organization, Person, person_field
from expertnet.directory.taxonomy import FIELDS, ensure_fields
from expertnet.extensions import db

N = 3000


@pytest.fixture(scope="module")
def postgres_url():
    """A scratch PostgreSQL database for this module, or None on SQLite runs."""
    suite_url = os.environ.get("EXPERTNET_TEST_DATABASE_URL")
    if not suite_url:
        yield None
        return
    name = f"expertnet_demo_{uuid.uuid4().hex[:12]}"
    admin = create_engine(suite_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(suite_url).set(database=name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def session(tmp_path, postgres_url):
    engine = create_engine(postgres_url or f"sqlite:///{tmp_path / 'demo.db'}")
    db.metadata.create_all(engine)
    try:
        with Session(engine) as s:
            yield s
    finally:
        if postgres_url:
            db.metadata.drop_all(engine)
        engine.dispose()


def _count(session: Session, table) -> int:
    return session.scalar(select(func.count()).select_from(table))


def test_ensure_fields_is_idempotent(session):
    assert ensure_fields(session) == len(FIELDS)
    assert ensure_fields(session) == 0
    session.commit()
    assert _count(session, Field) == len(FIELDS)
    it = session.scalars(select(Field).where(Field.code == "ENG-IT")).one()
    assert it.parent.code == "ENG" and it.name == "Công nghệ thông tin và trí tuệ nhân tạo"


def test_load_demo_writes_the_generated_union(session):
    seen: list[int] = []
    counts = load_demo(session, n_people=N, seed=1, progress=seen.append)
    session.commit()
    union = demo_union(N, seed=1)

    assert sum(seen) == N
    assert counts["people"] == _count(session, Person) == N
    assert counts["memberships"] == _count(session, Membership) == len(union.memberships)
    assert counts["person_fields"] == _count(session, person_field)
    assert counts["person_fields"] == sum(len(p.field_codes) for p in union.people)
    assert counts["experts"] == sum(p.is_expert for p in union.people)
    assert counts["organizations_created"] == _count(session, Organization)
    assert counts["fields_created"] == len(FIELDS)

    kinds = Counter(session.execute(select(Organization.kind, Organization.former_province)).all())
    assert kinds[("member_association", "hai_phong")] == 29
    assert kinds[("member_association", "hai_duong")] == 20
    by_kind = Counter(k for (k, _p), n in kinds.items() for _ in range(n))
    assert (by_kind["institute"], by_kind["club"], by_kind["collective_member"]) == (12, 8, 15)


def test_loaded_rows_carry_the_model_defaults_and_relations(session):
    load_demo(session, n_people=N, seed=1)
    session.commit()
    union = demo_union(N, seed=1)
    first = union.people[0]
    person = session.scalars(select(Person).order_by(Person.id).limit(1)).one()
    assert person.full_name == first.full_name
    assert person.version == 1 and person.created_at.tzinfo is not None
    assert person.created_at == person.updated_at
    assert person.expertise == list(first.expertise)
    assert [f.code for f in person.fields] == sorted(first.field_codes)
    assert {m.organization.code for m in person.memberships} == {
        m.org_code for m in union.memberships if m.person == 0
    }

    expert = session.scalars(select(Person).where(Person.bio.is_not(None)).limit(1)).one()
    assert expert.is_expert and expert.fields and expert.expertise
    # Editing a loaded person works with optimistic locking from version 1.
    expert.position = "Giảng viên"
    session.commit()
    assert expert.version == 2

    sos = session.scalars(select(Organization).where(Organization.code == "SO-YT")).one()
    assert sos.parent.code == "UBND-HP"
    chairs = session.scalar(
        select(func.count()).select_from(Membership).where(Membership.role == "chair")
    )
    assert chairs == 84
    employed = session.scalars(select(Person).where(Person.employer_id.is_not(None)).limit(5))
    assert all(p.employer is not None and p.employer_name is None for p in employed)


def test_load_demo_refuses_a_database_with_people(session):
    load_demo(session, n_people=10, seed=1)
    session.commit()
    with pytest.raises(DemoError, match="already has people"):
        load_demo(session, n_people=10, seed=1)
    assert _count(session, Person) == 10


def test_load_demo_reuses_organisations_already_there(session):
    now = utcnow()
    session.execute(
        insert(Organization.__table__),
        [
            {
                "code": "DH-HP",
                "name": "Trường Đại học Hải Phòng",
                "kind": "university",
                "created_at": now,
                "updated_at": now,
            }
        ],
    )
    counts = load_demo(session, n_people=50, seed=1)
    assert counts["organizations_created"] == counts["organizations"] - 1
    assert _count(session, Organization) == counts["organizations"]


def test_people_added_after_the_demo_get_fresh_ids(session):
    load_demo(session, n_people=100, seed=1)
    session.commit()
    newcomer = Person(full_name="Nguyễn Văn Mới", expertise=[])
    session.add(newcomer)
    session.commit()
    assert newcomer.id > session.scalar(select(func.max(Person.id)).where(Person.id != newcomer.id))


def test_bulk_rows_are_what_insert_and_the_model_defaults_write(session):
    """The loader's plain tuples (``core.bulk.insert_rows``) store what ``insert()`` with
    the model's defaults stores: the collation key of every name, JSON, UTC stamps."""
    from expertnet.core.bulk import insert_rows
    from expertnet.core.text import name_words
    from search_index.collation import person_name_key

    load_demo(session, n_people=N, seed=1)
    session.commit()
    keys = session.execute(select(Person.full_name, Person.name_key)).all()
    assert len(keys) == N and all(key == person_name_key(name) for name, key in keys)

    org = session.scalar(select(Organization.id).limit(1))
    now = utcnow()
    row = {"full_name": "Trần Thị Ánh", "expertise": ["đê biển"], "public_profile": True,
           "available": False, "max_assignments": 2, "employer_id": org, "version": 1,
           "created_at": now, "updated_at": now}  # fmt: skip
    session.execute(insert(Person.__table__), [row])
    names = ["full_name", "name_key", "name_words", "expertise", "public_profile", "available",
             "max_assignments", "employer_id"]  # fmt: skip
    bulk = {**row, "full_name": "Trần Thị Ánh Hai", "name_key": person_name_key("Trần Thị Ánh Hai"),
            "name_words": name_words("Trần Thị Ánh Hai")}  # fmt: skip
    stamps = {"version": 1, "created_at": now, "updated_at": now}
    conn = session.connection()
    assert insert_rows(conn, Person.__table__, names, [[bulk[k] for k in names]], stamps) == 1
    session.commit()
    a, b = (
        session.scalars(select(Person).where(Person.full_name == n)).one()
        for n in ("Trần Thị Ánh", "Trần Thị Ánh Hai")
    )
    for attr in ("expertise", "public_profile", "available", "max_assignments", "employer_id",
                 "version", "created_at", "updated_at"):  # fmt: skip
        assert getattr(a, attr) == getattr(b, attr), attr
    assert b.name_key == person_name_key(b.full_name)
    # The author matcher's key: the model's default and the loader's value agree.
    assert (a.name_words, b.name_words) == (name_words(a.full_name), name_words(b.full_name))
    loaded = session.execute(select(Person.full_name, Person.name_words).limit(50)).all()
    assert all(words == name_words(name) for name, words in loaded)
    # A column the model fills by default must be given: nothing is left to chance.
    with pytest.raises(ValueError, match="name_key"):
        insert_rows(conn, Person.__table__, ["full_name"], [["X"]], stamps)
