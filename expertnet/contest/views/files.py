"""The contest's documents as pages: the decision on the awards and the certificates.

Registered on the contest pages' blueprint. Public once the results are published; the
secretariat and the board read them from the approval on (see :mod:`expertnet.contest.decision`).
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from ...extensions import db
from .. import decision
from ..models import Edition, Entry
from . import bp

FORMATS = ("docx", "pdf")


def _edition_for_files(edition_id: int) -> Edition:
    edition = db.session.get(Edition, edition_id)
    if edition is None or not decision.can_download(edition, current_user):
        abort(404)
    return edition


@bp.get("/<int:edition_id>/decision.<fmt>")
def decision_file(edition_id: int, fmt: str):
    """The decision on the awards, as DOCX or PDF."""
    if fmt not in FORMATS:
        abort(404)
    return decision.decision_response(_edition_for_files(edition_id), fmt)


@bp.get("/entries/<int:entry_id>/certificates/<int:author_id>.<fmt>")
def certificate_file(entry_id: int, author_id: int, fmt: str):
    """The certificate of one author of an awarded entry, as DOCX or PDF."""
    entry = db.session.get(Entry, entry_id)
    if fmt not in FORMATS or entry is None:
        abort(404)
    edition = _edition_for_files(entry.edition_id)
    found = decision.awarded_author(entry, author_id)
    if found is None:
        abort(404)
    return decision.certificate_response(edition, *found, fmt)
