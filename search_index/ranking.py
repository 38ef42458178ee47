"""Ranking and paging over document bitsets (no per-posting Python work)."""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING

from . import bits as B
from .query import ParsedText
from .text import bigrams, has_diacritics

if TYPE_CHECKING:
    from .index import Searchers, _View

# -- ranking with bitsets ------------------------------------------------------------
#
# Whoosh's scorers touch every matching posting in Python (1-5 µs each), which is what
# made a plain BM25F setup 5-23x slower than FTS5 here. Instead each ranking signal is a
# document bitset (word in the name, in the expertise, exact diacritics, phrase, ...)
# with an integer weight; the weighted sum is kept as bit-sliced counters (one big int
# per binary digit), so adding a signal or finding the top k costs a few C-level big-int
# operations regardless of how many documents match.

# Weights are multiples of 4 so that the tie-breaking priors (at most 3) never outrank
# a real query signal.
W_NAME = 24
W_KEY = 12
W_OTHER = 4
W_EXACT = 16
W_PREFIX = 12
W_PHRASE = 16
PRIOR = (("academic_title", "GS", 2), ("academic_title", "PGS", 1), ("degree", "TS", 1))
#: Abbreviations written in Vietnamese S&T texts, with the term they stand for (folded).
#: A query word that is one also finds the term as a phrase, weighed like an expertise word:
#: "AI" finds "trí tuệ nhân tạo". The word itself still matches as written (the given
#: name Ái folds to "ai" too).
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "ai": ("tri", "tue", "nhan", "tao"),
    "cntt": ("cong", "nghe", "thong", "tin"),
    "gis": ("he", "thong", "thong", "tin", "dia", "ly"),
    "iot": ("internet", "van", "vat"),
    "bds": ("bat", "dong", "san"),
    "dtm": ("danh", "gia", "tac", "dong", "moi", "truong"),
}


class Plan:
    """The matched documents of a parsed query and its weighted ranking signals."""

    def __init__(self, matched: int, features: list[tuple[int, int]]) -> None:
        self.matched = matched
        self.features = features


def _idf_weight(df: int, n: int) -> int:
    # Rare words weigh more, in a few coarse integer steps (log2 of inverse frequency).
    if df <= 0:
        return 1
    return 1 + min(8, max(0, (n // df).bit_length() - 1))


def plan(view: _View, ss: Searchers, parsed: ParsedText, prefix: bool) -> Plan:
    """Compute the matched bitset (every word, every quoted phrase) and ranking signals."""
    n_docs = max(1, view.doc_count)
    features: list[tuple[int, int]] = []
    matched = view.live(ss)
    nwords = len(parsed.words)
    loose_k: list[int] = []

    def word(exact: str, folded: str, open_prefix: bool) -> tuple[int, int]:
        nb = view.term_bits(ss, "name", folded)
        kb = view.term_bits(ss, "key", folded)
        ob = view.term_bits(ss, "other", folded)
        m = nb | kb | ob
        pb = 0
        if open_prefix:
            pb = view.prefix_bits(ss, "name", folded)
            m |= pb
        k = _idf_weight(m.bit_count(), n_docs)
        features.extend([(nb, W_NAME * k), (kb, W_KEY * k), (ob, W_OTHER * k)])
        if pb:
            features.append((pb, W_PREFIX * k))
        expansion = ABBREVIATIONS.get(folded)
        if expansion:
            eb = view.phrase_bits(ss, list(expansion))
            if eb:
                m |= eb
                k = _idf_weight(m.bit_count(), n_docs)
                features.append((eb, W_KEY * k))
        if has_diacritics(exact):
            features.append((view.term_bits(ss, "exact", exact), W_EXACT * k))
        return m, k

    for i, (exact, folded) in enumerate(parsed.words):
        open_prefix = prefix and i == nwords - 1 and parsed.last_word_is_open and len(folded) >= 1
        m, k = word(exact, folded, open_prefix)
        loose_k.append(k)
        matched &= m
    if nwords >= 2:
        # Loose words that also stand next to each other (a multi-syllable term) rank higher.
        features.append(
            (_phrase_bits(view, ss, [f for _, f in parsed.words]), W_PHRASE * sum(loose_k))
        )
    for ph in parsed.phrases:
        ks = []
        for exact, folded in ph:
            m, k = word(exact, folded, False)
            ks.append(k)
            matched &= m
        # A quoted phrase matches only as that phrase, inside one section of one field.
        exact_bits = view.phrase_bits(ss, [f for _, f in ph])
        matched &= exact_bits
        features.append((exact_bits, W_PHRASE * sum(ks)))
    return Plan(matched, features)


def adjacent_bits(view: _View, ss: Searchers, folded_words: list[str]) -> int:
    """Documents with every consecutive pair of the words inside one section.

    Exact for two words; for more it is a superset (``a b`` and ``b c`` may lie apart)
    that ``_View.phrase_bits`` narrows down.
    """
    return _phrase_bits(view, ss, folded_words)


def _phrase_bits(view: _View, ss: Searchers, folded_words: list[str]) -> int:
    result = -1
    for bg in bigrams(folded_words):
        result &= view.term_bits(ss, "bigram", bg)
        if not result:
            return 0
    return result if result != -1 else 0


def top(
    features: list[tuple[int, int]], matched: int, start: int, end: int
) -> list[tuple[int, float]]:
    """Return (docnum, score) of ranks start..end by weighted signals, ties by docnum."""
    planes: list[int] = []
    for bits, weight in features:
        bits &= matched
        if not bits or weight <= 0:
            continue
        for j in range(weight.bit_length()):
            if not weight >> j & 1:
                continue
            carry = bits
            i = j
            while carry:
                while i >= len(planes):
                    planes.append(0)
                p = planes[i]
                planes[i] = p ^ carry
                carry = p & carry
                i += 1
    # Walk the digits from the top: keep the documents whose score prefix is high enough
    # to stay among the best `end`, the classic bit-sliced top-k selection.
    greater = 0
    equal = matched
    for p in reversed(planes):
        x = equal & p
        if (greater | x).bit_count() >= end:
            equal = x
        else:
            greater |= x
            equal &= ~p
    need = end - greater.bit_count()
    docs = B.to_ids(greater) + B.first_ids(equal, need)
    size = matched.bit_length()
    plane_bytes = [p.to_bytes((size + 8) // 8, "little") for p in planes]

    def score(d: int) -> int:
        byte, bit = d >> 3, d & 7
        return sum(((pb[byte] >> bit) & 1) << j for j, pb in enumerate(plane_bytes))

    scored = sorted(((score(d), d) for d in docs), key=lambda sd: (-sd[0], sd[1]))
    return [(d, sc / 4) for sc, d in scored[start:end]]


def by_name_page(view: _View, ss: Searchers, matched: int, start: int, end: int) -> list[int]:
    rank, by_name = view.name_order(ss)
    total = matched.bit_count()
    if total * 16 < view.size:
        # Sparse: decode the few matches and pick the first ones by rank.
        return heapq.nsmallest(end, B.to_ids(matched), key=rank.__getitem__)[start:end]
    # Dense: walk the global name order and keep the documents in the set.
    mask = matched.to_bytes((view.size + 8) // 8, "little")
    out: list[int] = []
    for d in by_name:
        if mask[d >> 3] >> (d & 7) & 1:
            out.append(d)
            if len(out) >= end:
                break
    return out[start:end]
