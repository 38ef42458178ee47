"""Filing and editing a request, its page, its workflow actions, documents and deadline."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from workflows import COMMENT_REQUIRED, Action, State

from ...core.errors import ApiError
from ...core.i18n import tr
from ...core.roles import STAFF
from ...core.text import clean_line, clean_text
from ...directory.models import Field, Organization
from ...extensions import db
from .. import operations as ops
from .. import procedure_docs
from ..forms import ActionForm, DeadlineForm, RequestForm, UploadForm, choices, kind_choices
from ..models import Document, Request
from .common import (
    OWN_PAGE_ACTIONS,
    Page,
    _is_fresh,
    _local_input,
    _put_errors,
    _request_or_404,
    _stale,
    _to_utc,
    bp,
)

# --- filing and editing -----------------------------------------------------------------------


def _fill_request_choices(form: RequestForm) -> None:
    locale = str(get_locale())
    form.kind.choices = kind_choices()
    fields = db.session.scalars(
        select(Field).where(Field.parent_id.is_not(None)).order_by(Field.code)
    )
    form.fields.choices = choices((f.code, f.display_name(locale)) for f in fields)
    orgs = db.session.execute(
        select(Organization.id, Organization.name).order_by(Organization.name)
    ).all()
    form.subject_organizations.choices = choices((str(i), n) for i, n in orgs)


def _clean_request_data(form: RequestForm) -> dict[str, Any]:
    data = form.to_data()
    data["title"] = clean_line(data["title"])
    data["summary"] = clean_text(data["summary"]) or ""
    return data


@bp.route("/requests/new", methods=["GET", "POST"])
@login_required
def new_request() -> Page:
    if not ops.can_file_request(current_user):
        abort(403)
    refused: int | None = None
    form = RequestForm()
    _fill_request_choices(form)
    if form.validate_on_submit():
        upload = form.file.data
        try:
            req = ops.create_request(current_user, _clean_request_data(form))
            if upload is not None and upload.filename:
                ops.add_document(req, current_user, upload.filename, upload.stream)
            db.session.commit()
        except ApiError as exc:
            db.session.rollback()
            _put_errors(form, exc)
            refused = exc.status
        else:
            flash(_("The request was saved as a draft. Submit it when it is complete."), "success")
            return redirect(url_for("consultation.detail", request_id=req.id), 303)
    return render_template("consultation/request_form.html", form=form, req=None), (
        refused or (422 if form.errors else 200)
    )


@bp.route("/requests/<int:request_id>/edit", methods=["GET", "POST"])
@login_required
def edit_request(request_id: int) -> Page:
    req = _request_or_404(request_id)
    if not req.can_edit(current_user):
        abort(403)
    refused: int | None = None
    form = RequestForm(obj=None if request.method == "POST" else req)
    _fill_request_choices(form)
    if request.method == "GET":
        form.fields.data = [f.code for f in req.fields]
        form.subject_organizations.data = [o.id for o in req.subject_organizations]
        form.version.data = str(req.version)
    if form.validate_on_submit():
        if not _is_fresh(req, form):
            return _stale(req)
        upload = form.file.data
        try:
            ops.update_request(req, current_user, _clean_request_data(form))
            if upload is not None and upload.filename:
                ops.add_document(req, current_user, upload.filename, upload.stream)
            db.session.commit()
        except ApiError as exc:
            db.session.rollback()
            _put_errors(form, exc)
            refused = exc.status
        else:
            flash(_("The request was saved."), "success")
            return redirect(url_for("consultation.detail", request_id=req.id), 303)
    return render_template("consultation/request_form.html", form=form, req=req), (
        refused or (422 if form.errors else 200)
    )


# --- the request page and its actions ---------------------------------------------------------


def _action_forms(
    req: Request, options, posted: dict[str, ActionForm] | None = None
) -> tuple[list[tuple[str, ActionForm | None, bool]], list[tuple[str, str]]]:
    """One form per action the viewer may take now; the blocked ones with their reason."""
    forms: list[tuple[str, ActionForm | None, bool]] = []
    blocked: list[tuple[str, str]] = []
    for option in options:
        name = str(option.action)
        if not option.allowed:
            blocked.append((name, option.blocked.message.render(tr)))
            continue
        if option.action in OWN_PAGE_ACTIONS:
            forms.append((name, None, False))
            continue
        form = (posted or {}).get(name) or ActionForm(prefix=name, formdata=None)
        form.version.data = str(req.version)
        transition = ops.WF.transition(req.state, option.action)
        needs_comment = transition is not None and COMMENT_REQUIRED in transition.guards
        form.comment.flags.required = needs_comment
        forms.append((name, form, needs_comment))
    return forms, blocked


def _render_detail(req: Request, posted: dict[str, Any] | None = None, status: int = 200) -> Page:
    posted = posted or {}
    user = current_user
    options = ops.action_options(req, user)
    action_forms, blocked = _action_forms(req, options, posted.get("actions"))
    upload_form = None
    if req.can_upload_document(user):
        upload_form = posted.get("upload") or UploadForm(formdata=None)
        upload_form.version.data = str(req.version)
    deadline_form = None
    if req.state == State.IN_REVIEW and req.is_coordinating(user):
        deadline_form = posted.get("deadline") or DeadlineForm(formdata=None)
        if deadline_form.opinion_due_at.data is None and req.opinion_due_at is not None:
            deadline_form.opinion_due_at.data = _local_input(req.opinion_due_at)
        deadline_form.version.data = str(req.version)
    is_staff = user.role in STAFF
    loads = ops.workload(i.person_id for i in req.invitations) if is_staff else {}
    my_invitation = (
        next((i for i in ops.invitations_of(user) if i.request_id == req.id), None)
        if user.has_role("expert")
        else None
    )
    return render_template(
        "consultation/detail.html",
        req=req,
        action_forms=action_forms,
        blocked=blocked,
        upload_form=upload_form,
        deadline_form=deadline_form,
        history=ops.history_of(req),
        is_staff=is_staff,
        loads=loads,
        my_invitation=my_invitation,
        opinions=ops.visible_opinions(req, user),
        show_consolidation=req.consolidation is not None and req.can_view_consolidation(user),
        show_meetings=req.can_view_meetings(user),
        can_edit=req.can_edit(user),
        can_manage_panel=is_staff,
        can_write_opinion=req.can_write_opinion(user),
        can_write_consolidation=req.can_write_consolidation(user),
        published=req.published_opinion,
        names={i.person_id: i.person.display_name for i in req.invitations},
        papers=procedure_docs.available(req, user, my_invitation),
    ), status


@bp.get("/requests/<int:request_id>")
@login_required
def detail(request_id: int) -> Page:
    return _render_detail(_request_or_404(request_id))


def _action_payload(action: str, form: ActionForm) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    comment = clean_text(form.comment.data or "")
    if comment:
        payload["comment"] = comment
    if action == Action.START_REVIEW and form.opinion_due_at.data is not None:
        payload["opinion_due_at"] = _to_utc(form.opinion_due_at.data).isoformat()
    if action == Action.START_REVIEW and form.opinion_due_working_days.data is not None:
        payload["opinion_due_working_days"] = form.opinion_due_working_days.data
    if action == Action.APPROVE and (form.letter_number.data or "").strip():
        payload["letter_number"] = form.letter_number.data.strip()
    return payload


@bp.post("/requests/<int:request_id>/actions/<action>")
@login_required
def act(request_id: int, action: str) -> Page:
    req = _request_or_404(request_id)
    if action not in {a.value for a in Action} or action in OWN_PAGE_ACTIONS:
        abort(404)
    form = ActionForm(prefix=action)
    if not form.validate_on_submit():
        return _render_detail(req, {"actions": {action: form}}, 422)
    try:
        ops.perform_action(
            req, action, current_user, _action_payload(action, form), form.version_number()
        )
        db.session.commit()
    except ApiError as exc:
        db.session.rollback()
        if exc.code == "version_conflict":
            return _stale(req)
        _put_errors(form, exc)
        return _render_detail(req, {"actions": {action: form}}, exc.status)
    flash(_("Done: %(action)s.", action=tr(Action(action).label)), "success")
    return redirect(url_for("consultation.detail", request_id=req.id), 303)


@bp.post("/requests/<int:request_id>/documents")
@login_required
def upload(request_id: int) -> Page:
    req = _request_or_404(request_id)
    if not req.can_upload_document(current_user):
        abort(403)
    form = UploadForm()
    if not form.validate_on_submit():
        return _render_detail(req, {"upload": form}, 422)
    if not _is_fresh(req, form):
        return _stale(req)
    upload = form.file.data
    if upload is None or not upload.filename:
        form.file.errors = [_("Choose a file to upload.")]
        return _render_detail(req, {"upload": form}, 422)
    try:
        doc = ops.add_document(req, current_user, upload.filename, upload.stream)
        db.session.commit()
    except ApiError as exc:
        db.session.rollback()
        _put_errors(form, exc)
        return _render_detail(req, {"upload": form}, exc.status)
    flash(_("The document %(name)s was added.", name=doc.filename), "success")
    return redirect(url_for("consultation.detail", request_id=req.id) + "#documents", 303)


@bp.post("/requests/<int:request_id>/deadline")
@login_required
def deadline(request_id: int) -> Page:
    """The coordinator moves the opinions' deadline (reminders follow the new date)."""
    req = _request_or_404(request_id)
    if not req.is_coordinating(current_user):
        abort(403)
    form = DeadlineForm()
    if not form.validate_on_submit():
        return _render_detail(req, {"deadline": form}, 422)
    if not _is_fresh(req, form):
        return _stale(req)
    try:
        ops.update_request(req, current_user, {"opinion_due_at": _to_utc(form.opinion_due_at.data)})
        db.session.commit()
    except ApiError as exc:
        db.session.rollback()
        _put_errors(form, exc)
        return _render_detail(req, {"deadline": form}, exc.status)
    flash(_("The opinions' deadline was changed."), "success")
    return redirect(url_for("consultation.detail", request_id=req.id), 303)


@bp.get("/documents/<int:document_id>")
@login_required
def download(document_id: int) -> Page:
    document = db.session.get(Document, document_id)
    if document is None or not document.can_download(current_user):
        abort(404)
    response = ops.document_download(document)
    if response is None:
        abort(404)
    return response
