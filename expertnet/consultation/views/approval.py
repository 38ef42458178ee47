"""Approval: the letter as it will be published, and the approver's confirmation."""

from __future__ import annotations

from flask import abort, render_template
from flask_login import current_user, login_required

from workflows import Action, State

from ...core.admindoc import MOTTO, NATION, UNION_NAME_LINES
from ...core.i18n import tr
from .. import letter as letters
from .. import operations as ops
from ..forms import ActionForm
from ..models import Request
from .common import Page, _request_or_404, bp


def render_approval(req: Request, form: ActionForm | None = None, status: int = 200) -> Page:
    """The preview of the letter, with the approval form when the viewer may approve now."""
    option = next(
        (o for o in ops.action_options(req, current_user) if o.action == Action.APPROVE), None
    )
    if form is None and option is not None and option.allowed:
        form = ActionForm(prefix=str(Action.APPROVE), formdata=None)
    if form is not None:
        form.version.data = str(req.version)
    content = ops.preview_content(req, current_user)
    letter = letters.letter_from_content(content, content["number"], "")
    return render_template(
        "consultation/approval.html",
        req=req,
        letter=letter,
        form=form if option is not None and option.allowed else None,
        blocked=option.blocked.message.render(tr) if option and not option.allowed else None,
        union_lines=UNION_NAME_LINES,
        nation=NATION,
        motto=MOTTO,
    ), status


@bp.get("/requests/<int:request_id>/approval")
@login_required
def approval(request_id: int) -> Page:
    """What approving would publish, for approvers, before they confirm."""
    req = _request_or_404(request_id)
    if current_user.role not in ("approver", "admin"):
        abort(403)
    if req.state != State.APPROVAL or req.consolidation is None:
        abort(404)
    return render_approval(req)
