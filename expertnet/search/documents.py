"""What the index holds for each kind of entity the change log names, read from the database."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..directory.models import Membership, Person

#: The entity kind of the change log that the expert index holds.
KIND_PERSON = "person"


def person_doc(person: Person) -> dict:
    """What the index knows of a person."""
    orgs = [m.organization for m in person.memberships if m.ended_on is None]
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
