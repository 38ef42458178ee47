"""The machinery: a workflow is a table of transitions; one function applies an action."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Protocol

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
from .guards import Guard, GuardContext, Policy
from .i18n import N_, Message
from .model import Actor, PanelRole, RequestFacts, Role, as_utc


class Relation(StrEnum):
    """How an actor stands to a request; each is checked by a predicate in ``RELATIONS``."""

    # The actor filed it, or the actor's organisation is the filing agency.
    FILER = "filer"
    # The actor is the assigned coordinator, or nobody is assigned yet (triage is shared
    # by the consultation office; ``accept`` makes the accepting coordinator the assignee).
    REQUEST_COORDINATOR = "request_coordinator"
    # The actor holds the secretary's seat on the request's panel.
    PANEL_SECRETARY = "panel_secretary"
    # Any user with the role: approvers approve for the whole union; an admin stands in.
    ANY = "any"


class Facts(Protocol):
    """What the engine itself reads from any workflow's facts; the rest is for relations and guards.

    :class:`RequestFacts` is the consultation's; each workflow brings its own frozen
    dataclass with these three attributes and whatever its guards need.
    """

    @property
    def state(self) -> str: ...

    @property
    def version(self) -> int: ...

    @property
    def kind(self) -> str: ...


RelationCheck = Callable[[Actor, Any], bool]


def _is_filer(actor: Actor, facts: RequestFacts) -> bool:
    if facts.filed_by_user_id is not None and actor.user_id == facts.filed_by_user_id:
        return True
    return (
        facts.agency_organization_id is not None
        and actor.organization_id == facts.agency_organization_id
    )


def _is_request_coordinator(actor: Actor, facts: RequestFacts) -> bool:
    return facts.assigned_coordinator_id in (None, actor.user_id)


def _is_panel_secretary(actor: Actor, facts: RequestFacts) -> bool:
    return any(
        seat.role is PanelRole.SECRETARY
        and (
            (actor.person_id is not None and seat.person_id == actor.person_id)
            or (seat.user_id is not None and seat.user_id == actor.user_id)
        )
        for seat in facts.panel
    )


RELATIONS: Mapping[str, RelationCheck] = MappingProxyType(
    {
        Relation.FILER: _is_filer,
        Relation.REQUEST_COORDINATOR: _is_request_coordinator,
        Relation.PANEL_SECRETARY: _is_panel_secretary,
        Relation.ANY: lambda actor, facts: True,
    }
)


@dataclass(frozen=True)
class Permit:
    """One way to be allowed: holding ``role`` and standing in ``relation`` to the request.

    ``role=None`` admits a user of any role who stands in the relation (a contest entry's
    author need not hold any staff role); the history then records the relation.
    """

    role: Role | None
    relation: str

    @property
    def recorded_role(self) -> str:
        return str(self.role) if self.role is not None else str(self.relation)

    def describe(self) -> str:
        return f"{self.role if self.role is not None else 'anyone'}: {self.relation}"


class Audience(StrEnum):
    """Who an effect is for; the app resolves each to users."""

    AGENCY = "agency"  # the filer and the users of the filing organisation
    COORDINATOR = "coordinator"  # the assigned coordinator, or all coordinators if none
    PANEL = "panel"  # the accepted panel members
    APPROVERS = "approvers"  # every user with the approver role
    CONSOLIDATION_AUTHOR = "consolidation_author"
    ACTOR = "actor"  # the user who acted


class EffectKind(StrEnum):
    NOTIFY = "notify"  # queue a notification (mail + inbox) after the commit
    ASSIGN_COORDINATOR = "assign_coordinator"  # make ``to`` the coordinator if none is set


@dataclass(frozen=True)
class Effect:
    """Something the app does after a successful transition, once its transaction commits."""

    kind: EffectKind
    to: Audience
    template: str | None = None


def notify(to: Audience, template: str) -> Effect:
    return Effect(EffectKind.NOTIFY, to, template)


@dataclass(frozen=True)
class Transition:
    """One row of the table: ``(source, action) -> target``, who may, on which conditions."""

    source: StrEnum
    action: StrEnum
    target: StrEnum
    permits: tuple[Permit, ...]
    guards: tuple[Guard, ...] = ()
    effects: tuple[Effect, ...] = ()


@dataclass(frozen=True)
class Workflow:
    """A state machine as data. Build a variant with :meth:`derive` instead of adding ``if``s.

    ``state_type`` and ``action_type`` are the enums the table uses (a variant with a new
    state brings its own state enum); ``policies`` maps each request kind to its policy.
    """

    name: str
    state_type: type[StrEnum]
    action_type: type[StrEnum]
    initial: StrEnum
    transitions: tuple[Transition, ...]
    policies: Mapping[str, Policy]
    relations: Mapping[str, RelationCheck] = field(default_factory=lambda: RELATIONS)
    _index: Mapping[tuple[StrEnum, StrEnum], Transition] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "transitions", tuple(self.transitions))
        object.__setattr__(self, "policies", MappingProxyType(dict(self.policies)))
        index: dict[tuple[StrEnum, StrEnum], Transition] = {}
        for t in self.transitions:
            self._check_row(t)
            key = (t.source, t.action)
            if key in index:
                raise ValueError(f"{self.name}: two transitions for {t.source} + {t.action}")
            index[key] = t
        object.__setattr__(self, "_index", MappingProxyType(index))
        if self.initial not in set(self.state_type):
            raise ValueError(f"{self.name}: initial state {self.initial!r} is not a state")
        unreachable = set(self.state_type) - self._reachable()
        if unreachable:
            names = ", ".join(sorted(unreachable))
            raise ValueError(f"{self.name}: states that no transition reaches: {names}")

    def _check_row(self, t: Transition) -> None:
        # Catch a typo in the table at import time rather than at a user's click.
        if t.source not in set(self.state_type) or t.target not in set(self.state_type):
            raise ValueError(f"{self.name}: {t.source} -> {t.target} uses an unknown state")
        if t.action not in set(self.action_type):
            raise ValueError(f"{self.name}: unknown action {t.action!r}")
        if not t.permits:
            raise ValueError(f"{self.name}: nobody may {t.action} from {t.source}")
        for permit in t.permits:
            if permit.relation not in self.relations:
                raise ValueError(f"{self.name}: unknown relation {permit.relation!r}")

    def _reachable(self) -> set[StrEnum]:
        seen, todo = {self.initial}, [self.initial]
        while todo:
            state = todo.pop()
            for t in self.transitions:
                if t.source == state and t.target not in seen:
                    seen.add(t.target)
                    todo.append(t.target)
        return seen

    def state(self, value: str) -> StrEnum:
        """The state enum member for ``value``; a value outside the workflow is a data error."""
        try:
            return self.state_type(value)
        except ValueError:
            raise WorkflowError(
                Message(N_("Unknown state %(state)s."), {"state": str(value)}),
                code="unknown_state",
                status=500,
            ) from None

    def action(self, value: str) -> StrEnum:
        """The action enum member for ``value``; raises :class:`UnknownAction` (404)."""
        try:
            return self.action_type(value)
        except ValueError:
            raise UnknownAction(
                Message(N_("There is no action “%(action)s”."), {"action": str(value)})
            ) from None

    def policy(self, kind: str) -> Policy:
        """The policy for a request kind; raises :class:`UnknownKind` (422)."""
        try:
            return self.policies[kind]
        except KeyError:
            raise UnknownKind(
                Message(N_("Unknown request kind %(kind)s."), {"kind": str(kind)}),
                fields={"kind": Message(N_("Unknown request kind."))},
            ) from None

    def transition(self, state: str, action: str) -> Transition | None:
        return self._index.get((self.state(state), self.action(action)))

    def transitions_from(self, state: str) -> list[Transition]:
        """Transitions out of ``state``, in the order of the action enum (stable for buttons)."""
        source = self.state(state)
        return [self._index[(source, a)] for a in self.action_type if (source, a) in self._index]

    def describe(self) -> str:
        """The table as Markdown (state, action, next state, who, guards), for docs and reviews."""
        lines = [
            "| from | action | to | who may (role: relation) | guards |",
            "|---|---|---|---|---|",
        ]
        for t in self.transitions:
            who = ", ".join(p.describe() for p in t.permits)
            guards = ", ".join(g.name for g in t.guards) or "-"
            lines.append(f"| {t.source} | {t.action} | {t.target} | {who} | {guards} |")
        return "\n".join(lines)

    @property
    def terminal_states(self) -> frozenset[StrEnum]:
        sources = {t.source for t in self.transitions}
        return frozenset(s for s in self.state_type if s not in sources)

    def derive(
        self,
        *,
        name: str | None = None,
        state_type: type[StrEnum] | None = None,
        action_type: type[StrEnum] | None = None,
        drop: Iterable[tuple[str, str]] = (),
        add: Iterable[Transition] = (),
        policies: Mapping[str, Policy] | None = None,
    ) -> Workflow:
        """A new workflow: this table minus the ``(state, action)`` rows in ``drop``, plus ``add``.

        With a new ``state_type`` the kept rows are re-keyed by value, so a variant can
        add states while reusing every existing row.
        """
        states = state_type or self.state_type
        actions = action_type or self.action_type
        dropped = {(str(s), str(a)) for s, a in drop}
        kept = [
            Transition(
                states(t.source),
                actions(t.action),
                states(t.target),
                t.permits,
                t.guards,
                t.effects,
            )
            for t in self.transitions
            if (str(t.source), str(t.action)) not in dropped
        ]
        return Workflow(
            name=name or self.name,
            state_type=states,
            action_type=actions,
            initial=states(self.initial),
            transitions=(*kept, *add),
            policies=self.policies if policies is None else policies,
            relations=self.relations,
        )


# --- applying an action --------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    """One recorded transition; the app appends it to the request's history table."""

    action: str
    from_state: str
    to_state: str
    actor_user_id: int
    actor_role: str
    at: datetime
    comment: str | None
    payload: Mapping[str, Any]
    version: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (ISO 8601 time); :func:`replay` accepts it back."""
        return {
            "action": str(self.action),
            "from_state": str(self.from_state),
            "to_state": str(self.to_state),
            "actor_user_id": self.actor_user_id,
            "actor_role": str(self.actor_role),
            "at": self.at.isoformat(),
            "comment": self.comment,
            "payload": copy.deepcopy(dict(self.payload)),
            "version": self.version,
        }


@dataclass(frozen=True)
class Outcome:
    """What the app must write: the new state and version, the history entry, the effects."""

    from_state: StrEnum
    to_state: StrEnum
    new_version: int
    history_entry: HistoryEntry
    effects: tuple[Effect, ...]
    transition: Transition


@dataclass(frozen=True)
class ActionOption:
    """An action the actor's role and relation allow now; ``blocked`` says why it would fail."""

    action: StrEnum
    blocked: GuardFailed | None = None

    @property
    def allowed(self) -> bool:
        return self.blocked is None


