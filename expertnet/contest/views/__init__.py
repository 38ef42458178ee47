"""The contest's pages, one module per role: public, author, secretariat, judge and board.

Views stay thin, as in the consultation: load the object (404 when the viewer may not
see it), check the permission the model or the engine gives, then post through the one
form path (:func:`form_action`, on ``core.actions.form_action``): call the operation the
API calls too, commit once, redirect with a flash. A refusal is shown on the form it came
from, naming the field; a stale ``version`` shows the fresh page with nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from workflows import EditionAction, EditionState, EntryAction, EntryState

from ...core.actions import Page
from ...core.actions import form_action as core_form_action
from ...core.errors import ApiError
from ...core.i18n import tr
from ...extensions import db
from ..models import Edition, Entry, JudgeState

bp = Blueprint("contest", __name__, url_prefix="/contests")


@bp.record_once
def _template_helpers(state) -> None:
    state.app.jinja_env.globals.update(
        {
            "edition_state_label": lambda v: tr(EditionState(v).label),
            "entry_state_label": lambda v: tr(EntryState(v).label),
            "edition_action_label": lambda v: tr(EditionAction(v).label),
            "entry_action_label": lambda v: tr(EntryAction(v).label),
            "judge_state_label": lambda v: JudgeState(v).label,
        }
    )


def edition_or_404(edition_id: int) -> Edition:
    edition = db.session.get(Edition, edition_id)
    if edition is None or not edition.can_view(current_user):
        abort(404)
    return edition


def entry_or_404(entry_id: int) -> Entry:
    entry = db.session.get(Entry, entry_id)
    if entry is None or not entry.can_view(current_user):
        abort(404)
    return entry


def version_of(form) -> int | None:
    try:
        return int(form.version.data)
    except (TypeError, ValueError):
        return None


def stale(url: str) -> Response:
    """Someone acted first: show the fresh page, nothing changed."""
    db.session.rollback()
    flash(
        _(
            "Someone else acted here meanwhile, so nothing was changed. "
            "This is the current state; please check it and try again."
        ),
        "warning",
    )
    return redirect(url, 303)


def put_errors(form, exc: ApiError, names: Mapping[str, Any] | None = None) -> None:
    """An operation's refusal on the fields it names, else as a message on the page."""
    for key, message in (exc.fields or {}).items():
        base = key.split("[")[0].split(".")[0]
        target = (names or {}).get(key) or (names or {}).get(base) or form._fields.get(base)
        if target is None:
            flash(f"{key}: {message}", "error")
            continue
        target.errors = [*list(target.errors or []), str(message)]
    if not exc.fields:
        flash(exc.message, "error")


def comment_payload(text: str | None) -> dict[str, str]:
    """A workflow action's body from a form: the comment typed, if any."""
    comment = (text or "").strip()
    return {"comment": comment} if comment else {}


def edition_url(edition: Edition) -> str:
    return url_for("contest.edition", edition_id=edition.id)


def entry_url(entry: Entry) -> str:
    return url_for("contest.entry", entry_id=entry.id)


def form_action(
    form,
    run: Callable[[], Any],
    ok_message: str | Callable[[Any], str],
    *,
    on_error: Callable[[int], Page],
    redirect_to: str | Callable[[Any], str],
    fresh_for: Edition | Entry | None = None,
    stale_to: str | None = None,
    conflict_to: str | None = None,
    names: Mapping[str, Any] | None = None,
    put: Callable[[Any, ApiError], Any] | None = None,
    before: Callable[[], Page | None] | None = None,
    on_refusal: Callable[[ApiError], Page | None] | None = None,
) -> Page:
    """A contest form's one path (``core.actions.form_action``) with the edition's or entry's
    version.

    - ``fresh_for``: the form's ``version`` must be that object's, else the fresh page
      (``stale_to``, by default ``redirect_to``) is shown and nothing runs; ``before`` may
      then answer instead (a missing file, say);
    - ``conflict_to``: an operation's version conflict shows that page fresh too;
    - ``names`` maps the operation's field names to form fields for its refusals, or ``put``
      shows a refusal its own way; ``on_refusal`` may answer a refusal instead.
    """

    def fresh() -> Page | None:
        if fresh_for is not None and version_of(form) != fresh_for.version:
            return stale(stale_to or redirect_to)  # type: ignore[arg-type]
        return before() if before is not None else None

    def refused(exc: Exception) -> Page | None:
        if conflict_to is not None and getattr(exc, "code", None) == "version_conflict":
            return stale(conflict_to)
        return on_refusal(exc) if on_refusal is not None else None  # type: ignore[arg-type]

    return core_form_action(
        form,
        run,
        ok_message,
        on_error=on_error,
        redirect_to=redirect_to,
        put_errors=put or (lambda form, exc: put_errors(form, exc, names)),
        before=fresh,
        on_refusal=refused,
    )


def add_document(
    edition: Edition, entry, obj, render: Callable[[Any, int], Page], back: str
) -> Page:
    """The upload form's one path for an edition's and an entry's documents: checked form,
    the ``obj``'s version (edition or entry), a chosen file, then ``ops.add_document``."""
    from .. import operations as ops
    from ..forms import UploadForm

    form = UploadForm()

    def chosen() -> Page | None:
        upload = form.file.data
        if upload is None or not getattr(upload, "filename", ""):
            form.file.errors = [_("Choose a file.")]
            return render(form, 422)
        return None

    return form_action(
        form,
        lambda: ops.add_document(
            edition, entry, current_user, form.file.data.filename, form.file.data.stream
        ),
        _("The document was added."),
        on_error=lambda status: render(form, status),
        redirect_to=back,
        fresh_for=obj,
        before=chosen,
    )


from . import author, board, files, judge, public, secretariat  # noqa: E402, F401  (routes)
