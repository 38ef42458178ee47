"""The public register of published opinions."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import get_locale
from flask_login import current_user

from workflows import Action

from ...core.text import clean_line
from .. import operations as ops
from .. import queries
from ..forms import RegisterFilterForm, choices, kind_choices
from ..serialize import published_json
from .common import Page, bp, page_arg

# --- the public register ----------------------------------------------------------------------


def _fill_register_choices(form: RegisterFilterForm) -> None:
    locale = str(get_locale())
    found = queries.register_choices(current_user)
    form.kind.choices = kind_choices(blank=True)
    form.year.choices = choices(((str(y), str(y)) for y in found.years), blank=True)
    form.agency.choices = choices(((str(i), n) for i, n in found.agencies), blank=True)
    form.field.choices = choices(
        ((f.code, f.display_name(locale)) for f in found.fields), blank=True
    )


@bp.get("/register")
def register() -> Page:
    """The register of published opinions: search, filters, pages."""
    form = RegisterFilterForm(formdata=request.args)
    _fill_register_choices(form)
    valid = form.validate()
    filters = (
        queries.RegisterFilters(
            kind=form.kind.data or None,
            year=int(form.year.data) if form.year.data else None,
            agency=int(form.agency.data) if form.agency.data else None,
            field=form.field.data or None,
            q=clean_line(form.q.data or ""),
        )
        if valid
        else None
    )
    found = queries.published_register(current_user, filters, page=page_arg())
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "consultation/register.html",
        form=form,
        items=found.items,
        total=found.total,
        found=found,
        args=args,
    ), (200 if valid else 422)


@bp.get("/register/<int:opinion_id>")
def published(opinion_id: int) -> Page:
    op = queries.published_opinion(opinion_id, current_user)
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
