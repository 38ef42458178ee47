"""Writes the synthetic union into the database in bulk.

Plain tuples through ``core.bulk.insert_rows`` (one compiled statement, executemany)
rather than the ORM unit of work or ``insert()`` with a dictionary per row: the ids are
reserved beforehand, so nothing needs RETURNING, and 108,000 people, their fields and
their memberships cost a few CPU-seconds. The price is that ORM-side behaviour does not
run, so every column the models fill by default (``version``, ``created_at``,
``updated_at``, ``expertise``, flags, the collation key ``name_key``, computed here from
the keys of the name's parts) is given explicitly here, and the audit log, which listens
to ORM flushes, records nothing: a demo load is not an edit anyone made.

The loader flushes but never commits; the caller (the ``expertnet demo`` command, a
test) owns the transaction, so a failed load leaves nothing half-written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Connection, insert, select
from sqlalchemy.orm import Session

from search_index.collation import _FIELD as NAME_KEY_SEPARATOR
from search_index.collation import person_name_key, sort_key

from ..core.bulk import indexes_built_after, insert_rows, reserve_ids
from ..core.text import name_words
from ..core.types import utcnow
from ..directory.models import Field, Membership, Organization, Person, person_field
from ..directory.taxonomy import ensure_fields
from .featured import add_featured
from .generator import OrganizationData, PersonData, UnionData, generate_union

#: People per round trip: large enough to amortise the statement, small enough that the
#: progress bar moves and SQLite's bound-parameter limit is never near.
BATCH_SIZE = 2000

_person = Person.__table__
_membership = Membership.__table__
_organization = Organization.__table__


class DemoError(Exception):
    """The demo cannot be loaded into this database (it is not empty)."""


def _organization_ids(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Organization.code, Organization.id)).all())


def _load_organizations(
    session: Session, organizations: tuple[OrganizationData, ...], now: datetime
) -> tuple[dict[str, int], int]:
    """Insert the organisations that are not there yet (by code); return code → id, count."""
    ids = _organization_ids(session)
    pending = [o for o in organizations if o.code not in ids]
    inserted = 0
    # Parents before children: insert whatever has its parent in place, then repeat.
    while pending:
        ready = [o for o in pending if o.parent_code is None or o.parent_code in ids]
        if not ready:
            missing = sorted({o.parent_code or "" for o in pending})
            raise DemoError(f"Demo organisations refer to unknown parents: {', '.join(missing)}")
        session.execute(
            insert(_organization),
            [
                {
                    "code": o.code,
                    "name": o.name,
                    "short_name": o.short_name,
                    "kind": o.kind,
                    "former_province": o.former_province,
                    "parent_id": ids[o.parent_code] if o.parent_code else None,
                    "address": o.address,
                    "email": o.email,
                    "phone": o.phone,
                    "website": o.website,
                    "description": o.description,
                    "created_at": now,
                    "updated_at": now,
                }
                for o in ready
            ],
        )
        inserted += len(ready)
        ids = _organization_ids(session)
        pending = [o for o in pending if o.code not in ids]
    return ids, inserted


#: Person columns written by ``load_union``, in the order of ``_person_values``.
_PERSON_COLUMNS = (
    "id", "full_name", "name_key", "name_words", "gender", "birth_year", "academic_title", "degree",
    "position", "employer_id", "employer_name", "email", "phone", "bio", "expertise",
    "public_profile", "available", "max_assignments",
)  # fmt: skip


class _NameKeys:
    """``person_name_key`` of each full name, from the keys of its parts: the parts are
    a few hundred words, so each is collated once instead of once per person."""

    def __init__(self) -> None:
        self._parts: dict[str, bytes] = {}

    def _key(self, part: str) -> bytes:
        key = self._parts.get(part)
        if key is None:
            key = self._parts[part] = sort_key(part)
        return key

    def __call__(self, full_name: str) -> bytes:
        parts = full_name.split()
        if len(parts) < 2:
            return person_name_key(full_name)
        # person_name_key's layout: given name, middle names, family name.
        return NAME_KEY_SEPARATOR.join(
            (self._key(parts[-1]), self._key(" ".join(parts[1:-1])), self._key(parts[0]))
        )


def _person_values(
    p: PersonData, person_id: int, org_ids: dict[str, int], name_key: _NameKeys
) -> tuple:
    return (
        person_id,
        p.full_name,
        name_key(p.full_name),
        name_words(p.full_name),
        p.gender,
        p.birth_year,
        p.academic_title,
        p.degree,
        p.position,
        org_ids[p.employer_code] if p.employer_code else None,
        p.employer_name,
        p.email,
        p.phone,
        p.bio,
        list(p.expertise),
        p.public_profile,
        p.available,
        p.max_assignments,
    )


def load_union(
    session: Session, union: UnionData, progress: Callable[[int], None] | None = None
) -> dict[str, int]:
    """Write an already generated union; see ``load_demo``."""
    if session.execute(select(Person.id).limit(1)).first() is not None:
        raise DemoError("The database already has people; the demo only fills an empty directory.")
    fields_added = ensure_fields(session)
    field_ids = dict(session.execute(select(Field.code, Field.id)).all())
    now = utcnow()
    org_ids, orgs_added = _load_organizations(session, union.organizations, now)

    people = union.people
    person_ids = reserve_ids(session, _person, len(people))
    conn = session.connection()
    stamps = {"version": 1, "created_at": now, "updated_at": now}
    counts = {"people": 0, "experts": 0, "person_fields": 0, "memberships": 0}
    with indexes_built_after(conn, ("person", "person_field", "membership")):
        _write_people(conn, union, person_ids, org_ids, field_ids, stamps, counts, progress)
    return {
        "organizations": len(union.organizations),
        "organizations_created": orgs_added,
        "fields_created": fields_added,
        **counts,
    }


def _write_people(
    conn: Connection,
    union: UnionData,
    person_ids: list[int],
    org_ids: dict[str, int],
    field_ids: dict[str, int],
    stamps: dict[str, object],
    counts: dict[str, int],
    progress: Callable[[int], None] | None,
) -> None:
    """People, their fields and memberships, a batch at a time (counted in ``counts``)."""
    people = union.people
    memberships = union.memberships  # sorted by person index
    name_key = _NameKeys()
    m_at = 0
    for start in range(0, len(people), BATCH_SIZE):
        batch = people[start : start + BATCH_SIZE]
        new_ids = person_ids[start : start + len(batch)]
        rows = [
            _person_values(p, pid, org_ids, name_key) for p, pid in zip(batch, new_ids, strict=True)
        ]
        insert_rows(conn, _person, _PERSON_COLUMNS, rows, stamps)
        pf_rows = [
            (pid, field_ids[code])
            for pid, p in zip(new_ids, batch, strict=True)
            for code in p.field_codes
        ]
        m_rows = []
        end = start + len(batch)
        while m_at < len(memberships) and memberships[m_at].person < end:
            m = memberships[m_at]
            m_rows.append(
                (new_ids[m.person - start], org_ids[m.org_code], m.role, m.started_on, None)
            )
            m_at += 1
        insert_rows(conn, person_field, ("person_id", "field_id"), pf_rows)
        insert_rows(conn, _membership, _MEMBERSHIP_COLUMNS, m_rows)
        counts["people"] += len(batch)
        counts["experts"] += sum(1 for p in batch if p.is_expert)
        counts["person_fields"] += len(pf_rows)
        counts["memberships"] += len(m_rows)
        if progress is not None:
            progress(len(batch))


_MEMBERSHIP_COLUMNS = ("person_id", "organization_id", "role", "started_on", "ended_on")


def sqlite_journal_mode(engine, mode: str | None = None) -> str | None:
    """The SQLite database's journal mode, first set to ``mode`` when given; None on other
    databases. Runs on a connection of its own outside any transaction (the mode cannot
    change inside one); leaving WAL needs every other connection closed.
    """
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return None
    raw = engine.raw_connection()
    try:
        if mode is not None and not mode.isalpha():
            raise ValueError(f"not a journal mode: {mode!r}")
        pragma = f"PRAGMA journal_mode={mode}" if mode else "PRAGMA journal_mode"
        row = raw.driver_connection.execute(pragma).fetchone()
    finally:
        raw.close()
    return str(row[0]).lower() if row else None


def demo_union(n_people: int, seed: int = 1) -> UnionData:
    """The generated union with the hand-written public experts (``demo.featured``)."""
    return add_featured(generate_union(n_people, seed))


def load_demo(
    session: Session,
    n_people: int = 2000,
    seed: int = 1,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Generate the demo union for ``seed`` and bulk-insert it; return what was written.

    Raises ``DemoError`` if the database already has people. Organisations whose code is
    already present are reused, not duplicated. ``progress(n)`` is called after each
    batch with the number of people just written (an increment, as ``click``'s progress
    bar expects); the total is ``n_people``. Creates no user accounts and does not commit.
    """
    if session.execute(select(Person.id).limit(1)).first() is not None:
        # Checked before generating too: no point spending seconds on a refused load.
        raise DemoError("The database already has people; the demo only fills an empty directory.")
    return load_union(session, demo_union(n_people, seed), progress)
