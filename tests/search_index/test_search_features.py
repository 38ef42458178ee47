"""Filters, whole-set facets, visibility, paging, sorting, highlights and hostile input."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from search_index import MAX_PER_PAGE, ExpertIndex, SearchQuery, fold
from search_index.query import parse_text
from search_index.schema import name_sort_key


def all_ids(idx: ExpertIndex, **kw: Any) -> list[int]:
    out: list[int] = []
    page = 1
    while True:
        r = idx.search(SearchQuery(page=page, per_page=100, **kw))
        out += [h["id"] for h in r.hits]
        if page * 100 >= r.total:
            return out
        page += 1


def expected(people: list[dict[str, Any]], pred: Any) -> set[int]:
    return {p["id"] for p in people if pred(p)}


def test_empty_query_matches_everyone(built: ExpertIndex, people: list[dict[str, Any]]) -> None:
    r = built.search(SearchQuery(text=""))
    assert r.total == len(people)
    assert len(r.hits) == 20


@pytest.mark.parametrize(
    ("kw", "pred"),
    [
        ({"organization": [1]}, lambda p: 1 in p["organization_ids"]),
        ({"organization": [1, 2]}, lambda p: {1, 2} & set(p["organization_ids"])),
        ({"field": ["LAW"]}, lambda p: "LAW" in p["fields"]),
        ({"degree": ["TS", "BS"]}, lambda p: p["degree"] in ("TS", "BS")),
        ({"academic_title": ["GS"]}, lambda p: p["academic_title"] == "GS"),
        ({"former_province": ["hai_duong"]}, lambda p: "hai_duong" in p["former_provinces"]),
        ({"available": True}, lambda p: p["available"]),
        ({"available": False}, lambda p: not p["available"]),
        ({"public_only": True}, lambda p: p["public"]),
        (
            {"field": ["ECO"], "degree": ["TS"], "public_only": True},
            lambda p: "ECO" in p["fields"] and p["degree"] == "TS" and p["public"],
        ),
    ],
)
def test_filters_match_brute_force(
    built: ExpertIndex, people: list[dict[str, Any]], kw: dict[str, Any], pred: Any
) -> None:
    assert set(all_ids(built, **kw)) == expected(people, pred)


def test_filters_combine_with_text(built: ExpertIndex, people: list[dict[str, Any]]) -> None:
    ids = set(all_ids(built, text="nguyen", field=["ENG-IT"]))
    want = expected(
        people, lambda p: "ENG-IT" in p["fields"] and fold(p["full_name"]).startswith("nguyen")
    )
    assert ids == want


def test_public_only_hides_non_consenting_people(built: ExpertIndex) -> None:
    # Person 11 mentions the phrase in a bio but has not consented to the public directory.
    staff = {h["id"] for h in built.search(SearchQuery(text="nuoi trong thuy san")).hits}
    public = {
        h["id"]
        for h in built.search(SearchQuery(text="nuoi trong thuy san", public_only=True)).hits
    }
    assert 11 in staff
    assert 11 not in public and 2 in public


def test_facets_count_the_whole_result_set(
    built: ExpertIndex, people: list[dict[str, Any]]
) -> None:
    r = built.search(SearchQuery(text="", facets=True, per_page=5, public_only=True))
    visible = [p for p in people if p["public"]]
    assert r.total == len(visible) > 5
    assert r.facets["degree"] == dict(Counter(p["degree"] for p in visible if p["degree"]))
    assert r.facets["organization"] == dict(
        Counter(o for p in visible for o in p["organization_ids"])
    )
    assert r.facets["field"] == dict(Counter(f for p in visible for f in p["fields"]))
    assert r.facets["academic_title"] == dict(
        Counter(p["academic_title"] for p in visible if p["academic_title"])
    )
    assert r.facets["former_province"] == dict(
        Counter(x for p in visible for x in p["former_provinces"])
    )
    assert all(isinstance(k, int) for k in r.facets["organization"])


def test_facets_follow_the_text_query(built: ExpertIndex) -> None:
    r = built.search(SearchQuery(text="trí tuệ nhân tạo", facets=True))
    assert r.facets["field"] == {"ENG-IT": r.total}
    assert built.search(SearchQuery(text="x")).facets == {}


def test_pagination_is_disjoint_and_complete(built: ExpertIndex) -> None:
    total = built.search(SearchQuery(text="nguyen")).total
    seen: list[int] = []
    for page in range(1, total // 7 + 2):
        r = built.search(SearchQuery(text="nguyen", page=page, per_page=7))
        assert r.page == page and r.per_page == 7
        seen += [h["id"] for h in r.hits]
    assert len(seen) == len(set(seen)) == total
    assert built.search(SearchQuery(text="nguyen", page=total, per_page=7)).hits == []


def test_scores_do_not_increase_down_the_list(built: ExpertIndex) -> None:
    scores = [h["score"] for h in built.search(SearchQuery(text="nguyen van", per_page=50)).hits]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("per_page", [0, -5, 101, 10_000])
def test_per_page_is_bounded(built: ExpertIndex, per_page: int) -> None:
    r = built.search(SearchQuery(per_page=per_page, page=-3))
    assert 1 <= r.per_page <= MAX_PER_PAGE
    assert r.page == 1
    assert len(r.hits) <= MAX_PER_PAGE


def test_sort_by_name_follows_vietnamese_order(built: ExpertIndex, people: list[dict]) -> None:
    names = {p["id"]: p["full_name"] for p in people}
    r = built.search(SearchQuery(text="", sort="name", per_page=100))
    keys = [name_sort_key(names[h["id"]]) for h in r.hits]
    assert keys == sorted(keys)
    # Vietnamese lists order by given name: every "An" comes before every "Bình".
    first_given = [names[h["id"]].split()[-1] for h in r.hits]
    assert first_given[0] == "An"


def test_sort_by_name_with_text_and_second_page(built: ExpertIndex, people: list[dict]) -> None:
    names = {p["id"]: p["full_name"] for p in people}
    ids = all_ids(built, text="nguyen", sort="name")
    keys = [name_sort_key(names[i]) for i in ids]
    assert keys == sorted(keys)


def test_highlights_mark_words_and_escape_html(fresh: ExpertIndex) -> None:
    from si_data import person

    fresh.rebuild(
        [
            person(
                1,
                "Trần <b>Bình</b>",
                expertise=["trí tuệ nhân tạo & <i>dữ liệu</i>"],
                bio="<script>alert('x')</script> Nghiên cứu trí tuệ nhân tạo " + "rất dài " * 60,
            )
        ]
    )
    hl = fresh.search(SearchQuery(text="<b>tri tue</b>")).hits[0]["highlights"]
    assert hl["expertise"] == (
        "<mark>trí</mark> <mark>tuệ</mark> nhân tạo &amp; &lt;i&gt;dữ liệu&lt;/i&gt;"
    )
    assert "<script>" not in hl["bio"] and "&lt;script&gt;" in hl["bio"]
    assert "<mark>trí</mark>" in hl["bio"] and len(hl["bio"]) < 400
    name = fresh.search(SearchQuery(text="binh")).hits[0]["highlights"]["full_name"]
    assert name == "Trần &lt;b&gt;<mark>Bình</mark>&lt;/b&gt;"


MALFORMED = [
    '"unbalanced quote',
    'trí "tuệ',
    '""',
    '"',
    "AND",
    "OR NOT",
    "-",
    "+ - && || !",
    "bio:x",
    "full_name:(Nguyen OR",
    "*",
    "ngu*",
    "an~2",
    "[a TO z]",
    "(((",
    "\\",
    "\x00\x01\x1f\x7f",
    "trí\x00tuệ",
    "🙂 trí tuệ 🙂",
    "a" * 5000,
    "nguyễn " * 1000,
    " ".join(f'"{w}' for w in ["x"] * 500),
    "\u0301\u0303",
    "%s %d {0} ${x}",
    "<script>alert(1)</script>",
]


@pytest.mark.parametrize("text", MALFORMED)
def test_malformed_queries_never_raise(built: ExpertIndex, text: str) -> None:
    r = built.search(SearchQuery(text=text, facets=True, page=2))
    assert r.total >= 0
    for h in r.hits:
        assert "<script>" not in str(h["highlights"])


def test_field_syntax_is_plain_words(built: ExpertIndex) -> None:
    # "bio:" is not an operator: it is one more word to find, operators are dropped.
    parsed = parse_text('bio:nguyen AND -"trí tuệ" OR')
    assert [w for w, _ in parsed.words] == ["bio", "nguyen"]
    assert [[w for w, _ in ph] for ph in parsed.phrases] == [["trí", "tuệ"]]
    r = built.search(SearchQuery(text="Nguyễn AND Văn AND An"))
    assert r.hits[0]["id"] == 1


def test_long_query_is_truncated_not_rejected(built: ExpertIndex) -> None:
    r = built.search(SearchQuery(text="Nguyễn Văn An " * 400))
    assert r.hits and r.hits[0]["id"] == 1


def test_prefix_only_for_type_ahead(built: ExpertIndex) -> None:
    ids = {h["id"] for h in built.search(SearchQuery(text="Nguyễn Văn A")).hits}
    assert 1 not in ids
    typed = {h["id"] for h in built.search(SearchQuery(text="Nguyễn Văn A", prefix=True)).hits}
    assert {1, 10} <= typed


def test_quoted_phrase_in_a_bio_matches_as_a_phrase(built: ExpertIndex) -> None:
    # Person 11 has the phrase only in the bio; person 2 in the expertise.
    ids = {h["id"] for h in built.search(SearchQuery(text='"nuôi trồng thủy sản"')).hits}
    assert {2, 11} <= ids
    # In the expertise, word order matters: the reversed phrase does not match person 2.
    reversed_ids = {h["id"] for h in built.search(SearchQuery(text='"thủy sản nuôi trồng"')).hits}
    assert 2 not in reversed_ids
