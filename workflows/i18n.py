"""Translation markers and translatable messages, without depending on Flask-Babel."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


def N_(string: str) -> str:
    """Mark a string for extraction (``pybabel extract -k N_``) and return it untranslated."""
    return string


class ContextStr(str):
    """An English message that also names the sense it is used in (gettext's ``msgctxt``).

    It is still the plain English string; a translator that knows contexts (the app's
    ``tr``) looks it up with ``pgettext(context, message)``.
    """

    context: str

    def __new__(cls, message: str, context: str) -> ContextStr:
        obj = super().__new__(cls, message)
        obj.context = context
        return obj


def NC_(context: str, string: str) -> ContextStr:
    """Mark a string with its context for extraction (``pybabel extract -k NC_:1c,2``)."""
    return ContextStr(string, context)


def _identity(string: str) -> str:
    return string


@dataclass(frozen=True)
class Message:
    """An English message template with ``%(name)s`` parameters, translated by the caller.

    The engine cannot call Flask-Babel, so it hands over the template and its
    parameters; the app renders with ``message.render(flask_babel.gettext)``.
    """

    template: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Read-only copy: a message travels inside exceptions and must not change.
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    def render(self, translate: Callable[[str], str] = _identity) -> str:
        """The message in the language of ``translate`` (English by default).

        A parameter that is itself a :class:`Message` (a state's or action's label) is
        translated too, so no English word is left inside a Vietnamese sentence.
        """
        text = translate(self.template)
        if not self.params:
            return text
        params = {name: _render_param(value, translate) for name, value in self.params.items()}
        return text % params

    def __str__(self) -> str:
        return self.render()


def _render_param(value: Any, translate: Callable[[str], str]) -> Any:
    """A parameter in the language of ``translate``; a tuple of messages becomes a list."""
    if isinstance(value, Message):
        return value.render(translate)
    if isinstance(value, tuple) and value and all(isinstance(v, Message) for v in value):
        return ", ".join(v.render(translate) for v in value)
    return value
