"""JSON shapes of directory objects, with personal data only for those allowed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import get_locale

from .models import Field, Organization, Person, display_name_of

if TYPE_CHECKING:
    from .queries import PersonSummary


def _locale() -> str:
    return str(get_locale() or "vi")


def field_json(field: Field) -> dict:
    return {
        "code": field.code,
        "name": field.display_name(_locale()),
        "name_vi": field.name,
        "name_en": field.name_en,
        "parent": field.parent.code if field.parent else None,
    }


def organization_json(org: Organization, member_count: int | None = None) -> dict:
    data = {
        "id": org.id,
        "code": org.code,
        "name": org.name,
        "short_name": org.short_name,
        "kind": org.kind,
        "former_province": org.former_province,
        "parent": org.parent_id,
        "address": org.address,
        "email": org.email,
        "phone": org.phone,
        "website": org.website,
    }
    if member_count is not None:
        data["member_count"] = member_count
    return data


def person_summary_json(summary: PersonSummary, locale: str | None = None) -> dict:
    """``person_json(…, summary=True)`` of a person read as plain columns (search lists);
    a list passes the reader's ``locale`` once for all its people."""
    locale = locale or _locale()
    return {
        "id": summary.id,
        "full_name": summary.full_name,
        "display_name": display_name_of(summary.academic_title, summary.degree, summary.full_name),
        "academic_title": summary.academic_title,
        "degree": summary.degree,
        "organizations": [
            {"id": org_id, "name": name, "role": role} for org_id, name, role in summary.orgs
        ],
        "fields": [
            {"code": code, "name": name_en if locale == "en" else name}
            for code, name, name_en in summary.fields
        ],
    }


def person_json(person: Person, user, *, summary: bool = False) -> dict:
    """An expert as the API shows it to ``user``."""
    locale = _locale()
    data = {
        "id": person.id,
        "full_name": person.full_name,
        "display_name": person.display_name,
        "academic_title": person.academic_title,
        "degree": person.degree,
        "organizations": [
            {"id": m.organization.id, "name": m.organization.name, "role": m.role}
            for m in person.memberships
            if m.ended_on is None
        ],
        "fields": [{"code": f.code, "name": f.display_name(locale)} for f in person.fields],
    }
    if summary:
        return data
    data.update(
        {
            "gender": person.gender,
            "position": person.position,
            "employer": person.employer_id,
            "employer_name": person.employer.name if person.employer else person.employer_name,
            "expertise": list(person.expertise or []),
            "bio": person.bio,
            "public_profile": person.public_profile,
            "available": person.available,
            "version": person.version,
        }
    )
    if person.can_view_contact(user):
        data.update(
            {
                "email": person.email,
                "phone": person.phone,
                "birth_year": person.birth_year,
                "max_assignments": person.max_assignments,
            }
        )
    return data
