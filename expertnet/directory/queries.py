"""Reads of the directory that pages and API share: views call these, never build queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from search_index.text import fold

from ..extensions import db
from .models import FormerProvince, Membership, Organization, OrganizationKind, Person

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
    ids = [o.id for o in orgs]
    counts = (
        dict(
            db.session.execute(
                select(Membership.organization_id, func.count())
                .where(Membership.ended_on.is_(None), Membership.organization_id.in_(ids))
                .group_by(Membership.organization_id)
            ).all()
        )
        if ids
        else {}
    )
    filters = {k: v for k, v in (("q", q), ("kind", kind), ("province", province)) if v}
    return OrganizationDirectory(orgs, counts, by_kind, by_province, len(orgs), filters)


#: What a profile shows (and the API's expert record): memberships, fields, employer.
PERSON_LOAD = (
    selectinload(Person.memberships).selectinload(Membership.organization),
    selectinload(Person.fields),
    selectinload(Person.employer),
)


def visible_person(person_id: int, user) -> Person | None:
    """The person, loaded for their profile, if ``user`` may see them (``Person.can_view``);
    None both when there is no such person and when it is hidden, so that no edge reveals
    whether a non-consenting person exists (pages answer 404, the API a 404 error)."""
    person = db.session.scalar(select(Person).options(*PERSON_LOAD).where(Person.id == person_id))
    if person is None or not person.can_view(user):
        return None
    return person
