"""Expert search as the API and pages ask for it."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..api import page_args, page_of
from ..core.errors import ValidationFailed
from ..core.text import clean_line
from ..directory.models import Field, Membership, Person, person_field
from ..directory.serialize import person_json
from ..extensions import db

MAX_QUERY = 500


def _int_list(args, name: str) -> list[int]:
    out = []
    for raw in args.getlist(name):
        for part in raw.split(","):
            if part.strip():
                try:
                    out.append(int(part))
                except ValueError:
                    raise ValidationFailed({name: _("Must be a list of ids.")}) from None
    return out


def _str_list(args, name: str) -> list[str]:
    return [p.strip() for raw in args.getlist(name) for p in raw.split(",") if p.strip()]


def search_experts(args, user, per_page_default: int = 20) -> dict:
    """Filter people in the database (the Whoosh index replaces this in the search issue)."""
    from ..api.directory import _visible_people

    page, per_page = page_args()
    q = clean_line(args.get("q") or "")[:MAX_QUERY]
    orgs, fields, degrees = (
        _int_list(args, "organization"),
        _str_list(args, "field"),
        _str_list(args, "degree"),
    )
    stmt = _visible_people(select(Person.id))
    if q:
        stmt = stmt.where(or_(*[Person.full_name.ilike(f"%{w}%") for w in q.split()]))
    if orgs:
        stmt = stmt.where(
            Person.id.in_(select(Membership.person_id).where(Membership.organization_id.in_(orgs)))
        )
    if fields:
        stmt = stmt.where(
            Person.id.in_(
                select(person_field.c.person_id)
                .join(Field, Field.id == person_field.c.field_id)
                .where(Field.code.in_(fields))
            )
        )
    if degrees:
        stmt = stmt.where(Person.degree.in_(degrees))
    ids = stmt.subquery()
    total = db.session.scalar(select(func.count()).select_from(ids))
    people = db.session.scalars(
        select(Person)
        .where(Person.id.in_(select(ids.c.id)))
        .options(
            selectinload(Person.memberships).selectinload(Membership.organization),
            selectinload(Person.fields),
        )
        .order_by(Person.full_name, Person.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    facets = {
        "organization": dict(
            db.session.execute(
                select(Membership.organization_id, func.count())
                .where(Membership.person_id.in_(select(ids.c.id)))
                .group_by(Membership.organization_id)
            ).all()
        ),
        "field": dict(
            db.session.execute(
                select(Field.code, func.count())
                .join(person_field, Field.id == person_field.c.field_id)
                .where(person_field.c.person_id.in_(select(ids.c.id)))
                .group_by(Field.code)
            ).all()
        ),
        "degree": {
            k: v
            for k, v in db.session.execute(
                select(Person.degree, func.count())
                .where(Person.id.in_(select(ids.c.id)))
                .group_by(Person.degree)
            ).all()
            if k
        },
    }
    items = [
        {**person_json(p, user, summary=True), "score": None, "highlights": {}} for p in people
    ]
    return page_of(items, total, page, per_page, facets=facets)
