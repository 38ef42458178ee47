"""Meetings of the panel: scheduling and the record."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...core.text import clean_line, clean_text
from ...extensions import db
from .. import operations as ops
from .. import queries
from ..forms import MeetingForm, MeetingRecordForm, choices
from ..models import Meeting, Request
from .common import Page, _request_or_404, _to_utc, bp, form_action

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

    def run() -> None:
        data = {
            "kind": form.kind.data,
            "title": clean_line(form.title.data),
            "starts_at": _to_utc(form.starts_at.data),
            "place": clean_line(form.place.data or "") or None,
            "online_url": (form.online_url.data or "").strip() or None,
            "agenda": clean_text(form.agenda.data or "") or None,
            "experts": list(form.experts.data or []),
        }
        ops.create_meeting(req, current_user, data)

    return form_action(
        form,
        run,
        _("The meeting was scheduled and the experts told."),
        on_error=lambda status: _render_meetings(req, {"new": form}, status),
        redirect_to=url_for("consultation.meetings", request_id=req.id),
        fresh_for=req,
    )


@bp.post("/meetings/<int:meeting_id>")
@login_required
def meeting_record(meeting_id: int) -> Page:
    meeting = queries.meeting_for(meeting_id, current_user)
    req = meeting.request
    if not req.is_coordinating(current_user):
        abort(403)
    form = _record_form(meeting, req, formdata=request.form)

    def run() -> None:
        attended = set(form.attended.data or [])
        data = {
            "held": bool(form.held.data),
            "minutes": clean_text(form.minutes.data or "") or None,
            "attendance": [
                {"expert_id": p.person_id, "attended": p.person_id in attended}
                for p in meeting.participants
            ],
        }
        ops.update_meeting(meeting, current_user, data)

    return form_action(
        form,
        run,
        _("The meeting's record was saved."),
        on_error=lambda status: _render_meetings(req, {f"record{meeting.id}": form}, status),
        redirect_to=url_for("consultation.meetings", request_id=req.id),
        fresh_for=req,
    )


@bp.get("/meetings/<int:meeting_id>.ics")
@login_required
def meeting_calendar(meeting_id: int) -> Page:
    """The meeting as a calendar file, for the panel and staff."""
    from flask import Response as FlaskResponse

    from ..calendar import MEDIA_TYPE, filename, meeting_ics

    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not meeting.request.can_view(current_user):
        abort(404)
    if not meeting.request.can_view_meetings(current_user):
        abort(403)
    return FlaskResponse(
        meeting_ics(meeting),
        mimetype=MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename(meeting)}"'},
    )
