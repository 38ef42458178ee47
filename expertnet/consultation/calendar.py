"""A meeting as an iCalendar file (RFC 5545), attached to the invitation and offered for download.

Written by hand: one VEVENT is a few lines, and the rules that matter (escaping, CRLF,
lines folded at 75 octets, times in UTC) are short enough to keep here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ..core.types import utcnow
from ..core.urls import external
from .models import Meeting

MEDIA_TYPE = "text/calendar"
#: A meeting has a start only; calendars need an end, so a meeting is booked for this long.
DEFAULT_LENGTH = timedelta(hours=2)


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Split a content line into chunks of at most 75 octets, never inside a character."""
    out, current = [], b""
    for char in line:
        encoded = char.encode()
        limit = 75 if not out else 74  # continuation lines start with a space
        if len(current) + len(encoded) > limit:
            out.append(current.decode())
            current = b""
        current += encoded
    out.append(current.decode())
    return "\r\n ".join(out)


def _utc(moment: datetime) -> str:
    return moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def filename(meeting: Meeting) -> str:
    return f"cuoc-hop-{meeting.id}.ics"


def meeting_ics(meeting: Meeting, now: datetime | None = None) -> str:
    """The meeting as a calendar with one event: time, place or link, the request and agenda."""
    from flask import url_for

    page = external(url_for("consultation.meetings", request_id=meeting.request_id))
    description = [meeting.request.title]
    if meeting.agenda:
        description.append(meeting.agenda)
    if meeting.online_url:
        description.append(meeting.online_url)
    description.append(page)
    location = ", ".join(p for p in (meeting.place, meeting.online_url) if p)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//expertnet//consultation meetings//VI",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:meeting-{meeting.id}@expertnet",
        f"DTSTAMP:{_utc(now or utcnow())}",
        f"DTSTART:{_utc(meeting.starts_at)}",
        f"DTEND:{_utc(meeting.starts_at + DEFAULT_LENGTH)}",
        f"SUMMARY:{_escape(meeting.title)}",
        f"LOCATION:{_escape(location)}",
        f"DESCRIPTION:{_escape(chr(10).join(description))}",
        f"URL:{page}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(_fold(line) + "\r\n" for line in lines)
