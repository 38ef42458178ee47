"""The organising board's page: proposed results by field, award edits with reasons, approval."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from workflows import EditionState

from ...core.forms import choices
from .. import results
from ..forms import AwardForm
from ..models import Edition, can_run_contests
from . import Page, bp, edition_or_404, form_action


def is_board_member(edition: Edition, user) -> bool:
    return user.is_authenticated and user.id in {m.user_id for m in edition.board}


def _award_form(edition: Edition, line, posted: AwardForm | None = None) -> AwardForm:
    form = posted or AwardForm(prefix=f"r{line.entry_id}", formdata=None)
    form.award_level.choices = choices(
        [("", _("No award")), *((str(lv.id), lv.name) for lv in edition.award_levels)]
    )
    if posted is None:
        form.award_level.data = str(line.award_level_id or "")
    return form


def render_board(edition: Edition, posted: dict[str, Any] | None = None, status: int = 200):
    from .secretariat import _edition_action_forms

    posted = posted or {}
    editable = edition.state == EditionState.RESULTS_PROPOSED and is_board_member(
        edition, current_user
    )
    by_field: dict = {}
    for line in results.lines_of(edition):
        form = None
        if editable:
            form = _award_form(edition, line, (posted.get("awards") or {}).get(line.entry_id))
        by_field.setdefault(line.entry.field, []).append((line, form))
    return render_template(
        "contest/board.html",
        edition=edition,
        by_field=by_field,
        action_forms=_edition_action_forms(edition, posted.get("actions") or {}),
    ), status


@bp.get("/<int:edition_id>/board")
@login_required
def board(edition_id: int) -> Page:
    """The proposed results with totals and the severity-adjusted figure beside them."""
    edition = edition_or_404(edition_id)
    if not (is_board_member(edition, current_user) or can_run_contests(current_user)):
        abort(403)
    return render_board(edition)


@bp.post("/<int:edition_id>/results/<int:entry_id>")
@login_required
def edit_award(edition_id: int, entry_id: int) -> Page:
    """A board member changes an entry's award with a reason; another must then approve."""
    edition = edition_or_404(edition_id)
    if not is_board_member(edition, current_user):
        abort(403)
    line = next((ln for ln in results.lines_of(edition) if ln.entry_id == entry_id), None)
    if line is None:
        abort(404)
    form = _award_form(edition, line, AwardForm(prefix=f"r{entry_id}"))
    return form_action(
        form,
        lambda: results.edit_award(
            edition, current_user, entry_id, form.level_id(), form.reason.data
        ),
        _("The award was changed."),
        on_error=lambda status: render_board(edition, {"awards": {entry_id: form}}, status),
        redirect_to=url_for("contest.board", edition_id=edition.id),
    )
