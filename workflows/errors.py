"""Typed refusals; each carries the HTTP status and error code the API answers with."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from .i18n import N_, Message


def _label(member: object) -> Message | str:
    """A state's or action's translatable label; a variant's enum without labels shows its value."""
    label = getattr(member, "label", None)
    return Message(label) if isinstance(label, str) else str(member)


class WorkflowError(Exception):
    """Base of every refusal; nothing was changed when one is raised.

    ``status`` and ``code`` map straight onto API.md's error body
    ``{"error": {"code": code, "message": message, "fields": fields}}``;
    ``message`` and the values of ``fields`` are :class:`Message` objects that the
    app renders with ``.render(gettext)``.
    """

    status: int = 409
    code: str = "workflow_error"

    def __init__(
        self,
        message: Message,
        *,
        fields: Mapping[str, Message] | None = None,
        code: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(str(message))
        self.message = message
        self.fields: Mapping[str, Message] = MappingProxyType(dict(fields or {}))
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status

    def to_dict(self, translate: Callable[[str], str] | None = None) -> dict[str, Any]:
        """API.md's error body, rendered with ``translate`` (e.g. ``flask_babel.gettext``)."""

        def render(message: Message) -> str:
            return message.render(translate) if translate else message.render()

        return {
            "error": {
                "code": self.code,
                "message": render(self.message),
                "fields": {name: render(m) for name, m in self.fields.items()},
            }
        }


class UnknownAction(WorkflowError):
    """The action name is not one of the workflow's actions (``/actions/nonsense``)."""

    status = 404
    code = "unknown_action"


class UnknownKind(WorkflowError):
    """The request's kind has no policy in this workflow."""

    status = 422
    code = "unknown_kind"


class VersionConflict(WorkflowError):
    """The client acted on a stale version; answer 409 with the fresh request."""

    status = 409
    code = "version_conflict"

    def __init__(self, *, expected: int, current: int, state: str) -> None:
        super().__init__(
            Message(
                N_(
                    "The request was changed by someone else (version %(current)s, "
                    "you had %(expected)s). Reload it and try again."
                ),
                {"current": current, "expected": expected},
            )
        )
        self.expected_version = expected
        self.current_version = current
        self.current_state = state


class TransitionNotAllowed(WorkflowError):
    """No transition for this action from the current state (409)."""

    status = 409
    code = "invalid_transition"

    def __init__(self, *, state: str, action: str) -> None:
        super().__init__(
            Message(
                N_("The action “%(action)s” is not possible while the request is %(state)s."),
                {"action": _label(action), "state": _label(state)},
            )
        )
        self.state = state
        self.action = action


class ActionForbidden(WorkflowError):
    """The transition exists but this actor's roles and relation do not allow it (403)."""

    status = 403
    code = "forbidden"

    def __init__(self, *, state: str, action: str) -> None:
        super().__init__(
            Message(
                N_("You are not allowed to “%(action)s” this request."),
                {"action": _label(action)},
            )
        )
        self.state = state
        self.action = action


class GuardFailed(WorkflowError):
    """A condition of the transition does not hold; ``failures`` lists every one of them.

    ``status`` is the most serious of the failures: 403 (four eyes: this actor may
    never do it), then 409 (the request is not ready, e.g. the panel is incomplete),
    then 422 (the payload is incomplete; ``fields`` names each bad field).
    """

    code = "guard_failed"

    def __init__(self, failures: tuple[GuardFailure, ...]) -> None:
        if not failures:
            raise ValueError("GuardFailed needs at least one failure")
        fields: dict[str, Message] = {}
        for failure in failures:
            for name, msg in failure.fields.items():
                fields.setdefault(name, msg)
        worst = min(failures, key=lambda f: _STATUS_RANK.get(f.status, 99))
        super().__init__(worst.message, fields=fields, code=worst.code, status=worst.status)
        self.failures = failures


# Lower rank wins when several guards fail at once.
_STATUS_RANK = {403: 0, 409: 1, 422: 2}


class HistoryCorrupt(WorkflowError):
    """A stored history does not follow the transition table; a data problem, not a user's."""

    status = 500
    code = "history_corrupt"


class GuardFailure:
    """One failed condition: why, in which fields, and how serious (HTTP status)."""

    __slots__ = ("code", "fields", "message", "status")

    def __init__(
        self,
        code: str,
        message: Message,
        *,
        status: int = 409,
        fields: Mapping[str, Message] | None = None,
    ) -> None:
        self.code = code
        self.message = message
        self.status = status
        self.fields: Mapping[str, Message] = MappingProxyType(dict(fields or {}))

    def __repr__(self) -> str:
        return f"GuardFailure({self.code!r}, {str(self.message)!r}, status={self.status})"
