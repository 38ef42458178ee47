"""Roster pages: import with a preview (liaisons and admins), exports (staff, liaisons)."""

from __future__ import annotations

import re
import tempfile

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_number, pgettext
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from ..core.errors import ApiError
from ..core.roles import STAFF
from ..directory.models import Organization, can_view_members
from ..extensions import db
from ..jobs import enqueue
from .export import MAX_SEARCH_EXPORT, export_rows, roster_ids, to_csv, to_xlsx
from .forms import ConfirmForm, UploadForm
from .importer import RosterImport
from .jobs import confirm_roster_import, job_rows
from .links import decide_link
from .messages import _
from .models import LinkState, PendingLink, RosterImportClaim, can_decide_links
from .queries import pending_links
from .reader import RosterError
from .uploads import find_report, load_upload, publish_report, save_upload

bp = Blueprint("roster", __name__)

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _file_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", text) or "roster"


def can_import_roster(user, organization: Organization) -> bool:
    """Admins, and the organisation's own liaison."""
    return organization.can_edit(user)


def _org_for_import(org_id: int) -> Organization:
    org = db.get_or_404(Organization, org_id)
    if not can_import_roster(current_user, org):
        abort(403)
    return org


@bp.route("/organizations/<int:org_id>/roster/import", methods=["GET", "POST"])
@login_required
def upload(org_id: int):
    org = _org_for_import(org_id)
    form = UploadForm()
    if form.validate_on_submit():
        stored = save_upload(
            form.file.data.stream, form.file.data.filename or "", org.id, current_user.id
        )
        try:
            with stored.local_copy() as path, tempfile.TemporaryDirectory() as reports:
                if path is None:
                    abort(404)
                job = RosterImport(db.session, org, path, dry_run=True, report_dir=reports)
                result = job.run()
                publish_report(result.report_path)
        except RosterError as exc:
            stored.discard_file()
            form.file.errors.append(str(exc))
        else:
            stored.meta["preview"] = result.preview()
            stored.save_meta()
            return redirect(url_for("roster.preview", org_id=org.id, token=stored.token))
        finally:
            db.session.rollback()
    return render_template("roster/import.html", org=org, form=form), (422 if form.errors else 200)


def _upload_or_404(org: Organization, token: str):
    stored = load_upload(token, org.id, current_user.id)
    if stored is None:
        abort(404)
    return stored


@bp.get("/organizations/<int:org_id>/roster/import/<token>")
@login_required
def preview(org_id: int, token: str):
    org = _org_for_import(org_id)
    stored = _upload_or_404(org, token)
    claim = db.session.get(RosterImportClaim, token)
    result = (claim.result if claim is not None else None) or stored.meta.get("result")
    failed = (result or {}).get("error")
    return render_template(
        "roster/preview.html",
        org=org,
        token=token,
        filename=stored.meta.get("filename"),
        preview=stored.meta.get("preview") or {},
        result=None if failed else result,
        failed=failed,
        # Claimed without a result: a worker is importing it (a large file).
        running=claim is not None and result is None,
        claimed_at=claim.claimed_at if claim is not None else None,
        form=ConfirmForm(),
    )


def _decisions(preview: dict) -> dict[int, str]:
    """The choices made on uncertain rows, limited to the options the preview offered."""
    out: dict[int, str] = {}
    for item in preview.get("uncertain_rows", []):
        choice = request.form.get(f"decision-{item['row']}", "skip")
        allowed = {"new"} | {c["ref"] for c in item["candidates"]}
        if choice in allowed:
            out[int(item["row"])] = choice
    return out


@bp.post("/organizations/<int:org_id>/roster/import/<token>")
@login_required
def confirm(org_id: int, token: str):
    org = _org_for_import(org_id)
    stored = _upload_or_404(org, token)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    already = redirect(url_for("roster.preview", org_id=org.id, token=token))
    if stored.meta.get("result") or not stored.exists() or not _claim(org, token):
        flash(_("This file was imported already."), "info")
        return already
    decisions = _decisions(stored.meta.get("preview") or {})
    if int((stored.meta.get("preview") or {}).get("rows") or 0) > job_rows(current_app):
        # A large file: the claim (no result yet: running) is committed now, a worker
        # imports it, and the preview page shows the state until the result is there.
        db.session.commit()
        enqueue(
            confirm_roster_import,
            org.id,
            token,
            current_user.id,
            {str(row): choice for row, choice in decisions.items()},
        )
        flash(
            _(
                "The file is large: it is being imported in the background. "
                "This page shows the result when it is done."
            ),
            "info",
        )
        return already
    try:
        with stored.local_copy() as path, tempfile.TemporaryDirectory() as reports:
            if path is None:
                abort(404)
            job = RosterImport(db.session, org, path, decisions=decisions, report_dir=reports)
            result = job.run()
            db.session.get(RosterImportClaim, token).result = result.preview()
            db.session.commit()
            publish_report(result.report_path)
    except RosterError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("roster.upload", org_id=org.id))
    stored.meta["result"] = result.preview()
    stored.save_meta()
    stored.discard_file()
    flash(
        _(
            "Import finished: %(created)s created, %(updated)s updated, %(merged)s merged, "
            "%(rejected)s rejected.",
            created=result.created,
            updated=result.updated,
            merged=result.merged,
            rejected=result.rejected,
        ),
        "success",
    )
    return redirect(url_for("roster.preview", org_id=org.id, token=token))


