"""Translated messages that also work outside a request (the command line).

Flask-Babel picks the language from the request; a CLI command has none, so there the
English source text is used. The helper is called ``_`` so that message extraction finds
every string as usual.
"""

from __future__ import annotations

from flask import has_request_context
from flask_babel import gettext


def _(message: str, **params: object) -> str:
    """The message in the user's language inside a request, else in English."""
    if has_request_context():
        return gettext(message, **params)
    return message % params if params else message
