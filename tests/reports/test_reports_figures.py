"""The report's figures on the hand-built year of ``conftest.built_year``."""

from __future__ import annotations

import pytest

from expertnet.reports.queries import ActivityReport, YearWindow, activity_report


def _report(session, year: int = 2025, org=None) -> ActivityReport:
    return activity_report(session, year, org, published_list=True)


def test_union_figures_of_the_built_year_match_the_hand_count(built_year, session):
    r = _report(session).to_json()
    # R1 critique, R2 consultation, R3 assessment, R4 critique, R5 consultation; R6 is
    # 2024's, R7 a draft.
    assert r["requests_by_kind"] == {"consultation": 2, "critique": 2, "assessment": 1}
    assert r["requests_total"] == 5
    nonzero = {k: v for k, v in r["requests_by_state"].items() if v}
    assert nonzero == {"closed": 2, "published": 1, "in_review": 1, "declined": 1}
    # R4's workshop was not held; R6's conference was in 2024.
    assert r["meetings_by_kind"] == {"workshop": 1, "conference": 1, "panel_meeting": 1}
    assert r["meetings_held"] == 3 and r["workshops_and_conferences"] == 2
    assert r["opinions_published"] == 4
    assert r["opinions_by_kind"] == {"consultation": 1, "critique": 2, "assessment": 1}
    assert r["opinions_by_month"] == [1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    # p1…p6 took seats or wrote in 2025 (p4 only by the opinion on R6); p6 has no
    # membership left, so the organisations are A, B and C.
    assert r["experts_engaged"] == 6
    assert r["organizations_engaged"] == 3


def test_median_days_of_an_even_count_is_the_mean_of_the_middle_two(built_year, session):
    # Days: R1 10, R2 20, R3 40, R6 35 days 10 hours (from 23:00 on 31 Dec to 09:00 on 5 Feb).
    assert _report(session).median_days_to_publish == pytest.approx((20 + 35 + 10 / 24) / 2, 0.01)


def test_median_days_of_an_odd_count_is_the_middle_one(built_year, session):
    rows = {row.name: row for row in _report(session).organizations}
    assert rows["Hội Cầu đường"].median_days_to_publish == 20.0  # R1, R2, R3


def test_adoption_rate_counts_partial_as_half_and_leaves_out_unanswered(built_year, session):
    r = _report(session)
    assert r.adoption == {
        "adopted": 2,
        "partially_adopted": 1,
        "not_adopted": 2,
        "unanswered": 1,
    }
    assert r.adoption_rate == pytest.approx((2 * 1 + 1 * 0.5) / 5)
    assert "partially adopted = 0.5" in r.to_json()["adoption"]["rule"]


def test_a_panel_mixes_the_provinces_only_with_two_different_experts(built_year, session):
    # R1 (p1 Hải Phòng + p2 Hải Dương) mixes. R2's only provincial expert is p3, a member
    # on both sides: one person does not make a mixed panel. R3's p6 left the Hải Dương
    # association in 2024. R6 has no provincial expert.
    assert _report(session).province_mixing == {"panels": 4, "mixed": 1, "share": 0.25}


def test_each_member_organisation_has_its_row(built_year, session):
    rows = {row.name: row.to_json() for row in _report(session).organizations}
    assert set(rows) == {"Hội Cầu đường", "Hội Thủy sản", "Câu lạc bộ Trí tuệ nhân tạo"}
    a, b, c = rows["Hội Cầu đường"], rows["Hội Thủy sản"], rows["Câu lạc bộ Trí tuệ nhân tạo"]
    assert (a["experts_engaged"], a["panel_seats"], a["opinions_submitted"]) == (3, 4, 3)
    assert (a["opinions_published"], a["adoption_rate"]) == (3, 0.625)
    assert (b["experts_engaged"], b["panel_seats"], b["opinions_submitted"]) == (2, 2, 2)
    assert (b["opinions_published"], b["median_days_to_publish"], b["adoption_rate"]) == (
        2,
        15.0,
        0.5,
    )
    # C counts through p4's employer: a seat on R2 and the opinion on R6 (seat taken in 2024).
    assert (c["experts_engaged"], c["panel_seats"], c["opinions_submitted"]) == (1, 1, 1)
    assert (c["opinions_published"], c["median_days_to_publish"], c["adoption_rate"]) == (
        2,
        27.7,
        0.25,
    )
    # The agency is not a member of the union and has no row.
    assert built_year.orgs["agency"].name not in rows


def test_the_report_of_one_organisation_counts_what_its_experts_took_part_in(built_year, session):
    r = _report(session, org=built_year.orgs["B"]).to_json()
    assert r["organization"]["name"] == "Hội Thủy sản"
    assert r["requests_by_kind"] == {"consultation": 1, "critique": 1, "assessment": 0}
    assert r["meetings_held"] == 2
    assert r["opinions_published"] == 2
    assert r["median_days_to_publish"] == 15.0
    assert r["adoption_rate"] == 0.5
    assert (r["experts_engaged"], r["organizations_engaged"]) == (2, 1)
    assert r["province_mixing"] == {"panels": 2, "mixed": 1, "share": 0.5}
    assert "organizations" not in r


def test_the_year_is_the_local_calendar_year(built_year, session):
    # R5 was received at 06:00 on 1 January 2025 in Hải Phòng (23:00 UTC the day before);
    # R6 at 23:00 on 31 December 2024 (16:00 UTC).
    window = YearWindow.of(2025)
    assert window.start.isoformat() == "2024-12-31T17:00:00+00:00"
    r2024 = _report(session, 2024)
    assert r2024.requests_by_kind == {"consultation": 0, "critique": 1, "assessment": 0}
    assert r2024.meetings_held == 1  # R6's conference on 30 December 2024
    assert r2024.opinions_published == 0
    assert r2024.experts_engaged == 1  # p4's seat on R6


def test_a_year_without_activity_has_zeros_and_no_rates(built_year, session):
    r = _report(session, 2019).to_json()
    assert r["requests_total"] == r["opinions_published"] == r["meetings_held"] == 0
    assert r["median_days_to_publish"] is None
    assert r["adoption_rate"] is None
    assert r["province_mixing"] == {"panels": 0, "mixed": 0, "share": None}
    assert all(row["experts_engaged"] == 0 for row in r["organizations"])


def test_the_published_list_hides_confidential_opinions_from_the_public(built_year, session):
    public = [i.title for i in _report(session).published]
    assert "Dự án mật" not in public and len(public) == 3
    staff = activity_report(
        session, 2025, viewer=built_year.users["coordinator"], published_list=True
    )
    agency = activity_report(session, 2025, viewer=built_year.users["filer"], published_list=True)
    assert "Dự án mật" in [i.title for i in staff.published]
    assert "Dự án mật" in [i.title for i in agency.published]


def test_the_report_takes_a_fixed_number_of_queries(built_year, session, app):
    """A handful of aggregate statements, however many requests the year has."""
    from sqlalchemy import event

    from expertnet.extensions import db

    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        _report(session)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    selects = [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    assert len(selects) <= 11
