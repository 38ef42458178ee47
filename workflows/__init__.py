"""The workflow engine: a pure library (no Flask, no SQLAlchemy, no expertnet).

It runs several workflows, each one table (``WORKFLOWS``): the consultation below, and the
contest's edition and entry tables (:mod:`workflows.contest`). The engine reads only
``state``, ``version`` and ``kind`` from a workflow's facts; the rest belongs to that
workflow's relations and guards.

The engine knows states, actions, who may act and on which conditions; it does not know
the database. The app reads the request into :class:`RequestFacts`, describes the user as
an :class:`Actor`, calls :func:`apply_action`, and writes what the :class:`Outcome` says.

Integration, in one view function's worth::

    from workflows import CONSULTATION_WORKFLOW as WF, Actor, RequestFacts, PanelSeat, apply_action

    actor = Actor(user_id=u.id, roles=frozenset(u.roles), organization_id=u.organization_id,
                  person_id=u.expert_id)
    facts = RequestFacts(
        state=r.state, version=r.version, kind=r.kind,
        filed_by_user_id=r.filed_by_id, agency_organization_id=r.agency_id,
        assigned_coordinator_id=r.coordinator_id,
        panel=[PanelSeat(i.expert_id, i.role, i.opinion_submitted, i.expert.user_id)
               for i in r.invitations if i.state == "accepted"],
        unresolved_conflicts=..., opinion_deadline=r.opinion_due_at,
        has_consolidation=r.consolidation is not None,
        consolidation_author_user_id=r.consolidation and r.consolidation.author_id,
        recommendation_ids=[rec.id for rec in <published, else consolidated, opinion>],
    )
    try:
        out = apply_action(WF, facts, action, actor, body, expected_version=body.get("version"))
    except WorkflowError as e:   # nothing to undo: the engine changed nothing
        return jsonify(e.to_dict(gettext)), e.status
    # Compare-and-set closes the race between reading the facts and writing:
    #   UPDATE request SET state=:to, version=:new WHERE id=:id AND version=:old
    # 0 rows updated -> someone else won: answer 409 with the fresh request.
    r.state, r.version = out.to_state, out.new_version
    db.session.add(History(**out.history_entry.to_dict()))   # append-only
    queue(out.effects)          # send after the commit, never before

The facts, and where they come from (all ids are only compared, never looked up):

- ``state``, ``version``, ``kind``: the request's columns (``kind`` selects the policy);
- ``filed_by_user_id``, ``agency_organization_id``: who filed it; the agency is None for
  work the union starts itself;
- ``assigned_coordinator_id``: the coordinator's user id, None until ``accept``;
- ``panel``: one ``PanelSeat(person_id, role, opinion_submitted, user_id)`` per *accepted*
  invitation (``role`` chair/secretary/reviewer/member);
- ``unresolved_conflicts``: accepted members' declared conflicts not yet resolved;
- ``opinion_deadline``: when the experts' opinions are due (None: no late close);
- ``has_consolidation``, ``consolidation_author_user_id``: the consolidated opinion;
- ``recommendation_ids``: the published opinion's recommendations (``record_response``).

The actor: ``Actor(user_id, roles, organization_id, person_id)`` — ``organization_id`` is
the organisation an agency user speaks for, ``person_id`` an expert user's expert record.

Checks run in this order, and the first that fails raises (status for the API):

1. ``UnknownAction`` (404) — not one of the 13 actions;
2. ``VersionConflict`` (409) — ``expected_version`` given and not ``facts.version``;
   carries ``current_version`` and ``current_state``;
3. ``TransitionNotAllowed`` (409, ``invalid_transition``) — no row for (state, action);
4. ``ActionForbidden`` (403, ``forbidden``) — no ``Permit(role, relation)`` of the row fits;
5. ``UnknownKind`` (422) — the request's kind has no policy;
6. ``GuardFailed`` (403 ``four_eyes`` / 409 request not ready / 422 bad input, ``fields``
   names each field) — every guard of the row and of the kind's policy runs, and all
   failures are reported together in ``failures``.

(A body that is not a mapping is a ``WorkflowError`` 400 ``malformed``; a stored state
outside the workflow is a 500 ``unknown_state``.)

All are :class:`WorkflowError`: ``status``, ``code``, ``message`` and ``fields`` (values are
:class:`Message`, rendered with ``.render(gettext)``), and ``to_dict(gettext)`` gives
API.md's error body.

Decisions the app can rely on:

- While no coordinator is assigned, any coordinator may act as the request's coordinator;
  ``accept`` carries the effect ``assign_coordinator`` (to the actor) which the app applies
  if the request has none. An ``admin`` may take every coordinator action (never the
  agency's or the approver's).
- A coordinator who filed the request acts as its filer (submit, resubmit, withdraw,
  record_response); set ``filed_by_user_id`` and leave ``agency_organization_id`` None.
- ``allowed_actions`` lists actions that state, role, relation and every guard that does
  not need the caller's input allow. Input guards (a comment for return, decline and
  send_back; the reason when closing a review with opinions missing; the responses) are
  checked by ``apply_action`` only: show the button, ask for the input.
  ``available_actions`` also lists the actions blocked by a guard, with the reason, for
  disabled buttons.
- ``withdraw`` exists only from states before ``published``: later it is a 409.
- Naive datetimes are taken as UTC.
- ``replay(WF, history)`` re-walks stored history from ``draft`` and raises
  ``HistoryCorrupt`` if an entry does not follow the table.

Who may do what is ``WF.describe()`` (a Markdown table) and, in words, the docstring of
:mod:`workflows.consultation`.

Translations: every English label and message template is a literal inside ``N_()``, or
``NC_(context, ...)`` when the same English word has another sense elsewhere (a request is
"Accepted" by the union, an invitation "Accepted" by an expert); extract with
``pybabel extract -k N_ -k NC_:1c,2 ... workflows`` and show the label with a translator
that honours ``label.context`` (the app's ``expertnet.core.i18n.tr``).

A new kind is a new entry in ``POLICIES`` (a :class:`KindPolicy`, optionally with
``extra_guards``); a new state or transition is a new row, or a variant built with
``Workflow.derive``. Nothing else in the engine or the app changes.
"""

