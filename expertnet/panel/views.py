"""Pages: an expert's network drawn on the server, and the union-wide network page."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..core.roles import STAFF
from .cache import GRAPH_RETRY_AFTER, GraphNotReady, get_graph
from .cache import install as install_cache
from .names import pnode

# The graph's modules (network, svg: numpy and networkx underneath) are imported by the
# pages that draw a graph, not when the blueprint is registered.

bp = Blueprint("panel", __name__)


def register(app: Flask) -> None:
    """Install the graph-version hooks and the pages (one call from ``app_setup``)."""
    install_cache()
    app.register_blueprint(bp)


def _node_url(node: dict) -> str | None:
    if node["type"] == "person":
        return url_for("panel.expert_network", person_id=node["ref"])
    if node["type"] == "organization":
        return url_for("directory.organization", org_id=node["ref"])
    return None


@bp.get("/experts/<int:person_id>/network")
def expert_network(person_id: int):
    from .network import Viewer, ego_network
    from .svg import render

    depth = request.args.get("depth", "1")
    if depth not in ("1", "2"):
        abort(404)
    try:
        # A public page: it may never make this process build the whole graph.
        eg = get_graph(wait=False)
    except GraphNotReady:
        message = _("The expert network is being prepared; please try again in a few seconds.")
        page = render_template("errors/error.html", status=503, message=message)
        return page, 503, {"Retry-After": str(GRAPH_RETRY_AFTER)}
    net = ego_network(eg, person_id, int(depth), Viewer.of(current_user))
    if net is None:
        abort(404)
    name = eg.label(pnode(person_id))
    svg = render(net, _("Network of %(name)s", name=name), _node_url)
    kinds = {}
    for n in net["nodes"][1:]:
        kinds.setdefault(n["type"], []).append(n)
    return render_template(
        "panel/expert_network.html",
        person_id=person_id,
        name=name,
        depth=int(depth),
        net=net,
        svg=svg,
        by_type=kinds,
    )


@bp.get("/network")
@login_required
def union_network():
    from . import union_svg
    from .network import Viewer, network_stats, person_visible

    if current_user.role not in STAFF:
        abort(403)
    eg = get_graph()
    stats = network_stats(eg)
    viewer = Viewer.of(current_user)
    people = [p for p in stats["connecting_people"] if person_visible(eg, p["id"], viewer)]
    picture = union_svg.render(
        stats["organization_map"],
        _("Member organisations linked by the experts they share"),
        lambda org_id: url_for("directory.organization", org_id=org_id),
    )
    return render_template("panel/network.html", stats=stats, people=people, picture=picture)
