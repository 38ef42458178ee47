"""Notifications of the signed-in user."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from ...extensions import db
from .. import operations as ops
from ..models import Notification, Request
from .common import PER_PAGE, Page, _int_or_none, bp

# --- notifications ----------------------------------------------------------------------------


@bp.get("/notifications")
@login_required
def notifications() -> Page:
    page = max(_int_or_none(request.args.get("page")) or 1, 1)
    stmt = ops.inbox(current_user)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    items = db.session.scalars(stmt.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return render_template(
        "consultation/notifications.html",
        items=items,
        page=page,
        pages=max((total - 1) // PER_PAGE + 1, 1),
        total=total,
    )


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def notification_read(notification_id: int) -> Page:
    from ...core.forms import Form

    notification = db.session.get(Notification, notification_id)
    if notification is None or not notification.can_view(current_user):
        abort(404)
    if not Form().validate_on_submit():
        abort(400)
    ops.mark_read(notification, current_user)
    db.session.commit()
    about = db.session.get(Request, notification.request_id) if notification.request_id else None
    if about is not None and about.can_view(current_user):
        return redirect(url_for("consultation.detail", request_id=notification.request_id), 303)
    return redirect(url_for("consultation.notifications"), 303)
