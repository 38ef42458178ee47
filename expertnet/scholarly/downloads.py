"""The scientific CV as a download, for the CV page and the API alike."""

from __future__ import annotations

from flask import Response
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core.types import utcnow
from ..directory.models import Person
from ..extensions import db
from . import cv as cvmod
from .models import Patent, Publication, ResearchProject


def cv_for(person: Person) -> cvmod.CV:
    pubs = db.session.scalars(
        select(Publication)
        .where(Publication.person_id == person.id)
        .options(selectinload(Publication.authors))
    ).all()
    projects_ = db.session.scalars(
        select(ResearchProject).where(ResearchProject.person_id == person.id)
    ).all()
    patents_ = db.session.scalars(select(Patent).where(Patent.person_id == person.id)).all()
    return cvmod.build_cv(
        person,
        list(pubs),
        list(projects_),
        list(patents_),
        with_contact=person.can_view_contact(current_user),
        now=utcnow(),
    )


def cv_response(person: Person, extension: str) -> Response:
    cv = cv_for(person)
    if extension == "pdf":
        data, media = cvmod.render_pdf(cv), cvmod.PDF_MEDIA_TYPE
    else:
        data, media = cvmod.render_docx(cv), cvmod.DOCX_MEDIA_TYPE
    resp = Response(data, mimetype=media)
    resp.headers["Content-Disposition"] = (
        f'attachment; filename="{cvmod.filename(person, extension)}"'
    )
    resp.headers["Cache-Control"] = "private, no-store"
    return resp
