"""Expert search as the API and pages ask for it."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from search_index import IndexUnavailable, SearchQuery

from ..core.errors import ValidationFailed
from ..core.text import clean_line
from ..core.web import page_args, page_of
from ..directory.models import Field, Membership, Person, person_field
from ..directory.queries import person_summaries
from ..directory.serialize import person_json, person_summary_json
from ..directory.visibility import Viewer, visible_people
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


def _query_from_args(args, user) -> SearchQuery:
    page, per_page = page_args(args)
    text = clean_line(args.get("q") or "")[:MAX_QUERY]
    sort = args.get("sort") or "relevance"
    if sort not in ("relevance", "name"):
        raise ValidationFailed({"sort": _("Sort by relevance or name.")})
    available = args.get("available")
    if available not in (None, "", "0", "1", "true", "false"):
        raise ValidationFailed({"available": _("Must be true or false.")})
    for name in ("typeahead", "facets"):
        if args.get(name) not in (None, "", "0", "1", "true", "false"):
            raise ValidationFailed({name: _("Must be true or false.")})
    orgs = _int_list(args, "organization")
    # The public directory shows consenting experts; staff search everyone; a liaison
    # searching their own organisation sees its whole roster (``directory/visibility.py``).
    public_only = not Viewer.of(user).sees_all_in(orgs)
    return SearchQuery(
        text=text,
        organization=orgs,
        field=_str_list(args, "field"),
        degree=_str_list(args, "degree"),
        academic_title=_str_list(args, "academic_title"),
        former_province=_str_list(args, "former_province"),
        available=None if available in (None, "") else available in ("1", "true"),
        public_only=public_only,
        page=page,
        per_page=per_page,
        sort=sort,
        # Facets are part of the answer unless the caller says it does not need them.
        facets=args.get("facets") not in ("0", "false"),
        # Only a box that searches as the user types asks for the last word as a prefix;
        # a submitted search matches whole words, so its counts are exact.
        prefix=args.get("typeahead") in ("1", "true"),
    )


def _notice(query: SearchQuery, result) -> str | None:
    """The library's notice, in the reader's language."""
    if not result.notice:
        return None
    if result.suggestion:
        return _(
            "No results for “%(q)s”; showing results for “%(s)s”.",
            q=query.text[:80],
            s=result.suggestion,
        )
    return result.notice


def search_experts(args, user, per_page_default: int = 20) -> dict:
    """Search the index; while it is missing or rebuilding, answer from the database."""
    from flask import current_app

    from .index import get_index, is_rebuilding, rebuild_in_background

    query = _query_from_args(args, user)
    app = current_app._get_current_object()
    try:
        if is_rebuilding(app):
            raise IndexUnavailable("rebuilding")
        result = get_index(app).search(query)
    except IndexUnavailable:
        rebuild_in_background(app)
        answer = search_in_database(args, user)
        answer["notice"] = _(
            "The search index is being rebuilt; results come from a simpler search meanwhile."
        )
        return answer
    # The page's people as plain columns: a search list needs no ORM objects.
    people = person_summaries([hit["id"] for hit in result.hits])
    locale = str(get_locale() or "vi")
    items = []
    for hit in result.hits:
        person = people.get(hit["id"])
        if person is None:
            continue  # deleted since it was indexed; the after-commit hook removes it
        items.append(
            {
                **person_summary_json(person, locale),
                "score": round(float(hit["score"]), 4) if hit.get("score") is not None else None,
                "highlights": hit.get("highlights") or {},
            }
        )
    facets = {
        name: {str(k): v for k, v in counts.items()} for name, counts in result.facets.items()
    }
    return page_of(
        items,
        result.total,
        result.page,
        result.per_page,
        facets=facets,
        suggestion=result.suggestion,
        notice=_notice(query, result),
    )


def search_in_database(args, user) -> dict:
    """Name and filter search in the database: the fallback while the index is unavailable."""
    page, per_page = page_args(args)
    q = clean_line(args.get("q") or "")[:MAX_QUERY]
    orgs, fields, degrees = (
        _int_list(args, "organization"),
        _str_list(args, "field"),
        _str_list(args, "degree"),
    )
    stmt = visible_people(select(Person.id), Viewer.of(user))
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
        .order_by(Person.name_key, Person.id)
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
