"""``_()`` for the panel's domain code: translated in a request, plain English outside one.

Suggestions and conflicts are also computed by the benchmark and by command-line tools,
where no request (hence no chosen language) exists; Flask-Babel's ``gettext`` would fail
there because the app's locale selector reads the request.
"""

from __future__ import annotations

from flask import has_request_context
from flask_babel import gettext


def _(message: str, **variables: object) -> str:
    if has_request_context():
        return gettext(message, **variables)
    return message % variables if variables else message


class LazyText:
    """A message translated only when shown: most exclusion and conflict reasons never are.

    Deliberately without ``__html__``: templates escape it like any other text.
    """

    __slots__ = ("message", "variables")

    def __init__(self, message: str, variables: dict[str, object]) -> None:
        self.message = message
        self.variables = variables

    def __str__(self) -> str:
        return _(self.message, **self.variables)

    def __repr__(self) -> str:
        return f"LazyText({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyText | str):
            return str(self) == str(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(str(self))

    def __contains__(self, item: str) -> bool:
        return item in str(self)


def _l(message: str, **variables: object) -> LazyText:
    """Like ``_``, translated when the text is shown (``str()``), not when it is made."""
    return LazyText(message, variables)
