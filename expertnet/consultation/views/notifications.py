"""Notifications of the signed-in user."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_login import current_user, login_required

from ...core.forms import Form
from ...extensions import db
from .. import operations as ops
from .. import queries
from .common import Page, bp, page_arg

# --- notifications ----------------------------------------------------------------------------


@bp.get("/notifications")
@login_required
def notifications() -> Page:
    found = queries.notifications(current_user, page=page_arg())
    return render_template(
        "consultation/notifications.html",
        items=found.items,
        found=found,
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
    about = queries.request_for_or_none(notification.request_id, current_user)
    if about is not None:
        return redirect(url_for("consultation.detail", request_id=notification.request_id), 303)
    return redirect(url_for("consultation.notifications"), 303)
