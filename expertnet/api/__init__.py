"""The JSON API under /api/v1: authentication, body parsing, validation, pagination."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, g, request
from flask_babel import gettext as _
from flask_login import current_user

from ..core.errors import ApiError
from ..core.web import (  # noqa: F401 - the API modules import them from here
    MAX_PER_PAGE,
    doc,
    int_arg,
    json_body,
    load,
    page_args,
    page_of,
)
from ..extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Bearer-token clients carry no cookie, so CSRF cannot apply to them; browser sessions
# writing to the API are checked in ``_csrf_for_sessions`` below.
csrf.exempt(bp)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@bp.before_request
def _csrf_for_sessions():
    if request.method in SAFE_METHODS:
        return
    # Resolve the user first: that is what marks a bearer-token request.
    if current_user.is_authenticated and not g.get("token_auth"):
        csrf.protect()


def require_login(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            raise ApiError(401, _("Please sign in or send an API token."))
        return view(*args, **kwargs)

    return wrapped


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
