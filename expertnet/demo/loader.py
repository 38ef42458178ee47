"""Writes the synthetic union into the database in bulk.

Core ``insert()`` with lists of rows (executemany, and "insertmanyvalues" where ids are
needed back) rather than the ORM unit of work: 108,000 people, their fields and their
memberships load in well under two minutes on SQLite and PostgreSQL, where adding ORM
objects one by one takes many times longer. The price is that ORM-side behaviour does
not run, so every column the models fill by default (``version``, ``created_at``,
``updated_at``, ``expertise``, flags) is given explicitly here, and the audit log, which
listens to ORM flushes, records nothing: a demo load is not an edit anyone made.

The loader flushes but never commits; the caller (the ``expertnet demo`` command, a
test) owns the transaction, so a failed load leaves nothing half-written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

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


def _reserve_person_ids(session: Session, n: int) -> list[int]:
    """Ids for ``n`` new people, so rows can be inserted without RETURNING.

    Plain executemany is about 2.5 times faster on PostgreSQL than RETURNING the ids
    (and a little faster on SQLite), and the ids are needed for fields and memberships.
    PostgreSQL hands out ``n`` values of the column's own sequence, which are ours even
    if someone else inserts meanwhile, and the sequence stays right for later inserts.
    SQLite assigns ``max(id) + 1``; this session already holds the write lock (it has
    written the organisations), so nobody can take those ids before the commit.
    """
    if n == 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        sql = text(
            "SELECT nextval(pg_get_serial_sequence('person', 'id')) FROM generate_series(1, :n)"
        )
        return list(session.scalars(sql, {"n": n}))
    start = (session.scalar(select(func.max(Person.id))) or 0) + 1
    return list(range(start, start + n))


def _person_row(
    p: PersonData, person_id: int, org_ids: dict[str, int], now: datetime
) -> dict[str, Any]:
    return {
        "id": person_id,
        "full_name": p.full_name,
        "gender": p.gender,
        "birth_year": p.birth_year,
        "academic_title": p.academic_title,
        "degree": p.degree,
        "position": p.position,
        "employer_id": org_ids[p.employer_code] if p.employer_code else None,
        "employer_name": p.employer_name,
        "email": p.email,
        "phone": p.phone,
        "bio": p.bio,
        "expertise": list(p.expertise),
        "public_profile": p.public_profile,
        "available": p.available,
        "max_assignments": p.max_assignments,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }


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
    memberships = union.memberships  # sorted by person index
    person_ids = _reserve_person_ids(session, len(people))
    m_at = 0
    counts = {"people": 0, "experts": 0, "person_fields": 0, "memberships": 0}
    for start in range(0, len(people), BATCH_SIZE):
        batch = people[start : start + BATCH_SIZE]
        new_ids = person_ids[start : start + len(batch)]
        session.execute(
            insert(_person),
            [_person_row(p, pid, org_ids, now) for p, pid in zip(batch, new_ids, strict=True)],
        )
        pf_rows = [
            {"person_id": pid, "field_id": field_ids[code]}
            for pid, p in zip(new_ids, batch, strict=True)
            for code in p.field_codes
        ]
        m_rows = []
        end = start + len(batch)
        while m_at < len(memberships) and memberships[m_at].person < end:
            m = memberships[m_at]
            m_rows.append(
                {
                    "person_id": new_ids[m.person - start],
                    "organization_id": org_ids[m.org_code],
                    "role": m.role,
                    "started_on": m.started_on,
                    "ended_on": None,
                }
            )
            m_at += 1
        if pf_rows:
            session.execute(insert(person_field), pf_rows)
        if m_rows:
            session.execute(insert(_membership), m_rows)
        counts["people"] += len(batch)
        counts["experts"] += sum(1 for p in batch if p.is_expert)
        counts["person_fields"] += len(pf_rows)
        counts["memberships"] += len(m_rows)
        if progress is not None:
            progress(len(batch))
    return {
        "organizations": len(union.organizations),
        "organizations_created": orgs_added,
        "fields_created": fields_added,
        **counts,
    }


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
