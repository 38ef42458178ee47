"""Views of the expert graph for people: an expert's ego network and union-wide statistics.

Privacy (the decision, documented in the API): the public and other non-staff users see
a person only if that person consented to the public directory (``public_profile``),
is themselves, or (for a liaison) is a member of the liaison's organisation; everyone
else is left out entirely — not shown as an anonymous node, because even an anonymous
node tells who is linked to whom. Declared personal relationships and requests (which
may be confidential) are shown to staff only. Organisations and fields are public.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import networkx as nx

from ..directory.models import FormerProvince
from ..directory.visibility import Viewer, may_see_person
from ..scholarly.graph_source import collaboration_stats
from .graph import (
    EMPLOYED,
    FIELD,
    KIND_NAMES,
    MEMBER,
    OFFICE,
    ORG,
    PANEL,
    PERSON,
    RELATIONSHIP,
    REQUEST,
    ExpertGraph,
    node_key,
    onode,
    pnode,
)

#: Depth-2 ego networks stop growing here (an association has thousands of members).
MAX_NODES = 120
#: Neighbours taken from each depth-1 node when going to depth 2.
PER_NODE = 10
#: A field with fewer available experts than the smallest panel (three: a chair, a
#: secretary and a member) is short of experts.
THIN_FIELD = 3
#: Organisations drawn on the union network picture.
MAP_ORGANIZATIONS = 36


def person_visible(eg: ExpertGraph, person_id: int, viewer: Viewer) -> bool:
    """``directory.visibility.may_see_person`` over the graph: membership is an edge."""
    p = eg.people.get(person_id)
    if p is None:
        return False

    def in_organization(org_id: int) -> bool:
        kinds = eg.edge_kinds(pnode(person_id), onode(org_id))
        return MEMBER in kinds or OFFICE in kinds

    return may_see_person(
        viewer, public=p.public, person_id=person_id, in_organization=in_organization
    )


def _node_visible(eg: ExpertGraph, n: int, viewer: Viewer) -> bool:
    kind = n & 3
    if kind == PERSON:
        return person_visible(eg, n >> 2, viewer)
    if kind == REQUEST:
        return viewer.is_staff
    return kind in (ORG, FIELD)


def _edge_kinds_visible(kinds: tuple[str, ...], viewer: Viewer) -> tuple[str, ...]:
    if viewer.is_staff:
        return kinds
    return tuple(k for k in kinds if k not in (RELATIONSHIP, PANEL))


def _priority(eg: ExpertGraph, n: int, kinds: tuple[str, ...]) -> tuple[int, int]:
    """Which neighbours an ego network keeps first: office, employment, experts, others."""
    if OFFICE in kinds or RELATIONSHIP in kinds:
        rank = 0
    elif EMPLOYED in kinds or PANEL in kinds:
        rank = 1
    elif n & 3 != PERSON or eg.people[n >> 2].is_expert:
        rank = 2
    else:
        rank = 3
    return rank, n


def node_json(eg: ExpertGraph, n: int, depth: int) -> dict[str, Any]:
    kind, ident = n & 3, n >> 2
    item: dict[str, Any] = {
        "id": node_key(n),
        "type": KIND_NAMES[kind],
        "ref": ident,
        "label": eg.label(n),
        "depth": depth,
    }
    if kind == PERSON:
        p = eg.people[ident]
        item["expert"] = p.is_expert
        item["former_provinces"] = sorted(p.provinces)
    elif kind == ORG:
        o = eg.orgs[ident]
        item["kind"] = o.kind
        item["former_province"] = o.former_province
    elif kind == FIELD:
        item["code"] = eg.fields[ident].code
    return item


def ego_network(
    eg: ExpertGraph, person_id: int, depth: int, viewer: Viewer, max_nodes: int = MAX_NODES
) -> dict[str, Any] | None:
    """Nodes and edges within ``depth`` (1 or 2) of a person, as the viewer may see them.

    None when the viewer may not see the person. Deterministic: neighbours are taken in
    priority order and by node id, so the same data always gives the same drawing.
    """
    centre = pnode(person_id)
    if not eg.has_node(centre) or not person_visible(eg, person_id, viewer):
        return None
    depth_of: dict[int, int] = {centre: 0}
    frontier = [centre]
    truncated = False
    for d in (1, 2)[:depth]:
        nxt: list[int] = []
        for n in frontier:
            options = []
            for m, kinds in eg.adjacency(n):
                if m in depth_of or not _edge_kinds_visible(kinds, viewer):
                    continue
                if not _node_visible(eg, m, viewer):
                    continue
                options.append((_priority(eg, m, kinds), m))
            options.sort()
            limit = len(options) if d == 1 else PER_NODE
            if len(options) > limit:
                truncated = True
            for _p, m in options[:limit]:
                if len(depth_of) >= max_nodes:
                    truncated = True
                    break
                if m not in depth_of:
                    depth_of[m] = d
                    nxt.append(m)
        frontier = nxt
    nodes = sorted(depth_of, key=lambda n: (depth_of[n], n & 3, n))
    edges = []
    kept = set(nodes)
    for n in nodes:
        for m, kinds in eg.adjacency(n):
            if m in kept and n < m:
                shown = _edge_kinds_visible(kinds, viewer)
                if shown:
                    edges.append(
                        {"source": node_key(n), "target": node_key(m), "kinds": list(shown)}
                    )
    edges.sort(key=lambda e: (e["source"], e["target"]))
    return {
        "center": node_key(centre),
        "depth": depth,
        "nodes": [node_json(eg, n, depth_of[n]) for n in nodes],
        "edges": edges,
        "truncated": truncated,
    }


# --- union-wide statistics ------------------------------------------------------------


def _available(eg: ExpertGraph, pid: int) -> bool:
    p = eg.people[pid]
    return p.available and eg.load.get(pid, 0) < p.max_assignments


def _organization_map(
    eg: ExpertGraph, proj: nx.Graph, org_experts: Counter[int], limit: int
) -> dict[str, Any]:
    """The organisations that share the most experts and the links between them: what the
    union network picture draws (``panel.union_svg``)."""
    linked = [o for o in proj if proj.degree(o) > 0]
    chosen = sorted(linked, key=lambda o: (-proj.degree(o, weight="weight"), -org_experts[o], o))[
        :limit
    ]
    keep = set(chosen)
    nodes = [
        {
            "id": o,
            "label": eg.orgs[o].short_name or eg.orgs[o].name,
            "name": eg.orgs[o].name,
            "experts": org_experts[o],
            "former_province": eg.orgs[o].former_province,
            "shared_experts": int(proj.degree(o, weight="weight")),
        }
        for o in chosen
    ]
    links = [
        {"source": a, "target": b, "shared": int(w)}
        for a, b, w in proj.edges(data="weight")
        if a in keep and b in keep
    ]
    links.sort(key=lambda e: (-e["shared"], e["source"], e["target"]))
    return {"nodes": nodes, "links": links, "organizations_linked": len(linked)}


def network_stats(eg: ExpertGraph, thin_below: int = THIN_FIELD, top: int = 10) -> dict[str, Any]:
    """Union-wide figures: size, cooperation of the two former provinces, thin fields and
    the people and organisations that connect the most. Memoised per graph snapshot."""
    key = f"stats:{thin_below}:{top}"
    if key in eg.memo:
        return eg.memo[key]  # type: ignore[no-any-return]
    g = eg.graph
    edge_kinds: Counter[str] = Counter()
    for _u, _v, data in g.edges(data=True):
        edge_kinds.update(data["k"])
    for _u, _v, data in eg.activity.edges(data=True):
        edge_kinds.update(data["k"])
    experts = list(eg.experts())
    hp, hd = FormerProvince.hai_phong.value, FormerProvince.hai_duong.value
    by_province = Counter()
    for pid in experts:
        prov = eg.people[pid].provinces
        by_province["both" if len(prov) > 1 else (next(iter(prov)) if prov else "none")] += 1

    # Panels: requests with at least two seated experts, and the pairs they create.
    mixed = panels = cross_pairs = pairs = 0
    for _rid, seats in eg.seats.items():
        members = sorted({s.person_id for s in seats if s.state in ("invited", "accepted")})
        if len(members) < 2:
            continue
        panels += 1
        provs = [eg.people[m].provinces for m in members if m in eg.people]
        union = set().union(*provs) if provs else set()
        if hp in union and hd in union:
            mixed += 1
        for i, a in enumerate(provs):
            for b in provs[i + 1 :]:
                pairs += 1
                if (hp in a and hd in b) or (hd in a and hp in b):
                    cross_pairs += 1

    # Organisation projection: two organisations are linked by the experts they share.
    shared: Counter[tuple[int, int]] = Counter()
    for pid in experts:
        orgs = eg.people[pid].union_orgs
        for i, a in enumerate(orgs):
            for b in orgs[i + 1 :]:
                shared[(a, b)] += 1
    proj = nx.Graph()
    proj.add_nodes_from(o for o, info in eg.orgs.items() if info.is_union_member)
    cross_org_links = 0
    for (a, b), w in shared.items():
        proj.add_edge(a, b, weight=w, distance=1.0 / w)
        if {eg.orgs[a].former_province, eg.orgs[b].former_province} == {hp, hd}:
            cross_org_links += w
    between = nx.betweenness_centrality(proj, weight="distance") if len(proj) > 2 else {}
    top_orgs = sorted(between.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    org_experts: Counter[int] = Counter(o for pid in experts for o in eg.people[pid].union_orgs)

    # People who connect the most: distinct organisations across both provinces, plus
    # panels served (a degree-based measure: exact, and linear in the graph's size).
    def bridge(pid: int) -> tuple[int, int, int]:
        p = eg.people[pid]
        panels_served = sum(1 for _m in eg.neighbours_by(pnode(pid), (PANEL,)))
        return (
            len(p.union_orgs) + panels_served + (2 if len(p.provinces) > 1 else 0),
            len(p.provinces),
            -pid,
        )

    top_people = sorted(experts, key=bridge, reverse=True)[:top]

    # A field is short when fewer experts are free to sit than the smallest panel needs;
    # the worst first (fewest free, then fewest at all), so the list reads as a to-do list.
    thin = []
    for f in eg.fields.values():
        if "-" not in f.code:
            continue  # areas: their disciplines are listed
        ids = eg.experts_by_field.get(f.code, set())
        avail = sum(1 for pid in ids if _available(eg, pid))
        if avail < thin_below:
            thin.append(
                {
                    "code": f.code,
                    "name": f.name,
                    "name_en": f.name_en,
                    "experts": len(ids),
                    "available": avail,
                    "missing": thin_below - avail,
                }
            )
    thin.sort(key=lambda f: (f["available"], f["experts"], f["code"]))

    stats = {
        "graph_version": list(eg.version),
        "build_seconds": round(eg.build_seconds, 3),
        "nodes": g.number_of_nodes() + sum(1 for n in eg.activity if n & 3 == REQUEST),
        "edges": g.number_of_edges() + eg.activity.number_of_edges(),
        "people": len(eg.people),
        "experts": len(experts),
        "organizations": len(eg.orgs),
        "fields": len(eg.fields),
        "requests": len(eg.requests),
        "edges_by_kind": dict(sorted(edge_kinds.items())),
        "provinces": {
            "experts_by_province": dict(sorted(by_province.items())),
            "panels": panels,
            "panels_mixing_provinces": mixed,
            "share_of_panels_mixing": round(mixed / panels, 3) if panels else None,
            "panel_pairs": pairs,
            "cross_province_panel_pairs": cross_pairs,
            "cross_province_shared_memberships": cross_org_links,
        },
        "thin_fields": thin,
        # Co-authorship and joint projects across organisations and former provinces.
        "collaboration": collaboration_stats(eg, top),
        "connecting_people": [
            {
                "id": pid,
                "label": eg.people[pid].display_name,
                "organizations": len(eg.people[pid].union_orgs),
                "former_provinces": sorted(eg.people[pid].provinces),
            }
            for pid in top_people
        ],
        "connecting_organizations": [
            {
                "id": o,
                "label": eg.orgs[o].name,
                "betweenness": round(b, 4),
                "former_province": eg.orgs[o].former_province,
                # In words for people: how many organisations it shares experts with, and
                # how many experts it shares.
                "linked_organizations": proj.degree(o),
                "shared_experts": int(proj.degree(o, weight="weight")),
            }
            for o, b in top_orgs
        ],
        "organization_map": _organization_map(eg, proj, org_experts, MAP_ORGANIZATIONS),
    }
    eg.memo[key] = stats
    return stats
