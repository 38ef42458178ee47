"""The rebuild's fast paths write exactly what the plain ones did.

``to_fields`` memoises its per-string steps (``search_index.schema``): its documents must
equal those of the straightforward version kept below (the code before the memoisation).
``BulkWriter`` (``search_index.bulkwriter``) must write a segment whose files are byte for
byte those of Whoosh's own ``SegmentWriter`` for the same documents.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from si_data import person, union
from whoosh import index as windex

from bench.search import demo_union
from search_index import schema
from search_index.build import _write_shard
from search_index.bulkwriter import BulkWriter
from search_index.schema import (
    TITLE_WORDS,
    _clean,
    _clean_list,
    _shown,
    _shown_list,
    _unique,
    encode_phrase_text,
    facet_term,
    make_schema,
    name_sort_key,
    phrase_sections,
    to_fields,
)
from search_index.text import WORD_RE, bigrams, fold, has_diacritics, normalize_text


def reference_to_fields(doc: dict[str, Any]) -> dict[str, Any]:
    """``to_fields`` as it was before its steps were memoised (no caches at all)."""

    def clean(v: Any) -> str:
        return normalize_text(v).strip()

    def clean_list(values: Any) -> list[str]:
        if not values:
            return []
        if isinstance(values, str):
            values = [values]
        return [c for c in (clean(v) for v in values) if c]

    full_name = clean(doc.get("full_name"))
    title = clean(doc.get("academic_title"))
    degree = clean(doc.get("degree"))
    position = clean(doc.get("position"))
    bio = clean(doc.get("bio"))
    expertise = clean_list(doc.get("expertise"))
    field_names = clean_list(doc.get("field_names"))
    org_names = clean_list(doc.get("organization_names"))
    employer = clean(doc.get("employer_name"))
    head = " ".join(p for p in (title, degree, full_name) if p)
    title_words = " ".join(TITLE_WORDS.get(p, "") for p in (title, degree) if p)
    key_sections = [
        " ".join(p for p in (title, degree) if p),
        title_words,
        position,
        *expertise,
        *field_names,
    ]
    key_sections = [k for k in key_sections if k.strip()]
    name_words = _unique(fold(w) for w in WORD_RE.findall(full_name.lower()))
    key_words = _unique(
        w for sec in key_sections for w in WORD_RE.findall(fold(sec)) if w not in name_words
    )
    seen = set(name_words) | set(key_words)
    other_words = _unique(
        w
        for sec in (*org_names, employer, bio)
        for w in WORD_RE.findall(fold(sec))
        if w not in seen
    )
    exact_words = _unique(
        w
        for sec in (full_name, *expertise)
        for w in WORD_RE.findall(sec.lower())
        if has_diacritics(w)
    )
    sections = phrase_sections(
        (head, title_words, position, *expertise, *field_names, *org_names, employer, bio)
    )
    bigram_terms = _unique(b for ws in sections for b in bigrams(ws))
    facet_terms = [facet_term("organization", int(o)) for o in doc.get("organization_ids") or []]
    facet_terms += [facet_term("field", c) for c in clean_list(doc.get("fields"))]
    if degree:
        facet_terms.append(facet_term("degree", degree))
    if title:
        facet_terms.append(facet_term("academic_title", title))
    facet_terms += [
        facet_term("former_province", p) for p in clean_list(doc.get("former_provinces"))
    ]
    if doc.get("public"):
        facet_terms.append("flag:public")
    if doc.get("available"):
        facet_terms.append("flag:available")

    def shown(v: Any) -> str:
        return schema.clean_text(v).strip()

    def shown_list(values: Any) -> list[str]:
        if not values:
            return []
        if isinstance(values, str):
            values = [values]
        return [c for c in (shown(v) for v in values) if c]

    data = {
        "full_name": shown(doc.get("full_name")),
        "position": shown(doc.get("position")),
        "expertise": shown_list(doc.get("expertise")),
        "field_names": shown_list(doc.get("field_names")),
        "organization_names": shown_list(doc.get("organization_names")),
        "employer_name": shown(doc.get("employer_name")),
        "bio": shown(doc.get("bio")),
    }
    result: dict[str, Any] = {
        "id": str(int(doc["id"])),
        "name": name_words,
        "key": key_words,
        "other": other_words,
        "exact": exact_words,
        "bigram": bigram_terms,
        "facet": " ".join(_unique(facet_terms)),
        "name_key": schema.person_name_key(full_name),
        "phrase_text": encode_phrase_text(sections),
        "data": data,
    }
    return {k: v for k, v in result.items() if v not in ("", [])}


def _edge_cases() -> list[dict[str, Any]]:
    """Documents that exercise the corners: tone orthographies, controls, empties, clauses."""
    return [
        person(900001, "Nguyễn Thị Thuỷ", expertise=["khoẻ mạnh; hoà giải", "Hòa giải"]),
        person(900002, "Trần Văn Thủy", bio="Quý khách.\nTuỳ chọn: thuỷ sản (nuôi) / chế biến"),
        person(900003, "Lê\x07 Hoà", position="Trưởng\x1ekhoa", academic_title="PGS", degree="TS"),
        person(900004, "", bio="", expertise=[], field_names=[]),
        {**person(900005, "Ngô   Quý", expertise="một chuỗi"), "organization_names": ["A, B"] * 2},
        person(900006, "Nguyễn Thị Thuỷ", employer_name="Bệnh viện Việt Tiệp", degree="BS"),
        {"id": 900007, "full_name": None, "bio": None, "expertise": None, "fields": None},
    ]


@pytest.fixture(scope="module")
def docs() -> list[dict[str, Any]]:
    demo = demo_union(1500, 11)
    assert demo is not None
    # Twice over: the second pass is answered from the caches.
    return (union(300) + demo.people + _edge_cases()) * 2


def test_memoised_documents_equal_the_plain_ones(docs: list[dict[str, Any]]) -> None:
    for d in docs:
        assert to_fields(d) == reference_to_fields(d), d["id"]


def test_helpers_unchanged_by_their_caches() -> None:
    for v in ("  Hoà  ", "Thuỷ\x07", None, 12):
        assert _clean(v) == normalize_text(v).strip()
        assert _shown(v) == schema.clean_text(v).strip()
    assert _clean_list(["Hoà", "", "Khoẻ"]) == ["Hòa", "Khỏe"]
    assert _shown_list("Khoẻ") == ["Khoẻ"]
    assert name_sort_key("Nguyễn Văn An") == schema.person_name_key("Nguyễn Văn An")


def _segment_files(path: Path) -> dict[str, bytes]:
    """A segment's files by extension (their names carry the random segment id)."""
    out = {}
    for f in path.iterdir():
        if f.name.startswith("_MAIN") or f.name.endswith(".toc") or "WRITELOCK" in f.name:
            continue
        out[f.name.split(".", 1)[1] if f.name.startswith("MAIN_") else f.name] = f.read_bytes()
    return out


