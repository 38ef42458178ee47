"""Deadlines counted in working days: weekends, fixed public holidays and configured ones."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from expertnet.consultation.models import Request
from expertnet.core.lunar import solar_date, tet
from expertnet.core.workdays import (
    add_working_days,
    is_working_day,
    parse_holidays,
    public_holidays,
)

TET_2027 = "2027-02-05; 2027-02-08; 2027-02-09; 2027-02-10; 2027-02-11"


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 11, 27), 1, date(2026, 11, 30)),  # Friday + 1 → Monday
        (date(2026, 11, 30), 5, date(2026, 12, 7)),  # a whole week
        (date(2026, 4, 29), 1, date(2026, 5, 4)),  # 30/4 and 1/5 are holidays, then a weekend
        (date(2026, 12, 31), 1, date(2027, 1, 4)),  # 1/1 is a holiday, then a weekend
        (date(2026, 11, 30), 0, date(2026, 11, 30)),
    ],
)
def test_add_working_days_skips_weekends_and_fixed_holidays(start, days, expected):
    assert add_working_days(start, days) == expected


def test_configured_holidays_count_too():
    # The day the government adds to National Day in 2026 (Thursday 3 September).
    extra = parse_holidays("2026-09-03")
    assert add_working_days(date(2026, 9, 1), 1) == date(2026, 9, 3)
    assert add_working_days(date(2026, 9, 1), 1, extra) == date(2026, 9, 4)
    tet = parse_holidays(TET_2027)
    assert not is_working_day(date(2027, 2, 8), tet)
    assert add_working_days(date(2027, 2, 4), 1, tet) == date(2027, 2, 12)
    with pytest.raises(ValueError, match="2027-13-01"):
        parse_holidays("2027-01-02; 2027-13-01")


@pytest.mark.parametrize(
    ("year", "first_day"),
    [
        (1985, date(1985, 1, 21)),  # Vietnam's Tết (UTC+7); China's was 20 February
        (2023, date(2023, 1, 22)),
        (2024, date(2024, 2, 10)),
        (2025, date(2025, 1, 29)),
        (2026, date(2026, 2, 17)),
        (2027, date(2027, 2, 6)),
    ],
)
def test_tet_from_the_vietnamese_lunar_calendar(year, first_day):
    assert tet(year) == first_day


def test_lunar_holidays_and_days_in_lieu_are_built_in():
    # Tết 2026: the last day of the old year and the first four of the new (16–20/2).
    assert {d for d in public_holidays(2026) if d.month == 2} == {
        date(2026, 2, d) for d in range(16, 21)
    }
    # Giỗ Tổ Hùng Vương, 10/3 âm lịch: Sunday 26/4/2026, so Monday 27/4 is off in lieu.
    assert solar_date(10, 3, 2026) == date(2026, 4, 26)
    assert date(2026, 4, 27) in public_holidays(2026)
    assert add_working_days(date(2026, 4, 24), 1) == date(2026, 4, 28)
    # Tết 2027 starts on a Saturday: 5–9/2 and two days in lieu (10 and 11/2).
    assert add_working_days(date(2027, 2, 4), 1) == date(2027, 2, 12)
    # Labour Day 2027 is a Saturday: Monday 3 May is off.
    assert not is_working_day(date(2027, 5, 3))


def test_start_review_with_a_deadline_in_working_days(world, session, app, monkeypatch):
    monkeypatch.setitem(app.config, "EXPERTNET_HOLIDAYS", TET_2027)
    rid = world.to_panel_forming()
    for expert, role in zip(world.experts[:3], ("chair", "secretary", "reviewer"), strict=True):
        world.accept(expert, world.invite(rid, expert, role)["id"])
    hanoi = ZoneInfo("Asia/Ho_Chi_Minh")
    before = datetime.now(UTC).astimezone(hanoi).date()
    world.act(world.coordinator, rid, "start_review", opinion_due_working_days=5)
    after = datetime.now(UTC).astimezone(hanoi).date()
    session.expire_all()
    due = session.get(Request, rid).opinion_due_at.astimezone(hanoi)
    assert (due.hour, due.minute) == (17, 0)
    holidays = parse_holidays(TET_2027)
    assert due.date() in {add_working_days(d, 5, holidays) for d in (before, after)}


@pytest.mark.parametrize("bad", [0, 121, "5", True])
def test_a_bad_number_of_working_days_is_refused_and_nothing_changes(world, session, bad):
    rid = world.to_panel_forming()
    for expert, role in zip(world.experts[:3], ("chair", "secretary", "reviewer"), strict=True):
        world.accept(expert, world.invite(rid, expert, role)["id"])
    res = world.act(
        world.coordinator, rid, "start_review", status=422, opinion_due_working_days=bad
    )
    assert "opinion_due_working_days" in res["error"]["fields"]
    session.expire_all()
    req = session.get(Request, rid)
    assert req.state == "panel_forming" and req.opinion_due_at is None


def _hanoi_today() -> date:
    return datetime.now(UTC).astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date()


def test_the_agencys_answer_by_date_in_working_days(world, session):
    before = _hanoi_today()
    filed = world.file(due_date=None, due_in_working_days=10)
    after = _hanoi_today()
    due = date.fromisoformat(filed["due_date"])
    assert due in {add_working_days(d, 10) for d in (before, after)}
    assert "due_in_working_days" not in filed
    # Both a date and a number of days: refused, nothing filed.
    count = session.query(Request).count()
    res = world.call(
        world.agency,
        "POST",
        "/api/v1/requests",
        {
            "kind": "critique",
            "title": "Đề án thử",
            "due_date": "2030-01-02",
            "due_in_working_days": 3,
        },
    )
    assert res.status_code == 422 and "due_in_working_days" in res.json["error"]["fields"]
    assert session.query(Request).count() == count


def test_the_invitation_respond_by_in_working_days(world, session):
    rid = world.to_panel_forming()
    before = _hanoi_today()
    inv = world.ok(
        world.coordinator,
        "POST",
        f"/api/v1/requests/{rid}/invitations",
        {"expert_id": world.experts[0].person_id, "role": "chair", "respond_in_working_days": 5},
        201,
    )
    after = _hanoi_today()
    hanoi = ZoneInfo("Asia/Ho_Chi_Minh")
    respond_by = datetime.fromisoformat(inv["respond_by"]).astimezone(hanoi)
    assert (respond_by.hour, respond_by.minute) == (17, 0)
    assert respond_by.date() in {add_working_days(d, 5) for d in (before, after)}
    res = world.call(
        world.coordinator,
        "POST",
        f"/api/v1/requests/{rid}/invitations",
        {
            "expert_id": world.experts[1].person_id,
            "role": "member",
            "respond_in_working_days": 5,
            "respond_by": "2030-01-02T10:00:00+00:00",
        },
    )
    assert res.status_code == 422 and "respond_in_working_days" in res.json["error"]["fields"]
    panel = world.ok(world.coordinator, "GET", f"/api/v1/requests/{rid}/panel")
    assert [i["expert_id"] for i in panel["items"]] == [world.experts[0].person_id]
