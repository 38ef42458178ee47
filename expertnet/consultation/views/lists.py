"""Request lists: the agency's requests, the coordinator's workbench, the approval queue."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workflows import State

from ...core.roles import MANAGERS
from ...extensions import db
from .. import operations as ops
from ..models import Request
from .common import QUEUES, Page, _is_overdue, _sort_key, bp

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
    if current_user.role not in MANAGERS:
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
