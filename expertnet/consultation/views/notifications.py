"""Notifications of the signed-in user."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import ngettext
from flask_login import current_user, login_required

from ...core.forms import Form
from ...extensions import db
from .. import operations as ops
from .. import queries
from ..models import Notification, Request
from .common import Page, bp, page_arg

# --- notifications ----------------------------------------------------------------------------


@bp.get("/notifications")
@login_required
def notifications() -> Page:
    found = queries.notifications(current_user, page=page_arg())
    unread = queries.notifications(current_user, unread_only=True, per_page=1).total
    return render_template(
        "consultation/notifications.html",
        items=found.items,
        found=found,
        link=lambda n: _target(n, current_user),
        unread=unread,
        page=found.page,
        pages=found.pages,
        total=found.total,
    )


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def notification_read(notification_id: int) -> Page:
    notification = queries.notification_for(notification_id, current_user)
    if not Form().validate_on_submit():
        abort(400)
    ops.mark_read(notification, current_user)
    db.session.commit()
    return redirect(_target(notification, current_user), 303)


@bp.post("/notifications/read")
@login_required
def notifications_read_all() -> Page:
    """Mark every notification as read ("mark all as read")."""
    if not Form().validate_on_submit():
        abort(400)
    count = ops.mark_all_read(current_user)
    db.session.commit()
    if count:
        flash(
            ngettext(
                "%(num)s notification marked as read.",
                "%(num)s notifications marked as read.",
                count,
            )
        )
    return redirect(url_for("consultation.notifications"), 303)


#: Where a notification of each kind leads: the page on which its reader acts.
_INBOX_KINDS = {"invitation_received", "reminder_invitation", "invitation_revoked"}
_OPINION_KINDS = {"review_started", "reminder_opinion"}
_PANEL_KINDS = {
    "invitation_accepted",
    "invitation_declined",
    "conflict_declared",
    "escalation_invitation",
}


def _target(notification: Notification, user) -> str:
    """The page a notification leads to, among those its reader may open."""
    req = db.session.get(Request, notification.request_id) if notification.request_id else None
    kind = notification.kind
    if kind in _INBOX_KINDS and user.has_role("expert"):
        return url_for("consultation.expert_inbox", _anchor="invitations")
    if req is None or not req.can_view(user):
        return url_for("consultation.notifications")
    if kind in _OPINION_KINDS and req.can_write_opinion(user):
        return url_for("consultation.opinion", request_id=req.id)
    if kind == "meeting_scheduled" and req.can_view_meetings(user):
        return url_for("consultation.meetings", request_id=req.id)
    if kind in _PANEL_KINDS and req.can_manage_panel(user):
        return url_for("consultation.panel", request_id=req.id)
    return url_for("consultation.detail", request_id=req.id)
