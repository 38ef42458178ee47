"""The report's XLSX and the published opinion's DOCX or PDF as downloads, for the pages
and the API alike (``views.py`` and ``api.py``)."""

from __future__ import annotations

import io

from flask import Response, send_file

from ..consultation.letter import (
    DOCX_MEDIA_TYPE,
    PDF_MEDIA_TYPE,
    filename,
    letter_from,
    render_docx,
    render_pdf,
)
from ..consultation.models import PublishedOpinion
from ..extensions import db
from .export import XLSX_MEDIA_TYPE, report_xlsx
from .queries import ActivityReport


def xlsx_response(report: ActivityReport) -> Response:
    scope = f"-{report.organization.code}" if report.organization else ""
    return send_file(
        io.BytesIO(report_xlsx(report)),
        mimetype=XLSX_MEDIA_TYPE,
        as_attachment=True,
        download_name=f"activity-report-{report.year}{scope}.xlsx",
        max_age=0,
    )


def readable_opinion(opinion_id: int, user) -> PublishedOpinion | None:
    """The published opinion if ``user`` may read it, else None (never say which)."""
    opinion = db.session.get(PublishedOpinion, opinion_id)
    if opinion is None or not opinion.can_view(user):
        return None
    return opinion


def letter_response(opinion: PublishedOpinion, fmt: str) -> Response:
    """The DOCX or PDF of ``opinion``; raises ``LetterError`` if its content was altered."""
    letter = letter_from(opinion)
    if fmt == "docx":
        data, mimetype = render_docx(letter), DOCX_MEDIA_TYPE
    else:
        data, mimetype = render_pdf(letter), PDF_MEDIA_TYPE
    response = send_file(
        io.BytesIO(data),
        mimetype=mimetype,
        as_attachment=True,
        download_name=filename(letter, fmt),
        max_age=0,
        etag=f"{opinion.content_hash}-{fmt}",
    )
    # Confidential letters must not stay in shared caches.
    response.headers["Cache-Control"] = "private, no-store" if opinion.confidential else "private"
    return response
