"""The union network page: a picture of the organisations and figures in words."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def union(make_org, make_expert):
    hp = make_org(former_province="hai_phong", name="Hội Thủy sản Hải Phòng", short_name="HTS")
    hd = make_org(former_province="hai_duong", name="Hội Nông nghiệp Hải Dương")
    lone = make_org(former_province="hai_phong", name="Hội Kiến trúc sư")
    # Two experts sit in both associations; one only in the third; aquaculture has three
    # experts (not short), forestry one (short).
    shared = [make_expert(orgs=[hp, hd]) for _ in range(2)]
    make_expert(orgs=[lone], fields=("AGR-FOR",))
    make_expert(orgs=[hp])
    return {"hp": hp, "hd": hd, "lone": lone, "shared": shared}


def test_the_page_draws_the_organisations_that_share_experts(client, auth, make_user, union):
    staff, _token = make_user("coordinator")
    auth.login(staff.email)
    r = client.get("/network")
    assert r.status_code == 200
    start = r.text.index('<svg class="unionnet"')
    svg = r.text[start : r.text.index("</svg>", start) + len("</svg>")]
    root = ElementTree.fromstring(svg)  # noqa: S314 - our own markup
    circles = list(root.iter(f"{SVG}circle"))
    labels = [t.text for t in root.iter(f"{SVG}text")]
    # The two associations sharing experts are drawn; the one sharing none is not.
    assert len(circles) == 2
    assert "HTS" in labels and "Hội Nông nghiệp Hải Dương" in labels
    assert "Hội Kiến trúc sư" not in labels
    links = list(root.iter(f"{SVG}path"))
    assert len(links) == 1 and "orglink-cross" in links[0].get("class")
    tips = [t.text or "" for t in root.iter(f"{SVG}title")]
    assert any("2 chuyên gia chung" in t for t in tips)
    # Every label fits inside the drawing's box.
    x0, _y0, w, _h = (float(v) for v in root.get("viewBox").split())
    for text in root.iter(f"{SVG}text"):
        x = float(text.get("x"))
        width = len(text.text) * 6.6
        left = x if text.get("text-anchor") == "start" else x - width
        assert x0 <= left and left + width <= x0 + w


def test_the_page_speaks_in_words_not_debug_figures(client, auth, make_user, union):
    staff, _token = make_user("coordinator")
    auth.login(staff.email)
    text = client.get("/network").text
    assert "betweenness" not in text.lower()
    assert "Phiên bản đồ thị" not in text and "Graph version" not in text
    assert "có chuyên gia chung với 1 tổ chức" in text


def test_only_fields_actually_short_are_listed_worst_first(app, union):
    from expertnet.panel.cache import get_graph
    from expertnet.panel.network import network_stats

    with app.test_request_context():
        stats = network_stats(get_graph())
    codes = [f["code"] for f in stats["thin_fields"]]
    # Aquaculture has three free experts: enough for a panel, so not listed.
    assert "AGR-AQU" not in codes
    assert "AGR-FOR" in codes
    free = [f["available"] for f in stats["thin_fields"]]
    assert free == sorted(free)
    eco = next(f for f in stats["thin_fields"] if f["code"] == "AGR-FOR")
    assert eco["available"] == 1 and eco["missing"] == 2
