"""The judges' pages: the entries to score, the score form per criterion, declaring a conflict."""

from __future__ import annotations

from flask import abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...core.errors import ApiError
from ...extensions import db
from .. import judging, queries
from ..forms import ConflictForm, score_form_class
from ..models import has_role
from . import Page, bp, done, entry_or_404, entry_url, put_errors, stale, version_of
from .author import render_entry


@bp.get("/judging")
@login_required
def my_judging() -> Page:
    """The entries the expert judges, in every edition, with where their scoring stands."""
    if not has_role(current_user, "expert") or current_user.person_id is None:
        abort(403)
    seats = queries.judge_seats(current_user.person_id)
    rows = [
        (seat, len(seat.current_scores(seat.entry.score_round)) == len(seat.entry.edition.criteria))
        for seat in seats
    ]
    return render_template("contest/judging.html", rows=rows)


@bp.post("/entries/<int:entry_id>/score")
@login_required
def score(entry_id: int) -> Page:
    """The judge's own points for each criterion and a comment (the same call as the API's)."""
    entry = entry_or_404(entry_id)
    if not entry.is_judge(current_user):
        abort(403)
    form = score_form_class(entry.edition.criteria)()
    if not form.validate_on_submit():
        return render_entry(entry, {"score": form}, 422)
    if version_of(form) != entry.version:
        return stale(entry_url(entry))
    points = {str(c.id): form[f"c{c.id}"].data for c in entry.edition.criteria}
    try:
        judging.save_score(entry, current_user, points, form.comment.data or "")
        db.session.commit()
    except ApiError as exc:
        db.session.rollback()
        names = {f"scores.{c.id}": form[f"c{c.id}"] for c in entry.edition.criteria}
        put_errors(form, exc, names)
        return render_entry(entry, {"score": form}, exc.status)
    return done(entry_url(entry), _("Your scores were saved."))


@bp.post("/entries/<int:entry_id>/conflict")
@login_required
def conflict(entry_id: int) -> Page:
    """The judge steps off the entry with a declared conflict of interest."""
    entry = entry_or_404(entry_id)
    if not entry.is_judge(current_user):
        abort(403)
    form = ConflictForm()
    if not form.validate_on_submit():
        return render_entry(entry, {"conflict": form}, 422)
    try:
        judging.declare_conflict(entry, current_user, form.details.data)
        db.session.commit()
    except ApiError as exc:
        db.session.rollback()
        put_errors(form, exc)
        return render_entry(entry, {"conflict": form}, exc.status)
    message = _("Your conflict was recorded; the secretariat will seat another judge.")
    return done(url_for("contest.my_judging"), message)
