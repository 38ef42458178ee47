"""Helpers the roster tests import: file contents and small queries."""

from __future__ import annotations

import csv
import io
import unicodedata

from sqlalchemy import func, select

from expertnet.directory.models import Membership, Person

HEADER = [
    "full_name",
    "email",
    "phone",
    "gender",
    "birth_year",
    "academic_title",
    "degree",
    "employer",
    "position",
    "fields",
    "expertise",
]

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258(text: str) -> bytes:
    """Text as Windows-1258 writes it: â ê ô ă ơ ư đ precomposed, tone marks combining."""
    out: list[str] = []
    base, tones = "", []
    for ch in unicodedata.normalize("NFD", text):
        if ch in _TONES:
            tones.append(ch)
        elif unicodedata.combining(ch):
            base = unicodedata.normalize("NFC", base + ch)
        else:
            out.append(base + "".join(tones))
            base, tones = ch, []
    out.append(base + "".join(tones))
    return "".join(out).encode("cp1258")


def csv_text(rows: list[list[object]], delimiter: str = ",") -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(row)
    return buf.getvalue()


def count_people(session) -> int:
    return session.scalar(select(func.count(Person.id)))


def members_of(session, organization) -> list[Person]:
    return list(
        session.scalars(
            select(Person)
            .join(Membership)
            .where(Membership.organization_id == organization.id)
            .order_by(Person.full_name)
        )
    )
