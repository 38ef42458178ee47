"""Large publication lists of an organisation, imported by a background job.

A confirmed list with more works than ``EXPERTNET_IMPORT_JOB_ROWS`` is imported by a
worker (or a thread of the app without a broker); its state (``running``, ``done`` with
the counts, ``failed`` with the reason) is kept beside the upload in the shared file
store, where the status page of any node reads it. Running it again is harmless: the
plan merges works already imported instead of adding them twice.
"""

from __future__ import annotations

from typing import Any

from ..audit.recorder import acting_as
from ..extensions import db
from ..jobs import job
from .importers import ImportFormatError, parse_file
from .operations import apply_plans, plan_organization_import
from .uploads import import_state, load_upload, set_import_state


@job
def import_organization_list(org_id: int, token: str, user_id: int) -> dict[str, Any]:
    state = import_state(token, org_id, user_id) or {}
    if state.get("state") in ("done", "failed"):
        return {"skipped": True}
    upload = load_upload(token, org_id, user_id, scope="org")
    if upload is None:
        set_import_state(token, state="failed", error="gone")
        return {"failed": "gone"}
    try:
        parsed = parse_file(upload.data, upload.filename)
    except ImportFormatError as exc:
        set_import_state(token, state="failed", error=str(exc))
        return {"failed": str(exc)}
    with acting_as(user_id):
        plans, rejected = plan_organization_import(
            db.session, org_id, parsed.works, parsed.rejected
        )
        apply_plans(db.session, plans)
        db.session.commit()
    result = {
        "created": sum(len(p.created) for p in plans),
        "merged": sum(len(p.merged) for p in plans),
        "rejected": len(rejected) + sum(len(p.rejected) for p in plans),
    }
    set_import_state(token, state="done", result=result)
    upload.discard_file()
    return result
