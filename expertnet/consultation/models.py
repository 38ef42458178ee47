"""Requests, their history, documents, panels, opinions, publication, meetings and mail.

Over 600 lines on purpose: the feature's tables and their permission predicates
(``can_*``) belong together; the predicates read relationships across all of them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflows import PanelRole, RequestKind, State
from workflows import ResponseStatus as _WorkflowResponseStatus

from ..core.i18n import N_, NC_
from ..core.roles import STAFF, has_role, role_of
from ..core.types import NFCString, NFCText, TitledEnum, UTCDateTime, check_in, titled_from, utcnow
from ..directory.models import Field, Organization, Person
from ..extensions import db

if TYPE_CHECKING:
    from ..auth.models import User

MAX_DOCUMENT_BYTES = 25 * 1024 * 1024

# States in which a panel seat still costs the expert time (used by the workload).
OPEN_STATES = tuple(
    s.value
    for s in State
    if s not in (State.PUBLISHED, State.CLOSED, State.DECLINED, State.WITHDRAWN)
)
# States in which the agency may still add documents and edit its request.
FILER_EDITABLE_STATES = (State.DRAFT.value, State.RETURNED.value)


def _values(enum_cls) -> str:
    return ", ".join(f"'{m.value}'" for m in enum_cls)


#: A panel member's seat: the engine's ``PanelRole`` with titles.
InvitationRole = titled_from("InvitationRole", PanelRole, __name__)


class InvitationState(TitledEnum):
    invited = "invited", N_("Invited")
    accepted = "accepted", NC_("invitation", "Accepted")
    declined = "declined", NC_("invitation", "Declined")
    revoked = "revoked", N_("Revoked")


class ConflictResolution(TitledEnum):
    keep_with_note = "keep_with_note", N_("Kept, with a note")
    replaced = "replaced", N_("Replaced")


class Position(TitledEnum):
    support = "support", N_("Support")
    support_with_changes = "support_with_changes", N_("Support with changes")
    oppose = "oppose", N_("Oppose")


#: The agency's answer to one recommendation: the engine's ``ResponseStatus`` with titles.
ResponseStatus = titled_from("ResponseStatus", _WorkflowResponseStatus, __name__)


class MeetingKind(TitledEnum):
    workshop = "workshop", N_("Workshop")
    conference = "conference", N_("Conference")
    panel_meeting = "panel_meeting", N_("Panel meeting")


class ConsultationForm(TitledEnum):
    """How the panel gives its opinion, chosen when the panel is formed (QĐ 14/2014/QĐ-TTg)."""

    council = "council", N_("Council meeting")
    workshop = "workshop", N_("Workshop")
    written = "written", N_("Written opinions only")

    @property
    def meets(self) -> bool:
        """Whether meetings (a council meeting or a workshop) belong to this form."""
        return self is not ConsultationForm.written


class MediaType(TitledEnum):
    pdf = "application/pdf", N_("PDF")
    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", N_("DOCX")
    odt = "application/vnd.oasis.opendocument.text", N_("ODT")
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", N_("XLSX")


request_field = Table(
    "request_field",
    db.metadata,
    Column(
        "request_id", ForeignKey("consultation_request.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("field_id", ForeignKey("field.id", ondelete="CASCADE"), primary_key=True),
)

request_subject_organization = Table(
    "request_subject_organization",
    db.metadata,
    Column(
        "request_id", ForeignKey("consultation_request.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("organization_id", ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True),
)


class Request(db.Model):
    """An agency's (or the union's own) request for consultation, critique or assessment."""

    __tablename__ = "consultation_request"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_values(RequestKind)})", name="kind"),
        CheckConstraint(f"state IN ({_values(State)})", name="state"),
        CheckConstraint("version >= 1", name="version"),
        # Past triage somebody owns the request (withdrawn and declined may stop anywhere).
        CheckConstraint(
            "state IN ('draft', 'submitted', 'returned', 'declined', 'withdrawn') "
            "OR coordinator_id IS NOT NULL",
            name="coordinated",
        ),
        CheckConstraint(
            "state NOT IN ('published', 'closed') OR published_at IS NOT NULL", name="published"
        ),
        CheckConstraint("state != 'closed' OR closed_at IS NOT NULL", name="closed"),
        CheckConstraint(f"consultation_form IN ({_values(ConsultationForm)})", name="form"),
        Index("ix_consultation_request_state_kind", "state", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(NFCString(300))
    summary: Mapped[str] = mapped_column(NFCText, default="")
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"), index=True)
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    coordinator_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    due_date: Mapped[date | None] = mapped_column(Date)
    # The agency's own request letter (công văn đề nghị), which the union's reply cites.
    agency_letter_number: Mapped[str | None] = mapped_column(NFCString(60))
    agency_letter_date: Mapped[date | None] = mapped_column(Date)
    opinion_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Council meeting, workshop or written opinions only: chosen while the panel is formed.
    consultation_form: Mapped[str] = mapped_column(
        String(16), default=ConsultationForm.council.value, server_default="council"
    )
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16), default=State.DRAFT.value)
    # Bumped by every workflow action with a compare-and-set, never by the ORM.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    agency: Mapped[Organization | None] = relationship(foreign_keys=[agency_id])
    filed_by: Mapped[User] = relationship(foreign_keys=[filed_by_id])
    coordinator: Mapped[User | None] = relationship(foreign_keys=[coordinator_id])
    fields: Mapped[list[Field]] = relationship(secondary=request_field, order_by=Field.code)
    subject_organizations: Mapped[list[Organization]] = relationship(
        secondary=request_subject_organization, order_by=Organization.id
    )
    history: Mapped[list[RequestHistory]] = relationship(
        back_populates="request", order_by="RequestHistory.id", passive_deletes=True
    )
    documents: Mapped[list[Document]] = relationship(
        back_populates="request", order_by="Document.id"
    )
    invitations: Mapped[list[Invitation]] = relationship(
        back_populates="request", order_by="Invitation.id"
    )
    opinions: Mapped[list[Opinion]] = relationship(back_populates="request", order_by="Opinion.id")
    consolidation: Mapped[Consolidation | None] = relationship(
        back_populates="request", uselist=False
    )
    published_opinion: Mapped[PublishedOpinion | None] = relationship(
        back_populates="request", uselist=False
    )
    meetings: Mapped[list[Meeting]] = relationship(
        back_populates="request", order_by="Meeting.starts_at"
    )

    @property
    def state_enum(self) -> State:
        return State(self.state)

    @property
    def accepted_invitations(self) -> list[Invitation]:
        return [i for i in self.invitations if i.state == InvitationState.accepted]

    def _is_filer(self, user) -> bool:
        if role_of(user) is None:
            return False
        return user.id == self.filed_by_id or (
            role_of(user) == "agency"
            and self.agency_id is not None
            and user.organization_id == self.agency_id
        )

    def _is_invited(self, user) -> bool:
        return (
            has_role(user, "expert")
            and user.person_id is not None
            and any(
                i.person_id == user.person_id
                and i.state in (InvitationState.invited, InvitationState.accepted)
                for i in self.invitations
            )
        )

    def is_panel_member(self, user) -> bool:
        """The user is an expert who accepted a seat on this request's panel."""
        return (
            has_role(user, "expert")
            and user.person_id is not None
            and any(i.person_id == user.person_id for i in self.accepted_invitations)
        )

    def is_coordinating(self, user) -> bool:
        """The user may run this request: its coordinator (any, while none is assigned) or admin."""
        role = role_of(user)
        return role == "admin" or (role == "coordinator" and self.coordinator_id in (None, user.id))

    def can_view(self, user) -> bool:
        """Staff see every request; an agency its own; an expert those it is invited to."""
        return role_of(user) in STAFF or self._is_filer(user) or self._is_invited(user)

    def can_edit(self, user) -> bool:
        return self._is_filer(user) and self.state in FILER_EDITABLE_STATES

    def can_upload_document(self, user) -> bool:
        if self.state in (State.CLOSED, State.DECLINED, State.WITHDRAWN):
            return False
        return self.can_edit(user) or (self.is_coordinating(user) and self.state != State.PUBLISHED)

    def can_manage_panel(self, user) -> bool:
        return self.is_coordinating(user) and self.state in (
            State.PANEL_FORMING,
            State.IN_REVIEW,
        )

    def can_write_opinion(self, user) -> bool:
        return self.state == State.IN_REVIEW and self.is_panel_member(user)

    def can_view_all_opinions(self, user) -> bool:
        """Staff always; panel members once the opinion is published."""
        if role_of(user) in STAFF:
            return True
        published = self.state in (State.PUBLISHED, State.CLOSED)
        return published and self.is_panel_member(user)

    def is_panel_secretary(self, user) -> bool:
        return has_role(user, "expert") and any(
            i.person_id == user.person_id and i.role == InvitationRole.secretary
            for i in self.accepted_invitations
        )

    def can_write_consolidation(self, user) -> bool:
        return self.state == State.CONSOLIDATION and (
            self.is_coordinating(user) or self.is_panel_secretary(user)
        )

    def can_view_consolidation(self, user) -> bool:
        return role_of(user) in STAFF or self.is_panel_member(user)

    @property
    def holds_meetings(self) -> bool:
        """Meetings belong to a council or workshop, not to written opinions only."""
        return ConsultationForm(self.consultation_form).meets

    def can_manage_meetings(self, user) -> bool:
        return (
            self.holds_meetings
            and self.is_coordinating(user)
            and self.state
            not in (
                State.DRAFT,
                State.SUBMITTED,
                State.RETURNED,
                State.DECLINED,
                State.WITHDRAWN,
            )
        )

    def can_view_meetings(self, user) -> bool:
        return self.holds_meetings and (role_of(user) in STAFF or self.is_panel_member(user))

    def __repr__(self) -> str:
        return f"<Request {self.id} {self.state}>"


