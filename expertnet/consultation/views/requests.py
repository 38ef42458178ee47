"""Filing and editing a request, its page, its workflow actions, documents and deadline."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from workflows import COMMENT_REQUIRED, Action, State

from ...core.i18n import tr
from ...core.roles import STAFF
from ...core.text import clean_line, clean_text
from .. import operations as ops
from .. import procedure_docs, queries
from ..forms import ActionForm, DeadlineForm, RequestForm, UploadForm, choices, kind_choices
from ..models import Request
from .common import (
    OWN_PAGE_ACTIONS,
    Page,
    _is_fresh,
    _local_input,
    _request_or_404,
    _stale,
    _to_utc,
    bp,
    form_action,
)

# --- filing and editing -----------------------------------------------------------------------


def _fill_request_choices(form: RequestForm) -> None:
    locale = str(get_locale())
    form.kind.choices = kind_choices()
    form.fields.choices = choices((f.code, f.display_name(locale)) for f in queries.leaf_fields())
    form.subject_organizations.choices = choices(
        (str(i), n) for i, n in queries.organization_names()
    )


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
    form = RequestForm()
    _fill_request_choices(form)

    def again(status: int) -> Page:
        return render_template("consultation/request_form.html", form=form, req=None), status

    if request.method == "GET":
        return again(200)

    def run() -> Request:
        req = ops.create_request(current_user, _clean_request_data(form))
        _attach(req, form)
        return req

    return form_action(
        form,
        run,
        _("The request was saved as a draft. Submit it when it is complete."),
        on_error=again,
        redirect_to=lambda req: url_for("consultation.detail", request_id=req.id),
    )


def _attach(req: Request, form: RequestForm) -> None:
    """The file chosen with the request's form, if any, as its first document."""
    upload = form.file.data
    if upload is not None and upload.filename:
        ops.add_document(req, current_user, upload.filename, upload.stream)


@bp.route("/requests/<int:request_id>/edit", methods=["GET", "POST"])
@login_required
def edit_request(request_id: int) -> Page:
    req = _request_or_404(request_id)
    if not req.can_edit(current_user):
        abort(403)
    form = RequestForm(obj=None if request.method == "POST" else req)
    _fill_request_choices(form)

    def again(status: int) -> Page:
        return render_template("consultation/request_form.html", form=form, req=req), status

    if request.method == "GET":
        form.fields.data = [f.code for f in req.fields]
        form.subject_organizations.data = [o.id for o in req.subject_organizations]
        form.version.data = str(req.version)
        return again(200)

    def run() -> None:
        ops.update_request(req, current_user, _clean_request_data(form))
        _attach(req, form)

    return form_action(
        form,
        run,
        _("The request was saved."),
        on_error=again,
        redirect_to=url_for("consultation.detail", request_id=req.id),
        fresh_for=req,
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
    # Publishing cannot be undone: the approver reads the letter on its own page
    # (``views/approval.py``) and ticks to confirm; refusals are shown there too.
    approving = action == Action.APPROVE and req.consolidation is not None
    if approving:
        from .approval import render_approval

        if form.validate_on_submit() and not form.confirm.data:
            form.confirm.errors = [_("Read the letter, then tick to confirm its publication.")]
            return render_approval(req, form, 422)

    def on_error(status: int) -> Page:
        if approving:
            return render_approval(req, form, status)
        return _render_detail(req, {"actions": {action: form}}, status)

    return form_action(
        form,
        lambda: ops.perform_action(
            req, action, current_user, _action_payload(action, form), form.version_number()
        ),
        _("Done: %(action)s.", action=tr(Action(action).label)),
        on_error=on_error,
        redirect_to=url_for("consultation.detail", request_id=req.id),
        conflict_for=req,
    )


@bp.post("/requests/<int:request_id>/documents")
@login_required
def upload(request_id: int) -> Page:
    req = _request_or_404(request_id)
    if not req.can_upload_document(current_user):
        abort(403)
    form = UploadForm()

    def again(status: int) -> Page:
        return _render_detail(req, {"upload": form}, status)

    if not form.validate_on_submit():
        return again(422)
    if not _is_fresh(req, form):
        return _stale(req)
    upload = form.file.data
    if upload is None or not upload.filename:
        form.file.errors = [_("Choose a file to upload.")]
        return again(422)
    return form_action(
        form,
        lambda: ops.add_document(req, current_user, upload.filename, upload.stream),
        lambda doc: _("The document %(name)s was added.", name=doc.filename),
        on_error=again,
        redirect_to=url_for("consultation.detail", request_id=req.id) + "#documents",
        validate=False,
    )


@bp.post("/requests/<int:request_id>/deadline")
@login_required
def deadline(request_id: int) -> Page:
    """The coordinator moves the opinions' deadline (reminders follow the new date)."""
    req = _request_or_404(request_id)
    if not req.is_coordinating(current_user):
        abort(403)
    form = DeadlineForm()
    return form_action(
        form,
        lambda: ops.update_request(
            req, current_user, {"opinion_due_at": _to_utc(form.opinion_due_at.data)}
        ),
        _("The opinions' deadline was changed."),
        on_error=lambda status: _render_detail(req, {"deadline": form}, status),
        redirect_to=url_for("consultation.detail", request_id=req.id),
        fresh_for=req,
    )


@bp.get("/documents/<int:document_id>")
@login_required
def download(document_id: int) -> Page:
    return queries.document_download(document_id, current_user)
