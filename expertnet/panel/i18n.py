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
