"""``_()`` for the scholarly record: translated in a request, plain English outside one (CLI)."""

from __future__ import annotations

from flask import has_request_context
from flask_babel import gettext


def _(message: str, **variables: object) -> str:
    if has_request_context():
        return gettext(message, **variables)
    return message % variables if variables else message
