"""Imports every model so that the metadata (and Alembic) sees all tables."""

from .access.models import AccessLink
from .audit.models import AuditEntry
from .auth.models import ApiToken, User, UserRole
from .auth.throttle_models import SignInAttempt
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
from .roster.models import PendingLink, RosterImportClaim
from .scholarly.models import (
    Patent,
    Publication,
    PublicationAuthor,
    ResearchProject,
    ScholarProfile,
)
from .search.models import IndexChange, IndexLogHead, IndexNode

__all__ = [
    "AccessLink",
    "ApiToken",
    "AuditEntry",
    "Field",
    "GraphVersion",
    "IndexChange",
    "IndexLogHead",
    "IndexNode",
    "Membership",
    "Organization",
    "Patent",
    "PendingLink",
    "Person",
    "PersonRelationship",
    "Publication",
    "PublicationAuthor",
    "ResearchProject",
    "RosterImportClaim",
    "ScholarProfile",
    "SignInAttempt",
    "User",
    "UserRole",
    "person_field",
]
