"""Meetings of the panel: scheduling and the record."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...core.errors import ApiError
from ...core.text import clean_line, clean_text
from ...extensions import db
from .. import operations as ops
from ..forms import MeetingForm, MeetingRecordForm, choices
from ..models import Meeting, Request
from .common import Page, _is_fresh, _put_errors, _request_or_404, _stale, _to_utc, bp

# --- meetings ---------------------------------------------------------------------------------


def _record_form(meeting: Meeting, req: Request, formdata=None) -> MeetingRecordForm:
    form = MeetingRecordForm(prefix=f"m{meeting.id}", formdata=formdata)
    form.attended.choices = choices(
        (str(p.person_id), p.person.display_name) for p in meeting.participants
    )
    if formdata is None:
        form.held.data = meeting.held
        form.minutes.data = meeting.minutes
        form.attended.data = [p.person_id for p in meeting.participants if p.attended]
        form.version.data = str(req.version)
    return form


def _render_meetings(req: Request, posted: dict[str, Any] | None = None, status: int = 200) -> Page:
    posted = posted or {}
    manage = req.can_manage_meetings(current_user)
    form = posted.get("new") or MeetingForm(formdata=None)
    form.experts.choices = choices(
        (str(i.person_id), i.person.display_name) for i in req.accepted_invitations
    )
    form.version.data = form.version.data or str(req.version)
    records = {}
    if req.is_coordinating(current_user):
        records = {m.id: posted.get(f"record{m.id}") or _record_form(m, req) for m in req.meetings}
    return render_template(
        "consultation/meetings.html", req=req, form=form, manage=manage, records=records
    ), status


@bp.get("/requests/<int:request_id>/meetings")
@login_required
def meetings(request_id: int) -> Page:
    req = _request_or_404(request_id)
    if not req.can_view_meetings(current_user):
        abort(403)
    return _render_meetings(req)


@bp.post("/requests/<int:request_id>/meetings")
@login_required
def meeting_new(request_id: int) -> Page:
    req = _request_or_404(request_id)
    if not req.can_manage_meetings(current_user):
        abort(403)
    form = MeetingForm()
    form.experts.choices = choices(
        (str(i.person_id), i.person.display_name) for i in req.accepted_invitations
    )
    if not form.validate_on_submit():
        return _render_meetings(req, {"new": form}, 422)
    if not _is_fresh(req, form):
        return _stale(req)
    data = {
        "kind": form.kind.data,
        "title": clean_line(form.title.data),
        "starts_at": _to_utc(form.starts_at.data),
        "place": clean_line(form.place.data or "") or None,
        "online_url": (form.online_url.data or "").strip() or None,
        "agenda": clean_text(form.agenda.data or "") or None,
        "experts": list(form.experts.data or []),
    }
    try:
        ops.create_meeting(req, current_user, data)
        db.session.commit()
    except ApiError as exc:
        db.session.rollback()
        _put_errors(form, exc)
        return _render_meetings(req, {"new": form}, exc.status)
    flash(_("The meeting was scheduled and the experts told."), "success")
    return redirect(url_for("consultation.meetings", request_id=req.id), 303)


@bp.post("/meetings/<int:meeting_id>")
@login_required
def meeting_record(meeting_id: int) -> Page:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not meeting.request.can_view_meetings(current_user):
        abort(404)
    req = meeting.request
    if not req.is_coordinating(current_user):
        abort(403)
    form = _record_form(meeting, req, formdata=request.form)
    if not form.validate_on_submit():
        return _render_meetings(req, {f"record{meeting.id}": form}, 422)
    if not _is_fresh(req, form):
        return _stale(req)
    attended = set(form.attended.data or [])
    data = {
        "held": bool(form.held.data),
        "minutes": clean_text(form.minutes.data or "") or None,
        "attendance": [
            {"expert_id": p.person_id, "attended": p.person_id in attended}
            for p in meeting.participants
        ],
    }
    try:
        ops.update_meeting(meeting, current_user, data)
        db.session.commit()
    except ApiError as exc:
        db.session.rollback()
        _put_errors(form, exc)
        return _render_meetings(req, {f"record{meeting.id}": form}, exc.status)
    flash(_("The meeting's record was saved."), "success")
    return redirect(url_for("consultation.meetings", request_id=req.id), 303)
