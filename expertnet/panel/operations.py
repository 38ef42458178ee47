"""Declaring personal relationships (they feed the two-hop conflict-of-interest rule)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from ..core.errors import ApiError, ValidationFailed
from ..core.roles import MANAGERS, STAFF
from ..directory.models import Person
from ..extensions import db
from .i18n import _
from .models import PersonRelationship, RelationshipKind

#: Roles that may record a relationship between any two people.
RECORDING_ROLES = MANAGERS


def can_declare_relationship(user: Any, person_id: int) -> bool:
    """Coordinators and admins for anyone; an expert for themselves."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.role in RECORDING_ROLES or (user.has_role("expert") and user.person_id == person_id)


def can_view_relationships(user: Any, person_id: int) -> bool:
    """Personal data: staff and the person themselves."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.role in STAFF or user.person_id == person_id


def _visible(person_id: int, user: Any) -> bool:
    """The declarer may name only people they may see (consenting experts, for an expert)."""
    person = db.session.get(Person, person_id)
    return person is not None and person.can_view(user)


def declare_relationship(
    person_id: int, other_id: Any, kind: Any, declared_by: Any, note: Any = None
) -> PersonRelationship:
    """Validate and add one declared relationship; flushes, never commits."""
    errors: dict[str, str] = {}
    if kind not in RelationshipKind.values():
        errors["kind"] = _("One of: %(kinds)s.", kinds=", ".join(RelationshipKind.values()))
    if not isinstance(other_id, int) or isinstance(other_id, bool):
        errors["other_id"] = _("Must be the id of a person.")
    elif other_id == person_id:
        errors["other_id"] = _("A person cannot be related to themselves.")
    elif not _visible(other_id, declared_by):
        # Unknown and invisible ids answer alike: no oracle of who is in the directory.
        errors["other_id"] = _("No such person.")
    if note is not None and (not isinstance(note, str) or len(note) > 2000):
        errors["note"] = _("At most 2,000 characters of text.")
    if errors:
        raise ValidationFailed(errors)
    a, b = person_id, other_id
    if kind != "advisor_advisee":
        # Symmetric kinds are stored once, in id order, so the unique key catches repeats.
        a, b = min(a, b), max(a, b)
    clash = db.session.scalar(
        select(PersonRelationship.id).where(
            PersonRelationship.kind == kind,
            or_(
                (PersonRelationship.person_a_id == a) & (PersonRelationship.person_b_id == b),
                (PersonRelationship.person_a_id == b) & (PersonRelationship.person_b_id == a),
            ),
        )
    )
    if clash is not None:
        raise ApiError(409, _("This relationship is already recorded."), code="duplicate")
    rel = PersonRelationship(
        person_a_id=a,
        person_b_id=b,
        kind=kind,
        declared_by_id=declared_by.id,
        note=(note or "").strip() or None,
    )
    db.session.add(rel)
    db.session.flush()
    return rel


def relationship_json(rel: PersonRelationship) -> dict[str, Any]:
    return {
        "id": rel.id,
        "person_a_id": rel.person_a_id,
        "person_b_id": rel.person_b_id,
        "kind": rel.kind,
        "note": rel.note,
        "declared_by": rel.declared_by_id,
        "created_at": rel.created_at.isoformat() if rel.created_at else None,
    }


def relationships_of(person_id: int) -> list[PersonRelationship]:
    return list(
        db.session.scalars(
            select(PersonRelationship)
            .where(
                or_(
                    PersonRelationship.person_a_id == person_id,
                    PersonRelationship.person_b_id == person_id,
                )
            )
            .order_by(PersonRelationship.id)
        )
    )
