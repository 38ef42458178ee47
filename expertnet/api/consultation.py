"""Requests and their workflow, panels, opinions, documents, meetings and the published register."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from ..consultation import operations as ops
from ..consultation import queries
from ..consultation.models import (
    Invitation,
    Meeting,
    Request,
)
from ..consultation.schemas import (
    AcceptSchema,
    ConsolidationSchema,
    DeclineSchema,
    InvitationSchema,
    MeetingSchema,
    OpinionSchema,
    ReplaceSchema,
    RequestCreateSchema,
    RequestUpdateSchema,
    ResolveConflictSchema,
    RevokeSchema,
)
from ..consultation.serialize import (
    consolidation_json,
    document_json,
    history_json,
    invitation_json,
    meeting_json,
    notification_json,
    opinion_json,
    published_json,
    published_summary_json,
    request_json,
)
from ..core.errors import ApiError, ValidationFailed
from ..core.roles import STAFF
from ..core.text import clean_line
from ..directory.models import Person
from ..extensions import db
from . import bp, doc, int_arg, json_body, load, optional_body, page_args, paged, require_login

WRITE_ERRORS = (400, 403, 404, 409, 422)

# --- loading ----------------------------------------------------------------------------------


def _request_or_404(request_id: int) -> Request:
    """The request if the caller may see it; 404 otherwise, so its existence is not revealed."""
    return queries.request_for(request_id, current_user)


def _invitation_or_404(invitation_id: int) -> Invitation:
    return queries.invitation_for(invitation_id, current_user)


def _person(person_id: int | None) -> Person | None:
    return db.session.get(Person, person_id) if person_id is not None else None


def _request_answer(req: Request, status: int = 200):
    body = request_json(req, allowed_actions=ops.allowed_actions_for(req, current_user))
    return jsonify(body), status


# --- requests ---------------------------------------------------------------------------------


@bp.post("/requests")
@doc(
    "File a request (draft)", body=RequestCreateSchema, response="request", statuses=(201, 403, 422)
)
@require_login
def request_create():
    if not ops.can_file_request(current_user):
        raise ApiError(403, _("Only agencies and coordinators may file requests."))
    data = load(RequestCreateSchema(), json_body())
    req = ops.create_request(current_user, data)
    db.session.commit()
    return _request_answer(req, 201)


@bp.get("/requests")
@doc(
    "Requests the caller may see",
    query={
        "state": "a workflow state",
        "kind": "consultation, critique or assessment",
        "page": "page number",
        "per_page": "at most 100",
    },
    response="page of requests",
    statuses=(422,),
)
@require_login
def request_list():
    page, per_page = page_args()
    try:
        found = queries.request_list(
            current_user,
            state=request.args.get("state") or None,
            kind=request.args.get("kind") or None,
            page=page,
            per_page=per_page,
        )
    except ValueError as exc:
        raise ValidationFailed(
            {"state": _("Unknown state.")}
            if str(exc) == "state"
            else {"kind": _("Unknown request kind.")}
        ) from None
    return jsonify(paged(found, request_json))


@bp.get("/requests/<int:request_id>")
@doc("One request, with the actions the caller may take now", response="request", statuses=(404,))
@require_login
def request_detail(request_id: int):
    return _request_answer(_request_or_404(request_id))


@bp.patch("/requests/<int:request_id>")
@doc(
    "Change a draft or returned request (filer); set the opinion deadline and, while the "
    "panel is formed, the form of consultation (coordinator)",
    body=RequestUpdateSchema,
    response="request",
    statuses=WRITE_ERRORS,
)
@require_login
def request_update(request_id: int):
    req = _request_or_404(request_id)
    data = load(RequestUpdateSchema(), json_body(), partial=True)
    ops.update_request(req, current_user, data)
    db.session.commit()
    return _request_answer(req)


@bp.post("/requests/<int:request_id>/actions/<action>")
@doc(
    "Take a workflow action (submit, return, accept, approve, record_response, …)",
    response="request",
    statuses=WRITE_ERRORS,
)
@require_login
def request_action(request_id: int, action: str):
    req = _request_or_404(request_id)
    body = optional_body()
    ops.perform_action(req, action, current_user, body, body.get("version"))
    db.session.commit()
    return _request_answer(req)


@bp.get("/requests/<int:request_id>/history")
@doc("Every transition of a request", response="list of transitions", statuses=(404,))
@require_login
def request_history(request_id: int):
    req = _request_or_404(request_id)
    items = [history_json(h) for h in ops.history_of(req)]
    return jsonify({"items": items, "total": len(items)})


# --- documents --------------------------------------------------------------------------------


@bp.post("/requests/<int:request_id>/documents")
@doc(
    "Upload a document (multipart field `file`; PDF, DOCX, ODT or XLSX, at most 25 MB)",
    response="document",
    statuses=(201, 403, 404, 413, 422),
)
@require_login
def document_upload(request_id: int):
    req = _request_or_404(request_id)
    upload = request.files.get("file")
    if upload is None:
        raise ValidationFailed({"file": _("Attach the file in the form field “file”.")})
    document = ops.add_document(req, current_user, upload.filename or "", upload.stream)
    db.session.commit()
    return jsonify(document_json(document)), 201


@bp.get("/requests/<int:request_id>/documents")
@doc("The documents of a request", response="list of documents", statuses=(404,))
@require_login
def document_list(request_id: int):
    req = _request_or_404(request_id)
    items = [document_json(d) for d in req.documents]
    return jsonify({"items": items, "total": len(items)})


@bp.get("/documents/<int:document_id>")
@doc("Download a document", response="the file", statuses=(404,))
@require_login
def document_download(document_id: int):
    return queries.document_download(document_id, current_user)


# --- the procedure's own documents ------------------------------------------------------------


def _paper(document, fmt: str):
    from ..consultation import procedure_docs as papers

    if document is None or fmt not in papers.FORMATS:
        raise ApiError(404, _("This document does not exist yet."))
    return papers.document_response(document, fmt)


def _staff_request(request_id: int) -> Request:
    from ..consultation.procedure_docs import staff_may_download

    req = _request_or_404(request_id)
    if not staff_may_download(req, current_user):
        raise ApiError(404, _("No such request."))
    return req


@bp.get("/requests/<int:request_id>/reply-letter.<fmt>")
@doc(
    "The union's reply to the request (accepted, not accepted, or more documents asked), "
    "as DOCX or PDF (staff)",
    response="the file",
    statuses=(404,),
)
@require_login
def reply_letter(request_id: int, fmt: str):
    from ..consultation.procedure_docs import reply_letter as build

    return _paper(build(_staff_request(request_id)), fmt)


@bp.get("/requests/<int:request_id>/panel-decision.<fmt>")
@doc(
    "The decision establishing the council or expert group, with its members and roles, "
    "as DOCX or PDF (staff)",
    response="the file",
    statuses=(404,),
)
@require_login
def panel_decision(request_id: int, fmt: str):
    from ..consultation.procedure_docs import panel_decision as build

    return _paper(build(_staff_request(request_id)), fmt)


@bp.get("/invitations/<int:invitation_id>/letter.<fmt>")
@doc(
    "The invitation letter to the expert, as DOCX or PDF (staff and the invited expert)",
    response="the file",
    statuses=(404,),
)
@require_login
def invitation_letter(invitation_id: int, fmt: str):
    from ..consultation import procedure_docs as papers

    inv = _invitation_or_404(invitation_id)
    if not papers.invitation_letter_visible(inv, current_user):
        raise ApiError(404, _("No such invitation."))
    return _paper(papers.invitation_letter(inv), fmt)


# --- panel ------------------------------------------------------------------------------------


@bp.post("/requests/<int:request_id>/invitations")
@doc(
    "Invite an expert to the panel",
    body=InvitationSchema,
    response="invitation",
    statuses=(201, 403, 404, 409, 422),
)
@require_login
def invitation_create(request_id: int):
    req = _request_or_404(request_id)
    data = load(InvitationSchema(), json_body())
    respond_by = data["respond_by"]
    if data["respond_in_working_days"] is not None:
        if respond_by is not None:
            raise ValidationFailed(
                {"respond_in_working_days": _("Give the deadline as a date or in days.")}
            )
        respond_by = ops.working_day_deadline(
            data["respond_in_working_days"], hour=ops.END_OF_WORKING_DAY
        )
    inv = ops.invite(req, _person(data["expert_id"]), data["role"], respond_by, current_user)
    db.session.commit()
    return jsonify(invitation_json(inv)), 201


@bp.get("/requests/<int:request_id>/panel")
@doc(
    "The panel: invitations, their states and each expert's workload",
    response="list of invitations",
    statuses=(403, 404),
)
@require_login
def panel(request_id: int):
    req = _request_or_404(request_id)
    if not (current_user.role in STAFF or req.is_panel_member(current_user)):
        raise ApiError(403, _("The panel is shown to staff and to its members."))
    loads = ops.workload(i.person_id for i in req.invitations)
    items = [invitation_json(i, workload=loads.get(i.person_id)) for i in req.invitations]
    return jsonify({"items": items, "total": len(items)})


@bp.get("/me/invitations")
@doc("The caller's invitations (experts)", response="list of invitations")
@require_login
def my_invitations():
    invitations = ops.invitations_of(current_user)
    items = [invitation_json(i) for i in invitations]
    person_id = current_user.person_id
    load_now = ops.workload([person_id])[person_id] if person_id else 0
    return jsonify({"items": items, "total": len(items), "workload": load_now})


@bp.post("/invitations/<int:invitation_id>/accept")
@doc(
    "Accept an invitation with a conflict-of-interest declaration",
    body=AcceptSchema,
    response="invitation",
    statuses=WRITE_ERRORS,
)
@require_login
def invitation_accept(invitation_id: int):
    inv = _invitation_or_404(invitation_id)
    data = load(AcceptSchema(), json_body())
    ops.accept_invitation(
        inv, current_user, data["conflict_declaration"], expected_version=data["version"]
    )
    db.session.commit()
    return jsonify(invitation_json(inv))


@bp.post("/invitations/<int:invitation_id>/decline")
@doc(
    "Decline an invitation with a reason",
    body=DeclineSchema,
    response="invitation",
    statuses=WRITE_ERRORS,
)
@require_login
def invitation_decline(invitation_id: int):
    inv = _invitation_or_404(invitation_id)
    data = load(DeclineSchema(), json_body())
    ops.decline_invitation(inv, current_user, data["reason"], expected_version=data["version"])
    db.session.commit()
    return jsonify(invitation_json(inv))


@bp.post("/invitations/<int:invitation_id>/revoke")
@doc(
    "Revoke an invitation or a seat (coordinator)",
    body=RevokeSchema,
    response="invitation",
    statuses=WRITE_ERRORS,
)
@require_login
def invitation_revoke(invitation_id: int):
    inv = _invitation_or_404(invitation_id)
    data = load(RevokeSchema(), optional_body())
    ops.revoke_invitation(inv, current_user, data.get("reason"))
    db.session.commit()
    return jsonify(invitation_json(inv))


@bp.post("/invitations/<int:invitation_id>/replace")
@doc(
    "Give the seat to another expert (coordinator)",
    body=ReplaceSchema,
    response="the new invitation",
    statuses=(201, 400, 403, 404, 409, 422),
)
@require_login
def invitation_replace(invitation_id: int):
    inv = _invitation_or_404(invitation_id)
    data = load(ReplaceSchema(), json_body())
    new = ops.replace_invitation(inv, _person(data["expert_id"]), current_user, data["respond_by"])
    db.session.commit()
    return jsonify(invitation_json(new)), 201


@bp.post("/invitations/<int:invitation_id>/resolve_conflict")
@doc(
    "Resolve a declared conflict: keep with a note, or replace (coordinator)",
    body=ResolveConflictSchema,
    response="invitation",
    statuses=WRITE_ERRORS,
)
@require_login
def invitation_resolve_conflict(invitation_id: int):
    inv = _invitation_or_404(invitation_id)
    data = load(ResolveConflictSchema(), json_body())
    ops.resolve_conflict(
        inv,
        current_user,
        data["resolution"],
        data["note"],
        _person(data["replacement_expert_id"]),
        data["respond_by"],
    )
    db.session.commit()
    return jsonify(invitation_json(inv))


# --- opinions and consolidation ---------------------------------------------------------------


@bp.put("/requests/<int:request_id>/opinion")
@doc(
    "Save the caller's own opinion (draft)",
    body=OpinionSchema,
    response="opinion",
    statuses=WRITE_ERRORS,
)
@require_login
def opinion_save(request_id: int):
    req = _request_or_404(request_id)
    data = load(OpinionSchema(), json_body())
    opinion = ops.save_opinion(req, current_user, data)
    db.session.commit()
    return jsonify(opinion_json(opinion))


@bp.post("/requests/<int:request_id>/opinion/submit")
@doc("Submit the caller's opinion", response="opinion", statuses=WRITE_ERRORS)
@require_login
def opinion_submit(request_id: int):
    req = _request_or_404(request_id)
    opinion = ops.submit_opinion(req, current_user)
    db.session.commit()
    return jsonify(opinion_json(opinion))


@bp.get("/requests/<int:request_id>/opinions")
@doc(
    "Opinions: staff see all; an expert only their own until publication",
    response="list of opinions",
    statuses=(404,),
)
@require_login
def opinion_list(request_id: int):
    req = _request_or_404(request_id)
    items = [opinion_json(o) for o in ops.visible_opinions(req, current_user)]
    return jsonify({"items": items, "total": len(items)})


@bp.put("/requests/<int:request_id>/consolidation")
@doc(
    "Write the consolidated opinion",
    body=ConsolidationSchema,
    response="consolidation",
    statuses=WRITE_ERRORS,
)
@require_login
def consolidation_save(request_id: int):
    req = _request_or_404(request_id)
    data = load(ConsolidationSchema(), json_body())
    consolidation = ops.save_consolidation(req, current_user, data)
    db.session.commit()
    return jsonify(consolidation_json(consolidation))


@bp.get("/requests/<int:request_id>/consolidation")
@doc("The consolidated opinion being written", response="consolidation", statuses=(403, 404))
@require_login
def consolidation_detail(request_id: int):
    req = _request_or_404(request_id)
    if not req.can_view_consolidation(current_user):
        raise ApiError(403, _("The consolidation is shown to staff and to the panel."))
    if req.consolidation is None:
        raise ApiError(404, _("The consolidated opinion has not been written yet."))
    return jsonify(consolidation_json(req.consolidation))


# --- meetings ---------------------------------------------------------------------------------


def _meeting_or_404(meeting_id: int) -> Meeting:
    return queries.meeting_for(meeting_id, current_user)


@bp.post("/requests/<int:request_id>/meetings")
@doc(
    "Schedule a workshop, conference or panel meeting",
    body=MeetingSchema,
    response="meeting",
    statuses=(201, 400, 403, 404, 422),
)
@require_login
def meeting_create(request_id: int):
    req = _request_or_404(request_id)
    data = load(MeetingSchema(), json_body())
    meeting = ops.create_meeting(req, current_user, data)
    db.session.commit()
    return jsonify(meeting_json(meeting)), 201


@bp.get("/requests/<int:request_id>/meetings")
@doc("The meetings of a request", response="list of meetings", statuses=(403, 404))
@require_login
def meeting_list(request_id: int):
    req = _request_or_404(request_id)
    if not req.can_view_meetings(current_user):
        raise ApiError(403, _("Meetings are shown to staff and to the panel."))
    items = [meeting_json(m) for m in req.meetings]
    return jsonify({"items": items, "total": len(items)})


@bp.get("/meetings/<int:meeting_id>")
@doc("One meeting", response="meeting", statuses=(404,))
@require_login
def meeting_detail(meeting_id: int):
    return jsonify(meeting_json(_meeting_or_404(meeting_id)))


@bp.patch("/meetings/<int:meeting_id>")
@doc(
    "Change a meeting: time, place, agenda, attendance, minutes",
    body=MeetingSchema,
    response="meeting",
    statuses=WRITE_ERRORS,
)
@require_login
def meeting_update(meeting_id: int):
    meeting = _meeting_or_404(meeting_id)
    data = load(MeetingSchema(), json_body(), partial=True)
    ops.update_meeting(meeting, current_user, data)
    db.session.commit()
    return jsonify(meeting_json(meeting))


# --- the published register -------------------------------------------------------------------


@bp.get("/opinions")
@doc(
    "The register of published opinions (confidential ones only for their agency and staff)",
    query={
        "kind": "request kind",
        "year": "year of publication",
        "field": "field code",
        "agency": "organisation id",
        "q": "words of the title",
        "page": "page number",
        "per_page": "at most 100",
    },
    response="page of published opinions",
    auth=False,
    statuses=(422,),
)
def published_list():
    page, per_page = page_args()
    filters = queries.RegisterFilters(
        kind=request.args.get("kind") or None,
        year=int_arg("year", 0, minimum=1900) or None,
        agency=int_arg("agency", 0) or None,
        field=request.args.get("field") or None,
        q=clean_line(request.args.get("q") or ""),
    )
    try:
        found = queries.published_register(current_user, filters, page=page, per_page=per_page)
    except ValueError:
        raise ValidationFailed({"kind": _("Unknown request kind.")}) from None
    return jsonify(paged(found, published_summary_json))


@bp.get("/opinions/<int:opinion_id>")
@doc(
    "One published opinion: panel, recommendations with dissent, and the agency's response",
    response="published opinion",
    auth=False,
    statuses=(404,),
)
def published_detail(opinion_id: int):
    return jsonify(published_json(queries.published_opinion(opinion_id, current_user)))


# --- inbox ------------------------------------------------------------------------------------


@bp.get("/me/notifications")
@doc(
    "The caller's in-app inbox",
    query={"unread": "1 for unread only", "page": "page number", "per_page": "at most 100"},
    response="page of notifications",
)
@require_login
def my_notifications():
    page, per_page = page_args()
    found = queries.notifications(
        current_user,
        unread_only=request.args.get("unread") == "1",
        page=page,
        per_page=per_page,
    )
    return jsonify(paged(found, notification_json))


@bp.post("/me/notifications/<int:notification_id>/read")
@doc("Mark a notification as read", response="notification", statuses=(404,))
@require_login
def notification_read(notification_id: int):
    notification = queries.notification_for(notification_id, current_user)
    ops.mark_read(notification, current_user)
    db.session.commit()
    return jsonify(notification_json(notification))
