"""The union's network of organisations drawn as SVG on the server, no JavaScript.

Each organisation that shares experts with another is a circle, its area growing with
its experts; a line joins two organisations that share experts, thicker the more they
share. The organisations of former Hải Phòng sit on the left arc, those of former Hải
Dương on the right one (then the city-wide ones), each ordered by how much it shares and
evenly spaced so no label overlaps another: lines across the middle are the cooperation
between the two former provinces.
The layout is deterministic, so the same figures always give the same picture.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup, escape

from .svg import CHAR_WIDTH, FONT_PX, MARGIN

RADIUS = 230.0
LABEL_CHARS = 26
#: Vertical room one organisation needs: its label never overlaps its neighbour's.
ROW = FONT_PX + 7


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def layout(nodes: list[dict[str, Any]]) -> dict[int, tuple[float, float, int]]:
    """(x, y, side) of every organisation: former Hải Phòng on the left (side -1), the
    others on the right (+1), evenly spaced top to bottom on a bulging arc, so labels
    written outwards never overlap."""
    sides: dict[int, list[dict[str, Any]]] = {-1: [], 1: []}
    for n in nodes:
        sides[-1 if n["former_province"] == "hai_phong" else 1].append(n)
    out: dict[int, tuple[float, float, int]] = {}
    for side, members in sides.items():
        # Hải Dương first on the right, then the city-wide and other organisations.
        members.sort(
            key=lambda n: (
                n["former_province"] not in ("hai_phong", "hai_duong"),
                -n["shared_experts"],
                n["id"],
            )
        )
        half = max(RADIUS, ROW * len(members) / 2)
        step = 2 * half / max(1, len(members))
        for i, n in enumerate(members):
            y = -half + (i + 0.5) * step
            bulge = math.sqrt(max(0.0, 1.0 - (y / half) ** 2))
            out[n["id"]] = (side * RADIUS * (0.45 + 0.55 * bulge), y, side)
    return out


def render(org_map: dict[str, Any], title: str, link: Callable[[int], str] | None = None) -> Markup:
    """The SVG markup of ``network_stats(...)["organization_map"]``."""
    nodes = org_map["nodes"]
    placed = layout(nodes)
    pos = {o: (x, y) for o, (x, y, _side) in placed.items()}
    biggest = max((n["experts"] for n in nodes), default=1) or 1
    widest = max((n["shared"] for n in org_map["links"]), default=1) or 1
    by_id = nodes_by_id(nodes)
    edges: list[str] = []
    for e in org_map["links"]:
        (x1, y1), (x2, y2) = pos[e["source"]], pos[e["target"]]
        width = 0.8 + 4.2 * math.sqrt(e["shared"] / widest)
        a, b = by_id[e["source"]], by_id[e["target"]]
        cross = {a["former_province"], b["former_province"]} == {"hai_phong", "hai_duong"}
        tip = _("%(a)s – %(b)s: %(n)s experts in common", a=a["name"], b=b["name"], n=e["shared"])
        edges.append(
            f'<path class="orglink{" orglink-cross" if cross else ""}" '
            f'd="M{x1:.1f},{y1:.1f} Q0,0 {x2:.1f},{y2:.1f}" stroke-width="{width:.1f}">'
            f"<title>{escape(tip)}</title></path>"
        )
    shapes: list[str] = []
    box = [-RADIUS, -RADIUS, RADIUS, RADIUS]
    for n in nodes:
        x, y = pos[n["id"]]
        side = placed[n["id"]][2]
        r = min(ROW / 2, 3.0 + 6.0 * math.sqrt(n["experts"] / biggest))
        label = _short(n["label"])
        lx, ly = x + side * (r + 5), y + FONT_PX / 3
        anchor = "start" if side > 0 else "end"
        w = len(label) * CHAR_WIDTH
        x0 = lx if anchor == "start" else lx - w
        box = [
            min(box[0], x0, x - r),
            min(box[1], ly - FONT_PX, y - r),
            max(box[2], x0 + w, x + r),
            max(box[3], ly + 3, y + r),
        ]
        province = n["former_province"] or "other"
        tip = _(
            "%(name)s: %(n)s experts, %(s)s shared with other organisations",
            name=n["name"],
            n=n["experts"],
            s=n["shared_experts"],
        )
        body = (
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}"/>'
            f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}">{escape(label)}</text>'
            f"<title>{escape(tip)}</title>"
        )
        href = link(n["id"]) if link else None
        if href:
            body = f'<a href="{escape(href)}">{body}</a>'
        shapes.append(f'<g class="org org-{escape(province)}">{body}</g>')
    x0, y0 = box[0] - MARGIN, box[1] - MARGIN
    w, h = box[2] - box[0] + 2 * MARGIN, box[3] - box[1] + 2 * MARGIN
    return Markup(  # noqa: S704 - every text above is escaped
        f'<svg class="unionnet" viewBox="{x0:.0f} {y0:.0f} {w:.0f} {h:.0f}" role="group" '
        f'aria-labelledby="unionnet-title" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="unionnet-title">{escape(title)}</title>'
        f'<g class="unionnet-links">{"".join(edges)}</g>'
        f'<g class="unionnet-orgs">{"".join(shapes)}</g></svg>'
    )


def nodes_by_id(nodes: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {n["id"]: n for n in nodes}
