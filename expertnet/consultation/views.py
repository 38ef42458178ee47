"""Consultation pages: agency portal, coordinator workbench, expert inbox, approvals, register.

Views stay thin: load the object (404 when the viewer may not see it), check the
permission the model or the engine gives, call the operation the API calls too, commit
once, redirect with a flash. A refusal from an operation is shown on the form it came
from; a stale ``version`` shows the fresh page with nothing changed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from workflows import COMMENT_REQUIRED, KIND_LABELS, Action, State

from ..core.errors import ApiError
from ..core.i18n import tr
from ..core.text import clean_line, clean_text
from ..directory.models import Field, Organization, Person
from ..extensions import db
from . import operations as ops
from .forms import (
    AcceptInvitationForm,
    ActionForm,
    ConsolidationForm,
    DeadlineForm,
    DeclineInvitationForm,
    InviteForm,
    MeetingForm,
    MeetingRecordForm,
    OpinionForm,
    RegisterFilterForm,
    ReplaceForm,
    RequestForm,
    ResolveConflictForm,
    ResponseForm,
    RevokeForm,
    UploadForm,
    choices,
    kind_choices,
    role_choices,
)
from .models import (
    STAFF,
    Document,
    Invitation,
    InvitationRole,
    InvitationState,
    Meeting,
    MeetingKind,
    Notification,
    Position,
    PublishedOpinion,
    Request,
    ResponseStatus,
    request_field,
)
from .serialize import markdown_html, published_json

bp = Blueprint("consultation", __name__)

#: What a view answers: a page, a page with its status, or a redirect.
Page = str | tuple[str, int] | Response

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PER_PAGE = 20
_PREFIX = re.compile(r"^[a-z]{1,3}[0-9]{0,10}$")

# The coordinator's queues, in the order the work flows.
QUEUES = (
    State.SUBMITTED,
    State.RETURNED,
    State.ACCEPTED,
    State.PANEL_FORMING,
    State.IN_REVIEW,
    State.CONSOLIDATION,
    State.APPROVAL,
    State.PUBLISHED,
)
SEAT_ORDER = {"chair": 0, "secretary": 1, "reviewer": 2, "member": 3}

# Actions whose input is a page of its own rather than a comment.
OWN_PAGE_ACTIONS = {Action.RECORD_RESPONSE}


# --- template helpers -------------------------------------------------------------------------


@bp.record_once
def _template_helpers(state) -> None:
    # Globals, not a context processor: imported macros see globals but not the context.
    state.app.jinja_env.globals.update(_helpers())


def _helpers() -> dict[str, Any]:
    return {
        "state_label": lambda v: tr(State(v).label),
        "kind_label": lambda v: _(KIND_LABELS[v]) if v in KIND_LABELS else v,
        "action_label": lambda v: tr(Action(v).label),
        "seat_label": lambda v: InvitationRole(v).label,
        "invitation_state_label": lambda v: InvitationState(v).label,
        "position_label": lambda v: Position(v).label if v else "—",
        "response_label": lambda v: ResponseStatus(v).label,
        "meeting_kind_label": lambda v: MeetingKind(v).label,
        "markdown": lambda text: Markup(markdown_html(text)),  # noqa: S704 - sanitised by nh3
        "is_overdue": _is_overdue,
        "blocked_reason": lambda option: option.blocked.message.render(tr),
        "due_of": _due_of,
    }


def _due_of(req: Request) -> datetime | date | None:
    """The deadline that matters now: the opinions' while in review, else the request's."""
    if req.state == State.IN_REVIEW and req.opinion_due_at is not None:
        return req.opinion_due_at
    return req.due_date


def _is_overdue(req: Request) -> bool:
    if req.state in (State.CLOSED, State.DECLINED, State.WITHDRAWN, State.PUBLISHED):
        return False
    due = _due_of(req)
    if isinstance(due, datetime):
        return due.replace(tzinfo=due.tzinfo or UTC) < datetime.now(UTC)
    if isinstance(due, date):
        return due < datetime.now(LOCAL_TZ).date()
    return False


def _sort_key(req: Request) -> tuple:
    due = _due_of(req)
    if isinstance(due, datetime):
        moment = due.replace(tzinfo=due.tzinfo or UTC)
    elif isinstance(due, date):
        moment = datetime(due.year, due.month, due.day, tzinfo=LOCAL_TZ)
    else:
        moment = datetime.max.replace(tzinfo=UTC)
    return (not _is_overdue(req), moment, req.id)


def _to_utc(local: datetime | None) -> datetime | None:
    """A time typed in a form (Hanoi time) as UTC."""
    if local is None:
        return None
    return local.replace(tzinfo=LOCAL_TZ).astimezone(UTC)


def _local_input(moment: datetime) -> datetime:
    return moment.astimezone(LOCAL_TZ).replace(tzinfo=None, second=0, microsecond=0)


# --- loading and refusals ---------------------------------------------------------------------


def _request_or_404(request_id: int) -> Request:
    req = db.session.get(Request, request_id)
    if req is None or not req.can_view(current_user):
        abort(404)
    return req


def _invitation_or_404(invitation_id: int) -> Invitation:
    inv = db.session.get(Invitation, invitation_id)
    if inv is None or not inv.can_view(current_user):
        abort(404)
    return inv


def _require_staff() -> None:
    if current_user.role not in STAFF:
        abort(403)


def _stale(req: Request) -> Response:
    """Someone acted first: show the fresh request, nothing changed."""
    db.session.rollback()
    flash(
        _(
            "Someone else acted on this request meanwhile, so nothing was changed. "
            "This is its current state; please check it and try again."
        ),
        "warning",
    )
    return redirect(url_for("consultation.detail", request_id=req.id), 303)


def _is_fresh(req: Request, form) -> bool:
    return form.version_number() == req.version


def _put_errors(form, exc: ApiError, names: Mapping[str, Any] | None = None) -> bool:
    """Show an operation's refusal: on the fields it names, else as a message on the page.

    The page message also covers a form that is no longer shown (an action that another
    user's step has made unavailable). Returns whether any message landed on a field.
    """
    placed = False
    for key, message in (exc.fields or {}).items():
        target = (names or {}).get(key) or form._fields.get(key)
        if target is None:
            flash(str(message), "error")
            continue
        target.errors = [*list(target.errors or []), str(message)]
        placed = True
    if not exc.fields:
        flash(exc.message, "error")
    return placed


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _person(person_id: int | None) -> Person | None:
    return db.session.get(Person, person_id) if person_id is not None else None


def _prefix(raw: str | None) -> str:
    value = raw or ""
    return value if _PREFIX.match(value) else ""


# --- request lists ----------------------------------------------------------------------------


@bp.get("/requests")
@login_required
def my_requests() -> Page:
    """The agency's requests (and, for staff, every request) with their state."""
    stmt = ops.visible_requests(current_user).options(selectinload(Request.agency))
    state = request.args.get("state") or None
    if state is not None and state not in {s.value for s in State}:
        abort(404)
    if state:
        stmt = stmt.where(Request.state == state)
    reqs = db.session.scalars(stmt.order_by(Request.updated_at.desc(), Request.id.desc())).all()
    return render_template(
        "consultation/my_requests.html",
        reqs=reqs,
        state=state,
        can_file=ops.can_file_request(current_user),
    )


@bp.get("/workbench")
@login_required
def workbench() -> Page:
    """The coordinator's queues by state; overdue work and the nearest deadlines first."""
    if current_user.role not in ("admin", "coordinator"):
        abort(403)
    reqs = db.session.scalars(
        select(Request)
        .where(Request.state.in_([s.value for s in QUEUES]))
        .options(selectinload(Request.agency), selectinload(Request.coordinator))
    ).all()
    queues: dict[str, list[Request]] = {s.value: [] for s in QUEUES}
    for r in sorted(reqs, key=_sort_key):
        queues[r.state].append(r)
    overdue = sorted((r for r in reqs if _is_overdue(r)), key=_sort_key)
    return render_template(
        "consultation/workbench.html",
        queues=queues,
        overdue=overdue,
        mine_only=False,
        can_file=ops.can_file_request(current_user),
    )


@bp.get("/approvals")
@login_required
def approvals() -> Page:
    """Consolidated opinions awaiting approval; the four-eyes rule shows on each request."""
    if current_user.role not in ("approver", "admin"):
        abort(403)
    reqs = db.session.scalars(
        select(Request)
        .where(Request.state == State.APPROVAL.value)
        .order_by(Request.updated_at)
        .options(*ops.request_facts_load())
    ).all()
    rows = [(r, ops.action_options(r, current_user)) for r in reqs]
    return render_template("consultation/approvals.html", rows=rows)


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


# --- panel ------------------------------------------------------------------------------------


def _default_respond_by() -> datetime:
    return _local_input(datetime.now(UTC) + timedelta(days=7))


def _invite_form(req: Request, prefix: str, role: str = "member", formdata=None) -> InviteForm:
    form = InviteForm(prefix=prefix, formdata=formdata)
    form.role.choices = role_choices()
    if formdata is None:
        form.role.data = role
        form.respond_by.data = _default_respond_by()
    form.version.data = str(req.version)
    return form


def _suggestions(req: Request, size: int) -> dict[str, Any] | None:
    from ..panel.cache import get_graph
    from ..panel.service import can_view_suggestions, path_labels, suggestions_for_request

    if not (can_view_suggestions(current_user) and req.can_manage_panel(current_user)):
        return None
    suggestion = suggestions_for_request(req, size)
    eg = suggestion.graph or get_graph()
    ids = {c.person_id for c in suggestion.panel} | {c.person_id for c in suggestion.ranked[:10]}
    people = {
        p.id: p
        for p in db.session.scalars(
            select(Person).where(Person.id.in_(ids)).options(selectinload(Person.user))
        )
    }

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
    from ..access.operations import account_problem

    if person is None:
        return _("No such expert.")
    return account_problem(person)


def _search(req: Request, q: str) -> list[dict[str, Any]]:
    from ..search.service import search_experts

    if not q or not req.can_manage_panel(current_user):
        return []
    try:
        result = search_experts(MultiDict({"q": q}), current_user, per_page_default=10)
    except ApiError:
        return []
    ids = [item["id"] for item in result.get("items", [])]
    people = {
        p.id: p
        for p in db.session.scalars(
            select(Person).where(Person.id.in_(ids)).options(selectinload(Person.user))
        )
    }
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
    size = max(1, min(_int_or_none(request.args.get("size")) or 5, 25))
    q = clean_line(request.args.get("q") or "") or ""
    suggestions = _suggestions(req, size) if manage else None
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
        q=q,
        search_results=_search(req, q) if manage else [],
        options=[o for o in ops.action_options(req, user) if str(o.action) in ("start_review",)],
    ), status


