"""Home page for each role, language switch, and the health check."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import text

from ..core.i18n import LANG_COOKIE
from ..core.roles import MANAGERS, STAFF
from ..core.urls import safe_next
from ..core.web import doc
from ..directory.queries import union_figures
from ..extensions import db

bp = Blueprint("main", __name__)


def nav_items() -> list[tuple[str, str]]:
    """The main navigation: the directory, the role's own work, then the union's views."""
    from flask_babel import gettext as _

    role = current_user.role if current_user.is_authenticated else None
    items = [("directory.search", _("Experts")), ("directory.organizations", _("Organisations"))]
    items += {
        "agency": [("consultation.my_requests", _("My requests"))],
        "coordinator": [("consultation.workbench", _("Workbench"))],
        "admin": [("consultation.workbench", _("Workbench"))],
        "expert": [("consultation.expert_inbox", _("My panels"))],
        "approver": [("consultation.approvals", _("Approvals"))],
    }.get(role or "", [])
    if role and role != "expert" and current_user.has_role("expert"):
        items.append(("consultation.expert_inbox", _("My panels")))
    if role and current_user.has_role("expert") and current_user.person_id is not None:
        items.append(("contest.my_judging", _("Contest judging")))
    elif role in ("agency", "liaison"):
        items.append(("contest.my_entries", _("My entries")))
    if role and current_user.has_role("liaison") and current_user.organization_id:
        items.append(("main.my_roster", _("Members")))
    # The register and the yearly figures are public, as the union's annual report is.
    items += [
        ("consultation.register", _("Published opinions")),
        ("contest.editions", _("Contests")),
        ("reports.activity", _("Reports")),
    ]
    if role in STAFF:
        items.append(("panel.union_network", _("Network")))
    if role in MANAGERS:
        items.append(("roster.links", _("Roster links")))
        items.append(("access_staff.outbox", _("Outbox")))
    if role == "admin":
        items.append(("admin.users", _("Accounts")))
    return items


def unread_notifications() -> int:
    """How many notifications the signed-in user has not read (shown in the header)."""
    if not current_user.is_authenticated:
        return 0
    from ..consultation.queries import unread_count

    return unread_count(current_user)


@bp.get("/")
def home():
    stats = union_figures()
    role = current_user.role if current_user.is_authenticated else "public"
    from ..directory.models import can_create_person

    return render_template(
        "main/home.html",
        stats=stats,
        role=role,
        can_create_person=can_create_person,
        todo=_todo_of(current_user) if current_user.is_authenticated else {},
    )


def _todo_of(user) -> dict:
    """Each section of the to-do home the user's roles call for."""
    from ..consultation import todo

    sections: dict = {}
    if user.role in ("coordinator", "admin"):
        sections["coordinator"] = todo.coordinator_todo(user)
    if user.role == "approver":
        sections["approver"] = todo.approver_todo(user)
    if user.role == "agency":
        sections["agency"] = todo.agency_todo(user)
    if user.has_role("expert"):
        sections["expert"] = todo.expert_todo(user)
    if user.has_role("liaison"):
        sections["liaison"] = todo.liaison_todo(user)
    return sections


@bp.get("/roster")
@login_required
def my_roster():
    """The liaison's own organisation roster (its entry in the navigation)."""
    if not current_user.has_role("liaison") or not current_user.organization_id:
        abort(403)
    return redirect(url_for("directory.organization", org_id=current_user.organization_id))


@bp.post("/language")
def language():
    """Switch language without JavaScript: a small form on every page posts here."""
    from flask import current_app

    lang = request.form.get("lang")
    response = redirect(safe_next(request.form.get("next")))
    if lang in current_app.config["LANGUAGES"]:
        response.set_cookie(
            LANG_COOKIE,
            lang,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            httponly=True,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    return response


@bp.get("/healthz")
@doc("Health of the database and the search index", response="status", auth=False, statuses=(503,))
def healthz():
    """``ok``, or ``degraded`` with the reasons: 503 when the database is down; 200 when
    only search suffers (a missing or stale index), since pages and search still answer
    (search from the database fallback) and the node rebuilds its index by itself."""
    from ..search.index import index_status

    status = {"database": "ok"}
    code = 200
    problems = []
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # the health check reports, it does not raise
        db.session.rollback()
        status["database"] = f"error: {type(exc).__name__}"
        problems.append("the database does not answer")
        code = 503
    index = index_status() if code == 200 else {"ok": None, "problems": []}
    problems += index.pop("problems")
    status["index"] = index
    return (
        jsonify({"status": "degraded" if problems else "ok", "problems": problems, **status}),
        code,
    )
