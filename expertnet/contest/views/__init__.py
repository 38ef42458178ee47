"""The contest's pages, one module per role: public, author, secretariat, judge and board.

Views stay thin, as in the consultation: load the object (404 when the viewer may not
see it), check the permission the model or the engine gives, call the operation the API
calls too, commit once, redirect with a flash. A refusal is shown on the form it came
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

from ...core.errors import ApiError
from ...core.i18n import tr
from ...extensions import db
from ..models import Edition, Entry, JudgeState

bp = Blueprint("contest", __name__, url_prefix="/contests")

#: What a view answers: a page, a page with its status, or a redirect.
Page = str | tuple[str, int] | Response


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


def done(url: str, message: str) -> Response:
    flash(message, "success")
    return redirect(url, 303)


def edition_url(edition: Edition) -> str:
    return url_for("contest.edition", edition_id=edition.id)


def entry_url(entry: Entry) -> str:
    return url_for("contest.entry", entry_id=entry.id)


def add_document(
    edition: Edition, entry, obj, render: Callable[[Any, int], Page], back: str
) -> Page:
    """The upload form's one path for an edition's and an entry's documents: checked form,
    the ``obj``'s version (edition or entry), a chosen file, then ``ops.add_document``."""
    from ...core.actions import form_action
    from .. import operations as ops
    from ..forms import UploadForm

    form = UploadForm()

    def before() -> Page | None:
        if version_of(form) != obj.version:
            return stale(back)
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
        put_errors=put_errors,
        before=before,
    )


from . import author, board, files, judge, public, secretariat  # noqa: E402, F401  (routes)