@bp.get("/requests/<int:request_id>/panel")
@login_required
def panel(request_id: int) -> Page:
    req = _request_or_404(request_id)
    _require_staff()
    return _render_panel(req)


def _panel_refusal(req: Request, key: str, form, exc: ApiError) -> Page:
    db.session.rollback()
    if exc.code == "version_conflict":
        return _stale(req)
    _put_errors(form, exc)
    return _render_panel(req, {key: form}, exc.status)


@bp.post("/requests/<int:request_id>/invitations")
@login_required
def invite(request_id: int) -> Page:
    req = _request_or_404(request_id)
    _require_staff()
    prefix = _prefix(request.args.get("form"))
    form = InviteForm(prefix=prefix)
    form.role.choices = role_choices()
    if not form.validate_on_submit():
        return _render_panel(req, {"invite": {prefix: form}}, 422)
    if not _is_fresh(req, form):
        return _stale(req)
    try:
        inv = ops.invite(
            req,
            _person(form.expert_id.data),
            form.role.data,
            _to_utc(form.respond_by.data),
            current_user,
        )
        db.session.commit()
    except ApiError as exc:
        db.session.rollback()
        if exc.code == "version_conflict":
            return _stale(req)
        _put_errors(form, exc)
        return _render_panel(req, {"invite": {prefix: form}}, exc.status)
    flash(
        _(
            "%(name)s was invited as %(role)s.",
            name=inv.person.display_name,
            role=InvitationRole(inv.role).label,
        ),
        "success",
    )
    return redirect(url_for("consultation.panel", request_id=req.id), 303)


