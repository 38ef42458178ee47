"""Deadlines counted in working days: weekends and public holidays do not count.

Vietnam's public holidays (Labour Code 2019, art. 112) are built in: the fixed-date ones
(1/1, 30/4, 1/5, 2/9), and the lunar ones from the Vietnamese lunar calendar
(``core.lunar``): Tết, the last day of the old year and the first four of the new, and
Giỗ Tổ Hùng Vương (10/3 âm lịch). A holiday on a Saturday or Sunday gives the next working
day off (art. 112(3), *nghỉ bù*). What the government decides each year on top of these
(the day added to National Day, days swapped to bridge a holiday) comes from
``EXPERTNET_HOLIDAYS`` (ISO dates separated by ``;``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

from .lunar import solar_date, tet

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


@lru_cache(maxsize=64)
def public_holidays(year: int) -> frozenset[date]:
    """The public holidays of ``year`` by law, with the days off in lieu of those that fall
    on a weekend."""
    days = {date(year, month, day) for month, day in FIXED_HOLIDAYS}
    for lunar_year in (year, year + 1):  # Tết's eve may fall in the year before
        first = tet(lunar_year)
        days |= {first + timedelta(days=n) for n in range(-1, 4)}
    days.add(solar_date(10, 3, year))  # Giỗ Tổ Hùng Vương
    in_lieu = set()
    for day in sorted(days):
        if day.weekday() >= 5:
            nxt = day + timedelta(days=1)
            while nxt.weekday() >= 5 or nxt in days or nxt in in_lieu:
                nxt += timedelta(days=1)
            in_lieu.add(nxt)
    return frozenset(d for d in days | in_lieu if d.year == year)


def is_working_day(day: date, holidays: Iterable[date] = ()) -> bool:
    return day.weekday() < 5 and day not in public_holidays(day.year) and day not in set(holidays)


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
