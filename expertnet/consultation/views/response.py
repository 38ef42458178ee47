"""The agency's response to the published opinion."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from workflows import Action

from ...core.errors import ApiError
from ...core.text import clean_text
from ...extensions import db
from .. import operations as ops
from ..forms import ResponseForm
from .common import Page, _put_errors, _request_or_404, _stale, bp

# --- the agency's response --------------------------------------------------------------------


@bp.route("/requests/<int:request_id>/response", methods=["GET", "POST"])
@login_required
def response(request_id: int) -> Page:
    req = _request_or_404(request_id)
    if Action.RECORD_RESPONSE not in ops.allowed_actions_for(req, current_user):
        abort(403)
    published = req.published_opinion
    recs = list(published.recommendations) if published else []
    form = ResponseForm() if request.method == "POST" else ResponseForm(formdata=None)
    while len(form.responses) < len(recs):
        form.responses.append_entry()
    form.set_choices()
    if request.method == "GET":
        form.version.data = str(req.version)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            answers = [
                {
                    "recommendation": rec.id,
                    "status": entry.form.status.data or None,
                    "explanation": clean_text(entry.form.explanation.data or "") or None,
                }
                for rec, entry in zip(recs, form.responses, strict=False)
            ]
            try:
                ops.perform_action(
                    req,
                    Action.RECORD_RESPONSE.value,
                    current_user,
                    {"responses": answers},
                    form.version_number(),
                )
                db.session.commit()
            except ApiError as exc:
                db.session.rollback()
                if exc.code == "version_conflict":
                    return _stale(req)
                names: dict[str, Any] = {}
                for i, entry in enumerate(form.responses):
                    names[f"responses[{i}].status"] = entry.form.status
                    names[f"responses[{i}].explanation"] = entry.form.explanation
                    names[f"responses[{i}].recommendation"] = entry.form.status
                _put_errors(form, exc, names)
                status = exc.status
            else:
                flash(_("Your response was recorded. Thank you."), "success")
                return redirect(url_for("consultation.detail", request_id=req.id), 303)
        else:
            status = 422
    return render_template(
        "consultation/response.html",
        req=req,
        form=form,
        rows=list(zip(recs, form.responses, strict=False)),
    ), status