def _now(now: datetime | None) -> datetime:
    return datetime.now(UTC) if now is None else as_utc(now)


def _matching_permit(
    workflow: Workflow, t: Transition, actor: Actor, facts: Facts
) -> Permit | None:
    for permit in t.permits:
        holds_role = permit.role is None or permit.role in actor.roles
        if holds_role and workflow.relations[permit.relation](actor, facts):
            return permit
    return None


def _failures(
    guards: Sequence[Guard], ctx: GuardContext, *, with_payload: bool
) -> tuple[GuardFailure, ...]:
    results = (g(ctx) for g in guards if with_payload or not g.needs_payload)
    return tuple(r for r in results if r is not None)


def _guards_for(t: Transition, policy: Policy) -> tuple[Guard, ...]:
    return (*t.guards, *policy.extra_guards.get(str(t.action), ()))


# Keys of the action body that the history keeps elsewhere, not in ``payload``.
_NOT_PAYLOAD = frozenset({"comment", "version"})


def apply_action(
    workflow: Workflow,
    facts: Facts,
    action: str,
    actor: Actor,
    payload: Mapping[str, Any] | None = None,
    *,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Outcome:
    """Check and apply ``action``; return the :class:`Outcome` or raise a :class:`WorkflowError`.

    Checks run in a fixed order — version, state, role and relation, kind, guards —
    so the error says the most basic thing that is wrong. Nothing passed in is changed.
    """
    act = workflow.action(action)
    state = workflow.state(facts.state)
    if expected_version is not None and expected_version != facts.version:
        raise VersionConflict(expected=expected_version, current=facts.version, state=state)
    t = workflow.transition(state, act)
    if t is None:
        raise TransitionNotAllowed(state=state, action=act)
    permit = _matching_permit(workflow, t, actor, facts)
    if permit is None:
        raise ActionForbidden(state=state, action=act)
    policy = workflow.policy(facts.kind)
    if payload is None:
        payload = {}
    if not isinstance(payload, Mapping):
        raise WorkflowError(
            Message(N_("The action's body must be a JSON object.")), code="malformed", status=400
        )
    # A private deep copy: neither guards nor the history may alias the caller's objects.
    body: dict[str, Any] = copy.deepcopy(dict(payload))
    moment = _now(now)
    ctx = GuardContext(facts=facts, actor=actor, payload=body, now=moment, policy=policy)
    failures = _failures(_guards_for(t, policy), ctx, with_payload=True)
    if failures:
        raise GuardFailed(failures)
    entry = HistoryEntry(
        action=act,
        from_state=state,
        to_state=t.target,
        actor_user_id=actor.user_id,
        actor_role=permit.recorded_role,
        at=moment,
        comment=ctx.comment or None,
        payload=MappingProxyType({k: v for k, v in body.items() if k not in _NOT_PAYLOAD}),
        version=facts.version + 1,
    )
    return Outcome(
        from_state=state,
        to_state=t.target,
        new_version=facts.version + 1,
        history_entry=entry,
        effects=t.effects,
        transition=t,
    )


def available_actions(
    workflow: Workflow, facts: Facts, actor: Actor, *, now: datetime | None = None
) -> list[ActionOption]:
    """Actions whose state, role and relation fit, each with the guard failure that blocks it.

    Guards about the input (``needs_payload``: a comment, the responses) are not
    evaluated: the form has not been filled in yet. A page can show a blocked action
    as a disabled button with ``option.blocked.message`` as the explanation.
    """
    options: list[ActionOption] = []
    ctx: GuardContext | None = None
    for t in workflow.transitions_from(facts.state):
        if _matching_permit(workflow, t, actor, facts) is None:
            continue
        if ctx is None:
            policy = workflow.policy(facts.kind)
            ctx = GuardContext(facts=facts, actor=actor, payload={}, now=_now(now), policy=policy)
        failures = _failures(_guards_for(t, ctx.policy), ctx, with_payload=False)
        options.append(ActionOption(t.action, GuardFailed(failures) if failures else None))
    return options


def allowed_actions(
    workflow: Workflow, facts: Facts, actor: Actor, *, now: datetime | None = None
) -> list[StrEnum]:
    """Actions the actor may take now: state, role, relation and every non-input guard pass.

    This is API.md's ``allowed_actions``. An action listed here can still fail with a
    422 when its input is incomplete (e.g. ``decline`` without a comment).
    """
    return [o.action for o in available_actions(workflow, facts, actor, now=now) if o.allowed]


def replay(workflow: Workflow, history: Iterable[HistoryEntry | Mapping[str, Any]]) -> StrEnum:
    """The state that ``history`` leads to from the initial state, checking each step.

    Each entry must start where the previous one ended and follow a row of the table;
    permissions and guards are not re-checked (the facts of that moment are gone).
    Raises :class:`HistoryCorrupt` otherwise.
    """
    state = workflow.initial
    for i, raw in enumerate(history):
        entry = raw.to_dict() if isinstance(raw, HistoryEntry) else raw
        try:
            source = workflow.state_type(entry["from_state"])
            target = workflow.state_type(entry["to_state"])
            act = workflow.action_type(entry["action"])
        except (KeyError, ValueError) as exc:
            raise _corrupt(i, f"unreadable entry ({exc})") from None
        if source != state:
            raise _corrupt(i, f"starts in {source} but the request was {state}")
        t = workflow.transition(source, act)
        if t is None or t.target != target:
            raise _corrupt(i, f"{act} does not lead from {source} to {target}")
        state = target
    return state


def _corrupt(index: int, why: str) -> HistoryCorrupt:
    return HistoryCorrupt(
        Message(N_("History entry %(index)s: %(why)s."), {"index": index, "why": why})
    )
