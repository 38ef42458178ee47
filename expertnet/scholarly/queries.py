"""Reads of the scholarly record that pages and API share (one order for each list)."""

from __future__ import annotations

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from ..core.paging import PER_PAGE, paginate
from ..directory.models import Membership, Person
from ..extensions import db
from .models import Patent, Publication, PublicationAuthor, ResearchProject, ScholarProfile


def publications_of(person_id: int) -> Select:
    """An expert's publications with their authors, newest first."""
    return (
        select(Publication)
        .where(Publication.person_id == person_id)
        .options(selectinload(Publication.authors))
        .order_by(Publication.year.desc().nulls_last(), Publication.id.desc())
    )


def projects_of(person_id: int) -> Select:
    return (
        select(ResearchProject)
        .where(ResearchProject.person_id == person_id)
        .order_by(ResearchProject.start_year.desc().nulls_last(), ResearchProject.id.desc())
    )


def patents_of(person_id: int) -> Select:
    return (
        select(Patent)
        .where(Patent.person_id == person_id)
        .order_by(Patent.year.desc().nulls_last(), Patent.id.desc())
    )


def publication_page(person_id: int, page: int = 1, per_page: int = PER_PAGE) -> Pagination:
    return paginate(publications_of(person_id), page, per_page)


def record_summary(person_id: int, limit: int = 10, publication_total: int | None = None) -> dict:
    """What the profile page shows of the record: the latest works, projects, patents.

    ``limit=0`` reads no works (the record page pages them itself) and a known
    ``publication_total`` is not counted again.
    """
    if publication_total is None:
        publication_total = db.session.scalar(
            select(func.count()).select_from(Publication).where(Publication.person_id == person_id)
        )
    return {
        "publications": (
            db.session.scalars(publications_of(person_id).limit(limit)).all()
            if limit and publication_total
            else []
        ),
        "publication_total": publication_total,
        "projects": db.session.scalars(projects_of(person_id)).all(),
        "patents": db.session.scalars(patents_of(person_id)).all(),
        "orcid": db.session.scalar(
            select(ScholarProfile.orcid).where(ScholarProfile.person_id == person_id)
        ),
    }


def person_with_memberships(person_id: int) -> Person | None:
    return db.session.scalar(
        select(Person)
        .options(selectinload(Person.memberships).selectinload(Membership.organization))
        .where(Person.id == person_id)
    )


def authorships_to_confirm(person_id: int) -> list[PublicationAuthor]:
    """Authors of others' publications that may be this person, oldest suggestion first."""
    return list(
        db.session.scalars(
            select(PublicationAuthor)
            .where(PublicationAuthor.candidate_person_id == person_id)
            .options(selectinload(PublicationAuthor.publication).selectinload(Publication.person))
            .order_by(PublicationAuthor.id)
        )
    )


def person_for_record(person_id: int) -> Person | None:
    """The person whose record is asked for, loaded for the permission checks (with
    memberships, fields and employer). The loader options are made here, not at import:
    making them configures the mappers, which needs every model imported first."""
    load = (
        selectinload(Person.memberships).selectinload(Membership.organization),
        selectinload(Person.fields),
        selectinload(Person.employer),
    )
    return db.session.scalar(select(Person).options(*load).where(Person.id == person_id))


def author_at(pub_id: int, position: int) -> PublicationAuthor | None:
    """The author at ``position`` of publication ``pub_id``."""
    return db.session.scalar(
        select(PublicationAuthor).where(
            PublicationAuthor.publication_id == pub_id, PublicationAuthor.position == position
        )
    )


def orcid_of(person_id: int) -> str | None:
    """The ORCID iD on a person's record, if any."""
    return db.session.scalar(
        select(ScholarProfile.orcid).where(ScholarProfile.person_id == person_id)
    )
