"""Errors as part of the interface: JSON of one shape under /api, friendly pages elsewhere."""

from __future__ import annotations

import contextlib

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

#: The database cannot be reached (down, restarting, out of connections): a passing state.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)
#: Seconds a client is asked to wait before trying again while the database is away.
RETRY_AFTER = 30

#: Machine codes for the plain HTTP errors.
_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(Exception):
    """An error with an HTTP status, a machine code, a message and per-field messages."""

    def __init__(
        self,
        status: int,
        message: str,
        code: str | None = None,
        fields: dict | None = None,
        extra: dict | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or _CODES.get(status, "error")
        self.fields = fields or {}
        self.extra = extra or {}

    def to_dict(self) -> dict:
        body: dict = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        body.update(self.extra)
        return {"error": body}


class NotFound(LookupError):
    """A loader found nothing the viewer may see (or nothing at all: the two look alike).

    Read layers (``*/queries.py``) raise it; each edge answers its own 404: the pages their
    error page, the API its JSON error with this message.
    """

    def __init__(self, message: str | None = None):
        super().__init__(message)
        self.message = message or _("Not found.")


class ValidationFailed(ApiError):
    def __init__(self, fields: dict, message: str | None = None):
        super().__init__(422, message or _("Some fields are not valid."), "invalid", fields)


def wants_json() -> bool:
    return request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json")


def _default_message(status: int) -> str:
    return {
        400: _("The request could not be understood."),
        401: _("Please sign in."),
        403: _("You are not allowed to do this."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        409: _("This conflicts with the current state."),
        413: _("The upload is too large."),
        429: _("Too many attempts. Please wait a minute and try again."),
        500: _("Something went wrong on our side."),
    }.get(status, _("Error."))


def error_response(status: int, message: str | None = None, code: str | None = None):
    message = message or _default_message(status)
    if wants_json():
        return jsonify(ApiError(status, message, code).to_dict()), status
    return render_template("errors/error.html", status=status, message=message), status


def register(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        if wants_json():
            return jsonify(exc.to_dict()), exc.status
        return render_template("errors/error.html", status=exc.status, message=exc.message), (
            exc.status
        )

    @app.errorhandler(NotFound)
    def _not_found(exc: NotFound):
        # The edges map it themselves; this is the fallback for any other blueprint.
        return error_response(404, exc.message if wants_json() else None)

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        return error_response(
            400, _("The form expired or was not sent from this site. Please try again."), "csrf"
        )

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        status = exc.code or 500
        message = None
        if status == 413:
            limit = app.config.get("MAX_CONTENT_LENGTH") or 0
            message = _("The upload is too large (at most %(mb)s MB).", mb=limit // (1024 * 1024))
        elif status == 429:
            message = None
        body, status = error_response(status, message)
        response = app.make_response((body, status))
        # Werkzeug's own headers of the error: ``Allow`` on a 405, ``Retry-After`` on a 429…
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    def _unavailable(exc: Exception):
        # One line in the log, not a traceback per request while the database is away.
        app.logger.warning(
            "database unavailable: %s: %s", type(exc).__name__, str(exc).splitlines()[0][:200]
        )
        from ..extensions import db

        # The connection is gone; there may be nothing to roll back.
        with contextlib.suppress(Exception):
            db.session.rollback()
        message = _("The service is briefly unavailable. Please try again in a minute.")
        if wants_json():
            response = jsonify(ApiError(503, message, "unavailable").to_dict())
        else:
            # A page of its own: the site's layout asks the database (navigation, account).
            response = app.make_response(
                render_template("errors/unavailable.html", message=message)
            )
        response.status_code = 503
        response.headers["Retry-After"] = str(RETRY_AFTER)
        return response

    for exc_class in DATABASE_UNAVAILABLE:
        app.register_error_handler(exc_class, _unavailable)

    @app.errorhandler(StaleDataError)
    def _stale(exc: StaleDataError):
        # A versioned row (profile, invitation, opinion, consolidation) changed between our
        # read and our write, and no operation answered the race itself: still a conflict,
        # not a crash, and nothing of this request was kept.
        from ..extensions import db

        db.session.rollback()
        return error_response(
            409,
            _("Someone else changed this meanwhile, so nothing was saved. Reload and try again."),
            "version_conflict",
        )

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        app.logger.exception("unhandled error")
        from ..extensions import db

        db.session.rollback()
        return error_response(500)