from .consultation import (
    CONSULTATION_WORKFLOW,
    KIND_LABELS,
    POLICIES,
    TRANSITIONS,
    RequestKind,
)
from .contest import (
    CONTEST_EDITION_WORKFLOW,
    CONTEST_ENTRY_WORKFLOW,
    ContestRelation,
    EditionAction,
    EditionFacts,
    EditionState,
    EntryAction,
    EntryFacts,
    EntryState,
    JudgeSeat,
)
from .engine import (
    RELATIONS,
    ActionOption,
    Audience,
    Effect,
    EffectKind,
    Facts,
    HistoryEntry,
    Outcome,
    Permit,
    Relation,
    Transition,
    Workflow,
    allowed_actions,
    apply_action,
    available_actions,
    replay,
)
from .errors import (
    ActionForbidden,
    GuardFailed,
    GuardFailure,
    HistoryCorrupt,
    TransitionNotAllowed,
    UnknownAction,
    UnknownKind,
    VersionConflict,
    WorkflowError,
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
    Guard,
    GuardContext,
    KindPolicy,
)
from .i18n import N_, NC_, ContextStr, Message
from .model import (
    Action,
    Actor,
    PanelRole,
    PanelSeat,
    RequestFacts,
    ResponseStatus,
    Role,
    State,
)
from .registry import WORKFLOWS, design_tables

# The name the first sketch of the API used; it runs all three kinds, not only "consultation".
CONSULTATION = CONSULTATION_WORKFLOW

__all__ = [
    "COMMENT_REQUIRED",
    "CONSULTATION",
    "CONSULTATION_WORKFLOW",
    "CONTEST_EDITION_WORKFLOW",
    "CONTEST_ENTRY_WORKFLOW",
    "FOUR_EYES",
    "HAS_CONSOLIDATION",
    "KIND_LABELS",
    "LATE_CLOSE_REASON",
    "NC_",
    "NO_UNRESOLVED_CONFLICTS",
    "N_",
    "OPINIONS_IN",
    "PANEL_COMPLETE",
    "POLICIES",
    "RELATIONS",
    "RESPONSES_COMPLETE",
    "TRANSITIONS",
    "WORKFLOWS",
    "Action",
    "ActionForbidden",
    "ActionOption",
    "Actor",
    "Audience",
    "ContestRelation",
    "ContextStr",
    "EditionAction",
    "EditionFacts",
    "EditionState",
    "Effect",
    "EffectKind",
    "EntryAction",
    "EntryFacts",
    "EntryState",
    "Facts",
    "Guard",
    "GuardContext",
    "GuardFailed",
    "GuardFailure",
    "HistoryCorrupt",
    "HistoryEntry",
    "JudgeSeat",
    "KindPolicy",
    "Message",
    "Outcome",
    "PanelRole",
    "PanelSeat",
    "Permit",
    "Relation",
    "RequestFacts",
    "RequestKind",
    "ResponseStatus",
    "Role",
    "State",
    "Transition",
    "TransitionNotAllowed",
    "UnknownAction",
    "UnknownKind",
    "VersionConflict",
    "Workflow",
    "WorkflowError",
    "allowed_actions",
    "apply_action",
    "available_actions",
    "design_tables",
    "replay",
]
