"""Whoosh schema for experts and the conversion of a person dict into indexed fields."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from typing import Any

from whoosh import fields, formats
from whoosh.analysis import Tokenizer

from .collation import person_name_key
from .text import (
    WORD_RE,
    BigramTokenizer,
    WordTokenizer,
    bigrams,
    clean_text,
    fold,
    has_diacritics,
    normalize_text,
)

# Facets and filters: "facet:value" terms, counted through per-generation bitsets.
FACET_FIELDS = ("organization", "field", "degree", "academic_title", "former_province")

# Expanded forms so "giáo sư" or "tiến sĩ" find GS./TS. as well as the abbreviations.
TITLE_WORDS = {
    "GS": "Giáo sư",
    "PGS": "Phó giáo sư",
    "TS": "Tiến sĩ",
    "TSKH": "Tiến sĩ khoa học",
    "ThS": "Thạc sĩ",
    "KS": "Kỹ sư",
    "BS": "Bác sĩ",
    "CN": "Cử nhân",
    "DS": "Dược sĩ",
    "KTS": "Kiến trúc sư",
    "LS": "Luật sư",
}


class WordSet(fields.FieldType):
    """A field that records only which documents contain a term (no weights, no positions)."""

    def __init__(self, analyzer: Tokenizer) -> None:
        self.analyzer = analyzer
        # Ranking is done with document bitsets, so frequencies and positions would only
        # cost indexing time and disk.
        self.format = formats.Existence()
        # Scorable only so Whoosh writes a length column: without one its W3 codec stats
        # the missing column file once per posting while writing (several times slower indexing).
        self.scorable = True
        self.stored = False
        self.unique = False
        self.vector = None


# Text zones: a word in the name outranks one in the expertise, which outranks the bio.
ZONES = ("name", "key", "other")


def make_schema() -> fields.Schema:
    """Return the expert schema: folded word zones, exact words, bigrams and facet terms."""
    folded = WordTokenizer(folded=True)
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        name=WordSet(folded),
        key=WordSet(folded),
        other=WordSet(folded),
        exact=WordSet(WordTokenizer(folded=False, only_marked=True)),
        bigram=WordSet(BigramTokenizer()),
        # All filters and facets share one field of "facet:value" terms: one length
        # column and one field pass per document instead of six.
        facet=fields.KEYWORD(lowercase=False, scorable=True),
        name_key=fields.COLUMN(),
        # The folded sections of the document, for checking quoted phrases of three
        # words or more exactly (bigrams alone cannot tell "a b c" from "a b" + "b c").
        phrase_text=fields.COLUMN(),
        data=fields.STORED(),
    )


def facet_term(facet: str, value: object) -> str:
    """Return the indexed term of one facet value ("organization:12", "field:ENG-IT")."""
    return f"{facet}:{str(value).replace(' ', '_')}"


# Rebuilds see the same strings over and over (organisation, field and employer names,
# positions, expertise items, given and family names, templated bios): each per-string
# step below is memoised, per process, in a bounded cache. The results are immutable
# (str, tuples), so sharing them between documents is safe.
_CACHE = 1 << 16


@functools.lru_cache(maxsize=_CACHE)
def _clean_str(value: str) -> str:
    return normalize_text(value).strip()


@functools.lru_cache(maxsize=_CACHE)
def _shown_str(value: str) -> str:
    return clean_text(value).strip()


def _clean(value: Any) -> str:
    if isinstance(value, str):
        return _clean_str(value)
    return normalize_text(value).strip()


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return _shown_str(value)
    return clean_text(value).strip()


def _shown_list(values: Iterable[Any] | None) -> list[str]:
    if not values:
        return []
    if isinstance(values, str):
        values = [values]
    return [c for c in (_shown(v) for v in values) if c]


def _clean_list(values: Iterable[Any] | None) -> list[str]:
    if not values:
        return []
    if isinstance(values, str):
        values = [values]
    return [c for c in (_clean(v) for v in values) if c]


@functools.lru_cache(maxsize=_CACHE)
def _folded_words(section: str) -> tuple[str, ...]:
    """The folded words of one normalised section."""
    return tuple(WORD_RE.findall(fold(section)))


@functools.lru_cache(maxsize=_CACHE)
def _name_words(full_name: str) -> tuple[str, ...]:
    return tuple(fold(w) for w in WORD_RE.findall(full_name.lower()))


@functools.lru_cache(maxsize=_CACHE)
def _marked_words(section: str) -> tuple[str, ...]:
    """The lower-case words of a section that carry diacritics (the exact field)."""
    return tuple(w for w in WORD_RE.findall(section.lower()) if has_diacritics(w))


@functools.lru_cache(maxsize=_CACHE)
def _section_phrases(section: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(bigrams, clause strings) of one section: what phrase_sections, bigrams and
    encode_phrase_text make of it (clause strings are its clauses' words, space-joined)."""
    clauses = phrase_sections((section,))
    return (
        tuple(b for ws in clauses for b in bigrams(ws)),
        tuple(" ".join(ws) for ws in clauses),
    )


