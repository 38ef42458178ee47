"""The procedure's own documents as downloads: the reply to the request, the decision
establishing the panel, the invitation letter (DOCX and PDF, ``procedure_docs``)."""

from __future__ import annotations

from flask import abort
from flask_login import current_user, login_required

from .. import procedure_docs as papers
from .common import Page, _invitation_or_404, _request_or_404, bp


def _send(document: papers.AdminDocument | None, fmt: str) -> Page:
    if document is None or fmt not in papers.FORMATS:
        abort(404)
    return papers.document_response(document, fmt)


@bp.get("/requests/<int:request_id>/reply-letter.<fmt>")
@login_required
def reply_letter(request_id: int, fmt: str) -> Page:
    req = _request_or_404(request_id)
    if not papers.staff_may_download(req, current_user):
        abort(404)
    return _send(papers.reply_letter(req), fmt)


@bp.get("/requests/<int:request_id>/panel-decision.<fmt>")
@login_required
def panel_decision(request_id: int, fmt: str) -> Page:
    req = _request_or_404(request_id)
    if not papers.staff_may_download(req, current_user):
        abort(404)
    return _send(papers.panel_decision(req), fmt)


@bp.get("/invitations/<int:invitation_id>/letter.<fmt>")
@login_required
def invitation_letter(invitation_id: int, fmt: str) -> Page:
    inv = _invitation_or_404(invitation_id)
    if not papers.invitation_letter_visible(inv, current_user):
        abort(404)
    return _send(papers.invitation_letter(inv), fmt)
