"""What each role has to do now: the reads behind the to-do home (no writes here).

One function per role; each returns plain dataclasses the home page lists with counts,
links and empty states. A user with several roles (an expert who is also a liaison) gets
every section that applies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from workflows import POLICIES, State

from ..directory.models import Membership, Organization, Person
from ..extensions import db
from .models import (
    AgencyResponse,
    Invitation,
    InvitationState,
    Opinion,
    PublishedOpinion,
    PublishedRecommendation,
    Request,
)
from .operations import LOCAL_TZ

#: "Due soon" means within this many days.
DUE_SOON_DAYS = 7
_OPEN_WORK = (
    State.SUBMITTED,
    State.RETURNED,
    State.ACCEPTED,
    State.PANEL_FORMING,
    State.IN_REVIEW,
    State.CONSOLIDATION,
    State.APPROVAL,
)


def _moment(due: datetime | date | None) -> datetime | None:
    if isinstance(due, datetime):
        return due.replace(tzinfo=due.tzinfo or UTC)
    if isinstance(due, date):
        # Due on a day means by the end of that day in Hanoi.
        return datetime(due.year, due.month, due.day, 23, 59, tzinfo=LOCAL_TZ)
    return None


def due_of(req: Request) -> datetime | date | None:
    """The deadline that matters now: the opinions' while in review, else the request's."""
    if req.state == State.IN_REVIEW and req.opinion_due_at is not None:
        return req.opinion_due_at
    return req.due_date


@dataclass
class Deadline:
    request: Request
    due: datetime | date
    overdue: bool


@dataclass
class ShortPanel:
    request: Request
    accepted: int
    minimum: int
    pending: int
    missing_roles: list[str]


@dataclass
class LateOpinions:
    request: Request
    due: datetime
    missing: list[Person]


@dataclass
class CoordinatorTodo:
    overdue: list[Deadline] = field(default_factory=list)
    due_soon: list[Deadline] = field(default_factory=list)
    triage: list[Request] = field(default_factory=list)
    short_panels: list[ShortPanel] = field(default_factory=list)
    late_opinions: list[LateOpinions] = field(default_factory=list)

    @property
    def total(self) -> int:
        return (
            len(self.overdue)
            + len(self.due_soon)
            + len(self.triage)
            + len(self.short_panels)
            + len(self.late_opinions)
        )


def coordinator_todo(user, now: datetime | None = None) -> CoordinatorTodo:
    """The coordinator's work: its own requests and those nobody has taken yet (admin: all)."""
    now = now or datetime.now(UTC)
    stmt = (
        select(Request)
        .where(Request.state.in_([s.value for s in _OPEN_WORK]))
        .options(
            selectinload(Request.agency),
            selectinload(Request.opinions),
            selectinload(Request.invitations).selectinload(Invitation.person),
        )
        .order_by(Request.id)
    )
    if user.role != "admin":
        stmt = stmt.where(or_(Request.coordinator_id.is_(None), Request.coordinator_id == user.id))
    todo = CoordinatorTodo()
    soon = now + timedelta(days=DUE_SOON_DAYS)
    for req in db.session.scalars(stmt):
        due = due_of(req)
        moment = _moment(due)
        # A returned request waits for the agency, not for the coordinator.
        if moment is not None and due is not None and req.state != State.RETURNED:
            if moment < now:
                todo.overdue.append(Deadline(req, due, True))
            elif moment <= soon:
                todo.due_soon.append(Deadline(req, due, False))
        if req.state == State.SUBMITTED:
            todo.triage.append(req)
        if req.state == State.PANEL_FORMING:
            policy = POLICIES.get(req.kind) or POLICIES["critique"]
            accepted = req.accepted_invitations
            roles = {i.role for i in accepted}
            missing = sorted(str(r) for r in policy.required_panel_roles if str(r) not in roles)
            if len(accepted) < policy.min_panel_size or missing:
                todo.short_panels.append(
                    ShortPanel(
                        req,
                        accepted=len(accepted),
                        minimum=policy.min_panel_size,
                        pending=sum(1 for i in req.invitations if i.state == "invited"),
                        missing_roles=missing,
                    )
                )
        if req.state == State.IN_REVIEW and req.opinion_due_at is not None:
            deadline = _moment(req.opinion_due_at)
            if deadline is not None and deadline < now:
                submitted = {o.person_id for o in req.opinions if o.submitted}
                missing_people = [
                    i.person for i in req.accepted_invitations if i.person_id not in submitted
                ]
                if missing_people:
                    todo.late_opinions.append(LateOpinions(req, deadline, missing_people))
    todo.overdue.sort(key=lambda d: _moment(d.due) or now)
    todo.due_soon.sort(key=lambda d: _moment(d.due) or now)
    return todo