def _panel_write(
    invitation_id: int, kind: str, form_cls, prefix: str
) -> tuple[Invitation, Request, Any, str, Page | None]:
    inv = _invitation_or_404(invitation_id)
    req = inv.request
    _require_staff()
    form = form_cls(prefix=f"{prefix}{inv.id}")
    key = f"{kind}{inv.id}"
    if not form.validate_on_submit():
        return inv, req, form, key, _render_panel(req, {key: form}, 422)
    if not _is_fresh(req, form):
        return inv, req, form, key, _stale(req)
    return inv, req, form, key, None


@bp.post("/invitations/<int:invitation_id>/revoke")
@login_required
def revoke(invitation_id: int) -> Page:
    inv, req, form, key, answer = _panel_write(invitation_id, "revoke", RevokeForm, "r")
    if answer is not None:
        return answer
    try:
        ops.revoke_invitation(inv, current_user, clean_text(form.reason.data or "") or None)
        db.session.commit()
    except ApiError as exc:
        return _panel_refusal(req, key, form, exc)
    flash(_("The invitation of %(name)s was revoked.", name=inv.person.display_name), "success")
    return redirect(url_for("consultation.panel", request_id=req.id), 303)


@bp.post("/invitations/<int:invitation_id>/replace")
@login_required
def replace(invitation_id: int) -> Page:
    inv, req, form, key, answer = _panel_write(invitation_id, "replace", ReplaceForm, "p")
    if answer is not None:
        return answer
    try:
        new = ops.replace_invitation(
            inv, _person(form.expert_id.data), current_user, _to_utc(form.respond_by.data)
        )
        db.session.commit()
    except ApiError as exc:
        return _panel_refusal(req, key, form, exc)
    flash(_("%(name)s was invited to the seat.", name=new.person.display_name), "success")
    return redirect(url_for("consultation.panel", request_id=req.id), 303)


