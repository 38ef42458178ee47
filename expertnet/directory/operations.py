"""Creating and changing people; shared by the web forms, the API and the importers."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..core.errors import ApiError, ValidationFailed
from ..extensions import db
from .models import Field, Membership, Organization, Person

_SIMPLE = (
    "full_name",
    "academic_title",
    "degree",
    "gender",
    "birth_year",
    "email",
    "phone",
    "position",
    "employer_name",
    "bio",
    "public_profile",
    "available",
    "max_assignments",
)


def _resolve(data: dict, person: Person | None) -> tuple[dict, dict]:
    """Check references and uniqueness; return resolved objects and field errors."""
    errors: dict[str, str] = {}
    resolved: dict = {}
    if data.get("email"):
        data["email"] = data["email"].strip().lower()
        clash = db.session.scalar(
            select(Person.id).where(func.lower(Person.email) == data["email"])
        )
        if clash is not None and (person is None or clash != person.id):
            errors["email"] = _("Another person already has this e-mail address.")
    if data.get("employer") is not None:
        employer = db.session.get(Organization, data["employer"])
        if employer is None:
            errors["employer"] = _("Unknown organisation id %(id)s.", id=data["employer"])
        resolved["employer"] = employer
    if "organizations" in data:
        ids = list(dict.fromkeys(data["organizations"]))
        orgs = db.session.scalars(select(Organization).where(Organization.id.in_(ids))).all()
        missing = set(ids) - {o.id for o in orgs}
        if missing:
            errors["organizations"] = _(
                "Unknown organisation ids: %(ids)s.", ids=", ".join(map(str, sorted(missing)))
            )
        resolved["organizations"] = orgs
    if "fields" in data:
        codes = list(dict.fromkeys(data["fields"]))
        found = db.session.scalars(select(Field).where(Field.code.in_(codes))).all()
        missing = set(codes) - {f.code for f in found}
        if missing:
            errors["fields"] = _(
                "Unknown field codes: %(codes)s.", codes=", ".join(sorted(missing))
            )
        resolved["fields"] = found
    return resolved, errors


def _apply(person: Person, data: dict, resolved: dict) -> None:
    for key in _SIMPLE:
        if key in data:
            setattr(person, key, data[key])
    if "expertise" in data:
        person.expertise = list(dict.fromkeys(data["expertise"]))
    if "employer" in data:
        person.employer = resolved.get("employer")
    if "fields" in resolved:
        person.fields = resolved["fields"]
    if "organizations" in resolved:
        wanted = {o.id: o for o in resolved["organizations"]}
        for membership in list(person.memberships):
            if membership.organization_id not in wanted:
                person.memberships.remove(membership)
        have = {m.organization_id for m in person.memberships}
        for org_id, org in wanted.items():
            if org_id not in have:
                person.memberships.append(Membership(organization=org))


def create_person(data: dict, *, liaison_org_id: int | None = None) -> Person:
    """Create a person from validated data; a liaison's people join the liaison's organisation.

    A liaison writes to their own organisation only: naming any other is refused.
    """
    if liaison_org_id is not None:
        orgs = list(dict.fromkeys(data.get("organizations") or []))
        if set(orgs) - {liaison_org_id}:
            raise ValidationFailed(
                {"organizations": _("A liaison adds people to their own organisation only.")}
            )
        data["organizations"] = [liaison_org_id]
    resolved, errors = _resolve(data, None)
    if errors:
        raise ValidationFailed(errors)
    person = Person(expertise=[])
    _apply(person, data, resolved)
    db.session.add(person)
    db.session.flush()
    return person


def _self_service_limits(person: Person, data: dict, actor) -> None:
    """What a person may not change on their own profile: memberships, a higher cap."""
    errors: dict[str, str] = {}
    if "organizations" in data:
        if set(data["organizations"]) != person.organization_ids():
            errors["organizations"] = _(
                "Memberships are kept by each organisation's liaison and the union's staff."
            )
        else:
            data.pop("organizations")
    if not person.can_raise_workload_cap(actor):
        wanted = data.get("max_assignments")
        if wanted is not None and wanted > person.max_assignments:
            errors["max_assignments"] = _(
                "You may only lower the workload cap (now %(n)s); ask the union's staff "
                "to raise it.",
                n=person.max_assignments,
            )
    if errors:
        raise ValidationFailed(errors)


def update_person(
    person: Person, data: dict, *, liaison_org_id: int | None = None, actor=None
) -> Person:
    """Apply validated changes; a stale ``version`` is a conflict and changes nothing.

    With ``actor``, what only others may change is checked too: the person themselves
    (and a liaison, for the cap) may not add memberships or raise the workload cap.
    """
    if actor is not None:
        if not person.can_manage_memberships(actor):
            _self_service_limits(person, data, actor)
        elif not person.can_raise_workload_cap(actor):
            _self_service_limits(person, {"max_assignments": data.get("max_assignments")}, actor)
    expected = data.pop("version", None)
    if expected is not None and expected != person.version:
        raise ApiError(
            409,
            _("Someone else changed this profile meanwhile. Reload it and try again."),
            "version_conflict",
            extra={"current_version": person.version},
        )
    if liaison_org_id is not None and "organizations" in data:
        # A liaison manages their own organisation's roster, not others' memberships.
        keep = person.organization_ids() - {liaison_org_id}
        data["organizations"] = sorted(keep | ({liaison_org_id} & set(data["organizations"])))
    resolved, errors = _resolve(data, person)
    if errors:
        raise ValidationFailed(errors)
    _apply(person, data, resolved)
    db.session.flush()
    return person
