"""Staff pages: the outbox, and account invitations (one profile, a selection, a roster)."""

from __future__ import annotations

import re
from collections import Counter

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_number, get_translations
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..consultation.models import OutboxMail
from ..core.forms import Form
from ..core.paging import paginate
from ..core.roles import MANAGERS, has_role, role_of
from ..core.types import utcnow
from ..directory.models import Organization, Person
from ..extensions import db, limiter
from . import operations as access
from .models import AccessLink

bp = Blueprint("access_staff", __name__)

PER_PAGE = 50
INVITE_LIMIT = "60 per minute"
_URL = re.compile(r"https?://[^\s<>\"']+")


def linkify(text: str | None) -> Markup:
    """Escaped text whose web addresses are links (mail bodies, notifications)."""
    if not text:
        return Markup("")
    out, last = [], 0
    for match in _URL.finditer(text):
        out.append(escape(text[last : match.start()]))
        url = match.group(0).rstrip(".,;:)")
        out.append(Markup('<a href="{0}" rel="noreferrer">{0}</a>').format(url))
        out.append(escape(match.group(0)[len(url) :]))
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


@bp.record_once
def _template_helpers(state) -> None:
    state.app.jinja_env.filters["linkify"] = linkify
    state.app.jinja_env.globals["can_invite_to_account"] = access.can_invite_to_account
    state.app.jinja_env.globals["can_invite_roster"] = access.can_invite_roster


def can_view_outbox(user) -> bool:
    return role_of(user) in MANAGERS


def _page() -> int:
    try:
        return max(1, min(int(request.args.get("page", 1)), 100_000))
    except ValueError:
        return 1


@bp.get("/outbox")
@login_required
def outbox():
    if not can_view_outbox(current_user):
        abort(403)
    state = request.args.get("state", "all")
    stmt = select(OutboxMail)
    if state == "sent":
        stmt = stmt.where(OutboxMail.sent_at.is_not(None))
    elif state == "failed":
        stmt = stmt.where(OutboxMail.sent_at.is_(None), OutboxMail.last_error.is_not(None))
    elif state == "waiting":
        stmt = stmt.where(OutboxMail.sent_at.is_(None), OutboxMail.last_error.is_(None))
    else:
        state = "all"
    q = (request.args.get("q") or "").strip()[:254]
    if q:
        stmt = stmt.where(OutboxMail.to_address.ilike(f"%{q}%"))
    found = paginate(stmt.order_by(OutboxMail.id.desc()), _page(), PER_PAGE)
    return render_template(
        "access/outbox.html",
        mails=found.items,
        total=found.total,
        found=found,
        state=state,
        q=q,
    )


@bp.get("/account-invitations")
@login_required
def account_invitations():
    if not has_role(current_user, "admin", "coordinator", "liaison"):
        abort(403)
    org_id = request.args.get("organization", type=int)
    stmt = access.account_invitations(current_user, org_id)
    found = paginate(
        stmt.options(
            selectinload(AccessLink.user),
            selectinload(AccessLink.mail),
            selectinload(AccessLink.created_by),
        ),
        _page(),
        PER_PAGE,
    )
    links = found.items
    organization = db.session.get(Organization, org_id) if org_id else None
    if role_of(current_user) not in MANAGERS:
        organization = current_user.organization
    return render_template(
        "access/account_invitations.html",
        links=links,
        total=found.total,
        found=found,
        organization=organization,
        now=utcnow(),
    )


def _summary(outcome: Counter) -> None:
    n = outcome["invited"]
    flash(
        # Flask-Babel's ngettext prints the count as it is; Vietnamese writes 1.000.
        get_translations().ungettext(
            "%(num)s account invitation is in the outbox.",
            "%(num)s account invitations are in the outbox.",
            n,
        )
        % {"num": format_number(n)},
        "success" if n else "info",
    )
    notes = {
        "joined": _("already have an account"),
        "no_email": _("have no e-mail address"),
        "address_taken": _("have an address used by another account"),
        "deactivated": _("have a deactivated account"),
        "recent": _("were invited less than a day ago"),
        "not_allowed": _("are not members of your organisation"),
        "over_limit": _("are over today's limit of invitations; send again tomorrow"),
    }
    others = [f"{outcome[k]} {label}" for k, label in notes.items() if outcome[k]]
    if others:
        flash(_("Not invited: %(list)s.", list="; ".join(others)), "info")


@bp.post("/experts/<int:person_id>/account-invitation")
@login_required
@limiter.limit(INVITE_LIMIT)
def invite_one(person_id: int):
    Form().validate_on_submit()  # CSRF is checked globally; nothing else to read
    person = db.session.get(Person, person_id)
    if person is None or not person.can_view(current_user):
        abort(404)
    if not access.can_invite_to_account(current_user, person):
        abort(403)
    outcome = access.invite_to_accounts([person], current_user)
    db.session.commit()
    _summary(outcome)
    return redirect(url_for("directory.expert", person_id=person.id), 303)


@bp.post("/account-invitations")
@login_required
@limiter.limit(INVITE_LIMIT)
def invite_selection():
    if not has_role(current_user, "admin", "coordinator", "liaison"):
        abort(403)
    ids = []
    for raw in request.form.getlist("person_id")[:1000]:
        if raw.isdigit() and len(raw) < 10:
            ids.append(int(raw))
    if not ids:
        flash(_("Select at least one person."), "warning")
        return redirect(request.referrer or url_for("directory.search"), 303)
    people = db.session.scalars(
        select(Person)
        .where(Person.id.in_(ids))
        .options(selectinload(Person.user), selectinload(Person.memberships))
    ).all()
    outcome = access.invite_to_accounts(people, current_user)
    db.session.commit()
    _summary(outcome)
    return redirect(url_for("access_staff.account_invitations"), 303)


@bp.post("/organizations/<int:org_id>/account-invitations")
@login_required
@limiter.limit(INVITE_LIMIT)
def invite_roster(org_id: int):
    org = db.session.get(Organization, org_id)
    if org is None:
        abort(404)
    if not access.can_invite_roster(current_user, org.id):
        abort(403)
    outcome = access.invite_to_accounts(access.roster_people(org.id), current_user)
    db.session.commit()
    _summary(outcome)
    return redirect(url_for("access_staff.account_invitations", organization=org.id), 303)
