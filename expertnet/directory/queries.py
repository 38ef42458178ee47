"""Reads of the directory that pages and API share: views call these, never build queries."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import and_, bindparam, case, func, or_, select
from sqlalchemy.orm import selectinload

from search_index.text import fold

from ..core.paging import PER_PAGE, paginate
from ..extensions import db
from .models import (
    Field,
    FormerProvince,
    Membership,
    Organization,
    OrganizationKind,
    Person,
    person_field,
)

#: The union's own organisations first, outside bodies (agencies last), as the union reads them.
KIND_ORDER = [
    OrganizationKind.member_association,
    OrganizationKind.institute,
    OrganizationKind.club,
    OrganizationKind.collective_member,
    OrganizationKind.university,
    OrganizationKind.enterprise,
    OrganizationKind.agency,
]


@dataclass
class OrganizationDirectory:
    """The organisations that match a filter, with the counts the page shows."""

    items: list[Organization]
    member_counts: dict[int, int]
    by_kind: dict[str, int]
    by_province: dict[str | None, int]
    total: int
    filters: dict[str, str] = field(default_factory=dict)


def organization_directory(
    q: str = "", kind: str | None = None, province: str | None = None
) -> OrganizationDirectory:
    """Organisations by name or code (with or without diacritics), kind and former province.

    Kind counts are taken under the other filters, so each count card says how many a click
    on it would show; member associations come first and government agencies last.
    """
    if kind is not None and kind not in OrganizationKind.values():
        raise ValueError("kind")
    if province is not None and province not in FormerProvince.values():
        raise ValueError("province")
    rank = case({k.value: n for n, k in enumerate(KIND_ORDER)}, value=Organization.kind)
    stmt = select(Organization).order_by(rank, Organization.name)
    if province:
        stmt = stmt.where(Organization.former_province == province)
    orgs = db.session.scalars(stmt).all()
    if q:
        # A few hundred organisations: folding in Python matches the way search does.
        needle = fold(q).split()
        orgs = [o for o in orgs if all(w in fold(f"{o.code} {o.name}") for w in needle)]
    by_kind: dict[str, int] = {}
    for org in orgs:
        by_kind[org.kind] = by_kind.get(org.kind, 0) + 1
    by_province: dict[str | None, int] = {}
    for org in orgs:
        if org.kind == OrganizationKind.member_association.value:
            by_province[org.former_province] = by_province.get(org.former_province, 0) + 1
    if kind:
        orgs = [o for o in orgs if o.kind == kind]
    counts = member_counts([o.id for o in orgs])
    filters = {k: v for k, v in (("q", q), ("kind", kind), ("province", province)) if v}
    return OrganizationDirectory(orgs, counts, by_kind, by_province, len(orgs), filters)


#: What a profile shows (and the API's expert record): memberships, fields, employer.
PERSON_LOAD = (
    selectinload(Person.memberships).selectinload(Membership.organization),
    selectinload(Person.fields),
    selectinload(Person.employer),
)


@dataclass
class PersonSummary:
    """What a list of people shows of each (``serialize.person_summary_json``)."""

    id: int
    full_name: str
    academic_title: str | None
    degree: str | None
    #: Current memberships: (organisation id, its name, role).
    orgs: list[tuple[int, str, str]] = field(default_factory=list)
    #: (code, name, English name), by code.
    fields: list[tuple[str, str, str | None]] = field(default_factory=list)


@functools.lru_cache(maxsize=128)
def _summary_statement(count: int):
    """``person_summaries``' statement for ``count`` ids, built once per page size: one
    bound parameter per id (a page has up to 100), so each search reuses the compiled SQL
    as it is, instead of building it again or expanding a list parameter into it.

    One row per (current membership, field) of each person, or one row with NULLs when
    they have none: a person has one or two of each, so a page of 20 is a few dozen rows.
    """
    return (
        select(
            Person.id,
            Person.full_name,
            Person.academic_title,
            Person.degree,
            Organization.id,
            Organization.name,
            Membership.role,
            Field.code,
            Field.name,
            Field.name_en,
        )
        .select_from(Person)
        .outerjoin(
            Membership, and_(Membership.person_id == Person.id, Membership.ended_on.is_(None))
        )
        .outerjoin(Organization, Organization.id == Membership.organization_id)
        .outerjoin(person_field, person_field.c.person_id == Person.id)
        .outerjoin(Field, Field.id == person_field.c.field_id)
        .where(Person.id.in_([bindparam(f"id{n}") for n in range(count)]))
        .order_by(Person.id, Membership.id, Field.code)
    )


def person_summaries(ids: list[int]) -> dict[int, PersonSummary]:
    """The people of a page of search hits, by id, with their current memberships (by
    membership) and fields (by code): one statement of plain columns, no objects.

    Columns only, so the statement runs on the session's connection (its transaction)
    without the ORM's layer.

    An empty page is read too (a trivial statement): a search answered from the index
    alone must not tell the reader "nobody" while the database is unreachable, it answers
    503 like every other request then (tests/test_database_down.py)."""
    out: dict[int, PersonSummary] = {}
    params = {f"id{n}": person_id for n, person_id in enumerate(ids)}
    rows = db.session.connection().execute(_summary_statement(len(params)), params).all()
    for pid, full_name, title, degree, org_id, org_name, role, code, name, name_en in rows:
        summary = out.get(pid)
        if summary is None:
            summary = out[pid] = PersonSummary(pid, full_name, title, degree)
        # Rows come by membership, then by field code: each membership's first row is in
        # membership order, and the first membership's rows hold every field in code order.
        if org_id is not None and (org_id, org_name, role) not in summary.orgs:
            summary.orgs.append((org_id, org_name, role))
        if code is not None and (code, name, name_en) not in summary.fields:
            summary.fields.append((code, name, name_en))
    return out


def visible_person(person_id: int, user) -> Person | None:
    """The person, loaded for their profile, if ``user`` may see them (``Person.can_view``);
    None both when there is no such person and when it is hidden, so that no edge reveals
    whether a non-consenting person exists (pages answer 404, the API a 404 error)."""
    person = db.session.scalar(select(Person).options(*PERSON_LOAD).where(Person.id == person_id))
    if person is None or not person.can_view(user):
        return None
    return person


def member_counts(ids: list[int]) -> dict[int, int]:
    """Current members of each organisation in ``ids`` (those with none are left out)."""
    if not ids:
        return {}
    rows = db.session.execute(
        select(Membership.organization_id, func.count())
        .where(Membership.organization_id.in_(ids), Membership.ended_on.is_(None))
        .group_by(Membership.organization_id)
    )
    return dict(rows.all())


def organization_page(
    kind: str | None = None, q: str = "", *, page: int = 1, per_page: int = PER_PAGE
) -> Pagination:
    """Organisations by kind and name or code (the API's list), by kind and code."""
    stmt = select(Organization)
    if kind:
        if kind not in OrganizationKind.values():
            raise ValueError("kind")
        stmt = stmt.where(Organization.kind == kind)
    if q:
        stmt = stmt.where(or_(Organization.name.ilike(f"%{q}%"), Organization.code.ilike(f"%{q}%")))
    return paginate(stmt.order_by(Organization.kind, Organization.code), page, per_page)


@dataclass
class OrganizationMembers:
    """An organisation's current members as its page shows them."""

    count: int
    roles: dict[str, int]
    members: list[Membership]
    page: int
    pages: int


def organization_members(
    org: Organization, *, show_all: bool, page: int = 1, per_page: int = 50
) -> OrganizationMembers:
    """Counts by role, and one page of the members (chairs first, then by name).

    Without ``show_all`` (the public) only the consenting experts are listed, on one page.
    """
    current = (Membership.organization_id == org.id, Membership.ended_on.is_(None))
    count = db.session.scalar(select(func.count()).where(*current)) or 0
    roles = dict(
        db.session.execute(
            select(Membership.role, func.count()).where(*current).group_by(Membership.role)
        ).all()
    )
    base = select(Membership).join(Person).where(*current).options(selectinload(Membership.person))
    if show_all:
        found = paginate(
            base.order_by(Membership.role != "chair", Person.name_key, Person.id), page, per_page
        )
        return OrganizationMembers(count, roles, found.items, found.page, found.pages)
    members = db.session.scalars(
        base.where(Person.public_profile.is_(True))
        .order_by(Person.name_key, Person.id)
        .limit(per_page)
    ).all()
    return OrganizationMembers(count, roles, list(members), 1, 1)


# --- people, names and choice lists -----------------------------------------------------------

#: The union's own kinds of organisation, whose members an expert may be.
MEMBER_KINDS = ("member_association", "institute", "club", "collective_member")


def leaf_fields() -> list[Field]:
    """The fields one may choose (the second level of the taxonomy), by code."""
    return list(
        db.session.scalars(select(Field).where(Field.parent_id.is_not(None)).order_by(Field.code))
    )


def field_names(locale: str) -> dict[str, str]:
    return {f.code: f.display_name(locale) for f in db.session.scalars(select(Field))}


def organization_names(kinds: tuple[str, ...] | None = None) -> list[tuple[int, str]]:
    """(id, name) of every organisation (or those of ``kinds``), by name: the choice lists."""
    stmt = select(Organization.id, Organization.name).order_by(Organization.name)
    if kinds is not None:
        stmt = stmt.where(Organization.kind.in_(kinds))
    return [(i, n) for i, n in db.session.execute(stmt).all()]


def organization_names_by_id(ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.session.execute(
        select(Organization.id, Organization.name).where(Organization.id.in_(ids))
    )
    return dict(rows.all())


def people_named(q: str, limit: int) -> list[Person]:
    """People whose name or e-mail contains ``q`` (any case), by name: a picker's choices."""
    like = f"%{q.lower()}%"
    return list(
        db.session.scalars(
            select(Person)
            .where(
                or_(func.lower(Person.full_name).like(like), func.lower(Person.email).like(like))
            )
            .order_by(Person.full_name, Person.id)
            .limit(limit)
        )
    )


#: The union's own kinds of organisation, counted on the home page.
UNION_KINDS = ("member_association", "institute", "club", "collective_member")


def union_figures() -> dict[str, int]:
    """The home page's figures: member organisations, members, experts in the public directory."""
    counts = dict(
        db.session.execute(
            select(Organization.kind, func.count()).group_by(Organization.kind)
        ).all()
    )
    return {
        "organizations": sum(counts.get(k, 0) for k in UNION_KINDS),
        "members": db.session.scalar(select(func.count(Person.id))) or 0,
        "public_experts": db.session.scalar(
            select(func.count(Person.id)).where(Person.public_profile.is_(True))
        )
        or 0,
    }


def all_fields() -> list[Field]:
    """The whole field taxonomy (areas and disciplines, each with its parent), by code."""
    return list(
        db.session.scalars(select(Field).options(selectinload(Field.parent)).order_by(Field.code))
    )
