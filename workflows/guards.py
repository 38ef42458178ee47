"""Guards (conditions of a transition) and the per-kind policy that parametrises them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Any, Protocol

from .errors import GuardFailure
from .i18n import N_, Message
from .model import Actor, PanelRole, RequestFacts, ResponseStatus


@dataclass(frozen=True)
class GuardContext:
    """Everything a guard may look at; guards are pure functions of it."""

    # The workflow's own facts: RequestFacts for the consultation, EditionFacts/EntryFacts
    # for the contest; each guard reads the attributes of the workflow it belongs to.
    facts: Any
    actor: Actor
    payload: Mapping[str, Any]
    now: datetime
    policy: Any

    @property
    def comment(self) -> str:
        """The payload's comment, stripped; empty when missing or not a string."""
        value = self.payload.get("comment")
        return value.strip() if isinstance(value, str) else ""


GuardCheck = Callable[[GuardContext], GuardFailure | None]


@dataclass(frozen=True)
class Guard:
    """A named condition of a transition.

    ``needs_payload`` marks guards about the caller's input (a comment, the
    responses): :func:`workflows.allowed_actions` cannot know the input in advance,
    so it evaluates only the other guards.
    """

    name: str
    check: GuardCheck
    needs_payload: bool = False

    def __call__(self, ctx: GuardContext) -> GuardFailure | None:
        return self.check(ctx)


class Policy(Protocol):
    """What the engine reads from a kind's policy; the rest is for that workflow's guards."""

    @property
    def extra_guards(self) -> Mapping[str, tuple[Guard, ...]]: ...


@dataclass(frozen=True)
class KindPolicy:
    """The numbers behind the guards, one policy per request kind.

    ``extra_guards`` adds conditions to some actions for this kind only, so a kind
    with stricter rules is a new policy, not a new ``if`` in the engine.
    """

    min_panel_size: int = 3
    required_panel_roles: frozenset[PanelRole] = frozenset({PanelRole.CHAIR})
    block_on_unresolved_conflicts: bool = True
    # Share of accepted members whose opinions suffice once the opinion deadline has passed.
    late_close_quorum: Fraction = Fraction(2, 3)
    late_close_needs_reason: bool = True
    # Answers that must say why; "adopted" speaks for itself.
    explanation_required_for: frozenset[ResponseStatus] = frozenset(
        {ResponseStatus.PARTIALLY_ADOPTED, ResponseStatus.NOT_ADOPTED}
    )
    extra_guards: Mapping[str, tuple[Guard, ...]] = field(default_factory=dict)


# --- the guards --------------------------------------------------------------------------


def _comment_required(ctx: GuardContext) -> GuardFailure | None:
    if ctx.comment:
        return None
    msg = Message(N_("Please give a reason."))
    return GuardFailure("comment_required", msg, status=422, fields={"comment": msg})


def _panel_complete(ctx: GuardContext) -> GuardFailure | None:
    panel, policy = ctx.facts.panel, ctx.policy
    missing_roles = sorted(policy.required_panel_roles - {seat.role for seat in panel})
    if len(panel) >= policy.min_panel_size and not missing_roles:
        return None
    msg = Message(
        N_(
            "The panel needs at least %(minimum)s accepted members including a %(roles)s; "
            "it has %(count)s."
        ),
        {
            "minimum": policy.min_panel_size,
            "roles": tuple(Message(r.label) for r in sorted(policy.required_panel_roles)),
            "count": len(panel),
        },
    )
    return GuardFailure("panel_incomplete", msg, fields={"panel": msg})


def _no_unresolved_conflicts(ctx: GuardContext) -> GuardFailure | None:
    count = ctx.facts.unresolved_conflicts
    if count <= 0 or not ctx.policy.block_on_unresolved_conflicts:
        return None
    msg = Message(
        N_("%(count)s declared conflict(s) of interest must be resolved first."),
        {"count": count},
    )
    return GuardFailure("unresolved_conflicts", msg, fields={"panel": msg})


def _submitted_share(facts: RequestFacts) -> tuple[int, int]:
    return sum(1 for seat in facts.panel if seat.opinion_submitted), len(facts.panel)


def _all_opinions_in(facts: RequestFacts) -> bool:
    submitted, total = _submitted_share(facts)
    return submitted == total


def _deadline_passed(ctx: GuardContext) -> bool:
    deadline = ctx.facts.opinion_deadline
    return deadline is not None and ctx.now >= deadline


