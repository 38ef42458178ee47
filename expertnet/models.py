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
from .contest.models import (  # noqa: F401 - contest tables
    AwardLevel,
    ContestDocument,
    ContestHistory,
    Criterion,
    Edition,
    EditionMember,
    Entry,
    EntryAuthor,
    JudgeAssignment,
    ResultLine,
    Score,
)
from .directory.models import Field, Membership, Organization, Person, person_field
from .panel.models import GraphVersion, PersonRelationship

__all__ = [
    "ApiToken",
    "AuditEntry",
    "Field",
    "GraphVersion",
    "Membership",
    "Organization",
    "Person",
    "PersonRelationship",
    "User",
    "person_field",
]
