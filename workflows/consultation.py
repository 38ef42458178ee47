"""The union's consultation workflow: the one transition table of API.md.

Who may act, in brief (``Permit(role, relation)``, first match is the role recorded):

- the filer (an ``agency`` user of the filing organisation, or the ``coordinator`` who
  filed work the union starts itself): submit, resubmit, withdraw (any state before
  publication), record_response;
- the request's coordinator (the assigned one; any coordinator while none is assigned):
  return, decline, accept, open_panel, start_review, close_review, submit_consolidation;
- an ``admin`` may take every coordinator action, so that a request never stalls when its
  coordinator is away; an admin never speaks for an agency and never approves;
- the panel's secretary (an ``expert`` in the secretary seat): submit_consolidation;
- any ``approver``: send_back, approve (four eyes: not the consolidation's author);
- ``liaison`` and other ``expert`` users: nothing here.
"""

from __future__ import annotations

from enum import StrEnum

from .engine import (
    Audience,
    Effect,
    EffectKind,
    Permit,
    Relation,
    Transition,
    Workflow,
    notify,
)
from .guards import (
    COMMENT_REQUIRED,
    FOUR_EYES,
    HAS_CONSOLIDATION,
    LATE_CLOSE_REASON,
    NO_UNRESOLVED_CONFLICTS,
    OPINIONS_IN,
    PANEL_COMPLETE,
    RESPONSES_COMPLETE,
    KindPolicy,
)
from .i18n import N_
from .model import Action, Role, State


class RequestKind(StrEnum):
    """The request kinds of API.md; a workflow's ``policies`` are keyed by these values."""

    CONSULTATION = "consultation"
    CRITIQUE = "critique"
    ASSESSMENT = "assessment"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS: dict[RequestKind, str] = {
    RequestKind.CONSULTATION: N_("Consultation"),
    RequestKind.CRITIQUE: N_("Critique"),
    RequestKind.ASSESSMENT: N_("Social assessment"),
}

# Defaults from the issue; a kind that needs other numbers gets its own KindPolicy here.
POLICIES: dict[str, KindPolicy] = {
    RequestKind.CONSULTATION: KindPolicy(),
    RequestKind.CRITIQUE: KindPolicy(),
    RequestKind.ASSESSMENT: KindPolicy(),
}

FILER = (Permit(Role.AGENCY, Relation.FILER), Permit(Role.COORDINATOR, Relation.FILER))
COORDINATOR = (
    Permit(Role.COORDINATOR, Relation.REQUEST_COORDINATOR),
    Permit(Role.ADMIN, Relation.ANY),
)
CONSOLIDATOR = (*COORDINATOR, Permit(Role.EXPERT, Relation.PANEL_SECRETARY))
APPROVER = (Permit(Role.APPROVER, Relation.ANY),)

# A request may be withdrawn until it is published; afterwards the opinion is the union's.
WITHDRAWABLE = (
    State.DRAFT,
    State.SUBMITTED,
    State.RETURNED,
    State.ACCEPTED,
    State.PANEL_FORMING,
    State.IN_REVIEW,
    State.CONSOLIDATION,
    State.APPROVAL,
)

TRANSITIONS: tuple[Transition, ...] = (
    # source, action, target, who, guards, effects
    Transition(
        State.DRAFT, Action.SUBMIT, State.SUBMITTED, FILER,
        effects=(notify(Audience.COORDINATOR, "request_submitted"),),
    ),
    Transition(
        State.SUBMITTED, Action.RETURN, State.RETURNED, COORDINATOR, (COMMENT_REQUIRED,),
        (notify(Audience.AGENCY, "request_returned"),),
    ),
    Transition(
        State.RETURNED, Action.RESUBMIT, State.SUBMITTED, FILER,
        effects=(notify(Audience.COORDINATOR, "request_resubmitted"),),
    ),
    Transition(
        State.SUBMITTED, Action.DECLINE, State.DECLINED, COORDINATOR, (COMMENT_REQUIRED,),
        (notify(Audience.AGENCY, "request_declined"),),
    ),
    # An agency that never answers the coordinator's questions must not keep a request open.
    Transition(
        State.RETURNED, Action.DECLINE, State.DECLINED, COORDINATOR, (COMMENT_REQUIRED,),
        (notify(Audience.AGENCY, "request_declined"),),
    ),
    Transition(
        State.SUBMITTED, Action.ACCEPT, State.ACCEPTED, COORDINATOR,
        effects=(
            Effect(EffectKind.ASSIGN_COORDINATOR, Audience.ACTOR),
            notify(Audience.AGENCY, "request_accepted"),
        ),
    ),
    Transition(State.ACCEPTED, Action.OPEN_PANEL, State.PANEL_FORMING, COORDINATOR),
    Transition(
        State.PANEL_FORMING, Action.START_REVIEW, State.IN_REVIEW, COORDINATOR,
        (PANEL_COMPLETE, NO_UNRESOLVED_CONFLICTS),
        (notify(Audience.PANEL, "review_started"),),
    ),
    Transition(
        State.IN_REVIEW, Action.CLOSE_REVIEW, State.CONSOLIDATION, COORDINATOR,
        (OPINIONS_IN, LATE_CLOSE_REASON),
        (notify(Audience.PANEL, "review_closed"),),
    ),
    Transition(
        State.CONSOLIDATION, Action.SUBMIT_CONSOLIDATION, State.APPROVAL, CONSOLIDATOR,
        (HAS_CONSOLIDATION,),
        (notify(Audience.APPROVERS, "consolidation_submitted"),),
    ),
    Transition(
        State.APPROVAL, Action.SEND_BACK, State.CONSOLIDATION, APPROVER, (COMMENT_REQUIRED,),
        (
            notify(Audience.COORDINATOR, "consolidation_sent_back"),
            notify(Audience.CONSOLIDATION_AUTHOR, "consolidation_sent_back"),
        ),
    ),
    Transition(
        State.APPROVAL, Action.APPROVE, State.PUBLISHED, APPROVER,
        (HAS_CONSOLIDATION, FOUR_EYES),
        (
            notify(Audience.AGENCY, "opinion_published"),
            notify(Audience.COORDINATOR, "opinion_published"),
            notify(Audience.PANEL, "opinion_published"),
        ),
    ),
    Transition(
        State.PUBLISHED, Action.RECORD_RESPONSE, State.CLOSED, FILER, (RESPONSES_COMPLETE,),
        (notify(Audience.COORDINATOR, "response_recorded"),),
    ),
    *(
        Transition(
            source, Action.WITHDRAW, State.WITHDRAWN, FILER,
            effects=(
                notify(Audience.COORDINATOR, "request_withdrawn"),
                notify(Audience.PANEL, "request_withdrawn"),
            ),
        )
        for source in WITHDRAWABLE
    ),
)  # fmt: skip

CONSULTATION_WORKFLOW = Workflow(
    name="consultation",
    state_type=State,
    action_type=Action,
    initial=State.DRAFT,
    transitions=TRANSITIONS,
    policies=POLICIES,
)