def test_bulk_writer_writes_the_files_of_whooshs_writer(
    tmp_path: Path, docs: list[dict[str, Any]]
) -> None:
    fields = [to_fields(d) for d in docs[: len(docs) // 2]]
    written = {}
    for kind in ("stock", "bulk"):
        (tmp_path / kind).mkdir()
        ix = windex.create_in(str(tmp_path / kind), make_schema())
        if kind == "stock":
            w = ix.writer(limitmb=64, compound=False)
        else:
            w = BulkWriter(ix, limitmb=64, compound=False)
        for f in fields:
            w.add_document(**f)
        w.commit()
        written[kind] = _segment_files(tmp_path / kind)
    assert set(written["stock"]) >= {"pst", "trm", "_stored.col", "phrase_text.col"}
    assert written["stock"].keys() == written["bulk"].keys()
    for ext, data in written["stock"].items():
        assert written["bulk"][ext] == data, ext


def test_rebuild_shard_reads_back(tmp_path: Path, docs: list[dict[str, Any]]) -> None:
    people = docs[:400]
    assert _write_shard(tmp_path / "s", people, 64) == 400
    ix = windex.open_dir(str(tmp_path / "s"))
    with ix.searcher() as s:
        assert s.doc_count() == 400
        assert {int(f["id"]) for f in s.all_stored_fields()} == {int(d["id"]) for d in people}


def test_bulk_writer_refuses_what_it_does_not_write(tmp_path: Path) -> None:
    ix = windex.create_in(str(tmp_path), make_schema())
    w = BulkWriter(ix)
    with pytest.raises(ValueError):
        w.add_document(id="1", _boost=2.0)
    w.cancel()
