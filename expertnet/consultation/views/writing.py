"""Writing: an expert's opinion and the coordinator's consolidation."""

from __future__ import annotations

import json
from typing import Any

from flask import abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...core.text import clean_line, clean_text
from .. import operations as ops
from ..consolidate import group_recommendations
from ..forms import ConsolidationForm, OpinionForm, RecommendationRow, choices
from ..models import Invitation, Request
from .common import Page, _int_or_none, _is_fresh, _request_or_404, _stale, bp, form_action

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

    def again(status: int) -> Page:
        return render_template(
            "consultation/opinion.html", req=req, own=own, form=form, editable=editable
        ), status

    if request.method == "GET":
        return again(200)
    submitting = request.form.get("intent") == "submit"

    def run() -> None:
        data = {
            "summary": clean_text(form.summary.data or "") or None,
            "assessment": clean_text(form.assessment.data or "") or None,
            "position": form.position.data or None,
            "recommendations": form.recommendation_list(),
            "version": _int_or_none(form.opinion_version.data),
        }
        ops.save_opinion(req, current_user, data)
        if submitting:
            ops.submit_opinion(req, current_user)

    return form_action(
        form,
        run,
        _("Your opinion was submitted.")
        if submitting
        else _("Your draft was saved. Submit it when it is ready."),
        on_error=again,
        redirect_to=url_for("consultation.opinion", request_id=req.id),
        fresh_for=req,
        conflict_for=req,
    )


# --- consolidation ----------------------------------------------------------------------------


def _json_list(raw: str | None) -> list[dict[str, Any]]:
    try:
        value = json.loads(raw or "[]")
    except ValueError:
        return []
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _dissents_of(raw: str | None) -> list[dict[str, Any]]:
    """The recorded dissent a row carries (hidden field), well-formed items only."""
    return [
        {"expert_id": d["expert_id"], "text": d["text"]}
        for d in _json_list(raw)
        if isinstance(d.get("expert_id"), int) and isinstance(d.get("text"), str)
    ]


def _fill_consolidation(form: ConsolidationForm, req: Request, panel: list[Invitation]) -> None:
    endorse = choices((str(i.person_id), i.person.display_name) for i in panel)
    dissent = choices(((str(i.person_id), i.person.display_name) for i in panel), blank=True)
    for entry in form.recommendations:
        entry.form.endorsed_by.choices = endorse
        for sub in entry.form.dissents:
            sub.form.expert_id.choices = dissent


def _blank_row(req: Request, panel: list[Invitation]) -> RecommendationRow:
    """An empty row with a placeholder index, which the page's script copies for "add a row"."""
    row = RecommendationRow(formdata=None, prefix="recommendations-__n__-")
    row.endorsed_by.choices = choices((str(i.person_id), i.person.display_name) for i in panel)
    blank = choices(((str(i.person_id), i.person.display_name) for i in panel), blank=True)
    for sub in row.dissents:
        sub.form.expert_id.choices = blank
    return row


def _set_row(entry, text: str, endorsed: list[int], kept: list, sources: list) -> None:
    entry.form.text.data = text
    entry.form.endorsed_by.data = list(endorsed)
    entry.form.kept.data = json.dumps(kept, ensure_ascii=False) if kept else ""
    entry.form.sources.data = json.dumps(sources, ensure_ascii=False) if sources else ""


def _draft_rows(req: Request, existing: list[dict[str, Any]]) -> list[tuple]:
    """The rows a new editor starts from: the saved ones, else the opinions' grouped."""
    if existing:
        return [(r["text"], r.get("endorsed_by", []), r.get("dissent", []), []) for r in existing]
    return [
        (
            g.text,
            g.endorsed_by,
            [],
            [{"person_id": w.person_id, "text": w.text} for w in g.wordings],
        )
        for g in group_recommendations(req.opinions)
    ]