def name_sort_key(full_name: str) -> bytes:
    """Return the byte key that orders names as Vietnamese lists do: given name first.

    Vietnamese alphabetical order (a < ă < â, d < đ, tones ordered), see ``collation``.
    """
    return _name_key(full_name)


_name_key = functools.lru_cache(maxsize=_CACHE)(person_name_key)


# A quoted phrase never spans a clause: sentence punctuation ends a section.
_CLAUSE_RE = re.compile(r"[.;:,!?()\[\]{}\n\r/|]+")


def phrase_sections(sections: Iterable[str]) -> list[list[str]]:
    """Split texts into clauses of folded words: the units a quoted phrase must lie in."""
    out = []
    for sec in sections:
        for clause in _CLAUSE_RE.split(sec):
            ws = WORD_RE.findall(fold(clause))
            if ws:
                out.append(ws)
    return out


def encode_phrase_text(sections: list[list[str]]) -> bytes:
    """The phrase column value: sections of space-separated folded words, one per line."""
    return (" " + " \n ".join(" ".join(ws) for ws in sections) + " ").encode("utf-8")


def phrase_needle(folded_words: Iterable[str]) -> bytes:
    """What a phrase looks like inside encode_phrase_text's value: whole words, one section."""
    return (" " + " ".join(folded_words) + " ").encode("utf-8")


def to_fields(doc: Mapping[str, Any]) -> dict[str, Any]:
    """Convert one person dict into the keyword arguments of Whoosh's add_document."""
    full_name = _clean(doc.get("full_name"))
    title = _clean(doc.get("academic_title"))
    degree = _clean(doc.get("degree"))
    position = _clean(doc.get("position"))
    bio = _clean(doc.get("bio"))
    expertise = _clean_list(doc.get("expertise"))
    field_names = _clean_list(doc.get("field_names"))
    org_names = _clean_list(doc.get("organization_names"))
    employer = _clean(doc.get("employer_name"))

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

    # Terms are computed here and handed to Whoosh as lists, which skips its analyser
    # and lets each zone drop words an earlier zone already holds (fewer postings).
    name_words = _unique(_name_words(full_name))
    in_name = set(name_words)
    key_words = _unique(w for sec in key_sections for w in _folded_words(sec) if w not in in_name)
    seen = set(name_words) | set(key_words)
    other_words = _unique(
        w for sec in (*org_names, employer, bio) for w in _folded_words(sec) if w not in seen
    )
    # Exact (diacritic) forms only where they decide ranking: the name and the expertise.
    exact_words = _unique(w for sec in (full_name, *expertise) for w in _marked_words(sec))
    # Bigrams stand in for positions, in every section the user sees (a quoted phrase
    # must lie inside one of them): a bigram never joins the end of one section to the
    # start of the next.
    phrases = [
        _section_phrases(sec)
        for sec in (
            head,
            title_words,
            position,
            *expertise,
            *field_names,
            *org_names,
            employer,
            bio,
        )
    ]
    bigram_terms = _unique(b for bs, _ in phrases for b in bs)
    # encode_phrase_text of every section's clauses.
    clause_text = " \n ".join(c for _, cs in phrases for c in cs)
    phrase_text = (" " + clause_text + " ").encode("utf-8")

    facet_terms = [facet_term("organization", int(o)) for o in doc.get("organization_ids") or []]
    facet_terms += [facet_term("field", c) for c in _clean_list(doc.get("fields"))]
    if degree:
        facet_terms.append(facet_term("degree", degree))
    if title:
        facet_terms.append(facet_term("academic_title", title))
    facet_terms += [
        facet_term("former_province", p) for p in _clean_list(doc.get("former_provinces"))
    ]
    if doc.get("public"):
        facet_terms.append("flag:public")
    if doc.get("available"):
        facet_terms.append("flag:available")

    # Stored only for what the highlighter shows; everything else is read from the DB.
    # Shown as written (not in the index's one tone orthography): "Thuỷ" stays "Thuỷ".
    data = {
        "full_name": _shown(doc.get("full_name")),
        "position": _shown(doc.get("position")),
        "expertise": _shown_list(doc.get("expertise")),
        "field_names": _shown_list(doc.get("field_names")),
        "organization_names": _shown_list(doc.get("organization_names")),
        "employer_name": _shown(doc.get("employer_name")),
        "bio": _shown(doc.get("bio")),
    }
    result: dict[str, Any] = {
        "id": str(int(doc["id"])),
        "name": name_words,
        "key": key_words,
        "other": other_words,
        "exact": exact_words,
        "bigram": bigram_terms,
        "facet": " ".join(_unique(facet_terms)),
        "name_key": name_sort_key(full_name),
        "phrase_text": phrase_text,
        "data": data,
    }
    # Whoosh rejects empty values in some fields; drop them instead.
    return {k: v for k, v in result.items() if v not in ("", [])}


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
