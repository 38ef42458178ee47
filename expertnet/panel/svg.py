"""An ego network drawn as SVG on the server: a deterministic radial layout, no JavaScript.

Layout: the expert in the centre, depth-1 neighbours evenly on an inner ring (grouped by
kind, then by id), depth-2 neighbours on an outer ring in the angular order of the
depth-1 node that brought them in, so lines stay short and rarely cross. The same data
always gives the same picture, which keeps the page testable and cacheable.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from markupsafe import Markup, escape

from ..core.i18n import NC_, tr

WIDTH = 760
HEIGHT = 620
RINGS = (0.0, 170.0, 280.0)
LABEL_CHARS = 24

_SHAPES = {"person": "circle", "organization": "rect", "field": "diamond", "request": "square"}


#: What each edge kind means, shown in the edge's tooltip (and read by screen readers).
EDGE_LABELS = {
    "member": NC_("network edge", "member of"),
    "office": NC_("network edge", "holds office in"),
    "employed": NC_("network edge", "works at"),
    "expertise": NC_("network edge", "expertise in"),
    "panel": NC_("network edge", "sat on the panel"),
    "subject": NC_("network edge", "subject of the request"),
    "requested_by": NC_("network edge", "requested by"),
    "about": NC_("network edge", "field of the request"),
    "relationship": NC_("network edge", "declared relationship"),
}


def edge_label(kind: str) -> str:
    """An edge kind in the reader's language; an unknown kind is shown as it is."""
    label = EDGE_LABELS.get(kind)
    return tr(label) if label is not None else kind


#: Above this many outer (depth-2) nodes their labels are left to tooltips and the list.
OUTER_LABELS = 24
#: Width of one character of an 11 px label, generous for Vietnamese capitals and marks,
#: so the drawing's box always holds every label: nothing is clipped at the edge.
CHAR_WIDTH = 6.6
FONT_PX = 11
MARGIN = 8.0


def _extent(x: float, y: float, label: str, anchor: str) -> tuple[float, float, float, float]:
    """The box (x0, y0, x1, y1) a label's text covers, from its anchor point."""
    w = len(label) * CHAR_WIDTH
    x0 = {"start": x, "end": x - w}.get(anchor, x - w / 2)
    return x0, y - FONT_PX, x0 + w, y + 3


def layout(network: dict[str, Any]) -> dict[str, tuple[float, float]]:
    """Coordinates of every node of an ``ego_network`` answer."""
    cx, cy = WIDTH / 2, HEIGHT / 2
    nodes = network["nodes"]
    pos: dict[str, tuple[float, float]] = {}
    first = [n for n in nodes if n["depth"] == 1]
    order = {"organization": 0, "field": 1, "request": 2, "person": 3}
    first.sort(key=lambda n: (order.get(n["type"], 9), n["ref"]))
    angle: dict[str, float] = {}
    for i, n in enumerate(first):
        a = 2 * math.pi * i / max(1, len(first)) - math.pi / 2
        angle[n["id"]] = a
        pos[n["id"]] = (cx + RINGS[1] * math.cos(a), cy + RINGS[1] * math.sin(a))
    # A depth-2 node sits near the first depth-1 neighbour that links it.
    parent: dict[str, float] = {}
    for e in network["edges"]:
        for a, b in ((e["source"], e["target"]), (e["target"], e["source"])):
            if a in angle and b not in angle and b != network["center"]:
                parent[b] = min(parent.get(b, math.inf), angle[a])
    second = [n for n in nodes if n["depth"] == 2]
    second.sort(key=lambda n: (parent.get(n["id"], 0.0), n["ref"]))
    for i, n in enumerate(second):
        a = 2 * math.pi * i / max(1, len(second)) - math.pi / 2
        pos[n["id"]] = (cx + RINGS[2] * math.cos(a), cy + RINGS[2] * math.sin(a))
    pos[network["center"]] = (cx, cy)
    return pos


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _shape(kind: str, x: float, y: float, r: float) -> str:
    shape = _SHAPES.get(kind, "circle")
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}"/>'
    if shape == "rect":
        return (
            f'<rect x="{x - r * 1.3:.1f}" y="{y - r * 0.8:.1f}" width="{r * 2.6:.1f}" '
            f'height="{r * 1.6:.1f}" rx="3"/>'
        )
    if shape == "square":
        return f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{r * 2:.1f}" height="{r * 2:.1f}"/>'
    pts = f"{x:.1f},{y - r:.1f} {x + r:.1f},{y:.1f} {x:.1f},{y + r:.1f} {x - r:.1f},{y:.1f}"
    return f'<polygon points="{pts}"/>'


