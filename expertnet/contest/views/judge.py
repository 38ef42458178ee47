"""The judges' pages: the entries to score, the score form per criterion, declaring a conflict."""

from __future__ import annotations

from flask import abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import judging, queries
from ..forms import ConflictForm, score_form_class
from ..models import has_role
from . import Page, bp, entry_or_404, entry_url, form_action
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
    criteria = entry.edition.criteria
    return form_action(
        form,
        lambda: judging.save_score(
            entry,
            current_user,
            {str(c.id): form[f"c{c.id}"].data for c in criteria},
            form.comment.data or "",
        ),
        _("Your scores were saved."),
        on_error=lambda status: render_entry(entry, {"score": form}, status),
        redirect_to=entry_url(entry),
        fresh_for=entry,
        names={f"scores.{c.id}": form[f"c{c.id}"] for c in criteria},
    )


@bp.post("/entries/<int:entry_id>/conflict")
@login_required
def conflict(entry_id: int) -> Page:
    """The judge steps off the entry with a declared conflict of interest."""
    entry = entry_or_404(entry_id)
    if not entry.is_judge(current_user):
        abort(403)
    form = ConflictForm()
    return form_action(
        form,
        lambda: judging.declare_conflict(entry, current_user, form.details.data),
        _("Your conflict was recorded; the secretariat will seat another judge."),
        on_error=lambda status: render_entry(entry, {"conflict": form}, status),
        redirect_to=url_for("contest.my_judging"),
    )