def _rework(form: ConsolidationForm, intent: str) -> None:
    """Add a row, a dissent, or merge the ticked rows, keeping everything typed so far."""
    rows = form.recommendations
    if intent == "add_row":
        rows.append_entry()
    elif intent.startswith("add_dissent-"):
        index = intent.removeprefix("add_dissent-")
        for entry in rows:
            if entry.name == f"recommendations-{index}":
                entry.form.dissents.append_entry()
    elif intent == "merge":
        picked = [entry for entry in rows if entry.form.pick.data]
        if len(picked) < 2:
            flash(_("Tick at least two recommendations to merge them."), "warning")
            return
        target, others = picked[0], picked[1:]
        texts = [e.form.text.data.strip() for e in picked if (e.form.text.data or "").strip()]
        endorsed = sorted({pid for e in picked for pid in (e.form.endorsed_by.data or [])})
        kept = [d for e in picked for d in _dissents_of(e.form.kept.data)]
        sources = [s for e in picked for s in _json_list(e.form.sources.data)]
        _set_row(target, "\n".join(dict.fromkeys(texts)), endorsed, kept, sources)
        for other in others:
            for sub in other.form.dissents:
                if sub.form.expert_id.data or (sub.form.text.data or "").strip():
                    target.form.dissents.append_entry(
                        {"expert_id": sub.form.expert_id.data, "text": sub.form.text.data}
                    )
            rows.entries.remove(other)
        for entry in rows:
            entry.form.pick.data = False
        flash(
            _(
                "%(num)s recommendations merged; check the merged text before saving.",
                num=len(picked),
            ),
            "info",
        )


def _collect(
    form: ConsolidationForm, existing: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The recommendations to save, and which form field each error key points to."""
    recs: list[dict[str, Any]] = []
    names: dict[str, Any] = {}
    for entry in form.recommendations:
        row = entry.form
        text = clean_text(row.text.data or "") or ""
        dissent = _dissents_of(row.kept.data)
        for sub in row.dissents:
            if sub.form.expert_id.data:
                dissent.append(
                    {
                        "expert_id": int(sub.form.expert_id.data),
                        "text": clean_text(sub.form.text.data or "") or "",
                    }
                )
        if not text and not dissent:
            continue
        if not text:
            row.text.errors = [_("A recommendation with dissent needs its text.")]
        names[f"recommendations.{len(recs)}.endorsed_by"] = row.endorsed_by
        names[f"recommendations.{len(recs)}.text"] = row.text
        endorsed = list(row.endorsed_by.data or [])
        recs.append({"text": text, "endorsed_by": endorsed, "dissent": dissent})
    # Recorded dissent is never erased: what a post left out goes back to its row.
    present = {(d["expert_id"], d["text"]) for r in recs for d in r["dissent"]}
    for n, old in enumerate(existing):
        for d in old.get("dissent", []):
            if (d["expert_id"], d["text"]) in present or not recs:
                continue
            recs[min(n, len(recs) - 1)]["dissent"].append(dict(d))
            present.add((d["expert_id"], d["text"]))
    return recs, names


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
    drafted = False
    if request.method == "GET":
        form = ConsolidationForm(formdata=None)
        form.version.data = str(req.version)
        form.text.data = req.consolidation.text if req.consolidation else ""
        form.recipients.data = "\n".join(
            (req.consolidation.recipients or []) if req.consolidation else []
        )
        if req.consolidation is not None:
            form.consolidation_version.data = str(req.consolidation.version)
        rows = _draft_rows(req, existing) if editable else []
        drafted = editable and not existing and bool(rows)
        while len(form.recommendations) < len(rows) + 1:
            form.recommendations.append_entry()
        for entry, (text, endorsed, kept, sources) in zip(form.recommendations, rows, strict=False):
            _set_row(entry, text, endorsed, kept, sources)
    else:
        form = ConsolidationForm()
    _fill_consolidation(form, req, panel)

    def again(status: int) -> Page:
        return render_template(
            "consultation/consolidation.html",
            req=req,
            form=form,
            editable=editable,
            drafted=drafted,
            existing=existing,
            names={i.person_id: i.person.display_name for i in panel},
            kept_of=_dissents_of,
            sources_of=_json_list,
            blank=_blank_row(req, panel) if editable else None,
            opinions=ops.visible_opinions(req, current_user),
        ), status

    if request.method == "GET":
        return again(200)
    intent = request.form.get("do", "save")
    if intent != "save":
        # Reworking the rows saves nothing: the page comes back with everything kept.
        _rework(form, intent)
        _fill_consolidation(form, req, panel)
        return again(200)
    if not form.validate_on_submit():
        return again(422)
    if not _is_fresh(req, form):
        return _stale(req)
    recs, fields = _collect(form, existing)
    if any(entry.form.text.errors for entry in form.recommendations):
        return again(422)
    data = {
        "text": clean_text(form.text.data or "") or "",
        "recommendations": recs,
        "version": _int_or_none(form.consolidation_version.data),
        "recipients": [
            line
            for line in (clean_line(raw) for raw in (form.recipients.data or "").splitlines())
            if line
        ],
    }
    return form_action(
        form,
        lambda: ops.save_consolidation(req, current_user, data),
        _("The consolidated opinion was saved."),
        on_error=again,
        redirect_to=url_for("consultation.consolidation", request_id=req.id),
        validate=False,
        conflict_for=req,
        names=fields,
    )
