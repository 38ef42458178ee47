"""The expert panel: suggestions, invitations, revocation, replacement, conflicts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from workflows import State

from ...core.errors import ApiError
from ...core.text import clean_line, clean_text
from ...directory.models import Person
from ...extensions import db
from .. import operations as ops
from .. import procedure_docs
from ..forms import (
    ConsultationFormForm,
    InviteForm,
    ReplaceForm,
    ResolveConflictForm,
    RevokeForm,
    consultation_form_choices,
    role_choices,
)
from ..models import ConsultationForm, Invitation, InvitationRole, InvitationState, Request
from .common import (
    SEAT_ORDER,
    Page,
    _int_or_none,
    _invitation_or_404,
    _is_fresh,
    _local_input,
    _person,
    _prefix,
    _put_errors,
    _request_or_404,
    _require_staff,
    _stale,
    _to_utc,
    bp,
)

# --- panel ------------------------------------------------------------------------------------


def _default_respond_by() -> datetime:
    """Five working days from today, at the end of the office day (weekends and public
    holidays do not count)."""
    return _local_input(
        ops.working_day_deadline(ops.RESPOND_WORKING_DAYS, hour=ops.END_OF_WORKING_DAY)
    )


def _form_choice(req: Request, posted: ConsultationFormForm | None = None):
    """The form of consultation, chosen by the coordinator while the panel is formed."""
    if not (req.is_coordinating(current_user) and req.state == State.PANEL_FORMING):
        return None
    form = posted or ConsultationFormForm(formdata=None)
    form.consultation_form.choices = consultation_form_choices()
    if posted is None:
        form.consultation_form.data = req.consultation_form
    form.version.data = str(req.version)
    return form


def _invite_form(req: Request, prefix: str, role: str = "member", formdata=None) -> InviteForm:
    form = InviteForm(prefix=prefix, formdata=formdata)
    form.role.choices = role_choices()
    if formdata is None:
        form.role.data = role
        form.respond_by.data = _default_respond_by()
    form.version.data = str(req.version)
    return form


def _suggestions(req: Request, size: int) -> dict[str, Any] | None:
    from ...panel.cache import get_graph
    from ...panel.service import can_view_suggestions, path_labels, suggestions_for_request

    if not (can_view_suggestions(current_user) and req.can_manage_panel(current_user)):
        return None
    suggestion = suggestions_for_request(req, size)
    eg = suggestion.graph or get_graph()
    ids = {c.person_id for c in suggestion.panel} | {c.person_id for c in suggestion.ranked[:10]}
    people = {
        p.id: p
        for p in db.session.scalars(
            select(Person).where(Person.id.in_(ids)).options(selectinload(Person.user))
        )
    }

    def row(c) -> dict[str, Any]:
        person = people.get(c.person_id)
        return {
            "candidate": c,
            "problem": _invite_problem(person),
            "conflicts": [(str(x.reason), path_labels(eg, x)) for x in c.potential_conflicts],
        }

    excluded = [
        {
            "name": eg.people[e.person_id].display_name if e.person_id in eg.people else "",
            "person_id": e.person_id,
            "reason": str(e.reason),
            "path": path_labels(eg, e.conflict) if e.conflict is not None else [],
        }
        for e in suggestion.excluded[:30]
    ]
    return {
        "panel": [row(c) for c in suggestion.panel],
        "more": [row(c) for c in suggestion.ranked[:10]],
        "chair_id": suggestion.chair_id,
        "unmet": suggestion.unmet,
        "excluded": excluded,
        "excluded_total": len(suggestion.excluded),
    }


def _invite_problem(person: Person | None) -> str | None:
    """Why an invitation could not reach this expert (no e-mail address…), or None."""
    from ...access.operations import account_problem

    if person is None:
        return _("No such expert.")
    return account_problem(person)


def _search(req: Request, q: str) -> list[dict[str, Any]]:
    from ...search.service import search_experts

    if not q or not req.can_manage_panel(current_user):
        return []
    try:
        result = search_experts(MultiDict({"q": q}), current_user, per_page_default=10)
    except ApiError:
        return []
    ids = [item["id"] for item in result.get("items", [])]
    people = {
        p.id: p
        for p in db.session.scalars(
            select(Person).where(Person.id.in_(ids)).options(selectinload(Person.user))
        )
    }
    return [
        {
            "item": item,
            "problem": _invite_problem(people.get(item["id"])),
        }
        for item in result.get("items", [])
    ]


def _render_panel(req: Request, posted: dict[str, Any] | None = None, status: int = 200) -> Page:
    posted = posted or {}
    user = current_user
    manage = req.can_manage_panel(user)
    size = max(1, min(_int_or_none(request.args.get("size")) or 5, 25))
    q = clean_line(request.args.get("q") or "") or ""
    suggestions = _suggestions(req, size) if manage else None
    invite_forms: dict[str, InviteForm] = dict(posted.get("invite", {}))

    def invite_for(prefix: str, role: str = "member") -> InviteForm:
        if prefix not in invite_forms:
            invite_forms[prefix] = _invite_form(req, prefix, role)
        return invite_forms[prefix]

    row_forms: dict[int, dict[str, Any]] = {}
    if manage:
        for inv in req.invitations:
            forms: dict[str, Any] = {}
            if inv.state in (InvitationState.invited, InvitationState.accepted):
                forms["revoke"] = posted.get(f"revoke{inv.id}") or RevokeForm(
                    prefix=f"r{inv.id}", formdata=None
                )
            if inv.replaced_by_id is None and inv.state in (
                InvitationState.declined,
                InvitationState.revoked,
            ):
                form = posted.get(f"replace{inv.id}") or ReplaceForm(
                    prefix=f"p{inv.id}", formdata=None
                )
                if form.respond_by.data is None and not form.errors:
                    form.respond_by.data = _default_respond_by()
                forms["replace"] = form
            if inv.conflict_unresolved:
                forms["resolve"] = posted.get(f"resolve{inv.id}") or ResolveConflictForm(
                    prefix=f"c{inv.id}", formdata=None
                )
            for form in forms.values():
                form.version.data = str(req.version)
            row_forms[inv.id] = forms
    return render_template(
        "consultation/panel.html",
        req=req,
        # By seat (chair, secretary, reviewers, members), then by name in Vietnamese order.
        seats=sorted(
            req.invitations,
            key=lambda i: (SEAT_ORDER.get(i.role, 9), i.person.name_key or b"", i.id),
        ),
        manage=manage,
        loads=ops.workload(i.person_id for i in req.invitations),
        row_forms=row_forms,
        invite_for=invite_for,
        suggestions=suggestions,
        size=size,
        q=q,
        search_results=_search(req, q) if manage else [],
        options=[o for o in ops.action_options(req, user) if str(o.action) in ("start_review",)],
        form_choice=_form_choice(req, posted.get("consultation_form")),
        papers=procedure_docs.available(req, user),
    ), status


@bp.post("/requests/<int:request_id>/consultation-form")
@login_required
def consultation_form(request_id: int) -> Page:
    req = _request_or_404(request_id)
    _require_staff()
    form = ConsultationFormForm()
    form.consultation_form.choices = consultation_form_choices()
    if not form.validate_on_submit():
        return _render_panel(req, {"consultation_form": form}, 422)
    if not _is_fresh(req, form):
        return _stale(req)
    try:
        ops.update_request(req, current_user, {"consultation_form": form.consultation_form.data})
        db.session.commit()
    except ApiError as exc:
        return _panel_refusal(req, "consultation_form", form, exc)
    flash(
        _(
            "Form of consultation: %(form)s.",
            form=ConsultationForm(req.consultation_form).label,
        ),
        "success",
    )
    return redirect(url_for("consultation.panel", request_id=req.id), 303)


@bp.get("/requests/<int:request_id>/panel")
@login_required
def panel(request_id: int) -> Page:
    req = _request_or_404(request_id)
    _require_staff()
    return _render_panel(req)


def _panel_refusal(req: Request, key: str, form, exc: ApiError) -> Page:
    db.session.rollback()
    if exc.code == "version_conflict":
        return _stale(req)
    _put_errors(form, exc)
    return _render_panel(req, {key: form}, exc.status)


@bp.post("/requests/<int:request_id>/invitations")
@login_required
def invite(request_id: int) -> Page:
    req = _request_or_404(request_id)
    _require_staff()
    prefix = _prefix(request.args.get("form"))
    form = InviteForm(prefix=prefix)
    form.role.choices = role_choices()
    if not form.validate_on_submit():
        return _render_panel(req, {"invite": {prefix: form}}, 422)
    if not _is_fresh(req, form):
        return _stale(req)
    try:
        inv = ops.invite(
            req,
            _person(form.expert_id.data),
            form.role.data,
            _to_utc(form.respond_by.data),
            current_user,
        )
        db.session.commit()
    except ApiError as exc:
        db.session.rollback()
        if exc.code == "version_conflict":
            return _stale(req)
        _put_errors(form, exc)
        return _render_panel(req, {"invite": {prefix: form}}, exc.status)
    flash(
        _(
            "%(name)s was invited as %(role)s.",
            name=inv.person.display_name,
            role=InvitationRole(inv.role).label,
        ),
        "success",
    )
    return redirect(url_for("consultation.panel", request_id=req.id), 303)


def _panel_write(
    invitation_id: int, kind: str, form_cls, prefix: str
) -> tuple[Invitation, Request, Any, str, Page | None]:
    inv = _invitation_or_404(invitation_id)
    req = inv.request
    _require_staff()
    form = form_cls(prefix=f"{prefix}{inv.id}")
    key = f"{kind}{inv.id}"
    if not form.validate_on_submit():
        return inv, req, form, key, _render_panel(req, {key: form}, 422)
    if not _is_fresh(req, form):
        return inv, req, form, key, _stale(req)
    return inv, req, form, key, None


@bp.post("/invitations/<int:invitation_id>/revoke")
@login_required
def revoke(invitation_id: int) -> Page:
    inv, req, form, key, answer = _panel_write(invitation_id, "revoke", RevokeForm, "r")
    if answer is not None:
        return answer
    try:
        ops.revoke_invitation(inv, current_user, clean_text(form.reason.data or "") or None)
        db.session.commit()
    except ApiError as exc:
        return _panel_refusal(req, key, form, exc)
    flash(_("The invitation of %(name)s was revoked.", name=inv.person.display_name), "success")
    return redirect(url_for("consultation.panel", request_id=req.id), 303)


@bp.post("/invitations/<int:invitation_id>/replace")
@login_required
def replace(invitation_id: int) -> Page:
    inv, req, form, key, answer = _panel_write(invitation_id, "replace", ReplaceForm, "p")
    if answer is not None:
        return answer
    try:
        new = ops.replace_invitation(
            inv, _person(form.expert_id.data), current_user, _to_utc(form.respond_by.data)
        )
        db.session.commit()
    except ApiError as exc:
        return _panel_refusal(req, key, form, exc)
    flash(_("%(name)s was invited to the seat.", name=new.person.display_name), "success")
    return redirect(url_for("consultation.panel", request_id=req.id), 303)


@bp.post("/invitations/<int:invitation_id>/resolve")
@login_required
def resolve(invitation_id: int) -> Page:
    inv, req, form, key, answer = _panel_write(invitation_id, "resolve", ResolveConflictForm, "c")
    if answer is not None:
        return answer
    try:
        ops.resolve_conflict(
            inv,
            current_user,
            form.resolution.data,
            clean_text(form.note.data) or "",
            _person(form.replacement_expert_id.data),
            _to_utc(form.respond_by.data),
        )
        db.session.commit()
    except ApiError as exc:
        return _panel_refusal(
            req, key, form, _rename(exc, {"replacement_expert_id": "replacement_expert_id"})
        )
    flash(_("The conflict of interest was resolved."), "success")
    return redirect(url_for("consultation.panel", request_id=req.id), 303)


def _rename(exc: ApiError, names: Mapping[str, str]) -> ApiError:
    if exc.fields:
        exc.fields = {names.get(k, k): v for k, v in exc.fields.items()}
    return exc
