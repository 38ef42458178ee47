"""The XLSX export: readable, the same figures as the page, and never a formula."""

from __future__ import annotations

import io

import pytest
from helpers import bearer
from openpyxl import load_workbook

from expertnet.reports.export import safe_text
from tests.reports.conftest import local

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _workbook(client, url: str, headers: dict | None = None):
    res = client.get(url, headers=headers or {})
    assert res.status_code == 200, res.get_data(as_text=True)
    assert res.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(res.data))


def test_the_workbook_has_the_figures_of_the_report(built_year, client):
    wb = _workbook(client, "/reports/activity.xlsx?year=2025&lang=en")
    assert wb.sheetnames == [
        "Summary",
        "Requests",
        "States",
        "Meetings",
        "Months",
        "Adoption",
        "Organisations",
        "Contest",
        "Contest judges",
        "Published",
    ]
    summary = {row[0]: row[1] for row in wb["Summary"].iter_rows(values_only=True) if row}
    assert summary["Year"] == 2025
    assert summary["Requests received"] == 5
    assert summary["Opinions published"] == 4
    assert summary["Experts engaged"] == 6
    assert summary["Median days from submission to publication"] == 27.7
    assert summary["Adoption rate of recommendations"] == 0.5
    months = [row[1] for row in wb["Months"].iter_rows(min_row=2, values_only=True)]
    assert months == [1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    orgs = {row[1]: row for row in wb["Organisations"].iter_rows(min_row=2, values_only=True)}
    assert orgs["Hội Thủy sản"][4:] == (2, 2, 2, 2, 15.0, 0.5)
    published = [row[1] for row in wb["Published"].iter_rows(min_row=2, values_only=True)]
    assert "Dự án mật" not in published and len(published) == 3


def test_the_api_export_is_the_same_workbook(built_year, client):
    wb = _workbook(client, "/api/v1/reports/activity.xlsx?year=2025&lang=en")
    assert "Summary" in wb.sheetnames
    res = client.get("/api/v1/reports/activity.xlsx?year=nope")
    assert res.status_code == 422 and "year" in res.json["error"]["fields"]


def test_staff_get_the_confidential_titles_in_their_export(built_year, client):
    wb = _workbook(
        client,
        "/reports/activity.xlsx?year=2025&lang=en",
        bearer(built_year.tokens["coordinator"]),
    )
    published = [row[1] for row in wb["Published"].iter_rows(min_row=2, values_only=True)]
    assert "Dự án mật" in published


def test_no_cell_is_ever_a_formula(built_year, builder, make_org, make_person, client, session):
    evil = make_org(name='=HYPERLINK("http://evil.example","bấm vào")')
    expert = make_person("@Lê Văn Độc", organizations=[evil])
    req = builder.request("critique", "closed", local(2025, 8, 1), title="+cmd|' /C calc'!A0")
    builder.seat(req, expert, local(2025, 8, 2))
    builder.agency.name = "-2+3 Sở Tài chính"
    session.flush()
    builder.publish(req, local(2025, 8, 20), ["adopted"], closed=True)

    wb = _workbook(client, "/reports/activity.xlsx?year=2025")
    texts = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    assert not [t for t in texts if t.startswith(FORMULA_START)]
    assert '\'=HYPERLINK("http://evil.example","bấm vào")' in texts
    assert "'+cmd|' /C calc'!A0" in texts
    assert "'-2+3 Sở Tài chính" in texts


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("\t=1", "'\t=1"),
        ("Hội\x07 Tin học", "Hội Tin học"),
        ("Bình thường", "Bình thường"),
        (42, 42),
        (None, None),
    ],
)
def test_safe_text(value, expected):
    assert safe_text(value) == expected
