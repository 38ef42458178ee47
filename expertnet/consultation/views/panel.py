"""The expert panel: suggestions, invitations, revocation, replacement, conflicts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from workflows import State

from ...core.errors import ApiError
from ...core.text import clean_line, clean_text
from ...directory.models import Person
from .. import operations as ops
from .. import procedure_docs, queries
from ..forms import (
    ConsultationFormForm,
    InviteForm,
    ReplaceForm,
    ResolveConflictForm,
    RevokeForm,
    consultation_form_choices,
    role_choices,
)
from ..models import ConsultationForm, InvitationRole, InvitationState, Request
from .common import (
    SEAT_ORDER,
    Page,
    _int_or_none,
    _invitation_or_404,
    _local_input,
    _person,
    _prefix,
    _request_or_404,
    _require_staff,
    _to_utc,
    bp,
    form_action,
)

# --- panel ------------------------------------------------------------------------------------


#: The panel a coordinator usually forms: the suggestions fill it up to this many seats.
PANEL_SIZE = 5


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
    from ...panel.service import path_labels, suggestions_for_request

    if not queries.may_see_suggestions(req, current_user):
        return None
    from ...panel.suggest import PanelConstraints

    # A panel that has its chair (accepted or invited) is not offered another one.
    has_chair = any(
        i.role == InvitationRole.chair
        and i.state in (InvitationState.invited, InvitationState.accepted)
        for i in req.invitations
    )
    suggestion = suggestions_for_request(req, size, PanelConstraints(propose_chair=not has_chair))
    eg = suggestion.graph or get_graph()
    ids = {c.person_id for c in suggestion.panel} | {c.person_id for c in suggestion.ranked[:10]}
    people = queries.people_by_id(ids)

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
    people = queries.people_by_id(item["id"] for item in result.get("items", []))
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
    # Seats left: the usual panel less the experts already seated or invited; the
    # coordinator may ask for more (or fewer) with ``size``.
    taken = sum(
        1 for i in req.invitations if i.state in (InvitationState.invited, InvitationState.accepted)
    )
    asked = _int_or_none(request.args.get("size"))
    size = max(1, min(asked, 25)) if asked else max(PANEL_SIZE - taken, 0)
    q = clean_line(request.args.get("q") or "") or ""
    suggestions = _suggestions(req, size) if size else None
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
        taken=taken,
        panel_size=PANEL_SIZE,
        # Written the reader's way: 0,49 in Vietnamese.
        decimal2=lambda x: format_decimal(x, "0.00"),
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
    return form_action(
        form,
        lambda: ops.update_request(
            req, current_user, {"consultation_form": form.consultation_form.data}
        ),
        lambda _result: _(
            "Form of consultation: %(form)s.",
            form=ConsultationForm(req.consultation_form).label,
        ),
        on_error=lambda status: _render_panel(req, {"consultation_form": form}, status),
        redirect_to=url_for("consultation.panel", request_id=req.id),
        fresh_for=req,
        conflict_for=req,
    )


@bp.get("/requests/<int:request_id>/panel")
@login_required
def panel(request_id: int) -> Page:
    req = _request_or_404(request_id)
    _require_staff()
    return _render_panel(req)


@bp.post("/requests/<int:request_id>/invitations")
@login_required
def invite(request_id: int) -> Page:
    req = _request_or_404(request_id)
    _require_staff()
    prefix = _prefix(request.args.get("form"))
    form = InviteForm(prefix=prefix)
    form.role.choices = role_choices()
    return form_action(
        form,
        lambda: ops.invite(
            req,
            _person(form.expert_id.data),
            form.role.data,
            _to_utc(form.respond_by.data),
            current_user,
        ),
        lambda inv: _(
            "%(name)s was invited as %(role)s.",
            name=inv.person.display_name,
            role=InvitationRole(inv.role).label,
        ),
        on_error=lambda status: _render_panel(req, {"invite": {prefix: form}}, status),
        redirect_to=url_for("consultation.panel", request_id=req.id),
        fresh_for=req,
        conflict_for=req,
    )


def _panel_write(
    invitation_id: int,
    kind: str,
    form_cls,
    prefix: str,
    run,
    ok_message,
    names: Mapping[str, str] | None = None,
) -> Page:
    """A coordinator's change to one seat: the form of that row, then the one form path."""
    inv = _invitation_or_404(invitation_id)
    req = inv.request
    _require_staff()
    form = form_cls(prefix=f"{prefix}{inv.id}")
    return form_action(
        form,
        lambda: run(inv, form),
        lambda result: ok_message(inv, result),
        on_error=lambda status: _render_panel(req, {f"{kind}{inv.id}": form}, status),
        redirect_to=url_for("consultation.panel", request_id=req.id),
        fresh_for=req,
        conflict_for=req,
        names=names,
    )


@bp.post("/invitations/<int:invitation_id>/revoke")
@login_required
def revoke(invitation_id: int) -> Page:
    return _panel_write(
        invitation_id,
        "revoke",
        RevokeForm,
        "r",
        lambda inv, form: ops.revoke_invitation(
            inv, current_user, clean_text(form.reason.data or "") or None
        ),
        lambda inv, _result: _(
            "The invitation of %(name)s was revoked.", name=inv.person.display_name
        ),
    )


@bp.post("/invitations/<int:invitation_id>/replace")
@login_required
def replace(invitation_id: int) -> Page:
    return _panel_write(
        invitation_id,
        "replace",
        ReplaceForm,
        "p",
        lambda inv, form: ops.replace_invitation(
            inv, _person(form.expert_id.data), current_user, _to_utc(form.respond_by.data)
        ),
        lambda _inv, new: _("%(name)s was invited to the seat.", name=new.person.display_name),
    )


@bp.post("/invitations/<int:invitation_id>/resolve")
@login_required
def resolve(invitation_id: int) -> Page:
    return _panel_write(
        invitation_id,
        "resolve",
        ResolveConflictForm,
        "c",
        lambda inv, form: ops.resolve_conflict(
            inv,
            current_user,
            form.resolution.data,
            clean_text(form.note.data) or "",
            _person(form.replacement_expert_id.data),
            _to_utc(form.respond_by.data),
        ),
        lambda _inv, _result: _("The conflict of interest was resolved."),
    )