@bp.post("/invitations/<int:invitation_id>/resolve")
@login_required
def resolve(invitation_id: int) -> Page:
    inv, req, form, key, answer = _panel_write(invitation_id, "resolve", ResolveConflictForm, "c")
    if answer is not None:
        return answer
    try:
        ops.resolve_conflict(
            inv,
            current_user,
            form.resolution.data,
            clean_text(form.note.data) or "",
            _person(form.replacement_expert_id.data),
            _to_utc(form.respond_by.data),
        )
        db.session.commit()
    except ApiError as exc:
        return _panel_refusal(
            req, key, form, _rename(exc, {"replacement_expert_id": "replacement_expert_id"})
        )
    flash(_("The conflict of interest was resolved."), "success")
    return redirect(url_for("consultation.panel", request_id=req.id), 303)


def _rename(exc: ApiError, names: Mapping[str, str]) -> ApiError:
    if exc.fields:
        exc.fields = {names.get(k, k): v for k, v in exc.fields.items()}
    return exc


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


# --- opinions ---------------------------------------------------------------------------------


@bp.route("/requests/<int:request_id>/opinion", methods=["GET", "POST"])
@login_required
def opinion(request_id: int) -> Page:
    req = _request_or_404(request_id)
    if not req.is_panel_member(current_user):
        abort(403)
    own = ops.own_opinion(req, current_user)
    editable = req.can_write_opinion(current_user)
    if request.method == "POST" and not editable:
        abort(403)
    form = OpinionForm(formdata=None) if request.method == "GET" else OpinionForm()
    if request.method == "GET":
        form.version.data = str(req.version)
        if own is not None:
            form.opinion_version.data = str(own.version)
            form.summary.data = own.summary
            form.assessment.data = own.assessment
            form.position.data = own.position or ""
            form.recommendations.data = "\n".join(r["text"] for r in own.recommendations)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            if not _is_fresh(req, form):
                return _stale(req)
            data = {
                "summary": clean_text(form.summary.data or "") or None,
                "assessment": clean_text(form.assessment.data or "") or None,
                "position": form.position.data or None,
                "recommendations": form.recommendation_list(),
                "version": _int_or_none(form.opinion_version.data),
            }
            submitting = request.form.get("intent") == "submit"
            try:
                ops.save_opinion(req, current_user, data)
                if submitting:
                    ops.submit_opinion(req, current_user)
                db.session.commit()
            except ApiError as exc:
                db.session.rollback()
                if exc.code == "version_conflict":
                    return _stale(req)
                _put_errors(form, exc)
                status = exc.status
            else:
                flash(
                    _("Your opinion was submitted.")
                    if submitting
                    else _("Your draft was saved. Submit it when it is ready."),
                    "success",
                )
                return redirect(url_for("consultation.opinion", request_id=req.id), 303)
        else:
            status = 422
    return render_template(
        "consultation/opinion.html", req=req, own=own, form=form, editable=editable
    ), status


# --- consolidation ----------------------------------------------------------------------------


def _fill_consolidation(form: ConsolidationForm, req: Request, panel: list[Invitation]) -> None:
    endorse = choices((str(i.person_id), i.person.display_name) for i in panel)
    dissent = choices(((str(i.person_id), i.person.display_name) for i in panel), blank=True)
    for entry in form.recommendations:
        entry.form.endorsed_by.choices = endorse
        entry.form.dissent_expert.choices = dissent


