"""The public register of published opinions."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from workflows import Action

from ...core.text import clean_line
from ...directory.models import Field, Organization
from ...extensions import db
from .. import operations as ops
from ..forms import RegisterFilterForm, choices, kind_choices
from ..models import PublishedOpinion, Request, request_field
from ..serialize import published_json
from .common import PER_PAGE, Page, _int_or_none, bp

# --- the public register ----------------------------------------------------------------------


def _visible_published(stmt):
    return ops.visible_published(stmt, current_user)


def _fill_register_choices(form: RegisterFilterForm) -> None:
    locale = str(get_locale())
    base = _visible_published(
        select(PublishedOpinion.id).join(Request, Request.id == PublishedOpinion.request_id)
    ).subquery()
    years = db.session.scalars(
        select(PublishedOpinion.year)
        .where(PublishedOpinion.id.in_(select(base.c.id)))
        .distinct()
        .order_by(PublishedOpinion.year.desc())
    ).all()
    agencies = db.session.execute(
        select(Organization.id, Organization.name)
        .join(Request, Request.agency_id == Organization.id)
        .join(PublishedOpinion, PublishedOpinion.request_id == Request.id)
        .where(PublishedOpinion.id.in_(select(base.c.id)))
        .distinct()
        .order_by(Organization.name)
    ).all()
    fields = db.session.scalars(
        select(Field)
        .join(request_field, request_field.c.field_id == Field.id)
        .join(PublishedOpinion, PublishedOpinion.request_id == request_field.c.request_id)
        .where(PublishedOpinion.id.in_(select(base.c.id)))
        .distinct()
        .order_by(Field.code)
    ).all()
    form.kind.choices = kind_choices(blank=True)
    form.year.choices = choices(((str(y), str(y)) for y in years), blank=True)
    form.agency.choices = choices(((str(i), n) for i, n in agencies), blank=True)
    form.field.choices = choices(((f.code, f.display_name(locale)) for f in fields), blank=True)


@bp.get("/register")
def register() -> Page:
    """The register of published opinions: search, filters, pages."""
    form = RegisterFilterForm(formdata=request.args)
    _fill_register_choices(form)
    stmt = _visible_published(
        select(PublishedOpinion).join(Request, Request.id == PublishedOpinion.request_id)
    )
    valid = form.validate()
    if valid:
        if form.kind.data:
            stmt = stmt.where(Request.kind == form.kind.data)
        if form.year.data:
            stmt = stmt.where(PublishedOpinion.year == int(form.year.data))
        if form.agency.data:
            stmt = stmt.where(Request.agency_id == int(form.agency.data))
        if form.field.data:
            stmt = stmt.where(
                Request.id.in_(
                    select(request_field.c.request_id)
                    .join(Field, Field.id == request_field.c.field_id)
                    .where(Field.code == form.field.data)
                )
            )
        q = clean_line(form.q.data or "")
        if q:
            stmt = stmt.where(Request.title.ilike(f"%{q}%"))
    else:
        stmt = stmt.where(False)
    page = max(_int_or_none(request.args.get("page")) or 1, 1)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    items = db.session.scalars(
        stmt.order_by(PublishedOpinion.published_at.desc(), PublishedOpinion.id.desc())
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "consultation/register.html",
        form=form,
        items=items,
        total=total,
        page=page,
        pages=max((total - 1) // PER_PAGE + 1, 1),
        args=args,
    ), (200 if valid else 422)


@bp.get("/register/<int:opinion_id>")
def published(opinion_id: int) -> Page:
    op = db.session.scalar(
        select(PublishedOpinion)
        .options(selectinload(PublishedOpinion.recommendations))
        .where(PublishedOpinion.id == opinion_id)
    )
    if op is None or not op.can_view(current_user):
        abort(404)
    req = op.request
    return render_template(
        "consultation/published.html",
        op=op,
        data=published_json(op),
        req=req,
        can_open_request=current_user.is_authenticated and req.can_view(current_user),
        can_respond=current_user.is_authenticated
        and Action.RECORD_RESPONSE in ops.allowed_actions_for(req, current_user),
    )
