"""Totals and facet counts are exact: checked against a brute-force count over the same people.

A quoted phrase matches only as that phrase inside one section of one field (a name, one
expertise item, a bio clause, …); a submitted search matches whole words; the last word
is a prefix only in type-ahead.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import Any

import pytest

from search_index import ExpertIndex, SearchQuery
from search_index.schema import TITLE_WORDS

_CLAUSE = re.compile(r"[.;:,!?()\n]+")
_WORD = re.compile(r"\w+")
_QUOTED = re.compile(r'"([^"]*)"')


def bfold(text: str) -> str:
    """Fold independently of the library: decompose, drop marks, đ -> d."""
    text = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    return "".join(c for c in text if not unicodedata.combining(c)).replace("đ", "d")


def sections(p: dict[str, Any]) -> list[list[str]]:
    title, degree = p.get("academic_title") or "", p.get("degree") or ""
    texts = [
        " ".join(x for x in (title, degree, p["full_name"]) if x),
        " ".join(TITLE_WORDS.get(x, "") for x in (title, degree) if x),
        p.get("position") or "",
        *p.get("expertise", []),
        *p.get("field_names", []),
        *p.get("organization_names", []),
        p.get("employer_name") or "",
        p.get("bio") or "",
    ]
    out = []
    for t in texts:
        for clause in _CLAUSE.split(t):
            ws = _WORD.findall(bfold(clause))
            if ws:
                out.append(ws)
    return out


def name_words(p: dict[str, Any]) -> list[str]:
    return _WORD.findall(bfold(p["full_name"]))


def brute(p: dict[str, Any], text: str, prefix: bool = False) -> bool:
    secs = sections(p)
    words = {w for s in secs for w in s}
    for phrase in _QUOTED.findall(text):
        want = _WORD.findall(bfold(phrase))
        if len(want) < 2:
            continue
        n = len(want)
        if not any(s[i : i + n] == want for s in secs for i in range(len(s) - n + 1)):
            return False
    loose = _WORD.findall(bfold(_QUOTED.sub(" ", text)))
    for i, w in enumerate(loose):
        if w in words:
            continue
        if prefix and i == len(loose) - 1 and any(x.startswith(w) for x in name_words(p)):
            continue
        return False
    return True


QUERIES = [
    '"bảo vệ môi trường"',
    "bảo vệ môi trường",
    '"bao ve moi truong"',
    '"an toàn thực phẩm"',
    '"an toàn thông tin"',
    '"kinh tế biển"',
    '"quản lý đô thị"',
    '"quản lý kinh tế biển"',
    '"nuôi trồng thủy sản"',
    '"thủy sản nuôi trồng"',
    '"trí tuệ nhân tạo"',
    '"tri tue"',
    '"hải phòng"',
    '"giáo sư"',
    '"luật doanh nghiệp" nguyễn',
    '"kinh tế biển" "tài chính ngân hàng"',
    '"y học" hải phòng',
    "hoa",
    "Hòa",
    "Lê Hoa",
    "nguyen van",
    "dang",
]


@pytest.mark.parametrize("text", QUERIES)
def test_total_and_facets_match_brute_force(
    built: ExpertIndex, people: list[dict[str, Any]], text: str
) -> None:
    want = [p for p in people if brute(p, text)]
    r = built.search(SearchQuery(text=text, facets=True, per_page=100))
    assert r.total == len(want), text
    if r.total <= 100:
        assert {h["id"] for h in r.hits} == {p["id"] for p in want}, text
    orgs = Counter(o for p in want for o in p["organization_ids"])
    assert r.facets["organization"] == dict(orgs), text
    fields = Counter(c for p in want for c in p["fields"])
    assert r.facets["field"] == dict(fields), text


@pytest.mark.parametrize("text", ["Lê Hoa", "hoa", "Nguyễn Văn A", "tri tue nhan t"])
def test_type_ahead_total_matches_brute_force(
    built: ExpertIndex, people: list[dict[str, Any]], text: str
) -> None:
    want = {p["id"] for p in people if brute(p, text, prefix=True)}
    r = built.search(SearchQuery(text=text, prefix=True, per_page=100))
    assert r.total == len(want), text


def test_phrase_with_words_scattered_over_bio_and_organisation_is_no_match(
    built: ExpertIndex,
) -> None:
    ids = {h["id"] for h in built.search(SearchQuery(text='"bảo vệ môi trường"')).hits}
    assert ids == {13}
    # Unquoted, the same words anywhere are enough.
    loose = {h["id"] for h in built.search(SearchQuery(text="bảo vệ môi trường")).hits}
    assert {12, 13} <= loose


def test_phrase_needs_all_words_in_one_item_in_order(built: ExpertIndex) -> None:
    # Person 14 has every pair of "an toàn thực phẩm" but in two expertise items.
    ids = {h["id"] for h in built.search(SearchQuery(text='"an toàn thực phẩm"')).hits}
    assert 15 in ids and 14 not in ids
    # Person 16's "quản lý kinh tế" and "biển đảo" are two items: no "kinh tế biển" there.
    ids = {h["id"] for h in built.search(SearchQuery(text='"kinh tế biển"')).hits}
    assert 16 not in ids and ids


def test_phrase_does_not_cross_a_clause(built: ExpertIndex) -> None:
    ids = {h["id"] for h in built.search(SearchQuery(text='"quản lý đô thị"')).hits}
    assert 1 in ids and 17 not in ids


def test_complete_word_is_not_a_prefix_in_a_submitted_search(
    built: ExpertIndex, people: list[dict[str, Any]]
) -> None:
    hoa = built.search(SearchQuery(text="hoa"))
    typed = built.search(SearchQuery(text="hoa", prefix=True))
    # "Hoàng" (persons 8 and 16) only while typing.
    assert typed.total > hoa.total
    assert 16 not in {h["id"] for h in built.search(SearchQuery(text="hoa", per_page=100)).hits}