@bp.route("/requests/<int:request_id>/consolidation", methods=["GET", "POST"])
@login_required
def consolidation(request_id: int) -> Page:
    req = _request_or_404(request_id)
    if not req.can_view_consolidation(current_user):
        abort(403)
    editable = req.can_write_consolidation(current_user)
    if request.method == "POST" and not editable:
        abort(403)
    existing = list(req.consolidation.recommendations) if req.consolidation else []
    panel = req.accepted_invitations
    if request.method == "GET":
        form = ConsolidationForm(formdata=None)
        form.version.data = str(req.version)
        form.text.data = req.consolidation.text if req.consolidation else ""
        form.recipients.data = "\n".join(
            (req.consolidation.recipients or []) if req.consolidation else []
        )
        if req.consolidation is not None:
            form.consolidation_version.data = str(req.consolidation.version)
        while len(form.recommendations) < len(existing) + 2:
            form.recommendations.append_entry()
        for entry, rec in zip(form.recommendations, existing, strict=False):
            entry.form.text.data = rec["text"]
            entry.form.endorsed_by.data = list(rec.get("endorsed_by", []))
    else:
        form = ConsolidationForm()
    _fill_consolidation(form, req, panel)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            if not _is_fresh(req, form):
                return _stale(req)
            recs: list[dict[str, Any]] = []
            names: dict[str, Any] = {}
            for n, entry in enumerate(form.recommendations):
                kept = list(existing[n].get("dissent", [])) if n < len(existing) else []
                row = entry.form
                text = clean_text(row.text.data or "") or ""
                if row.dissent_expert.data:
                    kept.append(
                        {
                            "expert_id": int(row.dissent_expert.data),
                            "text": clean_text(row.dissent_text.data or "") or "",
                        }
                    )
                if not text and not kept:
                    continue
                if not text:
                    row.text.errors = [_("A recommendation with dissent needs its text.")]
                names[f"recommendations.{len(recs)}.endorsed_by"] = row.endorsed_by
                names[f"recommendations.{len(recs)}.text"] = row.text
                recs.append(
                    {"text": text, "endorsed_by": list(row.endorsed_by.data or []), "dissent": kept}
                )
            if any(entry.form.text.errors for entry in form.recommendations):
                status = 422
            else:
                data = {
                    "text": clean_text(form.text.data or "") or "",
                    "recommendations": recs,
                    "version": _int_or_none(form.consolidation_version.data),
                    "recipients": [
                        line
                        for line in (
                            clean_line(raw) for raw in (form.recipients.data or "").splitlines()
                        )
                        if line
                    ],
                }
                try:
                    ops.save_consolidation(req, current_user, data)
                    db.session.commit()
                except ApiError as exc:
                    db.session.rollback()
                    if exc.code == "version_conflict":
                        return _stale(req)
                    _put_errors(form, exc, names)
                    status = exc.status
                else:
                    flash(_("The consolidated opinion was saved."), "success")
                    return redirect(url_for("consultation.consolidation", request_id=req.id), 303)
        else:
            status = 422
    return render_template(
        "consultation/consolidation.html",
        req=req,
        form=form,
        editable=editable,
        existing=existing,
        names={i.person_id: i.person.display_name for i in panel},
        opinions=ops.visible_opinions(req, current_user),
    ), status


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


# --- the agency's response --------------------------------------------------------------------


@bp.route("/requests/<int:request_id>/response", methods=["GET", "POST"])
@login_required
def response(request_id: int) -> Page:
    req = _request_or_404(request_id)
    if Action.RECORD_RESPONSE not in ops.allowed_actions_for(req, current_user):
        abort(403)
    published = req.published_opinion
    recs = list(published.recommendations) if published else []
    form = ResponseForm() if request.method == "POST" else ResponseForm(formdata=None)
    while len(form.responses) < len(recs):
        form.responses.append_entry()
    form.set_choices()
    if request.method == "GET":
        form.version.data = str(req.version)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            answers = [
                {
                    "recommendation": rec.id,
                    "status": entry.form.status.data or None,
                    "explanation": clean_text(entry.form.explanation.data or "") or None,
                }
                for rec, entry in zip(recs, form.responses, strict=False)
            ]
            try:
                ops.perform_action(
                    req,
                    Action.RECORD_RESPONSE.value,
                    current_user,
                    {"responses": answers},
                    form.version_number(),
                )
                db.session.commit()
            except ApiError as exc:
                db.session.rollback()
                if exc.code == "version_conflict":
                    return _stale(req)
                names: dict[str, Any] = {}
                for i, entry in enumerate(form.responses):
                    names[f"responses[{i}].status"] = entry.form.status
                    names[f"responses[{i}].explanation"] = entry.form.explanation
                    names[f"responses[{i}].recommendation"] = entry.form.status
                _put_errors(form, exc, names)
                status = exc.status
            else:
                flash(_("Your response was recorded. Thank you."), "success")
                return redirect(url_for("consultation.detail", request_id=req.id), 303)
        else:
            status = 422
    return render_template(
        "consultation/response.html",
        req=req,
        form=form,
        rows=list(zip(recs, form.responses, strict=False)),
    ), status


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
    from ..core.forms import Form

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