def _claim(org: Organization, token: str) -> bool:
    """Claim this upload's confirmation in the database: True for the one that may import.

    The claim row is inserted in the import's own transaction. A second confirmation at
    the same moment waits on the first one's insert and, once that commits, fails on
    the primary key (it then answers with the first result); if the first rolls back,
    the second proceeds. Nothing is imported twice, and no error reaches the user.
    """
    if db.session.get(RosterImportClaim, token) is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(
                RosterImportClaim(token=token, organization_id=org.id, user_id=current_user.id)
            )
    except IntegrityError:
        return False
    return True


@bp.get("/organizations/<int:org_id>/roster/reports/<token>.csv")
@login_required
def report(org_id: int, token: str):
    org = _org_for_import(org_id)
    data = find_report(token, org.id)
    if data is None:
        abort(404)
    # Read whole (reports are small) rather than streamed: the file handle never outlives us.
    response = Response(data, mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="roster-report-{_file_name(org.code)}.csv"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


# --- exports -------------------------------------------------------------------------------


def _download(rows, fmt: str, name: str, sheet: str) -> Response:
    if fmt == "csv":
        response = Response(to_csv(rows), mimetype="text/csv")
        response.charset = "utf-8"
    else:
        response = Response(to_xlsx(rows, title=sheet), mimetype=_XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/organizations/<int:org_id>/roster.<any(csv, xlsx):fmt>")
@login_required
def roster_export(org_id: int, fmt: str):
    org = db.get_or_404(Organization, org_id)
    if not can_view_members(current_user, org):
        abort(403)
    ids = roster_ids(db.session, org.id)
    return _download(
        export_rows(db.session, ids, current_user, org.id),
        fmt,
        f"roster-{_file_name(org.code)}",
        pgettext("spreadsheet sheet", "Roster"),
    )


def _search_ids() -> list[int]:
    """Every id the search finds, in its order, page by page."""
    from ..search.service import search_experts

    ids: list[int] = []
    page = 1
    while True:
        args = MultiDict(request.args)
        args.setlist("page", [str(page)])
        args.setlist("per_page", ["100"])
        result = search_experts(args, current_user)
        if result["total"] > MAX_SEARCH_EXPORT:
            raise ApiError(
                422,
                _(
                    "The search found %(n)s experts; narrow it to at most %(max)s to export.",
                    n=format_number(result["total"]),
                    max=format_number(MAX_SEARCH_EXPORT),
                ),
                "too_many_rows",
            )
        ids.extend(item["id"] for item in result["items"])
        if not result["items"] or len(ids) >= result["total"]:
            return ids
        page += 1


@bp.get("/experts/export.<any(csv, xlsx):fmt>")
@login_required
def search_export(fmt: str):
    if current_user.role not in STAFF:
        abort(403)
    ids = list(dict.fromkeys(_search_ids()))
    sheet = pgettext("spreadsheet sheet", "Experts")
    return _download(export_rows(db.session, ids, current_user), fmt, "experts", sheet)


# --- links to people of other organisations (coordinators) ------------------------------------


def _links_or_403():
    if not can_decide_links(current_user):
        abort(403)


@bp.get("/roster/links")
@login_required
def links():
    _links_or_403()
    state = request.args.get("state", LinkState.pending.value)
    if state not in LinkState.values():
        state = LinkState.pending.value
    rows = pending_links(state)
    return render_template(
        "roster/links.html", links=rows, state=state, states=list(LinkState), form=ConfirmForm()
    )


@bp.post("/roster/links/<int:link_id>/<any(confirm, reject):decision>")
@login_required
def decide(link_id: int, decision: str):
    _links_or_403()
    link = db.get_or_404(PendingLink, link_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        decide_link(db.session, link, current_user, confirm=decision == "confirm")
        db.session.commit()
    except ApiError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("roster.links"))
    if decision == "confirm":
        # The new membership reaches every node's index through the change log (search.hooks).
        flash(
            _("The person now belongs to the roster of %(org)s.", org=link.organization.name),
            "success",
        )
    else:
        flash(_("The link was rejected; the roster is unchanged."), "info")
    return redirect(url_for("roster.links"))