class RequestHistory(db.Model):
    """One workflow transition of a request; append-only."""

    __tablename__ = "request_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_request.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    actor_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    actor_role: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    comment: Mapped[str | None] = mapped_column(NFCText)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer)

    request: Mapped[Request] = relationship(back_populates="history")
    actor: Mapped[User] = relationship()


class Document(db.Model):
    """A file of a request, stored once per content hash in the upload folder."""

    __tablename__ = "document"
    __table_args__ = (
        UniqueConstraint("request_id", "sha256", name="uq_document_request_sha256"),
        CheckConstraint(f"size > 0 AND size <= {MAX_DOCUMENT_BYTES}", name="size"),
        CheckConstraint(f"media_type IN ({_values(MediaType)})", name="media_type"),
        CheckConstraint("length(sha256) = 64", name="sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_request.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(NFCString(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(100))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    request: Mapped[Request] = relationship(back_populates="documents")
    uploaded_by: Mapped[User] = relationship()

    def can_download(self, user) -> bool:
        return self.request.can_view(user)


class Invitation(db.Model):
    """An expert's seat on a request's panel, from the invitation to the answer."""

    __tablename__ = "invitation"
    __table_args__ = (
        CheckConstraint(check_in("role", InvitationRole), name="role"),
        CheckConstraint(check_in("state", InvitationState), name="state"),
        CheckConstraint(
            check_in("conflict_resolution", ConflictResolution, nullable=True), name="resolution"
        ),
        CheckConstraint(
            "state NOT IN ('accepted', 'declined') OR responded_at IS NOT NULL", name="responded"
        ),
        CheckConstraint("state != 'accepted' OR conflict_declaration IS NOT NULL", name="declared"),
        CheckConstraint("state != 'declined' OR decline_reason IS NOT NULL", name="reason"),
        CheckConstraint("state != 'revoked' OR revoked_at IS NOT NULL", name="revoked"),
        CheckConstraint(
            "conflict_resolution IS NULL OR conflict_resolved_at IS NOT NULL", name="resolved"
        ),
        Index("ix_invitation_person_state", "person_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_request.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    role: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default=InvitationState.invited.value)
    respond_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    conflict_declaration: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    conflict_resolution: Mapped[str | None] = mapped_column(String(16))
    conflict_note: Mapped[str | None] = mapped_column(NFCText)
    conflict_resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    conflict_resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decline_reason: Mapped[str | None] = mapped_column(NFCText)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id"))
    #: Every change is ``UPDATE … WHERE version = :read``: of two answers at once, one wins.
    version: Mapped[int] = mapped_column(Integer, default=1)

    request: Mapped[Request] = relationship(back_populates="invitations")
    person: Mapped[Person] = relationship()
    invited_by: Mapped[User] = relationship(foreign_keys=[invited_by_id])
    replaced_by: Mapped[Invitation | None] = relationship(remote_side=[id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def has_conflict(self) -> bool:
        return bool((self.conflict_declaration or {}).get("has_conflict"))

    @property
    def conflict_unresolved(self) -> bool:
        return (
            self.state == InvitationState.accepted
            and self.has_conflict
            and self.conflict_resolution is None
        )

    def is_invitee(self, user) -> bool:
        return has_role(user, "expert") and user.person_id == self.person_id

    def can_view(self, user) -> bool:
        return (
            self.is_invitee(user) or self.request.can_manage_panel(user) or (role_of(user) in STAFF)
        )

    def can_respond(self, user) -> bool:
        return self.is_invitee(user)


class Opinion(db.Model):
    """One panel member's written opinion on a request."""

    __tablename__ = "opinion"
    __table_args__ = (
        UniqueConstraint("request_id", "person_id", name="uq_opinion_request_person"),
        CheckConstraint(check_in("position", Position, nullable=True), name="position"),
        CheckConstraint(
            "submitted_at IS NULL OR (position IS NOT NULL AND summary IS NOT NULL)",
            name="complete",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_request.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    summary: Mapped[str | None] = mapped_column(NFCText)
    assessment: Mapped[str | None] = mapped_column(NFCText)
    position: Mapped[str | None] = mapped_column(String(24))
    recommendations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    request: Mapped[Request] = relationship(back_populates="opinions")
    person: Mapped[Person] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None


class Consolidation(db.Model):
    """The panel's consolidated opinion while it is being written and approved."""

    __tablename__ = "consolidation"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_request.id", ondelete="CASCADE"), unique=True
    )
    text: Mapped[str] = mapped_column(NFCText, default="")
    # Each: {"text", "endorsed_by": [person ids], "dissent": [{"expert_id", "text"}]}.
    recommendations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Further recipients of the letter ("Nơi nhận") the coordinator adds, as printed.
    recipients: Mapped[list[str] | None] = mapped_column(JSON, default=list)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    request: Mapped[Request] = relationship(back_populates="consolidation")
    author: Mapped[User] = relationship()

    __mapper_args__ = {"version_id_col": version}


class PublishedOpinion(db.Model):
    """The approved opinion, frozen: its content and hash never change after insert."""

    __tablename__ = "published_opinion"
    __table_args__ = (
        UniqueConstraint("year", "sequence", name="uq_published_opinion_year_sequence"),
        CheckConstraint("length(content_hash) = 64", name="hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("consultation_request.id"), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    # "12/LHH-TVPB": the sequence restarts every year, the year is on the document.
    number: Mapped[str] = mapped_column(String(40))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    approved_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confidential: Mapped[bool] = mapped_column(Boolean)

    request: Mapped[Request] = relationship(back_populates="published_opinion")
    approved_by: Mapped[User] = relationship()
    recommendations: Mapped[list[PublishedRecommendation]] = relationship(
        back_populates="opinion", order_by="PublishedRecommendation.position"
    )

    def can_view(self, user) -> bool:
        """The public sees non-confidential opinions; confidential ones the agency and staff."""
        return not self.confidential or role_of(user) in STAFF or self.request._is_filer(user)


class PublishedRecommendation(db.Model):
    """One recommendation of a published opinion; its id is what the agency answers."""

    __tablename__ = "published_recommendation"
    __table_args__ = (
        UniqueConstraint("opinion_id", "position", name="uq_published_recommendation_position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opinion_id: Mapped[int] = mapped_column(ForeignKey("published_opinion.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(NFCText)
    endorsed_by: Mapped[list[int]] = mapped_column(JSON, default=list)
    dissent: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    opinion: Mapped[PublishedOpinion] = relationship(back_populates="recommendations")
    response: Mapped[AgencyResponse | None] = relationship(
        back_populates="recommendation", uselist=False
    )


def _refuse_change(mapper, connection, target) -> None:
    raise RuntimeError(f"{type(target).__name__} is frozen once published")


for _frozen in (PublishedOpinion, PublishedRecommendation):
    event.listen(_frozen, "before_update", _refuse_change)
    event.listen(_frozen, "before_delete", _refuse_change)


class AgencyResponse(db.Model):
    """The agency's answer to one published recommendation."""

    __tablename__ = "agency_response"
    __table_args__ = (CheckConstraint(check_in("status", ResponseStatus), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("published_recommendation.id"), unique=True
    )
    status: Mapped[str] = mapped_column(String(24))
    explanation: Mapped[str | None] = mapped_column(NFCText)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recommendation: Mapped[PublishedRecommendation] = relationship(back_populates="response")


class Meeting(db.Model):
    """A workshop, conference or panel meeting held for a request."""

    __tablename__ = "meeting"
    __table_args__ = (
        CheckConstraint(check_in("kind", MeetingKind), name="kind"),
        CheckConstraint("place IS NOT NULL OR online_url IS NOT NULL", name="where"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_request.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(NFCString(300))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    place: Mapped[str | None] = mapped_column(NFCString(300))
    online_url: Mapped[str | None] = mapped_column(String(500))
    agenda: Mapped[str | None] = mapped_column(NFCText)
    minutes: Mapped[str | None] = mapped_column(NFCText)
    # Outside guests are not in the directory: [{"name", "organization"}].
    guests: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    held: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    request: Mapped[Request] = relationship(back_populates="meetings")
    participants: Mapped[list[MeetingParticipant]] = relationship(
        back_populates="meeting",
        cascade="all, delete-orphan",
        order_by="MeetingParticipant.person_id",
    )


class MeetingParticipant(db.Model):
    """An expert invited to a meeting, and whether they attended."""

    __tablename__ = "meeting_participant"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    attended: Mapped[bool | None] = mapped_column(Boolean)

    meeting: Mapped[Meeting] = relationship(back_populates="participants")
    person: Mapped[Person] = relationship()


class Notification(db.Model):
    """One message in a user's in-app inbox."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation_request.id", ondelete="CASCADE")
    )
    subject: Mapped[str] = mapped_column(NFCString(300))
    body: Mapped[str] = mapped_column(NFCText)
    #: The one line the inbox shows (older notifications have none and show the subject).
    summary: Mapped[str | None] = mapped_column(NFCString(500))
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def line(self) -> str:
        return self.summary or self.subject

    def can_view(self, user) -> bool:
        return role_of(user) is not None and user.id == self.user_id


class OutboxMail(db.Model):
    """A mail waiting to be sent, or sent; ``dedupe_key`` makes every mail go out at most once."""

    __tablename__ = "outbox_mail"
    __table_args__ = (
        CheckConstraint("attempts >= 0", name="attempts"),
        Index("ix_outbox_mail_unsent", "sent_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(NFCString(300))
    body: Mapped[str] = mapped_column(NFCText)
    #: Files sent with the mail: [{"filename", "media_type", "text"}] (a meeting's calendar).
    attachments: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    #: After a failure, not tried again before this time (the back-off).
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


@event.listens_for(RequestHistory, "before_update")
def _refuse_history_update(mapper, connection, target):
    raise RuntimeError("request history is append-only")


@event.listens_for(RequestHistory, "before_delete")
def _refuse_history_delete(mapper, connection, target):
    raise RuntimeError("request history is append-only")


class SignerOffice(TitledEnum):
    president = "president", N_("President (signs for the Standing Board)")
    vice_president = "vice_president", N_("Vice-president (signs for the President)")


class Signer(db.Model):
    """How an approver signs the union's letters: their real name and office (NĐ 30/2020)."""

    __tablename__ = "letter_signer"
    __table_args__ = (CheckConstraint(check_in("office", SignerOffice), name="office"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(NFCString(200))
    office: Mapped[str] = mapped_column(String(16), default=SignerOffice.president.value)
