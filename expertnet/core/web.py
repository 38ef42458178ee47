"""Helpers every web edge shares (pages, the JSON API, reports): query-string arguments,
paging, body validation and the OpenAPI facts on a view.

They live here, below both edges, so that a page, an API module or a service can use them
without importing the API package (``tests/test_layers.py``).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import request
from flask_babel import gettext as _
from marshmallow import Schema, ValidationError

from .errors import ApiError, ValidationFailed

MAX_PER_PAGE = 100


def doc(
    summary: str,
    *,
    body: type[Schema] | None = None,
    query: dict[str, str] | None = None,
    response: str | None = None,
    auth: bool = True,
    statuses: tuple[int, ...] = (),
) -> Callable:
    """Attach OpenAPI facts to a view; ``openapi.py`` reads them off the URL map."""

    def wrap(view):
        view._apidoc = {
            "summary": summary,
            "body": body,
            "query": query or {},
            "response": response,
            "auth": auth,
            "statuses": statuses,
        }
        return view

    return wrap


def json_body() -> dict:
    """The request's JSON object, or a 400 that says why not."""
    if not request.is_json:
        raise ApiError(400, _("Send a JSON body with Content-Type: application/json."))
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, _("The body must be a JSON object."))
    return data


def flatten_errors(messages) -> dict:
    out: dict = {}
    for key, value in messages.items():
        if isinstance(value, dict):
            # Nested: "recommendations.0.text"
            for sub, msg in flatten_errors(value).items():
                out[f"{key}.{sub}"] = msg
        elif isinstance(value, list):
            out[key] = _(str(value[0])) if value else _("Not valid.")
        else:
            out[key] = _(str(value))
    return out


def load(schema: Schema, data: dict, *, partial: bool = False) -> dict:
    """Validate ``data`` with ``schema``; a 422 naming each bad field otherwise."""
    try:
        return schema.load(data, partial=partial)
    except ValidationError as exc:
        raise ValidationFailed(flatten_errors(exc.messages)) from exc


def int_arg(
    name: str, default: int, *, minimum: int = 1, maximum: int | None = None, args=None
) -> int:
    """A whole-number argument (of the query string unless ``args`` is given), or a 422."""
    raw = (request.args if args is None else args).get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationFailed({name: _("Must be a whole number.")}) from None
    if value < minimum:
        raise ValidationFailed({name: _("Must be at least %(n)s.", n=minimum)})
    if maximum is not None:
        value = min(value, maximum)
    return value


def page_args(args=None) -> tuple[int, int]:
    """``page`` and ``per_page`` (of the query string by default); ``per_page`` is capped."""
    return (
        int_arg("page", 1, args=args),
        int_arg("per_page", 20, maximum=MAX_PER_PAGE, args=args),
    )


def page_of(items: list, total: int, page: int, per_page: int, **extra) -> dict:
    return {"items": items, "total": total, "page": page, "per_page": per_page, **extra}
