"""The union's time zone, once: times are stored in UTC and read, dated and shown in it."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

#: The IANA name, for settings that take a name (``BABEL_DEFAULT_TIMEZONE``).
LOCAL_TZ_NAME = "Asia/Ho_Chi_Minh"
LOCAL_TZ = ZoneInfo(LOCAL_TZ_NAME)


def local_today() -> date:
    """Today's date in the union's time zone."""
    return datetime.now(LOCAL_TZ).date()
