"""Deadlines counted in working days: weekends and public holidays do not count.

Vietnam's fixed-date public holidays (Labour Code 2019, art. 112) are built in; the lunar
ones (Tết, Giỗ Tổ Hùng Vương) and the day the government adds to National Day change every
year, so they come from ``EXPERTNET_HOLIDAYS`` (ISO dates separated by ``;``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

#: (month, day) of the fixed-date public holidays: New Year, Reunification Day, Labour Day,
#: National Day.
FIXED_HOLIDAYS = frozenset({(1, 1), (4, 30), (5, 1), (9, 2)})


def parse_holidays(value: str | Iterable[str] | None) -> frozenset[date]:
    """``"2027-02-05; 2027-02-06"`` as dates; raises ValueError naming a bad entry."""
    if not value:
        return frozenset()
    parts = value.split(";") if isinstance(value, str) else list(value)
    out = set()
    for part in (p.strip() for p in parts):
        if not part:
            continue
        try:
            out.add(date.fromisoformat(part))
        except ValueError:
            raise ValueError(f"not a date (YYYY-MM-DD): {part!r}") from None
    return frozenset(out)


def is_working_day(day: date, holidays: Iterable[date] = ()) -> bool:
    return (
        day.weekday() < 5
        and (day.month, day.day) not in FIXED_HOLIDAYS
        and day not in set(holidays)
    )


def add_working_days(start: date, days: int, holidays: Iterable[date] = ()) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself does not count)."""
    if days < 0:
        raise ValueError("days must not be negative")
    off = frozenset(holidays)
    day = start
    left = days
    while left:
        day += timedelta(days=1)
        if is_working_day(day, off):
            left -= 1
    return day
