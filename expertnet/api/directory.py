"""Organisations, fields and experts."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from ..core.errors import ApiError, ValidationFailed
from ..core.text import clean_line
from ..directory.models import (
    Organization,
    OrganizationKind,
    can_create_person,
)
from ..directory.operations import create_person, update_person
from ..directory.queries import all_fields, member_counts, organization_page, visible_person
from ..directory.schemas import ExpertSchema
from ..directory.serialize import field_json, organization_json, person_json
from ..extensions import db
from . import bp, doc, json_body, load, page_args, paged, require_login


def _member_counts(ids: list[int]) -> dict[int, int]:
    return member_counts(ids)


@bp.get("/organizations")
@doc(
    "List organisations",
    query={"kind": "one of " + ", ".join(OrganizationKind.values()), "q": "name contains"},
    response="page of organisations",
    auth=False,
)
def organizations():
    page, per_page = page_args()
    try:
        found = organization_page(
            request.args.get("kind") or None,
            clean_line(request.args.get("q") or ""),
            page=page,
            per_page=per_page,
        )
    except ValueError:
        raise ValidationFailed({"kind": _("Unknown kind of organisation.")}) from None
    counts = member_counts([o.id for o in found.items])
    return jsonify(paged(found, lambda o: organization_json(o, counts.get(o.id, 0))))


@bp.get("/organizations/<int:org_id>")
@doc("One organisation", response="organisation", auth=False)
def organization(org_id: int):
    org = db.get_or_404(Organization, org_id)
    return jsonify(organization_json(org, _member_counts([org.id]).get(org.id, 0)))


@bp.get("/fields")
@doc("The field taxonomy (areas and disciplines)", response="list of fields", auth=False)
def field_list():
    fields = all_fields()
    return jsonify({"items": [field_json(f) for f in fields], "total": len(fields)})


@bp.get("/experts")
@doc(
    "Search experts",
    query={
        "q": 'words, with or without diacritics; "a quoted phrase" matches only as a phrase '
        "within one field",
        "typeahead": "1 while the user is still typing: the last word also matches as the "
        "start of a name (a submitted search matches whole words)",
        "facets": "0 to leave the facet counts out (they are included by default)",
        "organization": "organisation id",
        "field": "field code",
        "degree": "degree code",
        "page": "page number",
        "per_page": "at most 100",
    },
    response="page of experts with facets",
    auth=False,
)
def experts():
    from ..search.service import search_experts

    return jsonify(search_experts(request.args, current_user))


@bp.get("/experts/<int:person_id>")
@doc("One expert", response="expert", auth=False)
def expert(person_id: int):
    person = visible_person(person_id, current_user)
    if person is None:
        raise ApiError(404, _("No such expert."))
    return jsonify(person_json(person, current_user))


@bp.post("/experts")
@doc("Create an expert", body=ExpertSchema, response="expert", statuses=(201, 403, 422))
@require_login
def expert_create():
    if not can_create_person(current_user):
        raise ApiError(403, _("Your role may not add experts."))
    data = load(ExpertSchema(), json_body())
    data.pop("version", None)
    liaison_org = current_user.organization_id if current_user.has_role("liaison") else None
    person = create_person(data, liaison_org_id=liaison_org)
    db.session.commit()
    return jsonify(person_json(person, current_user)), 201


@bp.patch("/experts/<int:person_id>")
@doc("Change an expert", body=ExpertSchema, response="expert", statuses=(403, 404, 409, 422))
@require_login
def expert_update(person_id: int):
    person = visible_person(person_id, current_user)
    if person is None:
        raise ApiError(404, _("No such expert."))
    if not person.can_edit(current_user):
        raise ApiError(403, _("You may not change this profile."))
    data = load(ExpertSchema(), json_body(), partial=True)
    liaison_org = current_user.organization_id if current_user.has_role("liaison") else None
    update_person(person, data, liaison_org_id=liaison_org, actor=current_user)
    db.session.commit()
    return jsonify(person_json(person, current_user))
