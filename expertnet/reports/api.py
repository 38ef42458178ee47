"""The report and the letters in the JSON API (``/api/v1``); see ``views`` for who sees what."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from ..api import bp
from ..consultation.letter import LetterError
from ..core.errors import ApiError, ValidationFailed
from ..core.web import doc
from ..extensions import db
from .downloads import letter_response, readable_opinion, xlsx_response
from .queries import (
    FIRST_YEAR,
    BadReportArgument,
    activity_report,
    current_year,
    parse_organization,
    parse_year,
)

_REPORT_QUERY = {
    "year": "calendar year (Asia/Ho_Chi_Minh), 1990 to next year; default: this year",
    "organization": "id of a member organisation to scope the report to; default: the union",
}


def _arguments():
    try:
        year = parse_year(request.args.get("year"))
        org = parse_organization(db.session, request.args.get("organization"))
    except BadReportArgument as exc:
        messages = {
            "year": _(
                "The year must be a whole number between %(first)s and %(last)s.",
                first=FIRST_YEAR,
                last=current_year() + 1,
            ),
            "organization": _("No such member organisation of the union."),
        }
        raise ValidationFailed({exc.field: messages[exc.field]}) from None
    return year, org


@bp.get("/reports/activity")
@doc(
    "The year's activity figures, for the union or one member organisation (public)",
    query=_REPORT_QUERY,
    response="activity report",
    auth=False,
    statuses=(422,),
)
def report_activity():
    year, org = _arguments()
    report = activity_report(db.session, year, org, viewer=current_user)
    return jsonify(report.to_json())


@bp.get("/reports/activity.xlsx")
@doc(
    "The year's activity report as an XLSX workbook (public)",
    query=_REPORT_QUERY,
    response="XLSX workbook",
    auth=False,
    statuses=(422,),
)
def report_activity_xlsx():
    year, org = _arguments()
    report = activity_report(db.session, year, org, viewer=current_user, published_list=True)
    return xlsx_response(report)


def _letter(opinion_id: int, fmt: str):
    opinion = readable_opinion(opinion_id, current_user)
    if opinion is None:
        raise ApiError(404, _("No such published opinion."))
    try:
        return letter_response(opinion, fmt)
    except LetterError:
        raise ApiError(409, _("The published opinion does not match its content hash.")) from None


@bp.get("/opinions/<int:opinion_id>.docx")
@doc(
    "A published opinion as the union's letter (DOCX), made from the frozen published version",
    response="DOCX document",
    auth=False,
    statuses=(404, 409),
)
def published_docx(opinion_id: int):
    return _letter(opinion_id, "docx")


@bp.get("/opinions/<int:opinion_id>.pdf")
@doc(
    "A published opinion as the union's letter (PDF), made from the frozen published version",
    response="PDF document",
    auth=False,
    statuses=(404, 409),
)
def published_pdf(opinion_id: int):
    return _letter(opinion_id, "pdf")
