"""Imports every model so that the metadata (and Alembic) sees all tables."""

from .audit.models import AuditEntry
from .auth.models import ApiToken, User
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
from .search.models import IndexChange, IndexLogHead, IndexNode

__all__ = [
    "ApiToken",
    "AuditEntry",
    "Field",
    "GraphVersion",
    "IndexChange",
    "IndexLogHead",
    "IndexNode",
    "Membership",
    "Organization",
    "Person",
    "PersonRelationship",
    "User",
    "person_field",
]
