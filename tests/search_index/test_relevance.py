"""Labelled relevance queries: each must put the expected people at the top of the results."""

from __future__ import annotations

import unicodedata

import pytest

from search_index import ExpertIndex, SearchQuery


def nfd(s: str) -> str:
    return unicodedata.normalize("NFD", s)


# (query, expected ids, how many top hits they must be within, ids that must not match)
LABELS: list[tuple[str, list[int], int, list[int]]] = [
    # names, in full and in part, every spelling a coordinator might type
    ("Nguyễn Văn An", [1], 1, []),
    ("nguyen van an", [1], 1, []),
    ("NGUYỄN VĂN AN", [1], 1, []),
    (nfd("Nguyễn Văn An"), [1], 1, []),
    ("GS. TS. Nguyễn Văn An", [1], 1, []),
    ("giáo sư Nguyễn Văn An", [1], 1, []),
    ("Văn An", [1], 1, []),
    ("Nguyễn Văn Anh", [10], 1, [1]),
    ("Nguyễn Văn A", [], 0, [1, 10]),  # a submitted search matches whole words only
    ("Đặng", [3], 1, []),
    ("dang", [3], 1, []),
    ("DANG QUOC DUNG", [3], 1, []),
    ("đặng quốc dũng", [3], 1, []),
    (nfd("Đặng Quốc Dũng"), [3], 1, []),
    ("Dũng", [3], 1, []),
    ("Phạm Minh Đức", [7], 1, []),
    ("pham minh duc", [7], 1, []),
    ("ĐỨC", [7], 1, []),
    ("Bích Thủy", [2], 1, []),
    # expertise phrases, with and without diacritics, quoted or not
    ("trí tuệ nhân tạo", [1, 9], 2, []),
    ("trí tuệ nhân tạo", [1], 1, []),  # contiguous match outranks scattered syllables
    ("tri tue nhan tao", [1], 1, []),
    ("TRÍ TUỆ NHÂN TẠO", [1], 1, []),
    (nfd("trí tuệ nhân tạo"), [1], 1, []),
    ('"trí tuệ nhân tạo"', [1], 1, [9]),
    ('"tri tue nhan tao"', [1], 1, [9]),
    ("nuôi trồng thủy sản", [2], 1, []),
    ("nuoi trong thuy san", [2], 1, []),
    ("nuôi trồng thuỷ sản", [2], 1, []),  # old-style tone mark placement
    ('"nuôi trồng thủy sản"', [2], 1, []),
    ("thủy sản", [2], 1, []),
    ("y tế công cộng", [8], 1, []),
    ("Hương y tế", [8], 1, []),
    # exact diacritics rank first; without them all spellings match
    ("bàn", [4], 1, []),
    ("ban", [4, 5, 6], 3, []),
    ("bán lẻ", [6], 1, []),
    ("Bán", [6], 1, []),
    # small typos fall back to the corrected query
    ("Nguyen Van Ann", [1], 1, []),
    ("nuoi trong thuy sna", [2], 1, []),
    ("tri tue nhan taoo", [1], 1, []),
    ("Đặnng Quốc Dũng", [3], 1, []),
]


@pytest.mark.parametrize(("query", "expected", "within", "excluded"), LABELS)
def test_labelled_query(
    built: ExpertIndex, query: str, expected: list[int], within: int, excluded: list[int]
) -> None:
    result = built.search(SearchQuery(text=query, per_page=20))
    ids = [h["id"] for h in result.hits]
    assert set(expected) <= set(ids[:within]), (query, ids[:5])
    assert not set(excluded) & set(ids), (query, ids)


def test_at_least_thirty_labels() -> None:
    assert len(LABELS) >= 30


def test_exact_diacritics_order_ban(built: ExpertIndex) -> None:
    ids = [h["id"] for h in built.search(SearchQuery(text="bàn")).hits]
    assert ids[0] == 4
    # The other spellings still match, below the exact one.
    assert {5, 6} <= set(ids[1:])


def test_typo_gives_suggestion_and_notice(built: ExpertIndex) -> None:
    result = built.search(SearchQuery(text="Nguyen Van Ann"))
    assert result.suggestion == "Nguyen Van An"
    assert result.notice and "Nguyen Van An" in result.notice


def test_the_suggestion_is_written_as_vietnamese_writes_it(built: ExpertIndex) -> None:
    # The corrected word takes its usual diacritics; the words typed stay as typed.
    result = built.search(SearchQuery(text="nuôi trồng thủy sảnn"))
    assert result.suggestion == "nuôi trồng thủy sản"
    result = built.search(SearchQuery(text="Đặnng Quốc Dũng"))
    assert result.suggestion == "Đặng Quốc Dũng"


def test_no_suggestion_when_query_finds_plenty(built: ExpertIndex) -> None:
    result = built.search(SearchQuery(text="Nguyễn"))
    assert result.total > 10
    assert result.suggestion is None and result.notice is None


def test_an_abbreviation_finds_the_term_it_stands_for(built: ExpertIndex) -> None:
    # "AI" is written for "trí tuệ nhân tạo": the expert with the term is found, and the
    # one whose words are only scattered (9) is not.
    ids = [h["id"] for h in built.search(SearchQuery(text="AI")).hits]
    assert ids[:1] == [1], ids[:5]
    assert 9 not in ids
    assert [h["id"] for h in built.search(SearchQuery(text="ai")).hits][:1] == [1]


def test_a_short_syllable_is_a_whole_word_not_a_prefix_flood(built: ExpertIndex) -> None:
    # "Ma" is a word of its own: it does not find every "Mai" (a prefix search is only
    # for type-ahead, where the word is still being typed).
    for hit in built.search(SearchQuery(text="Ma", per_page=100)).hits:
        assert "Mai" not in hit["full_name"].split(), hit["full_name"]
    typed = built.search(SearchQuery(text="Ma", prefix=True, per_page=5))
    assert typed.total > 0