@dataclass
class ExpertTodo:
    invitations: list[Invitation] = field(default_factory=list)
    opinions_due: list[tuple[Request, Opinion | None]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.invitations) + len(self.opinions_due)


def expert_todo(user) -> ExpertTodo:
    """Invitations waiting for the expert's answer and opinions it still has to submit."""
    todo = ExpertTodo()
    if user.person_id is None:
        return todo
    invitations = db.session.scalars(
        select(Invitation)
        .join(Request, Request.id == Invitation.request_id)
        .where(
            Invitation.person_id == user.person_id,
            Invitation.state.in_([InvitationState.invited.value, InvitationState.accepted.value]),
            Request.state.in_([State.PANEL_FORMING.value, State.IN_REVIEW.value]),
        )
        .options(selectinload(Invitation.request).selectinload(Request.opinions))
        .order_by(Invitation.respond_by, Invitation.id)
    ).all()
    for inv in invitations:
        if inv.state == InvitationState.invited:
            todo.invitations.append(inv)
        elif inv.request.state == State.IN_REVIEW:
            own = next((o for o in inv.request.opinions if o.person_id == user.person_id), None)
            if own is None or not own.submitted:
                todo.opinions_due.append((inv.request, own))
    far = datetime.max.replace(tzinfo=UTC)
    todo.opinions_due.sort(key=lambda pair: _moment(pair[0].opinion_due_at) or far)
    return todo


def approver_todo(user) -> list[Request]:
    """Consolidated opinions waiting for approval, oldest first."""
    return list(
        db.session.scalars(
            select(Request)
            .where(Request.state == State.APPROVAL.value)
            .options(selectinload(Request.agency))
            .order_by(Request.updated_at, Request.id)
        )
    )


@dataclass
class AgencyTodo:
    returned: list[Request] = field(default_factory=list)
    drafts: list[Request] = field(default_factory=list)
    responses_due: list[tuple[Request, int, int]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.returned) + len(self.drafts) + len(self.responses_due)


def agency_todo(user) -> AgencyTodo:
    """The agency's requests that wait for it: more information, a draft, the response."""
    todo = AgencyTodo()
    mine = or_(Request.agency_id == user.organization_id, Request.filed_by_id == user.id)
    for req in db.session.scalars(
        select(Request)
        .where(mine, Request.state.in_([State.RETURNED.value, State.DRAFT.value]))
        .order_by(Request.updated_at.desc(), Request.id.desc())
    ):
        (todo.returned if req.state == State.RETURNED else todo.drafts).append(req)
    rows = db.session.execute(
        select(
            Request,
            func.count(PublishedRecommendation.id),
            func.count(AgencyResponse.id),
        )
        .join(PublishedOpinion, PublishedOpinion.request_id == Request.id)
        .join(PublishedRecommendation, PublishedRecommendation.opinion_id == PublishedOpinion.id)
        .outerjoin(AgencyResponse, AgencyResponse.recommendation_id == PublishedRecommendation.id)
        .where(mine, Request.state == State.PUBLISHED.value)
        .group_by(Request.id)
        .order_by(Request.id)
    ).all()
    todo.responses_due = [(r, total, answered) for r, total, answered in rows if answered < total]
    return todo


@dataclass
class Roster:
    organization: Organization
    members: int
    without_email: int
    without_fields: int
    without_account: int


def liaison_todo(user) -> Roster | None:
    """The liaison's organisation roster, with what is missing from it."""
    org = db.session.get(Organization, user.organization_id) if user.organization_id else None
    if org is None:
        return None
    current = select(Membership.person_id).where(
        Membership.organization_id == org.id, Membership.ended_on.is_(None)
    )

    def count(*where) -> int:
        return (
            db.session.scalar(select(func.count(Person.id)).where(Person.id.in_(current), *where))
            or 0
        )

    from ..auth.models import User

    has_account = select(User.person_id).where(User.person_id.is_not(None))
    return Roster(
        organization=org,
        members=count(),
        without_email=count(Person.email.is_(None)),
        without_fields=count(~Person.fields.any()),
        without_account=count(Person.id.not_in(has_account)),
    )
