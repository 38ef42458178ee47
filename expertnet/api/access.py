"""Account invitations over the API."""

from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user

from ..access import operations as access
from ..core.errors import ApiError
from ..directory.models import Person
from ..extensions import db, limiter
from . import bp, doc, require_login

INVITE_LIMIT = "60 per minute"


@bp.post("/experts/<int:person_id>/account-invitation")
@doc(
    "Mail the expert a link to claim an account",
    response="the invitation outcome",
    statuses=(202, 403, 404, 422),
)
@require_login
@limiter.limit(INVITE_LIMIT)
def account_invitation(person_id: int):
    person = db.session.get(Person, person_id)
    if person is None or not person.can_view(current_user):
        raise ApiError(404, _("No such expert."))
    if not access.can_invite_to_account(current_user, person):
        raise ApiError(403, _("You may not invite this person to an account."))
    outcome = access.invite_to_accounts([person], current_user)
    db.session.commit()
    (result,) = [k for k, v in outcome.items() if v] or ["invited"]
    if result in ("no_email", "address_taken", "deactivated"):
        raise ApiError(
            422,
            access.account_problem(person) or _("This person cannot be invited."),
            "invalid",
            {"expert_id": access.account_problem(person) or result},
        )
    return jsonify({"expert_id": person.id, "outcome": result}), 202


@bp.post("/organizations/<int:org_id>/account-invitations")
@doc(
    "Mail an account invitation to every member of the organisation who has none; "
    "the mails leave the outbox in batches",
    response="counts per outcome",
    statuses=(202, 403, 404),
)
@require_login
@limiter.limit(INVITE_LIMIT)
def roster_account_invitations(org_id: int):
    from ..directory.models import Organization

    org = db.session.get(Organization, org_id)
    if org is None:
        raise ApiError(404, _("No such organisation."))
    if not access.can_invite_roster(current_user, org.id):
        raise ApiError(403, _("You may not invite the members of this organisation."))
    outcome = access.invite_to_accounts(access.roster_people(org.id), current_user)
    db.session.commit()
    return jsonify({"organization": org.id, **dict(outcome)}), 202
