"""The activity report page and its XLSX export; the published opinion as DOCX and PDF.

Who sees what: the union's yearly figures are public, as the union publishes them in its
annual report; they count confidential requests but never describe them. The list of the
year's published opinions (titles, agencies) shows each viewer only the opinions they may
read (``PublishedOpinion.can_view``), and so do the letters: a confidential opinion's
DOCX or PDF is for its agency and the union's staff only; everybody else gets a 404.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, abort, render_template, request, url_for
from flask_babel import format_decimal, format_percent, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import IntegerField, SelectField
from wtforms.validators import NumberRange, Optional

from workflows import RequestKind, State

from ..consultation.letter import LetterError
from ..consultation.models import MeetingKind, ResponseStatus
from ..core.forms import Form
from ..core.i18n import tr
from ..core.localtime import LOCAL_TZ
from ..directory.models import UNION_KINDS, FormerProvince, Organization, OrganizationKind
from ..directory.queries import organization_names
from ..extensions import db
from .charts import Bar, horizontal_bars, vertical_bars
from .downloads import letter_response, readable_opinion, xlsx_response
from .queries import (
    FIRST_YEAR,
    ActivityReport,
    activity_report,
    current_year,
)

bp = Blueprint("reports", __name__)

_UNION_KIND_VALUES = tuple(k.value for k in UNION_KINDS)
_KIND_VALUES = {k.value for k in RequestKind}


def register(app: Flask) -> None:
    """Install the report pages and the letter downloads (one call from ``app_setup``)."""
    app.register_blueprint(bp)


# --- the filter form -----------------------------------------------------------------------


def _org_id(value: Any) -> int | None:
    if value in (None, "", "None"):
        return None
    return int(value)


class ReportForm(Form):
    """Year and scope of the report; read from the query string, so no CSRF token."""

    class Meta(Form.Meta):
        csrf = False

    year = IntegerField(_l("Year"), validators=[Optional()])
    organization = SelectField(_l("Organisation"), coerce=_org_id, validators=[Optional()])

    def __init__(self, *args: Any, organizations: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        last = current_year() + 1
        self.year.validators = [Optional(), NumberRange(min=FIRST_YEAR, max=last)]
        self.organization.choices = [("", _("The whole union")), *organizations]


def _union_organizations() -> list[tuple[int, str]]:
    return organization_names(tuple(_UNION_KIND_VALUES))


# --- presentation ----------------------------------------------------------------------------


def _kind_label(value: str) -> str:
    return _(RequestKind(value).label) if value in _KIND_VALUES else value


def _percent(value: float | None) -> str:
    return "—" if value is None else format_percent(value, "#,##0.#%")


def _days(value: float | None) -> str:
    return "—" if value is None else format_decimal(value, "#,##0.#")


def _month_names() -> list[str]:
    """Month labels as reports write them: "T1" … "T12" in Vietnamese (not CLDR's "thg 1")."""
    from babel.dates import get_month_names

    if str(get_locale()) == "vi":
        return [f"T{m}" for m in range(1, 13)]
    names = get_month_names("abbreviated", locale=get_locale())
    return [names[m] for m in range(1, 13)]


def _charts(report: ActivityReport) -> list[dict[str, Any]]:
    """Each chart with the rows of its data table."""
    year = report.year
    kinds = [(_kind_label(k), n) for k, n in report.requests_by_kind.items()]
    months = list(zip(_month_names(), report.opinions_by_month, strict=True))
    adoption_fill = {
        "adopted": "#1e7b4b",
        "partially_adopted": "#f2c14e",
        "not_adopted": "#b42318",
        "unanswered": "#9aa5b1",
    }
    adoption = [
        (ResponseStatus(s).label, report.adoption[s], s) for s in ResponseStatus.values()
    ] + [(_("Not answered yet"), report.adoption["unanswered"], "unanswered")]
    meetings = [(MeetingKind(k).label, n) for k, n in report.meetings_by_kind.items()]
    total_answered = sum(n for _label, n, s in adoption if s != "unanswered")
    return [
        {
            "id": "chart-kinds",
            "title": _("Requests received in %(year)s, by kind", year=year),
            "svg": horizontal_bars(
                "chart-kinds",
                _("Requests received in %(year)s, by kind", year=year),
                _("Bar chart: ") + "; ".join(f"{label}: {n}" for label, n in kinds) + ".",
                [Bar(label, n) for label, n in kinds],
            ),
            "head": (_("Kind"), _("Requests")),
            "rows": kinds,
        },
        {
            "id": "chart-months",
            "title": _("Opinions published in %(year)s, by month", year=year),
            "svg": vertical_bars(
                "chart-months",
                _("Opinions published in %(year)s, by month", year=year),
                _("Column chart: ") + "; ".join(f"{label}: {n}" for label, n in months) + ".",
                [Bar(label, n) for label, n in months],
                axis_label=_("Month"),
            ),
            "head": (_("Month"), _("Opinions published")),
            "rows": months,
        },
        {
            "id": "chart-adoption",
            "title": _("Answers to the recommendations of %(year)s", year=year),
            "svg": horizontal_bars(
                "chart-adoption",
                _("Answers to the recommendations of %(year)s", year=year),
                _("Bar chart: ")
                + "; ".join(f"{label}: {n}" for label, n, _s in adoption)
                + ". "
                + _("Adoption rate: %(rate)s.", rate=_percent(report.adoption_rate)),
                [Bar(label, n, css=s, fill=adoption_fill[s]) for label, n, s in adoption],
            ),
            "head": (_("Answer"), _("Recommendations")),
            "rows": [(label, n) for label, n, _s in adoption],
            "note": _(
                "Adoption rate %(rate)s over %(n)s answered recommendations: adopted counts 1, "
                "partially adopted 0.5, not adopted 0.",
                rate=_percent(report.adoption_rate),
                n=total_answered,
            ),
        },
        {
            "id": "chart-meetings",
            "title": _("Meetings held in %(year)s, by kind", year=year),
            "svg": horizontal_bars(
                "chart-meetings",
                _("Meetings held in %(year)s, by kind", year=year),
                _("Bar chart: ") + "; ".join(f"{label}: {n}" for label, n in meetings) + ".",
                [Bar(label, n) for label, n in meetings],
            ),
            "head": (_("Kind"), _("Meetings")),
            "rows": meetings,
        },
    ]


def _report_args(form: ReportForm) -> dict[str, Any]:
    args: dict[str, Any] = {"year": form.year.data}
    if form.organization.data is not None:
        args["organization"] = form.organization.data
    return args


def _load(form: ReportForm) -> ActivityReport:
    org = None
    if form.organization.data is not None:
        org = db.session.get(Organization, form.organization.data)
    return activity_report(
        db.session,
        form.year.data,
        org,
        viewer=current_user,
        published_list=True,
    )


def _form() -> tuple[ReportForm, bool]:
    form = ReportForm(request.args, organizations=_union_organizations())
    valid = form.validate()
    if form.year.data is None and not form.year.errors:
        form.year.data = current_year()
    return form, valid


@bp.get("/reports/activity")
def activity():
    form, valid = _form()
    if not valid:
        return render_template("reports/activity.html", form=form, report=None), 422
    report = _load(form)
    return render_template(
        "reports/activity.html",
        form=form,
        report=report,
        charts=_charts(report),
        percent=_percent,
        days=_days,
        kind_label=_kind_label,
        report_state_label=lambda v: tr(State(v).label),
        org_kind_label=lambda v: OrganizationKind(v).label,
        province_label=lambda v: FormerProvince(v).label if v else "—",
        xlsx_url=url_for("reports.activity_xlsx", **_report_args(form)),
        local_tz=LOCAL_TZ,
    )


@bp.get("/reports/activity.xlsx")
def activity_xlsx():
    form, valid = _form()
    if not valid:
        abort(422)
    report = _load(form)
    return xlsx_response(report)


# --- the published opinion as a letter --------------------------------------------------------


@bp.get("/opinions/<int:opinion_id>.docx")
def opinion_docx(opinion_id: int):
    opinion = readable_opinion(opinion_id, current_user)
    if opinion is None:
        abort(404)
    try:
        return letter_response(opinion, "docx")
    except LetterError:
        abort(409)


@bp.get("/opinions/<int:opinion_id>.pdf")
def opinion_pdf(opinion_id: int):
    opinion = readable_opinion(opinion_id, current_user)
    if opinion is None:
        abort(404)
    try:
        return letter_response(opinion, "pdf")
    except LetterError:
        abort(409)