# --- the public register ----------------------------------------------------------------------


def _visible_published(stmt):
    return ops.visible_published(stmt, current_user)


def _fill_register_choices(form: RegisterFilterForm) -> None:
    locale = str(get_locale())
    base = _visible_published(
        select(PublishedOpinion.id).join(Request, Request.id == PublishedOpinion.request_id)
    ).subquery()
    years = db.session.scalars(
        select(PublishedOpinion.year)
        .where(PublishedOpinion.id.in_(select(base.c.id)))
        .distinct()
        .order_by(PublishedOpinion.year.desc())
    ).all()
    agencies = db.session.execute(
        select(Organization.id, Organization.name)
        .join(Request, Request.agency_id == Organization.id)
        .join(PublishedOpinion, PublishedOpinion.request_id == Request.id)
        .where(PublishedOpinion.id.in_(select(base.c.id)))
        .distinct()
        .order_by(Organization.name)
    ).all()
    fields = db.session.scalars(
        select(Field)
        .join(request_field, request_field.c.field_id == Field.id)
        .join(PublishedOpinion, PublishedOpinion.request_id == request_field.c.request_id)
        .where(PublishedOpinion.id.in_(select(base.c.id)))
        .distinct()
        .order_by(Field.code)
    ).all()
    form.kind.choices = kind_choices(blank=True)
    form.year.choices = choices(((str(y), str(y)) for y in years), blank=True)
    form.agency.choices = choices(((str(i), n) for i, n in agencies), blank=True)
    form.field.choices = choices(((f.code, f.display_name(locale)) for f in fields), blank=True)


@bp.get("/register")
def register() -> Page:
    """The register of published opinions: search, filters, pages."""
    form = RegisterFilterForm(formdata=request.args)
    _fill_register_choices(form)
    stmt = _visible_published(
        select(PublishedOpinion).join(Request, Request.id == PublishedOpinion.request_id)
    )
    valid = form.validate()
    if valid:
        if form.kind.data:
            stmt = stmt.where(Request.kind == form.kind.data)
        if form.year.data:
            stmt = stmt.where(PublishedOpinion.year == int(form.year.data))
        if form.agency.data:
            stmt = stmt.where(Request.agency_id == int(form.agency.data))
        if form.field.data:
            stmt = stmt.where(
                Request.id.in_(
                    select(request_field.c.request_id)
                    .join(Field, Field.id == request_field.c.field_id)
                    .where(Field.code == form.field.data)
                )
            )
        q = clean_line(form.q.data or "")
        if q:
            stmt = stmt.where(Request.title.ilike(f"%{q}%"))
    else:
        stmt = stmt.where(False)
    page = max(_int_or_none(request.args.get("page")) or 1, 1)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    items = db.session.scalars(
        stmt.order_by(PublishedOpinion.published_at.desc(), PublishedOpinion.id.desc())
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "consultation/register.html",
        form=form,
        items=items,
        total=total,
        page=page,
        pages=max((total - 1) // PER_PAGE + 1, 1),
        args=args,
    ), (200 if valid else 422)


@bp.get("/register/<int:opinion_id>")
def published(opinion_id: int) -> Page:
    op = db.session.scalar(
        select(PublishedOpinion)
        .options(selectinload(PublishedOpinion.recommendations))
        .where(PublishedOpinion.id == opinion_id)
    )
    if op is None or not op.can_view(current_user):
        abort(404)
    req = op.request
    return render_template(
        "consultation/published.html",
        op=op,
        data=published_json(op),
        req=req,
        can_open_request=current_user.is_authenticated and req.can_view(current_user),
        can_respond=current_user.is_authenticated
        and Action.RECORD_RESPONSE in ops.allowed_actions_for(req, current_user),
    )
