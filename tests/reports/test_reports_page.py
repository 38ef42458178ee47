"""The report page: figures, SVG charts (well-formed, accessible), tables, print, privacy."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from helpers import bearer

from expertnet.reports.charts import Bar, horizontal_bars, vertical_bars

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, parsed to prove it well-formed


def _svgs(html: str) -> list[ET.Element]:
    return [_parse(m) for m in re.findall(r"<svg\b.*?</svg>", html, flags=re.S)]


def test_the_page_shows_the_figures_charts_and_tables(built_year, client):
    res = client.get("/reports/activity?year=2025&lang=en")
    assert res.status_code == 200
    html = res.get_data(as_text=True)
    assert "Activity report 2025" in html
    svgs = _svgs(html)
    assert [s.get("id") for s in svgs] == [
        "chart-kinds",
        "chart-months",
        "chart-adoption",
        "chart-meetings",
    ]
    for svg in svgs:
        title = svg.find(f"{SVG}title")
        desc = svg.find(f"{SVG}desc")
        assert title is not None and title.text and desc is not None and desc.text
        assert svg.get("role") == "img"
        assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    months = svgs[1]
    assert len(months.findall(f"{SVG}g[@class='bar ']")) == 12
    # A data table sits next to every chart.
    assert html.count('class="data chart-table"') == 4
    # The per-organisation breakdown links each row to that organisation's report.
    org_b = built_year.orgs["B"]
    assert f"/reports/activity?year=2025&amp;organization={org_b.id}" in html
    assert "/reports/activity.xlsx?year=2025" in html


def test_the_page_needs_no_script_and_no_inline_style(built_year, client):
    html = client.get("/reports/activity?year=2025").get_data(as_text=True)
    # The only script is the site's own optional enhancement file; no inline code.
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/js/app.js" defer>']
    assert " style=" not in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "").replace(
        "http://localhost", ""
    )


def test_the_stylesheet_prints_the_report_without_the_form(repo_root):
    css = (repo_root / "expertnet/static/css/app.css").read_text(encoding="utf-8")
    section = css[css.index("==== reports") :]
    assert "@media print" in section and ".report-filter" in section


def test_a_bad_year_on_the_page_is_a_form_error(client):
    res = client.get("/reports/activity?year=abc&lang=en")
    assert res.status_code == 422
    assert 'id="year-err"' in res.get_data(as_text=True)


def test_an_unknown_organisation_on_the_page_is_a_form_error(built_year, client):
    agency = built_year.orgs["agency"]
    res = client.get(f"/reports/activity?year=2025&organization={agency.id}")
    assert res.status_code == 422
    assert 'id="organization-err"' in res.get_data(as_text=True)


@pytest.mark.parametrize(
    ("who", "sees"),
    [(None, False), ("agency", True), ("coordinator", True), ("approver", True)],
)
def test_confidential_opinions_are_listed_only_for_the_agency_and_staff(
    built_year, client, who, sees
):
    headers = bearer(built_year.tokens[who]) if who else {}
    html = client.get("/reports/activity?year=2025", headers=headers).get_data(as_text=True)
    assert ("Dự án mật" in html) is sees
    assert "Quy hoạch cảng Lạch Huyện" in html


def test_an_expert_of_the_panel_does_not_see_the_confidential_title(built_year, client, make_user):
    _user, token = make_user("expert", person=built_year.people["p1"])
    html = client.get("/reports/activity?year=2025", headers=bearer(token)).get_data(as_text=True)
    assert "Dự án mật" not in html


def test_charts_escape_their_text_and_stay_well_formed():
    svg = horizontal_bars(
        "c1", 'Tiêu đề <b> & "x"', "Mô tả", [Bar("<script>", 3), Bar("Hội & CLB", 0)]
    )
    root = _parse(str(svg))
    assert root.find(f"{SVG}title").text == 'Tiêu đề <b> & "x"'
    assert "<script>" not in str(svg)
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "label"]
    assert labels == ["<script>", "Hội & CLB"]
    empty = vertical_bars("c2", "Không có gì", "Trống", [Bar(str(m), 0) for m in range(1, 13)])
    root = _parse(str(empty))
    assert all(float(r.get("height")) == 0 for r in root.iter(f"{SVG}rect"))
