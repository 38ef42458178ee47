"""Marshmallow validators whose messages are in the user's language."""

from __future__ import annotations

from typing import Any

from marshmallow import validate


class OneOf(validate.OneOf):
    """``OneOf`` whose refusal is translated; marshmallow's own message is English only.

    The allowed values are API values (``consultation``, ``critique`` …) and are listed
    as they must be sent.
    """

    def _format_error(self, value: Any) -> str:
        from flask_babel import gettext

        return gettext("Must be one of: %(choices)s.", choices=self.choices_text)
