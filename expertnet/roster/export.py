"""Rosters and search results as CSV and XLSX, with contact details only for those allowed.

The columns are the roster import's own (API.md), headed and filled in the reader's
language (Họ và tên, Giới tính: Nữ, Vai trò: Hội viên …), all of which the importer reads,
so an exported roster can be imported again; ``id``, ``organizations`` and ``role`` are
extra columns the importer reports and ignores. Every text cell that a spreadsheet would
run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is
prefixed with ``'``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from flask_babel import lazy_pgettext
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..directory.models import Gender, Membership, MembershipRole, Person

#: Most rows a search export may have; a roster export is not limited.
MAX_SEARCH_EXPORT = 10_000

COLUMNS = (
    "id",
    "full_name",
    "academic_title",
    "degree",
    "gender",
    "birth_year",
    "email",
    "phone",
    "employer",
    "position",
    "organizations",
    "role",
    "fields",
    "expertise",
)
#: Each column's header; the Vietnamese ones are the importer's own aliases (``roster.columns``).
HEADERS = {
    "id": lazy_pgettext("spreadsheet column", "ID"),
    "full_name": lazy_pgettext("spreadsheet column", "Full name"),
    "academic_title": lazy_pgettext("spreadsheet column", "Academic title"),
    "degree": lazy_pgettext("spreadsheet column", "Degree"),
    "gender": lazy_pgettext("spreadsheet column", "Gender"),
    "birth_year": lazy_pgettext("spreadsheet column", "Birth year"),
    "email": lazy_pgettext("spreadsheet column", "Email"),
    "phone": lazy_pgettext("spreadsheet column", "Phone"),
    "employer": lazy_pgettext("spreadsheet column", "Employer"),
    "position": lazy_pgettext("spreadsheet column", "Position"),
    "organizations": lazy_pgettext("spreadsheet column", "Organisations"),
    "role": lazy_pgettext("spreadsheet column", "Role"),
    "fields": lazy_pgettext("spreadsheet column", "Fields"),
    "expertise": lazy_pgettext("spreadsheet column", "Expertise"),
}


def headers() -> list[str]:
    """The header row in the current language."""
    return [str(HEADERS[c]) for c in COLUMNS]


#: Personal data (``Person.can_view_contact``): left blank for whoever may not see it.
CONTACT_COLUMNS = frozenset({"birth_year", "email", "phone"})

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` with a leading ``'`` if a spreadsheet would read it as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _person_values(person: Person, user, organization_id: int | None) -> list[Any]:
    contact = person.can_view_contact(user)
    active = [m for m in person.memberships if m.ended_on is None]
    role = next((m.role for m in active if m.organization_id == organization_id), None)
    values: dict[str, Any] = {
        "id": person.id,
        "full_name": person.full_name,
        "academic_title": person.academic_title,
        "degree": person.degree,
        "gender": Gender(person.gender).label if person.gender else None,
        "birth_year": person.birth_year,
        "email": person.email,
        "phone": person.phone,
        "employer": person.employer.name if person.employer else person.employer_name,
        "position": person.position,
        "organizations": "; ".join(m.organization.name for m in active),
        "role": MembershipRole(role).label if role else None,
        "fields": "; ".join(f.display_name(_locale()) for f in person.fields),
        "expertise": "; ".join(person.expertise or []),
    }
    return [
        None if (c in CONTACT_COLUMNS and not contact) else safe_cell(values[c]) for c in COLUMNS
    ]


def _locale() -> str:
    from flask_babel import get_locale

    return str(get_locale() or "vi")


def _load_options() -> tuple:
    return (
        selectinload(Person.memberships).selectinload(Membership.organization),
        selectinload(Person.fields),
        selectinload(Person.employer),
    )


def roster_ids(session: Session, organization_id: int) -> list[int]:
    """The current members of an organisation, by name."""
    return list(
        session.scalars(
            select(Person.id)
            .join(Membership, Membership.person_id == Person.id)
            .where(Membership.organization_id == organization_id, Membership.ended_on.is_(None))
            .order_by(Person.name_key, Person.id)
        )
    )


def export_rows(
    session: Session, ids: Sequence[int], user, organization_id: int | None = None
) -> Iterator[list[Any]]:
    """The rows for ``ids`` in that order, loaded in batches, as ``user`` may see them."""
    for i in range(0, len(ids), 1000):
        chunk = ids[i : i + 1000]
        people = {
            p.id: p
            for p in session.scalars(
                select(Person).options(*_load_options()).where(Person.id.in_(chunk))
            )
        }
        for pid in chunk:
            person = people.get(pid)
            if person is not None:
                yield _person_values(person, user, organization_id)


def to_csv(rows: Iterable[Sequence[Any]]) -> bytes:
    """CSV in UTF-8 with a BOM, which Excel needs to show Vietnamese correctly."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(headers())
    for row in rows:
        w.writerow(["" if v is None else v for v in row])
    return buf.getvalue().encode("utf-8-sig")


def to_xlsx(rows: Iterable[Sequence[Any]], title: str = "expertnet") -> bytes:
    """An XLSX workbook; text cells are written as text, never as formulas."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31] or "expertnet")
    ws.append(headers())
    for row in rows:
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