def _opinions_in(ctx: GuardContext) -> GuardFailure | None:
    submitted, total = _submitted_share(ctx.facts)
    if total == 0:
        # Every member revoked after the review started: "all opinions in" would be vacuous.
        msg = Message(N_("No panel member has accepted, so there are no opinions to close on."))
        return GuardFailure("opinions_missing", msg)
    if submitted == total:
        return None
    # Fractions, not floats: 2 of 3 must meet a 2/3 quorum exactly.
    if _deadline_passed(ctx) and Fraction(submitted, total) >= ctx.policy.late_close_quorum:
        return None
    msg = Message(
        N_(
            "%(submitted)s of %(total)s opinions are submitted. The review can close when "
            "all are in, or after the opinion deadline with at least %(quorum)s of them."
        ),
        {"submitted": submitted, "total": total, "quorum": str(ctx.policy.late_close_quorum)},
    )
    return GuardFailure("opinions_missing", msg)


def _late_close_reason(ctx: GuardContext) -> GuardFailure | None:
    if _all_opinions_in(ctx.facts) or not ctx.policy.late_close_needs_reason or ctx.comment:
        return None
    msg = Message(N_("Closing the review with opinions missing needs a reason."))
    return GuardFailure("reason_required", msg, status=422, fields={"comment": msg})


def _has_consolidation(ctx: GuardContext) -> GuardFailure | None:
    if ctx.facts.has_consolidation:
        return None
    msg = Message(N_("The consolidated opinion has not been written yet."))
    return GuardFailure("consolidation_missing", msg)


def _four_eyes(ctx: GuardContext) -> GuardFailure | None:
    author = ctx.facts.consolidation_author_user_id
    if author is None or author != ctx.actor.user_id:
        return None
    msg = Message(N_("You wrote the consolidated opinion, so another approver must approve it."))
    return GuardFailure("four_eyes", msg, status=403)


def _responses_complete(ctx: GuardContext) -> GuardFailure | None:
    expected = ctx.facts.recommendation_ids
    raw = ctx.payload.get("responses")
    fields: dict[str, Message] = {}
    if not isinstance(raw, list | tuple):
        fields["responses"] = Message(N_("Give one answer for each recommendation."))
    else:
        seen: set[object] = set()
        for i, item in enumerate(raw):
            fields.update(_response_item_errors(ctx, i, item, expected, seen))
        missing = [rid for rid in expected if rid not in seen]
        if missing:
            fields["responses"] = Message(
                N_("Recommendations without an answer: %(ids)s."),
                {"ids": ", ".join(str(m) for m in missing)},
            )
    if not fields:
        return None
    msg = Message(N_("The response must answer each recommendation exactly once."))
    return GuardFailure("responses_invalid", msg, status=422, fields=fields)


def _response_item_errors(
    ctx: GuardContext, i: int, item: object, expected: tuple[int, ...], seen: set[object]
) -> dict[str, Message]:
    prefix = f"responses[{i}]"
    if not isinstance(item, Mapping):
        return {prefix: Message(N_("Each answer must be an object."))}
    errors: dict[str, Message] = {}
    rec = item.get("recommendation")
    # bool is an int in Python; True must not pass as recommendation 1.
    if isinstance(rec, bool) or rec not in expected:
        errors[f"{prefix}.recommendation"] = Message(
            N_("Not a recommendation of this opinion: %(id)s."), {"id": str(rec)}
        )
    elif rec in seen:
        errors[f"{prefix}.recommendation"] = Message(
            N_("Recommendation %(id)s is answered twice."), {"id": str(rec)}
        )
    else:
        seen.add(rec)
    raw_status = item.get("status")
    if not isinstance(raw_status, str) or raw_status not in {s.value for s in ResponseStatus}:
        errors[f"{prefix}.status"] = Message(
            N_("Choose adopted, partially_adopted or not_adopted.")
        )
        return errors
    status = ResponseStatus(raw_status)
    explanation = item.get("explanation")
    if explanation is not None and not isinstance(explanation, str):
        errors[f"{prefix}.explanation"] = Message(N_("The explanation must be text."))
    elif status in ctx.policy.explanation_required_for and not (explanation or "").strip():
        errors[f"{prefix}.explanation"] = Message(
            N_("Explain why the recommendation was not fully adopted.")
        )
    return errors


COMMENT_REQUIRED = Guard("comment_required", _comment_required, needs_payload=True)
PANEL_COMPLETE = Guard("panel_complete", _panel_complete)
NO_UNRESOLVED_CONFLICTS = Guard("no_unresolved_conflicts", _no_unresolved_conflicts)
OPINIONS_IN = Guard("opinions_in", _opinions_in)
LATE_CLOSE_REASON = Guard("late_close_reason", _late_close_reason, needs_payload=True)
HAS_CONSOLIDATION = Guard("has_consolidation", _has_consolidation)
FOUR_EYES = Guard("four_eyes", _four_eyes)
RESPONSES_COMPLETE = Guard("responses_complete", _responses_complete, needs_payload=True)
