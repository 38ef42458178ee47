"""Large roster imports as background jobs (``expertnet.jobs``).

A confirmation of a file with more rows than ``EXPERTNET_IMPORT_JOB_ROWS`` (2,000 by
default) is claimed on the request (its ``RosterImportClaim`` row, with no result yet,
says "running"), then imported by a worker; the preview page shows the state until the
result is there. The job is idempotent: a claim that already has its result is done.
"""

from __future__ import annotations

import tempfile
from typing import Any

from flask import Flask

from ..audit.recorder import acting_as
from ..directory.models import Organization
from ..extensions import db
from ..jobs import job
from .importer import RosterImport
from .messages import _
from .models import RosterImportClaim
from .reader import RosterError
from .uploads import load_upload, publish_report

#: Confirmations of files with more rows than this run as jobs.
DEFAULT_JOB_ROWS = 2000


def job_rows(app: Flask) -> int:
    return int(app.config.get("EXPERTNET_IMPORT_JOB_ROWS") or DEFAULT_JOB_ROWS)


@job
def confirm_roster_import(
    org_id: int, token: str, user_id: int, decisions: dict[str, str]
) -> dict[str, Any]:
    """Import a previewed, claimed upload; the claim's ``result`` records how it went."""
    claim = db.session.get(RosterImportClaim, token)
    if claim is None or claim.result is not None:
        return {"skipped": True}  # not claimed, or done by an earlier delivery
    org = db.session.get(Organization, org_id)
    stored = load_upload(token, org_id, user_id)
    if org is None or stored is None or not stored.exists():
        claim.result = {"error": _("The uploaded file is gone; upload it again.")}
        return claim.result
    try:
        with (
            acting_as(user_id),
            stored.local_copy() as path,
            tempfile.TemporaryDirectory() as reports,
        ):
            if path is None:
                raise RosterError(_("The uploaded file is gone; upload it again."))
            result = RosterImport(
                db.session,
                org,
                path,
                decisions={int(row): choice for row, choice in decisions.items()},
                report_dir=reports,
            ).run()
            claim.result = result.preview()
            db.session.commit()
            publish_report(result.report_path)
    except RosterError as exc:
        db.session.rollback()
        claim = db.session.get(RosterImportClaim, token)
        claim.result = {"error": str(exc)}
        return claim.result
    stored.meta["result"] = claim.result
    stored.save_meta()
    stored.discard_file()
    return {"created": result.created, "updated": result.updated, "merged": result.merged}
