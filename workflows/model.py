"""The vocabulary of the workflow: states, actions, roles, and the facts the app passes in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from .i18n import N_, NC_


class State(StrEnum):
    """States of a request; the values are fixed by API.md."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"
    PANEL_FORMING = "panel_forming"
    IN_REVIEW = "in_review"
    CONSOLIDATION = "consolidation"
    APPROVAL = "approval"
    PUBLISHED = "published"
    CLOSED = "closed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        """English title (some with a context); the app shows ``tr(state.label)``."""
        return STATE_LABELS[self]


class Action(StrEnum):
    """Actions on a request; the values are fixed by API.md (``/actions/{action}``)."""

    SUBMIT = "submit"
    RETURN = "return"
    RESUBMIT = "resubmit"
    DECLINE = "decline"
    ACCEPT = "accept"
    OPEN_PANEL = "open_panel"
    START_REVIEW = "start_review"
    CLOSE_REVIEW = "close_review"
    SUBMIT_CONSOLIDATION = "submit_consolidation"
    SEND_BACK = "send_back"
    APPROVE = "approve"
    RECORD_RESPONSE = "record_response"
    WITHDRAW = "withdraw"

    @property
    def label(self) -> str:
        """English button title (some with a context); the app shows ``tr(action.label)``."""
        return ACTION_LABELS[self]


class Role(StrEnum):
    """User roles, as in ``expertnet users create --role``."""

    ADMIN = "admin"
    COORDINATOR = "coordinator"
    APPROVER = "approver"
    EXPERT = "expert"
    AGENCY = "agency"
    LIAISON = "liaison"
    # Files contest entries (an account given by e-mail link; see ``expertnet.contest``).
    AUTHOR = "author"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


class PanelRole(StrEnum):
    """A panel member's seat, as in the invitation's ``role``."""

    CHAIR = "chair"
    SECRETARY = "secretary"
    REVIEWER = "reviewer"
    MEMBER = "member"

    @property
    def label(self) -> str:
        return PANEL_ROLE_LABELS[self]


class ResponseStatus(StrEnum):
    """The agency's answer to one recommendation."""

    ADOPTED = "adopted"
    PARTIALLY_ADOPTED = "partially_adopted"
    NOT_ADOPTED = "not_adopted"

    @property
    def label(self) -> str:
        return RESPONSE_LABELS[self]


# Literal strings inside N_() so that `pybabel extract -k N_` finds every one of them.
STATE_LABELS: dict[State, str] = {
    State.DRAFT: N_("Draft"),
    State.SUBMITTED: NC_("request state", "Submitted"),
    State.RETURNED: N_("Returned for more information"),
    State.ACCEPTED: NC_("request state", "Accepted"),
    State.PANEL_FORMING: N_("Forming the panel"),
    State.IN_REVIEW: N_("In review"),
    State.CONSOLIDATION: N_("Consolidation"),
    State.APPROVAL: N_("Awaiting approval"),
    State.PUBLISHED: N_("Published"),
    State.CLOSED: N_("Closed"),
    State.DECLINED: NC_("request state", "Declined"),
    State.WITHDRAWN: N_("Withdrawn"),
}

ACTION_LABELS: dict[Action, str] = {
    Action.SUBMIT: N_("Submit"),
    Action.RETURN: N_("Return for more information"),
    Action.RESUBMIT: N_("Resubmit"),
    Action.DECLINE: NC_("request action", "Decline"),
    Action.ACCEPT: NC_("request action", "Accept"),
    Action.OPEN_PANEL: N_("Open the panel"),
    Action.START_REVIEW: N_("Start the review"),
    Action.CLOSE_REVIEW: N_("Close the review"),
    Action.SUBMIT_CONSOLIDATION: N_("Submit the consolidated opinion"),
    Action.SEND_BACK: N_("Send back for revision"),
    Action.APPROVE: N_("Approve and publish"),
    Action.RECORD_RESPONSE: N_("Record the response"),
    Action.WITHDRAW: N_("Withdraw"),
}

ROLE_LABELS: dict[Role, str] = {
    Role.ADMIN: N_("Administrator"),
    Role.COORDINATOR: N_("Coordinator"),
    Role.APPROVER: N_("Approver"),
    Role.EXPERT: N_("Expert"),
    Role.AGENCY: N_("Agency"),
    Role.LIAISON: N_("Liaison"),
    Role.AUTHOR: N_("Contest author"),
}

PANEL_ROLE_LABELS: dict[PanelRole, str] = {
    PanelRole.CHAIR: NC_("panel seat", "Chair"),
    PanelRole.SECRETARY: NC_("panel seat", "Secretary"),
    PanelRole.REVIEWER: N_("Reviewer"),
    PanelRole.MEMBER: NC_("panel seat", "Member"),
}

RESPONSE_LABELS: dict[ResponseStatus, str] = {
    ResponseStatus.ADOPTED: N_("Adopted"),
    ResponseStatus.PARTIALLY_ADOPTED: N_("Partially adopted"),
    ResponseStatus.NOT_ADOPTED: N_("Not adopted"),
}


def as_utc(moment: datetime) -> datetime:
    """Aware UTC datetime; a naive one is taken as UTC, which is how the database stores it."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class Actor:
    """Who is acting: a user, their roles, and the ids that relate them to a request.

    ``organization_id`` is the organisation the user speaks for (an agency user's
    agency); ``person_id`` is the expert record of an expert user (panel seats are
    held by experts, not by users).
    """

    user_id: int
    # Plain strings are accepted (they come from the database) and become Role members.
    roles: frozenset[str]
    organization_id: int | None = None
    person_id: int | None = None

    def __post_init__(self) -> None:
        # Accept plain strings from the database and fail loudly on an unknown role.
        object.__setattr__(self, "roles", frozenset(Role(r) for r in self.roles))


@dataclass(frozen=True)
class PanelSeat:
    """One accepted panel member (invited, declined and revoked invitations are left out)."""

    person_id: int
    role: str  # a PanelRole value; stored as the PanelRole member
    opinion_submitted: bool = False
    user_id: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "role", PanelRole(self.role))


@dataclass(frozen=True)
class RequestFacts:
    """What the engine needs to know about one request, read by the app from its database.

    ``state`` may be given as a plain string; the workflow coerces it to its state
    enum. Ids are whatever the app uses (ints in expertnet); they are only compared.
    """

    state: str
    version: int
    kind: str
    filed_by_user_id: int | None = None
    # The organisation that filed it (an agency; None for work the union starts itself).
    agency_organization_id: int | None = None
    assigned_coordinator_id: int | None = None
    panel: tuple[PanelSeat, ...] = ()
    # Conflicts of interest declared by accepted members and not yet resolved by the coordinator.
    unresolved_conflicts: int = 0
    opinion_deadline: datetime | None = None
    has_consolidation: bool = False
    consolidation_author_user_id: int | None = None
    # Recommendations of the consolidated (after approval: published) opinion.
    recommendation_ids: tuple[int, ...] = field(default=())

    def __post_init__(self) -> None:
        # Tuples, not lists: facts are frozen so that no caller or guard can change them.
        object.__setattr__(self, "panel", tuple(self.panel))
        object.__setattr__(self, "recommendation_ids", tuple(self.recommendation_ids))
        if self.opinion_deadline is not None:
            object.__setattr__(self, "opinion_deadline", as_utc(self.opinion_deadline))
