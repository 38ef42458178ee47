"""Writing: an expert's opinion and the coordinator's consolidation."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...core.errors import ApiError
from ...core.text import clean_line, clean_text
from ...extensions import db
from .. import operations as ops
from ..forms import ConsolidationForm, OpinionForm, choices
from ..models import Invitation, Request
from .common import Page, _int_or_none, _is_fresh, _put_errors, _request_or_404, _stale, bp

# --- opinions ---------------------------------------------------------------------------------


@bp.route("/requests/<int:request_id>/opinion", methods=["GET", "POST"])
@login_required
def opinion(request_id: int) -> Page:
    req = _request_or_404(request_id)
    if not req.is_panel_member(current_user):
        abort(403)
    own = ops.own_opinion(req, current_user)
    editable = req.can_write_opinion(current_user)
    if request.method == "POST" and not editable:
        abort(403)
    form = OpinionForm(formdata=None) if request.method == "GET" else OpinionForm()
    if request.method == "GET":
        form.version.data = str(req.version)
        if own is not None:
            form.opinion_version.data = str(own.version)
            form.summary.data = own.summary
            form.assessment.data = own.assessment
            form.position.data = own.position or ""
            form.recommendations.data = "\n".join(r["text"] for r in own.recommendations)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            if not _is_fresh(req, form):
                return _stale(req)
            data = {
                "summary": clean_text(form.summary.data or "") or None,
                "assessment": clean_text(form.assessment.data or "") or None,
                "position": form.position.data or None,
                "recommendations": form.recommendation_list(),
                "version": _int_or_none(form.opinion_version.data),
            }
            submitting = request.form.get("intent") == "submit"
            try:
                ops.save_opinion(req, current_user, data)
                if submitting:
                    ops.submit_opinion(req, current_user)
                db.session.commit()
            except ApiError as exc:
                db.session.rollback()
                if exc.code == "version_conflict":
                    return _stale(req)
                _put_errors(form, exc)
                status = exc.status
            else:
                flash(
                    _("Your opinion was submitted.")
                    if submitting
                    else _("Your draft was saved. Submit it when it is ready."),
                    "success",
                )
                return redirect(url_for("consultation.opinion", request_id=req.id), 303)
        else:
            status = 422
    return render_template(
        "consultation/opinion.html", req=req, own=own, form=form, editable=editable
    ), status


# --- consolidation ----------------------------------------------------------------------------


def _fill_consolidation(form: ConsolidationForm, req: Request, panel: list[Invitation]) -> None:
    endorse = choices((str(i.person_id), i.person.display_name) for i in panel)
    dissent = choices(((str(i.person_id), i.person.display_name) for i in panel), blank=True)
    for entry in form.recommendations:
        entry.form.endorsed_by.choices = endorse
        entry.form.dissent_expert.choices = dissent


@bp.route("/requests/<int:request_id>/consolidation", methods=["GET", "POST"])
@login_required
def consolidation(request_id: int) -> Page:
    req = _request_or_404(request_id)
    if not req.can_view_consolidation(current_user):
        abort(403)
    editable = req.can_write_consolidation(current_user)
    if request.method == "POST" and not editable:
        abort(403)
    existing = list(req.consolidation.recommendations) if req.consolidation else []
    panel = req.accepted_invitations
    if request.method == "GET":
        form = ConsolidationForm(formdata=None)
        form.version.data = str(req.version)
        form.text.data = req.consolidation.text if req.consolidation else ""
        form.recipients.data = "\n".join(
            (req.consolidation.recipients or []) if req.consolidation else []
        )
        if req.consolidation is not None:
            form.consolidation_version.data = str(req.consolidation.version)
        while len(form.recommendations) < len(existing) + 2:
            form.recommendations.append_entry()
        for entry, rec in zip(form.recommendations, existing, strict=False):
            entry.form.text.data = rec["text"]
            entry.form.endorsed_by.data = list(rec.get("endorsed_by", []))
    else:
        form = ConsolidationForm()
    _fill_consolidation(form, req, panel)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            if not _is_fresh(req, form):
                return _stale(req)
            recs: list[dict[str, Any]] = []
            names: dict[str, Any] = {}
            for n, entry in enumerate(form.recommendations):
                kept = list(existing[n].get("dissent", [])) if n < len(existing) else []
                row = entry.form
                text = clean_text(row.text.data or "") or ""
                if row.dissent_expert.data:
                    kept.append(
                        {
                            "expert_id": int(row.dissent_expert.data),
                            "text": clean_text(row.dissent_text.data or "") or "",
                        }
                    )
                if not text and not kept:
                    continue
                if not text:
                    row.text.errors = [_("A recommendation with dissent needs its text.")]
                names[f"recommendations.{len(recs)}.endorsed_by"] = row.endorsed_by
                names[f"recommendations.{len(recs)}.text"] = row.text
                recs.append(
                    {"text": text, "endorsed_by": list(row.endorsed_by.data or []), "dissent": kept}
                )
            if any(entry.form.text.errors for entry in form.recommendations):
                status = 422
            else:
                data = {
                    "text": clean_text(form.text.data or "") or "",
                    "recommendations": recs,
                    "version": _int_or_none(form.consolidation_version.data),
                    "recipients": [
                        line
                        for line in (
                            clean_line(raw) for raw in (form.recipients.data or "").splitlines()
                        )
                        if line
                    ],
                }
                try:
                    ops.save_consolidation(req, current_user, data)
                    db.session.commit()
                except ApiError as exc:
                    db.session.rollback()
                    if exc.code == "version_conflict":
                        return _stale(req)
                    _put_errors(form, exc, names)
                    status = exc.status
                else:
                    flash(_("The consolidated opinion was saved."), "success")
                    return redirect(url_for("consultation.consolidation", request_id=req.id), 303)
        else:
            status = 422
    return render_template(
        "consultation/consolidation.html",
        req=req,
        form=form,
        editable=editable,
        existing=existing,
        names={i.person_id: i.person.display_name for i in panel},
        opinions=ops.visible_opinions(req, current_user),
    ), status
