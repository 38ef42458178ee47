"""The JSON API under /api/v1: authentication, body parsing, validation, pagination."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Blueprint, g, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import Schema, ValidationError

from ..core.errors import ApiError, NotFound, ValidationFailed
from ..extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Bearer-token clients carry no cookie, so CSRF cannot apply to them; browser sessions
# writing to the API are checked in ``_csrf_for_sessions`` below.
csrf.exempt(bp)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_PER_PAGE = 100


@bp.before_request
def _csrf_for_sessions():
    if request.method in SAFE_METHODS:
        return
    # Resolve the user first: that is what marks a bearer-token request.
    if current_user.is_authenticated and not g.get("token_auth"):
        csrf.protect()


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


def require_login(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            raise ApiError(401, _("Please sign in or send an API token."))
        return view(*args, **kwargs)

    return wrapped


def require_role(*roles: str):
    def deco(view):
        @wraps(view)
        @require_login
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                raise ApiError(403, _("Your role may not do this."))
            return view(*args, **kwargs)

        return wrapped

    return deco


def json_body() -> dict:
    """The request's JSON object, or a 400 that says why not."""
    if not request.is_json:
        raise ApiError(400, _("Send a JSON body with Content-Type: application/json."))
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, _("The body must be a JSON object."))
    return data


def optional_body() -> dict:
    """The JSON body of an action, or an empty one when nothing was sent."""
    if not request.get_data(cache=True):
        return {}
    return json_body()


def _flatten(messages) -> dict:
    out: dict = {}
    for key, value in messages.items():
        if isinstance(value, dict):
            # Nested: "recommendations.0.text"
            for sub, msg in _flatten(value).items():
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
        raise ValidationFailed(_flatten(exc.messages)) from exc


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


def paged(pagination, serialize: Callable, **extra) -> dict:
    """A read layer's ``Pagination`` as the API's page: each item through ``serialize``."""
    return page_of(
        [serialize(x) for x in pagination.items],
        pagination.total,
        pagination.page,
        pagination.per_page,
        **extra,
    )


@bp.errorhandler(NotFound)
def _not_found(exc: NotFound):
    """A read layer's not-found as the API's JSON 404, with the loader's message."""
    return jsonify(ApiError(404, exc.message).to_dict()), 404


from ..contest import api as _contest_api  # noqa: E402,F401 - /contests and /entries
from ..reports import api as _reports_api  # noqa: E402,F401 - activity report and letters
from ..scholarly import api as _scholarly_api  # noqa: E402,F401 - the scholarly record
from . import (  # noqa: E402,F401 - routes register on ``bp``
    access,
    consultation,
    directory,
    meta,
    panel,
)
