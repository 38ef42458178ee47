"""The yearly activity report as an XLSX workbook (openpyxl), safe against formula injection.

Every text cell goes through ``safe_text``: characters a workbook cannot hold are dropped
and a leading ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a ``'`` so that no
spreadsheet ever runs a name or a title as a formula. Numbers stay numbers.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from flask_babel import pgettext

from workflows import RequestKind, State

from ..consultation.models import MeetingKind, ResponseStatus
from ..core.i18n import tr
from ..core.localtime import LOCAL_TZ
from ..directory.models import FormerProvince, OrganizationKind
from ..roster.export import safe_cell
from .queries import ActivityReport, OrganizationRow

if TYPE_CHECKING:
    from openpyxl import Workbook

# openpyxl (with lxml and Pillow, about 24 MB) is imported when a workbook is made, not
# by every web process that loads this module (tests/test_lazy_imports.py).

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERCENT = "0.0%"
DAYS = "0.0"


def safe_text(value: Any) -> Any:
    """A cell value that a spreadsheet shows as typed, never evaluates."""
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return safe_cell(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def _sheet(wb: Workbook, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]):
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title=title[:31])
    ws.append([safe_text(h) for h in header])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    for row in rows:
        ws.append([safe_text(v) for v in row])
    ws.freeze_panes = "A2"
    for i, h in enumerate(header, start=1):
        width = max([len(str(h))] + [len(str(c.value or "")) for c in ws[get_column_letter(i)]])
        ws.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 10), 60)
    return ws


def _format(ws, column: int, number_format: str) -> None:
    for row in ws.iter_rows(min_row=2, min_col=column, max_col=column):
        for cell in row:
            cell.number_format = number_format


def _kind(value: str) -> str:
    return _(RequestKind(value).label) if value in RequestKind.__members__.values() else value


def _province(value: str | None) -> str:
    return FormerProvince(value).label if value else ""


def _org_kind(value: str) -> str:
    return OrganizationKind(value).label if value in OrganizationKind.values() else value


def _org_row(row: OrganizationRow) -> list[Any]:
    return [
        row.code,
        row.name,
        _org_kind(row.kind),
        _province(row.former_province),
        row.experts_engaged,
        row.panel_seats,
        row.opinions_submitted,
        row.opinions_published,
        row.median_days_to_publish,
        row.adoption_rate,
    ]


def _contest_sheets(wb: Workbook, report: ActivityReport) -> None:
    """The contest: its figures, entries by field and former province, awards, judges."""
    contest = report.contest
    if contest is None:
        return
    rows: list[list[Any]] = [
        [_("Contest editions"), len(contest.editions)],
        [_("Entries"), contest.entries],
        [_("Authors"), contest.authors],
        [_("Awards"), sum(contest.awards.values())],
        [_("Judges"), contest.judges],
    ]
    rows += [[f"{e['name']} — {e['number']}", ""] for e in contest.editions]
    rows += [
        [f"{_('Field')}: {contest.field_names.get(code, code)}", n]
        for code, n in contest.entries_by_field.items()
    ]
    rows += [
        [f"{_('Former province')}: {_('Unknown') if p == 'unknown' else _province(p)}", n]
        for p, n in contest.entries_by_province.items()
    ]
    rows += [[f"{_('Award')}: {name}", n] for name, n in contest.awards.items()]
    _sheet(wb, _("Contest"), [_("Figure"), _("Value")], rows)
    _sheet(
        wb,
        _("Contest judges"),
        [_("Code"), _("Organisation"), _("Former province"), _("Judges"), _("Judge seats")],
        [
            [r.code, r.name, _province(r.former_province), r.judges, r.seats]
            for r in contest.judges_by_organization
        ],
    )


def report_xlsx(report: ActivityReport) -> bytes:
    """The report's figures, breakdowns and (visible) published opinions, one sheet each."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    scope = report.organization.name if report.organization else _("Whole union")
    mixing = report.province_mixing
    summary = [
        (_("Year"), report.year),
        (_("Scope"), scope),
        (_("Requests received"), report.requests_total),
        (_("Meetings held"), report.meetings_held),
        (_("Workshops and conferences held"), report.workshops_and_conferences),
        (_("Opinions published"), report.opinions_published),
        (_("Experts engaged"), report.experts_engaged),
        (_("Member organisations engaged"), report.organizations_engaged),
        (_("Median days from submission to publication"), report.median_days_to_publish),
        (_("Adoption rate of recommendations"), report.adoption_rate),
        (_("Published panels mixing both former provinces"), mixing["mixed"]),
        (_("Share of published panels mixing both former provinces"), mixing["share"]),
    ]
    ws = _sheet(wb, pgettext("spreadsheet sheet", "Summary"), [_("Figure"), _("Value")], summary)
    for row in ws.iter_rows(min_row=2):
        label, value = row
        if label.value in (
            _("Adoption rate of recommendations"),
            _("Share of published panels mixing both former provinces"),
        ):
            value.number_format = PERCENT
    ws.append([])
    ws.append(
        [
            safe_text(_("Adoption rule")),
            safe_text(
                _(
                    "Adopted counts 1, partially adopted 0.5, not adopted 0; the rate is "
                    "their mean over the answered recommendations of the year's published "
                    "opinions."
                )
            ),
        ]
    )

    kinds = [_kind(k) for k in report.requests_by_kind]
    _sheet(
        wb,
        _("Requests"),
        [_("Kind"), _("Requests received"), _("Opinions published")],
        [
            [label, report.requests_by_kind[k], report.opinions_by_kind.get(k, 0)]
            for label, k in zip(kinds, report.requests_by_kind, strict=True)
        ],
    )
    _sheet(
        wb,
        _("States"),
        [_("State"), _("Requests")],
        [[tr(State(s).label), n] for s, n in report.requests_by_state.items()],
    )
    _sheet(
        wb,
        _("Meetings"),
        [_("Kind"), _("Meetings held")],
        [[MeetingKind(k).label, n] for k, n in report.meetings_by_kind.items()],
    )
    _sheet(
        wb,
        _("Months"),
        [_("Month"), _("Opinions published")],
        [[m, n] for m, n in enumerate(report.opinions_by_month, start=1)],
    )
    adoption = [[ResponseStatus(s).label, report.adoption[s]] for s in ResponseStatus.values()] + [
        [_("Not answered yet"), report.adoption["unanswered"]]
    ]
    _sheet(wb, _("Adoption"), [_("Answer"), _("Recommendations")], adoption)

    if report.organization is None:
        ws = _sheet(
            wb,
            _("Organisations"),
            [
                _("Code"),
                _("Organisation"),
                _("Kind"),
                _("Former province"),
                _("Experts engaged"),
                _("Panel seats"),
                _("Opinions written"),
                _("Opinions published"),
                _("Median days to publish"),
                _("Adoption rate"),
            ],
            [_org_row(r) for r in report.organizations],
        )
        _format(ws, 9, DAYS)
        _format(ws, 10, PERCENT)

    _contest_sheets(wb, report)

    ws = _sheet(
        wb,
        _("Published"),
        [
            _("Number"),
            _("Title"),
            _("Kind"),
            _("Agency"),
            _("Published on"),
            _("Days to publish"),
            _("Confidential"),
        ],
        [
            [
                item.number,
                item.title,
                _kind(item.kind),
                item.agency or "",
                item.published_at.astimezone(LOCAL_TZ).date(),
                item.days_to_publish,
                _("Yes") if item.confidential else _("No"),
            ]
            for item in report.published
        ],
    )
    _format(ws, 5, "dd/mm/yyyy")
    _format(ws, 6, DAYS)

    wb.properties.title = f"{_('Activity report')} {report.year}"
    wb.properties.creator = "expertnet"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
