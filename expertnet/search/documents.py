"""What the index holds for each kind of entity the change log names, read from the database."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sqlalchemy import Connection, select
from sqlalchemy.orm import selectinload

from ..directory.models import Field, Membership, Organization, Person, person_field

#: The entity kind of the change log that the expert index holds.
KIND_PERSON = "person"


def person_doc(person: Person) -> dict:
    """What the index knows of a person."""
    # By id: the same order however the memberships were loaded (``iter_docs_sql`` too).
    orgs = sorted(
        (m.organization for m in person.memberships if m.ended_on is None), key=lambda o: o.id
    )
    employer = person.employer
    provinces = {o.former_province for o in orgs if o.former_province}
    if employer is not None and employer.former_province:
        provinces.add(employer.former_province)
    return {
        "id": person.id,
        "full_name": person.full_name,
        "academic_title": person.academic_title,
        "degree": person.degree,
        "position": person.position,
        "bio": person.bio,
        "expertise": list(person.expertise or []),
        "fields": [f.code for f in person.fields],
        "field_names": [n for f in person.fields for n in (f.name, f.name_en)],
        "organization_ids": [o.id for o in orgs],
        "organization_names": [o.name for o in orgs],
        "employer_id": person.employer_id,
        "employer_name": employer.name if employer is not None else person.employer_name,
        "former_provinces": sorted(provinces),
        "available": bool(person.available),
        "public": bool(person.public_profile),
    }


def _load_options() -> tuple:
    # Built on use: at import time the mappers may not all be configured yet.
    return (
        selectinload(Person.memberships).selectinload(Membership.organization),
        selectinload(Person.fields),
        selectinload(Person.employer),
    )


def iter_docs(session, ids: Iterable[int] | None = None, batch: int = 2000) -> Iterator[dict]:
    """Documents for the given people (all when ``ids`` is None), loaded in batches."""
    if ids is None:
        last = 0
        while True:
            people = session.scalars(
                select(Person)
                .options(*_load_options())
                .where(Person.id > last)
                .order_by(Person.id)
                .limit(batch)
            ).all()
            if not people:
                return
            for p in people:
                yield person_doc(p)
            last = people[-1].id
            session.expunge_all()
    else:
        ids = sorted(set(ids))
        for i in range(0, len(ids), batch):
            for p in session.scalars(
                select(Person).options(*_load_options()).where(Person.id.in_(ids[i : i + batch]))
            ):
                yield person_doc(p)


# --- bulk reading for rebuilds: plain rows, no ORM objects ------------------------------


def iter_docs_sql(
    conn: Connection, lo: int | None = None, hi: int | None = None, batch: int = 5000
) -> Iterator[dict]:
    """The documents of every person with ``lo <= id < hi``, as ``person_doc`` makes them,
    read as row tuples (three statements per ``batch`` people): a rebuild's reading costs
    a fraction of loading ORM objects, and each id range can be read by its own process.
    """
    o, f, m, p, pf = (
        Organization.__table__,
        Field.__table__,
        Membership.__table__,
        Person.__table__,
        person_field,
    )
    orgs = {r[0]: (r[1], r[2]) for r in conn.execute(select(o.c.id, o.c.name, o.c.former_province))}
    fields = {
        r[0]: (r[1], r[2], r[3])
        for r in conn.execute(select(f.c.id, f.c.code, f.c.name, f.c.name_en))
    }
    last = lo - 1 if lo is not None else None
    while True:
        q = select(
            p.c.id,
            p.c.full_name,
            p.c.academic_title,
            p.c.degree,
            p.c.position,
            p.c.bio,
            p.c.expertise,
            p.c.employer_id,
            p.c.employer_name,
            p.c.available,
            p.c.public_profile,
        ).order_by(p.c.id)
        if last is not None:
            q = q.where(p.c.id > last)
        if hi is not None:
            q = q.where(p.c.id < hi)
        rows = conn.execute(q.limit(batch)).all()
        if not rows:
            return
        first, last = rows[0][0], rows[-1][0]
        member_of: dict[int, list[int]] = {}
        for pid, oid in conn.execute(
            select(m.c.person_id, m.c.organization_id)
            .where(m.c.person_id.between(first, last), m.c.ended_on.is_(None))
            .order_by(m.c.person_id, m.c.id)
        ):
            member_of.setdefault(pid, []).append(oid)
        codes_of: dict[int, list[tuple[str, str, str]]] = {}
        for pid, fid in conn.execute(
            select(pf.c.person_id, pf.c.field_id).where(pf.c.person_id.between(first, last))
        ):
            codes_of.setdefault(pid, []).append(fields[fid])
        for r in rows:
            pid = r[0]
            mine = sorted(member_of.get(pid, []))
            fs = sorted(codes_of.get(pid, []))
            employer = orgs.get(r[7]) if r[7] is not None else None
            provinces = {orgs[x][1] for x in mine if orgs[x][1]}
            if employer is not None and employer[1]:
                provinces.add(employer[1])
            yield {
                "id": pid,
                "full_name": r[1],
                "academic_title": r[2],
                "degree": r[3],
                "position": r[4],
                "bio": r[5],
                "expertise": list(r[6] or []),
                "fields": [c for c, _n, _e in fs],
                "field_names": [x for _c, n, e in fs for x in (n, e)],
                "organization_ids": list(mine),
                "organization_names": [orgs[x][0] for x in mine],
                "employer_id": r[7],
                "employer_name": employer[0] if employer is not None else r[8],
                "former_provinces": sorted(provinces),
                "available": bool(r[9]),
                "public": bool(r[10]),
            }


def id_ranges(conn: Connection, parts: int) -> list[tuple[int | None, int | None]]:
    """``parts`` ranges [lo, hi) of person ids holding about as many people each."""
    ids = (
        conn.execute(select(Person.__table__.c.id).order_by(Person.__table__.c.id)).scalars().all()
    )
    if parts <= 1 or len(ids) < parts:
        return [(None, None)]
    bounds = [ids[len(ids) * i // parts] for i in range(1, parts)]
    lows = [None, *bounds]
    highs = [*bounds, None]
    return list(zip(lows, highs, strict=True))
