"""Unicode normalisation, diacritic folding and query parsing for Vietnamese text."""

from __future__ import annotations

import unicodedata

from search_index import fold, normalize_text
from search_index.query import MAX_QUERY_CHARS, MAX_QUERY_WORDS, parse_text
from search_index.text import has_diacritics


def test_normalize_text_makes_nfc_and_drops_control_characters() -> None:
    nfd = unicodedata.normalize("NFD", "Nguyễn Đức")
    assert nfd != "Nguyễn Đức"
    assert normalize_text(nfd) == "Nguyễn Đức"
    assert normalize_text("a\x00b\x1fc") == "a b c"
    assert normalize_text(None) == ""


def test_fold_removes_every_vietnamese_mark_and_d_stroke() -> None:
    assert fold("Đặng Quốc Dũng") == "dang quoc dung"
    assert fold("ĐẠI HỌC ĐÀ NẴNG") == "dai hoc da nang"
    assert fold("thuỷ") == fold("thủy") == "thuy"
    assert fold("ươ ỡ ậ ắ ẹ") == "uo o a a e"


def test_has_diacritics() -> None:
    assert has_diacritics("bàn") and has_diacritics("đi")
    assert not has_diacritics("ban")


def test_parse_text_words_phrases_and_limits() -> None:
    p = parse_text('GS. "trí tuệ  nhân tạo" ĐẶNG')
    assert [w for w, _ in p.words] == ["gs", "đặng"]
    assert [f for _, f in p.words] == ["gs", "dang"]
    assert [[f for _, f in ph] for ph in p.phrases] == [["tri", "tue", "nhan", "tao"]]
    assert p.last_word_is_open
    assert not parse_text('an "van"').phrases  # a one-word "phrase" is a word
    assert not parse_text('"nguyen van"').last_word_is_open
    long = parse_text(" ".join(f"w{i}" for i in range(1000)))
    assert len(long.words) == MAX_QUERY_WORDS
    assert len(parse_text("x" * 10_000).words[0][0]) == MAX_QUERY_CHARS


def test_library_does_not_import_the_web_stack() -> None:
    import subprocess
    import sys

    code = (
        "import sys, search_index; "
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('flask', 'sqlalchemy', 'expertnet', 'flask_sqlalchemy')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_nfd_documents_are_stored_and_found_as_nfc(tmp_path) -> None:
    from si_data import person

    from search_index import ExpertIndex, SearchQuery

    idx = ExpertIndex(tmp_path / "idx")
    decomposed = unicodedata.normalize("NFD", "Đặng Thị Bàn")
    idx.upsert([person(1, decomposed, expertise=[unicodedata.normalize("NFD", "bàn giao")])])
    for q in ("Đặng Thị Bàn", decomposed, "dang thi ban", "bàn"):
        hits = idx.search(SearchQuery(text=q)).hits
        assert [h["id"] for h in hits] == [1], q
    marked = idx.search(SearchQuery(text="bàn")).hits[0]["highlights"]["full_name"]
    assert marked == "Đặng Thị <mark>Bàn</mark>"
    assert unicodedata.is_normalized("NFC", marked)
    idx.close()


def test_bitset_helpers_round_trip() -> None:
    import random

    from search_index import bits

    rnd = random.Random(3)
    for density in (0.0005, 0.05, 0.9):
        ids = sorted(i for i in range(50_000) if rnd.random() < density)
        b = bits.from_ids(ids, 50_000)
        assert b.bit_count() == len(ids)
        assert bits.to_ids(b) == ids
        assert bits.first_ids(b, 7) == ids[:7]
    assert bits.to_ids(0) == [] and bits.first_ids(0, 3) == []
