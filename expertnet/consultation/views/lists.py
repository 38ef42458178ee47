"""Request lists: the agency's requests, the coordinator's workbench, the approval queue."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user, login_required

from ...core.roles import MANAGERS
from .. import operations as ops
from .. import queries
from ..models import Request
from .common import QUEUES, Page, _is_overdue, _sort_key, bp, page_arg

# --- request lists ----------------------------------------------------------------------------


@bp.get("/requests")
@login_required
def my_requests() -> Page:
    """The agency's requests (and, for staff, every request) with their state, by pages."""
    state = request.args.get("state") or None
    kind = request.args.get("kind") or None
    try:
        found = queries.request_list(current_user, state=state, kind=kind, page=page_arg())
    except ValueError:
        abort(404)
    return render_template(
        "consultation/my_requests.html",
        reqs=found.items,
        found=found,
        state=state,
        kind=kind,
        kinds=[str(k) for k in ops.WF.policies],
        can_file=ops.can_file_request(current_user),
    )


@bp.get("/workbench")
@login_required
def workbench() -> Page:
    """The coordinator's queues by state; overdue work and the nearest deadlines first."""
    if current_user.role not in MANAGERS:
        abort(403)
    reqs = queries.requests_in(QUEUES)
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
    rows = [(r, ops.action_options(r, current_user)) for r in queries.approval_queue()]
    return render_template("consultation/approvals.html", rows=rows)
