"""The public pages: the editions, one edition (rules, fields, dates, criteria, awards), results."""

from __future__ import annotations

from flask import abort, render_template
from flask_login import current_user

from ...consultation import documents as files
from ...core.storage import current_store
from ...extensions import db
from .. import decision, queries, results
from .. import operations as ops
from ..models import ContestDocument, can_run_contests
from . import Page, bp, edition_or_404


@bp.get("/")
def editions() -> Page:
    """Every announced edition (and drafts for the secretariat), newest first."""
    return render_template(
        "contest/list.html",
        editions=queries.editions_for(current_user),
        can_create=can_run_contests(current_user),
    )


@bp.get("/<int:edition_id>")
def edition(edition_id: int) -> Page:
    """An edition's rules, fields, dates, criteria and awards; the entries the viewer may see."""
    ed = edition_or_404(edition_id)
    entries = [e for e in ed.entries if e.can_view(current_user)]
    return render_template(
        "contest/detail.html",
        edition=ed,
        entries=entries,
        can_file=ops.can_file_entry(ed, current_user),
        is_secretariat=can_run_contests(current_user),
        is_board=current_user.is_authenticated and current_user.id in {m.user_id for m in ed.board},
        results_visible=results.can_view_results(ed, current_user),
    )


@bp.get("/<int:edition_id>/results")
def edition_results(edition_id: int) -> Page:
    """The results by field: public once published, for the secretariat and board before."""
    ed = edition_or_404(edition_id)
    if not results.can_view_results(ed, current_user):
        abort(404)
    by_field: dict = {}
    for line in results.lines_of(ed):
        by_field.setdefault(line.entry.field, []).append(line)
    return render_template(
        "contest/results.html",
        edition=ed,
        by_field=by_field,
        published=results.is_public(ed),
        final=decision.is_available(ed),
    )


@bp.get("/documents/<int:document_id>")
def document(document_id: int):
    """A file of an edition (public once announced) or of an entry (those who see the entry)."""
    doc = db.session.get(ContestDocument, document_id)
    if doc is None or not doc.can_download(current_user):
        abort(404)
    response = current_store().download(
        files.key_for(doc.sha256), mimetype=doc.media_type, download_name=doc.filename
    )
    if response is None:
        abort(404)
    return response
