"""What every consultation page shares: the blueprint, template helpers, loaders and refusals."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from workflows import KIND_LABELS, Action, State

from ...core.actions import Page
from ...core.actions import form_action as core_form_action
from ...core.errors import ApiError, NotFound, error_response
from ...core.i18n import tr
from ...core.localtime import LOCAL_TZ
from ...core.roles import STAFF
from ...directory.models import Person
from ...extensions import db
from .. import queries
from ..models import (
    ConsultationForm,
    Invitation,
    InvitationRole,
    InvitationState,
    MeetingKind,
    Position,
    Request,
    ResponseStatus,
)
from ..serialize import markdown_html

bp = Blueprint("consultation", __name__)

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
        "consultation_form_label": lambda v: ConsultationForm(v).label,
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


@bp.errorhandler(NotFound)
def _not_found(_exc: NotFound) -> Page:
    """A read layer's not-found as this edge's 404 page (the same page ``abort(404)`` shows)."""
    return error_response(404)


def _request_or_404(request_id: int) -> Request:
    return queries.request_for(request_id, current_user)


def _invitation_or_404(invitation_id: int) -> Invitation:
    return queries.invitation_for(invitation_id, current_user)


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


def form_action(
    form,
    run: Callable[[], Any],
    ok_message: str | Callable[[Any], str],
    *,
    on_error: Callable[[int], Page],
    redirect_to: str | Callable[[Any], str],
    validate: bool = True,
    fresh_for: Request | None = None,
    conflict_for: Request | None = None,
    names: Mapping[str, Any] | None = None,
) -> Page:
    """A consultation form's one path (``core.actions.form_action``) with the request's version.

    - ``fresh_for``: the form's ``version`` must be that request's, else the fresh request
      is shown and nothing runs;
    - ``conflict_for``: an operation's version conflict shows that request fresh too;
    - ``names`` maps the operation's field names to form fields for its refusals.
    """

    def before() -> Page | None:
        if fresh_for is not None and not _is_fresh(fresh_for, form):
            return _stale(fresh_for)
        return None

    def on_refusal(exc: Exception) -> Page | None:
        if conflict_for is not None and getattr(exc, "code", None) == "version_conflict":
            return _stale(conflict_for)
        return None

    return core_form_action(
        form,
        run,
        ok_message,
        on_error=on_error,
        redirect_to=redirect_to,
        put_errors=lambda form, exc: _put_errors(form, exc, names),
        validate=validate,
        before=before,
        on_refusal=on_refusal,
    )


def page_arg() -> int:
    """The ``page`` of the query string; nonsense and numbers below 1 are the first page."""
    return max(_int_or_none(request.args.get("page")) or 1, 1)


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
