"""The contest's pages: the editions, one edition, and its public results."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user
from sqlalchemy import select

from workflows import EditionState, EntryState

from ..extensions import db
from . import operations as ops
from . import results
from .models import Edition, can_run_contests

bp = Blueprint("contest", __name__, url_prefix="/contests")


def _edition_or_404(edition_id: int) -> Edition:
    edition = db.session.get(Edition, edition_id)
    if edition is None or not edition.can_view(current_user):
        abort(404)
    return edition


@bp.get("/")
def editions():
    """Every announced edition (and drafts for the secretariat), newest first."""
    stmt = select(Edition).order_by(Edition.id.desc())
    if not can_run_contests(current_user):
        stmt = stmt.where(Edition.state != EditionState.DRAFT.value)
    return render_template("contest/list.html", editions=db.session.scalars(stmt).all())


@bp.get("/<int:edition_id>")
def edition(edition_id: int):
    """An edition's rules, fields, criteria and awards; the entries the viewer may see."""
    ed = _edition_or_404(edition_id)
    entries = [e for e in ed.entries if e.can_view(current_user)]
    return render_template(
        "contest/detail.html",
        edition=ed,
        entries=entries,
        states=EntryState,
        actions=ops.edition_actions_for(ed, current_user),
        results_visible=results.can_view_results(ed, current_user),
    )


@bp.get("/<int:edition_id>/results")
def edition_results(edition_id: int):
    """The results by field: public once published, for the secretariat and board before."""
    ed = _edition_or_404(edition_id)
    if not results.can_view_results(ed, current_user):
        abort(404)
    lines = results.lines_of(ed)
    by_field: dict = {}
    for line in lines:
        by_field.setdefault(line.entry.field, []).append(line)
    return render_template(
        "contest/results.html",
        edition=ed,
        by_field=by_field,
        published=results.is_public(ed),
    )
