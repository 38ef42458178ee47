"""The expert's inbox: invitations to accept or decline."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from workflows import State

from ...core.errors import ApiError
from ...core.text import clean_text
from ...extensions import db
from .. import operations as ops
from ..forms import AcceptInvitationForm, DeclineInvitationForm
from ..models import Invitation, InvitationState
from .common import Page, _invitation_or_404, _is_fresh, _put_errors, bp

# --- the expert's inbox -----------------------------------------------------------------------


def _render_inbox(posted: dict[str, Any] | None = None, status: int = 200) -> Page:
    posted = posted or {}
    invitations = ops.invitations_of(current_user)
    pending, seats, past = [], [], []
    for inv in invitations:
        req = inv.request
        if inv.state == InvitationState.invited and req.state in (
            State.PANEL_FORMING,
            State.IN_REVIEW,
        ):
            accept = posted.get(f"accept{inv.id}") or AcceptInvitationForm(
                prefix=f"a{inv.id}", formdata=None
            )
            decline = posted.get(f"decline{inv.id}") or DeclineInvitationForm(
                prefix=f"d{inv.id}", formdata=None
            )
            accept.version.data = decline.version.data = str(req.version)
            pending.append((inv, accept, decline))
        elif inv.state == InvitationState.accepted and req.state not in (
            State.PUBLISHED,
            State.CLOSED,
            State.WITHDRAWN,
            State.DECLINED,
        ):
            seats.append((inv, ops.own_opinion(req, current_user)))
        else:
            past.append(inv)
    person_id = current_user.person_id
    load = ops.workload([person_id])[person_id] if person_id else 0
    return render_template(
        "consultation/inbox.html", pending=pending, seats=seats, past=past, load=load
    ), status


@bp.get("/inbox")
@login_required
def expert_inbox() -> Page:
    if not current_user.has_role("expert"):
        abort(403)
    return _render_inbox()


def _answer_invitation(
    invitation_id: int, kind: str, form_cls, prefix: str
) -> tuple[Invitation, Any, Page | None]:
    inv = _invitation_or_404(invitation_id)
    if not inv.can_respond(current_user):
        abort(403)
    form = form_cls(prefix=f"{prefix}{inv.id}")
    key = f"{kind}{inv.id}"
    if not form.validate_on_submit():
        return inv, form, _render_inbox({key: form}, 422)
    if not _is_fresh(inv.request, form):
        db.session.rollback()
        flash(
            _(
                "Someone else acted on this request meanwhile, so nothing was changed. "
                "Please check the invitation and try again."
            ),
            "warning",
        )
        return inv, form, redirect(url_for("consultation.expert_inbox"), 303)
    return inv, form, None


def _inbox_refusal(inv: Invitation, kind: str, form, exc: ApiError) -> Page:
    db.session.rollback()
    _put_errors(form, exc)
    return _render_inbox({f"{kind}{inv.id}": form}, exc.status)


@bp.post("/invitations/<int:invitation_id>/accept")
@login_required
def accept_invitation(invitation_id: int) -> Page:
    inv, form, answer = _answer_invitation(invitation_id, "accept", AcceptInvitationForm, "a")
    if answer is not None:
        return answer
    declaration = {
        "has_conflict": bool(form.has_conflict.data),
        "details": clean_text(form.details.data or "") or None,
    }
    try:
        ops.accept_invitation(inv, current_user, declaration)
        db.session.commit()
    except ApiError as exc:
        return _inbox_refusal(inv, "accept", form, exc)
    flash(_("You accepted the seat on “%(title)s”.", title=inv.request.title), "success")
    return redirect(url_for("consultation.expert_inbox"), 303)


@bp.post("/invitations/<int:invitation_id>/decline")
@login_required
def decline_invitation(invitation_id: int) -> Page:
    inv, form, answer = _answer_invitation(invitation_id, "decline", DeclineInvitationForm, "d")
    if answer is not None:
        return answer
    try:
        ops.decline_invitation(inv, current_user, clean_text(form.reason.data) or "")
        db.session.commit()
    except ApiError as exc:
        return _inbox_refusal(inv, "decline", form, exc)
    flash(_("You declined the invitation."), "success")
    return redirect(url_for("consultation.expert_inbox"), 303)
