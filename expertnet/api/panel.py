"""Panel suggestions, an expert's network and graph statistics."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import RAISE, Schema, fields, validate

from ..consultation import queries as consultation_queries
from ..core.errors import ApiError, ValidationFailed
from ..directory.models import Person
from ..extensions import db
from ..panel.cache import GRAPH_RETRY_AFTER, GraphNotReady, get_graph
from ..panel.names import pnode
from ..panel.operations import (
    can_declare_relationship,
    can_view_relationships,
    declare_relationship,
    relationship_json,
    relationships_of,
)
from . import bp, doc, json_body, load, require_login

# The graph's modules (panel.network, panel.service and what they import: numpy, scipy,
# networkx) are imported by the endpoints that use them, not when the API is registered.


@bp.get("/requests/<int:request_id>/panel/suggestions")
@doc(
    "Suggested panel for a request: ranked experts with reasons, exclusions with paths",
    query={"size": "seats to fill, 1 to 25 (default 5)"},
    response="suggestions",
    statuses=(401, 403, 404, 409, 422),
)
@require_login
def panel_suggestions(request_id: int):
    from ..consultation import queries
    from ..panel.service import can_view_suggestions, parse_size, suggestions_response

    if not can_view_suggestions(current_user):
        raise ApiError(403, _("Only the union's staff may see panel suggestions."))
    size = parse_size(request.args.get("size"))
    req = queries.request_for(request_id, current_user)
    refusal = queries.suggestions_refusal(req, current_user)
    if refusal is not None:
        raise refusal
    return suggestions_response(req, size)


@bp.get("/experts/<int:person_id>/network")
@doc(
    "An expert's ego network: organisations, fields, panels and ties within 1 or 2 steps. "
    "The public sees only consenting people; others are left out, not anonymised; "
    "personal ties and requests are shown to staff only.",
    query={"depth": "1 or 2 (default 1)"},
    response="nodes and edges",
    auth=False,
    statuses=(404, 422, 503),
)
def expert_network(person_id: int):
    from ..panel.network import Viewer
    from ..panel.network import ego_network as build_ego

    raw = request.args.get("depth") or "1"
    if raw not in ("1", "2"):
        raise ValidationFailed({"depth": _("Must be 1 or 2.")})
    try:
        # Anonymous callers reach this: it may never make the process build the graph.
        eg = get_graph(wait=False)
    except GraphNotReady:
        err = ApiError(
            503,
            _("The expert network is being prepared; please try again in a few seconds."),
            code="graph_not_ready",
        )
        return jsonify(err.to_dict()), 503, {"Retry-After": str(GRAPH_RETRY_AFTER)}
    result = build_ego(eg, person_id, int(raw), Viewer.of(current_user))
    if result is None:
        raise ApiError(404, _("No such expert."))
    return jsonify(result)


@bp.get("/network/stats")
@doc(
    "Graph statistics: size, how the two former provinces' experts work together, thin "
    "fields, the people and organisations that connect the most",
    response="statistics",
    statuses=(401,),
)
@require_login
def network_statistics():
    from ..panel.network import Viewer, network_stats, person_visible

    eg = get_graph()
    stats = dict(network_stats(eg))
    viewer = Viewer.of(current_user)
    # Names of people follow the directory's consent rule, as everywhere else.
    stats["connecting_people"] = [
        p for p in stats["connecting_people"] if person_visible(eg, p["id"], viewer)
    ]
    return jsonify(stats)


@bp.get("/experts/<int:person_id>/relationships")
@doc(
    "Declared personal relationships of a person (staff and the person only)",
    response="list of relationships",
    statuses=(401, 404),
)
@require_login
def relationships(person_id: int):
    if db.session.get(Person, person_id) is None or not can_view_relationships(
        current_user, person_id
    ):
        raise ApiError(404, _("No such expert."))
    items = [relationship_json(r) for r in relationships_of(person_id)]
    return jsonify({"items": items, "total": len(items)})


@bp.post("/experts/<int:person_id>/relationships")
@doc(
    "Declare a personal relationship (family, advisor_advisee with this person as the "
    "advisor, business_partner): body other_id, kind, note",
    response="relationship",
    statuses=(201, 401, 403, 404, 409, 422),
)
@require_login
def relationship_create(person_id: int):
    person = db.session.get(Person, person_id)
    if person is None or not person.can_view(current_user):
        raise ApiError(404, _("No such expert."))
    if not can_declare_relationship(current_user, person_id):
        raise ApiError(403, _("Only coordinators or the expert may declare a relationship."))
    body = json_body()
    rel = declare_relationship(
        person_id, body.get("other_id"), body.get("kind"), current_user, body.get("note")
    )
    db.session.commit()
    return jsonify(relationship_json(rel)), 201


class PlanSchema(Schema):
    class Meta:
        unknown = RAISE

    requests = fields.List(
        fields.Integer(strict=True), required=True, validate=validate.Length(min=1, max=100)
    )
    seats = fields.Integer(strict=True, load_default=5, validate=validate.Range(min=1, max=15))


@bp.post("/panel/plan")
@doc(
    "Plan panels for several open requests at once: each seat gets an expert so that the "
    "total affinity is highest while no expert passes their cap (min-cost flow). "
    "A proposal only: nothing is invited or changed.",
    body=PlanSchema,
    response="the proposed panels",
    statuses=(401, 403, 404, 409, 422),
)
@require_login
def panel_plan():
    from ..panel.assign import assign, problem_from_profiles
    from ..panel.service import can_view_suggestions, check_panel_state, profile_for_request

    if not can_view_suggestions(current_user):
        raise ApiError(403, _("Only the union's staff may plan panels."))
    data = load(PlanSchema(), json_body())
    ids = list(dict.fromkeys(data["requests"]))
    found = consultation_queries.requests_by_id(ids)
    missing = [i for i in ids if i not in found or not found[i].can_view(current_user)]
    if missing:
        raise ValidationFailed(
            {"requests": _("Unknown requests: %(ids)s.", ids=", ".join(map(str, missing)))}
        )
    for req in found.values():
        check_panel_state(req)
    problem = problem_from_profiles([profile_for_request(found[i]) for i in ids], data["seats"])
    result = assign(problem)
    graph = get_graph()
    panels = []
    for rid in ids:
        chosen = result.by_request.get(rid, [])
        panels.append(
            {
                "request_id": rid,
                "seats": data["seats"],
                "experts": [
                    {
                        "expert_id": pid,
                        "name": graph.label(pnode(pid)),
                        "affinity": round(problem.affinity[(rid, pid)], 4),
                    }
                    for pid in chosen
                ],
                "unfilled": data["seats"] - len(chosen),
            }
        )
    return jsonify(
        {
            "panels": panels,
            "total_affinity": round(result.total_affinity, 4),
            "seats_filled": result.seats_filled,
            "seats_asked": problem.total_seats,
        }
    )
