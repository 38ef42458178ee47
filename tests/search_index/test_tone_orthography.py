"""Both tone-mark orthographies (Hòa/Hoà, Thủy/Thuỷ, Thúy/Thuý, Khỏe/Khoẻ) are one exact word."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from search_index import ExpertIndex, SearchQuery
from search_index.text import canonical_tones, normalize_text


@pytest.mark.parametrize(
    ("new_style", "old_style"),
    [
        ("Hoà", "Hòa"),
        ("hoà", "hòa"),
        ("HOÀ", "HÒA"),
        ("Thuỷ", "Thủy"),
        ("Thuý", "Thúy"),
        ("Thuỳ", "Thùy"),
        ("Khoẻ", "Khỏe"),
        ("toà nhà", "tòa nhà"),
        ("Nguyễn Thị Thuý Hoà", "Nguyễn Thị Thúy Hòa"),
    ],
)
def test_new_style_tones_are_written_old_style(new_style: str, old_style: str) -> None:
    assert canonical_tones(new_style) == old_style
    assert normalize_text(new_style) == old_style
    assert normalize_text(old_style) == old_style


@pytest.mark.parametrize("word", ["Quý", "quỳ", "Hoàng", "thuyết", "Khoa", "Huy", "hoa", "Toàn"])
def test_syllables_with_one_orthography_are_left_alone(word: str) -> None:
    assert canonical_tones(word) == word


# Two people per syllable: one written with the tone mark, one plain, so the exact-word
# boost decides the order (the plain one only matches through the folded fields).
PEOPLE = [
    {"id": 1, "full_name": "Trần Văn Hòa", "expertise": ["kinh tế"]},
    {"id": 2, "full_name": "Trần Văn Hoa", "expertise": ["kinh tế"]},
    {"id": 3, "full_name": "Lê Thị Thủy", "expertise": ["thủy lợi"]},
    {"id": 4, "full_name": "Lê Thị Thùy", "expertise": ["thủy lợi"]},
    {"id": 5, "full_name": "Lê Thị Thúy", "expertise": ["thủy lợi"]},
    {"id": 6, "full_name": "Phạm Thuỷ Tiên", "expertise": ["y tế"]},
    {"id": 7, "full_name": "Phạm Thùy Tiên", "expertise": ["y tế"]},
    {"id": 8, "full_name": "Đỗ Văn Khỏe", "expertise": ["y tế"]},
    {"id": 9, "full_name": "Đỗ Văn Khoe", "expertise": ["y tế"]},
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExpertIndex]:
    idx = ExpertIndex(tmp_path_factory.mktemp("tones"))
    idx.rebuild(PEOPLE)
    yield idx
    idx.close()


def _ids(index: ExpertIndex, text: str) -> list[int]:
    return [h["id"] for h in index.search(SearchQuery(text=text, per_page=20)).hits]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("Hòa", 1),
        ("Hoà", 1),
        ("Thủy", 3),
        ("Thuỷ", 3),
        ("Thúy", 5),
        ("Thuý", 5),
        ("Thuỷ Tiên", 6),
        ("Thủy Tiên", 6),
        ("Khỏe", 8),
        ("Khoẻ", 8),
    ],
)
def test_both_orthographies_rank_the_exact_word_first(
    index: ExpertIndex, query: str, first: int
) -> None:
    ids = _ids(index, query)
    assert ids[0] == first, (query, ids)


def test_new_style_query_is_not_ranked_like_the_unaccented_word(index: ExpertIndex) -> None:
    # Before: "Hoà" matched only through the folded field and ranked like "hoa".
    assert _ids(index, "Hoà")[:1] == [1]
    assert _ids(index, "hoa")[0] in (1, 2)
    thuy = _ids(index, "Thuý")
    assert thuy.index(5) < thuy.index(3) and thuy.index(5) < thuy.index(4)


def test_names_are_shown_as_written(tmp_path: Path) -> None:
    idx = ExpertIndex(tmp_path / "idx")
    try:
        idx.rebuild([{"id": 1, "full_name": "Phạm Thuỷ Tiên", "expertise": ["y tế"]}])
        hit = idx.search(SearchQuery(text="Thủy")).hits[0]
        assert "Thuỷ" in str(hit) and "Thủy" not in str(hit)
    finally:
        idx.close()