def render(
    network: dict[str, Any],
    title: str,
    link: Callable[[dict[str, Any]], str | None] | None = None,
) -> Markup:
    """The SVG markup of an ego network; ``link(node)`` may give each node a URL."""
    pos = layout(network)
    out = [
        f'<svg class="egonet" viewBox="0 0 {WIDTH} {HEIGHT}" role="group" '
        f'aria-labelledby="egonet-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="egonet-title">{escape(title)}</title>',
        '<g class="egonet-edges">',
    ]
    for e in network["edges"]:
        if e["source"] not in pos or e["target"] not in pos:
            continue
        (x1, y1), (x2, y2) = pos[e["source"]], pos[e["target"]]
        kinds = " ".join(f"edge-{k}" for k in e["kinds"])
        out.append(
            f'<line class="{kinds}" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}">'
            f"<title>{escape('; '.join(edge_label(k) for k in e['kinds']))}</title></line>"
        )
    out.append('</g><g class="egonet-nodes">')
    outer = sum(1 for n in network["nodes"] if n["depth"] == 2)
    cx = WIDTH / 2
    box = [0.0, 0.0, float(WIDTH), float(HEIGHT)]
    for n in network["nodes"]:
        x, y = pos[n["id"]]
        r = 16.0 if n["depth"] == 0 else (10.0 if n["depth"] == 1 else 7.0)
        cls = f"node node-{n['type']} depth-{n['depth']}"
        label = _short(n["label"])
        if n["depth"] < 2:
            tx, ty, anchor = x, y + r + 12, "middle"
        elif outer <= OUTER_LABELS:
            # Outer labels point away from the centre so neighbours do not overprint.
            anchor, dx = ("start", r + 4) if x >= cx else ("end", -(r + 4))
            tx, ty = x + dx, y + 4
        else:
            anchor = ""  # too many to label legibly: the title tooltip and the list below tell
        text = ""
        if anchor:
            x0, y0, x1, y1 = _extent(tx, ty, label, anchor)
            box = [min(box[0], x0), min(box[1], y0), max(box[2], x1), max(box[3], y1)]
            # The label sits on a halo of the background (CSS paint-order), so edges that
            # pass behind it never run through its letters.
            text = f'<text x="{tx:.1f}" y="{ty:.1f}" text-anchor="{anchor}">{escape(label)}</text>'
        body = f"<title>{escape(n['label'])}</title>{_shape(n['type'], x, y, r)}{text}"
        url = link(n) if link else None
        if url:
            out.append(f'<a class="{cls}" href="{escape(url)}">{body}</a>')
        else:
            out.append(f'<g class="{cls}">{body}</g>')
    out.append("</g></svg>")
    # The drawing's box grows to hold every label; the page scales it to fit.
    x0, y0, x1, y1 = box[0] - MARGIN, box[1] - MARGIN, box[2] + MARGIN, box[3] + MARGIN
    out[0] = out[0].replace(
        f'viewBox="0 0 {WIDTH} {HEIGHT}"',
        f'viewBox="{x0:.1f} {y0:.1f} {x1 - x0:.1f} {y1 - y0:.1f}"',
    )
    # Every piece of text above went through escape(); the rest is our own markup.
    return Markup("".join(out))  # noqa: S704
