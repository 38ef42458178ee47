"""The ego-network drawing keeps every label inside its box."""

from __future__ import annotations

from xml.etree import ElementTree

from expertnet.panel.svg import CHAR_WIDTH, render

SVG = "{http://www.w3.org/2000/svg}"


def _network(outer: int) -> dict:
    long = "PGS.TS. Nguyễn Thị Phương Thảo Hoàng"
    nodes = [{"id": "p:1", "ref": 1, "type": "person", "label": long, "depth": 0}]
    edges = []
    for i in range(6):
        nodes.append({"id": f"o:{i}", "ref": i, "type": "organization", "label": long, "depth": 1})
        edges.append({"source": "p:1", "target": f"o:{i}", "kinds": ["office"]})
    for j in range(outer):
        nodes.append({"id": f"p:{100 + j}", "ref": 100 + j, "type": "person", "label": long,
                      "depth": 2})  # fmt: skip
        edges.append({"source": f"o:{j % 6}", "target": f"p:{100 + j}", "kinds": ["office"]})
    return {"center": "p:1", "nodes": nodes, "edges": edges}


def test_no_label_is_clipped_at_the_edge_of_the_drawing():
    root = ElementTree.fromstring(str(render(_network(outer=20), "t")))  # noqa: S314
    x0, y0, w, h = (float(v) for v in root.get("viewBox").split())
    texts = list(root.iter(f"{SVG}text"))
    assert len(texts) == 27  # the centre, six neighbours and twenty outer labels
    for t in texts:
        x, y, anchor = float(t.get("x")), float(t.get("y")), t.get("text-anchor")
        width = len(t.text) * CHAR_WIDTH
        left = {"start": x, "end": x - width}.get(anchor, x - width / 2)
        assert x0 <= left and left + width <= x0 + w, (t.text, left, x0, w)
        assert y0 <= y - 11 and y <= y0 + h


def test_a_small_network_keeps_the_standard_box():
    network = _network(outer=0)
    for n in network["nodes"]:
        n["label"] = "TS. An"
    root = ElementTree.fromstring(str(render(network, "t")))  # noqa: S314
    x0, y0, w, h = (float(v) for v in root.get("viewBox").split())
    assert (x0, y0) == (-8.0, -8.0) and (w, h) == (776.0, 636.0)
