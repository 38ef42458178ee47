"""Deadlines counted in working days: weekends, fixed public holidays and configured ones."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from expertnet.consultation.models import Request
from expertnet.core.workdays import add_working_days, is_working_day, parse_holidays

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
    tet = parse_holidays(TET_2027)
    assert not is_working_day(date(2027, 2, 8), tet)
    assert add_working_days(date(2027, 2, 4), 1, tet) == date(2027, 2, 12)
    assert add_working_days(date(2027, 2, 4), 1) == date(2027, 2, 5)
    with pytest.raises(ValueError, match="2027-13-01"):
        parse_holidays("2027-01-02; 2027-13-01")


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
