"""The agency's response to the published opinion."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from workflows import Action

from ...core.text import clean_text
from .. import operations as ops
from ..forms import ResponseForm
from .common import Page, _request_or_404, bp, form_action

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

    def again(status: int) -> Page:
        return render_template(
            "consultation/response.html",
            req=req,
            form=form,
            rows=list(zip(recs, form.responses, strict=False)),
        ), status

    if request.method == "GET":
        return again(200)

    def run() -> None:
        answers = [
            {
                "recommendation": rec.id,
                "status": entry.form.status.data or None,
                "explanation": clean_text(entry.form.explanation.data or "") or None,
            }
            for rec, entry in zip(recs, form.responses, strict=False)
        ]
        ops.perform_action(
            req,
            Action.RECORD_RESPONSE.value,
            current_user,
            {"responses": answers},
            form.version_number(),
        )

    names: dict[str, Any] = {}
    for i, entry in enumerate(form.responses):
        names[f"responses[{i}].status"] = entry.form.status
        names[f"responses[{i}].explanation"] = entry.form.explanation
        names[f"responses[{i}].recommendation"] = entry.form.status
    return form_action(
        form,
        run,
        _("Your response was recorded. Thank you."),
        on_error=again,
        redirect_to=url_for("consultation.detail", request_id=req.id),
        conflict_for=req,
        names=names,
    )
