"""The organisations page: searched and filtered by kind and former province."""

from __future__ import annotations

import re

import pytest


@pytest.fixture
def union(make_org):
    return {
        "agency": make_org(kind="agency", name="Sở Khoa học và Công nghệ", code="A01"),
        "hp": make_org(
            name="Hội Thủy sản thành phố Hải Phòng", code="H01", former_province="hai_phong"
        ),
        "hd": make_org(name="Hội Y học tỉnh Hải Dương", code="H02", former_province="hai_duong"),
        "club": make_org(kind="club", name="Câu lạc bộ Thủy lợi", code="C01"),
    }


def _names(html: str) -> list[str]:
    return re.findall(r'<td><a href="/organizations/\d+">([^<]+)</a></td>', html)


def test_member_associations_come_before_agencies(client, union):
    names = _names(client.get("/organizations").text)
    assert names.index("Hội Thủy sản thành phố Hải Phòng") < names.index("Sở Khoa học và Công nghệ")
    assert names.index("Câu lạc bộ Thủy lợi") < names.index("Sở Khoa học và Công nghệ")


@pytest.mark.parametrize("q", ["thủy", "thuy", "THUY", "thủy sản", "H01"])
def test_search_finds_organisations_with_or_without_diacritics(client, union, q):
    names = _names(client.get("/organizations", query_string={"q": q}).text)
    assert "Hội Thủy sản thành phố Hải Phòng" in names
    assert "Sở Khoa học và Công nghệ" not in names


def test_kind_card_is_a_filter_and_counts_under_the_other_filters(client, union):
    page = client.get("/organizations", query_string={"q": "thuy"}).text
    # Two organisations match "thuy": one member association, one club; the cards say so.
    assert re.search(r'kind=club[^"]*"><span class="num">1</span>', page)
    assert re.search(r'kind=member_association[^"]*"><span class="num">1</span>', page)
    names = _names(client.get("/organizations", query_string={"q": "thuy", "kind": "club"}).text)
    assert names == ["Câu lạc bộ Thủy lợi"]


def test_former_province_filter(client, union):
    names = _names(client.get("/organizations", query_string={"province": "hai_duong"}).text)
    assert names == ["Hội Y học tỉnh Hải Dương"]


@pytest.mark.parametrize("args", [{"kind": "nope"}, {"province": "ha_noi"}])
def test_unknown_filter_values_answer_404(client, union, args):
    assert client.get("/organizations", query_string=args).status_code == 404


def test_no_match_says_how_to_widen_the_search(client, union):
    page = client.get("/organizations", query_string={"q": "zzzz"})
    assert page.status_code == 200
    assert _names(page.text) == []
