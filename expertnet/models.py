"""Imports every model so that the metadata (and Alembic) sees all tables."""

from .access.models import AccessLink
from .audit.models import AuditEntry
from .auth.models import ApiToken, User, UserRole
from .consultation.models import (  # noqa: F401 - consultation tables
    AgencyResponse,
    Consolidation,
    Document,
    Invitation,
    Meeting,
    MeetingParticipant,
    Notification,
    Opinion,
    OutboxMail,
    PublishedOpinion,
    PublishedRecommendation,
    Request,
    RequestHistory,
)
from .directory.models import Field, Membership, Organization, Person, person_field
from .panel.models import GraphVersion, PersonRelationship

__all__ = [
    "AccessLink",
    "ApiToken",
    "AuditEntry",
    "Field",
    "GraphVersion",
    "Membership",
    "Organization",
    "Person",
    "PersonRelationship",
    "User",
    "UserRole",
    "person_field",
]
