"""Input the database cannot store is refused at the door, once for every route.

Ids are 32-bit integers in the database and PostgreSQL refuses NUL in text, so a larger
number or a NUL would otherwise reach a query and end in a 500 (with a traceback in the
log). Here: path ids above the range do not match a route (404); a query-string number
above it answers 404 for ``page`` (no such page) and 422 naming the parameter otherwise;
NUL anywhere in the query string, a form or a JSON body, and a JSON number outside the
range, answer 422 naming the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from flask import Flask, abort, request
from flask_babel import format_number
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

from .errors import ValidationFailed

#: The largest id (and whole number) a column of the database holds.
INT_MAX = 2**31 - 1

#: Query parameters that carry whole numbers or lists of ids ("1,2,3").
INT_PARAMS = frozenset(
    {"page", "per_page", "year", "agency", "organization", "expert", "size", "depth", "request"}
)
_NUMBER = re.compile(r"^\s*[+-]?\d+\s*$")


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` limited to 1 … 2³¹−1: a larger id is simply not found."""

    def __init__(self, map, fixed_digits=0, min=None, max=INT_MAX, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _walk(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, f"{path}.{i}" if path else str(i))
    else:
        yield path, value


def _nul() -> str:
    return _("Must not contain a NUL character.")


def _too_large() -> str:
    return _("Must be at most %(n)s.", n=format_number(INT_MAX))


def check_request_input() -> None:
    """Refuse a request whose input no column can hold (see the module docstring)."""
    errors: dict[str, str] = {}
    for key, value in request.args.items(multi=True):
        if "\x00" in value or "\x00" in key:
            errors[key.replace("\x00", "")] = _nul()
        elif key in INT_PARAMS:
            for part in value.split(","):
                if _NUMBER.match(part) and abs(int(part)) > INT_MAX:
                    if key == "page":
                        abort(404)
                    errors[key] = _too_large()
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            for key, value in request.form.items(multi=True):
                if "\x00" in value or "\x00" in key:
                    errors[key.replace("\x00", "")] = _nul()
        elif request.is_json:
            body = request.get_json(silent=True)
            for path, value in _walk(body, ""):
                if isinstance(value, str) and "\x00" in value:
                    errors[path or "body"] = _nul()
                elif (
                    isinstance(value, int) and not isinstance(value, bool) and abs(value) > INT_MAX
                ):
                    errors[path or "body"] = _too_large()
            if isinstance(body, dict) and any("\x00" in key for key in body):
                errors["body"] = _nul()
    if errors:
        raise ValidationFailed(errors)


def register(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request(check_request_input)
