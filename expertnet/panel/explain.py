"""Why an expert fits a request, in whole words a reader recognises.

The affinity model works on folded syllables and syllable pairs ("te", "hai phong"):
right for scoring, unreadable as an explanation. Here the match is said in the
expert's own keywords (as they typed them) that the request speaks of, else in the
request's own phrases (as the agency wrote them, accents and all) that the expert's
profile shares: never a lone syllable, never folded text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

from search_index import fold, normalize_text

from .affinity import STOPWORDS, AffinityModel, _term_of

_WORD = re.compile(r"\w+")
_SEGMENT = re.compile(r"[^\w\s]+")


def _words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFC", text).casefold())


#: Explanations read the start of the request: its title, summary and first pages.
MAX_CHARS = 30_000


@lru_cache(maxsize=8)
def _segments(text: str) -> tuple[tuple[str, ...], ...]:
    """The text's words, in runs that punctuation does not cross, as written (NFC)."""
    clean = unicodedata.normalize("NFC", normalize_text(text[:MAX_CHARS]))
    return tuple(tuple(_WORD.findall(s)) for s in _SEGMENT.split(clean) if s.strip())


@lru_cache(maxsize=8)
def _prepared(text: str) -> tuple[str, frozenset[tuple[str, str]]]:
    segments = [[w.casefold() for w in seg] for seg in _segments(text)]
    joined = f" {' '.join(w for seg in segments for w in seg)} "
    pairs: set[tuple[str, str]] = set()
    for seg in segments:
        pairs |= _pairs(seg)
    return joined, frozenset(pairs)


def _pairs(words: Sequence[str]) -> set[tuple[str, str]]:
    return {(words[i], words[i + 1]) for i in range(len(words) - 1)}


def matching_keywords(keywords: Iterable[str], request_text: str, limit: int = 4) -> list[str]:
    """The expert's keywords the request speaks of: whole, or most of their syllable pairs.

    Compared with their diacritics (lower case), so "biển" never matches "biện".
    """
    joined, text_pairs = _prepared(request_text)
    out: list[str] = []
    for keyword in keywords:
        words = _words(keyword)
        if not words:
            continue
        if f" {' '.join(words)} " in joined:
            hit = True
        elif len(words) >= 3:
            pairs = _pairs(words)
            hit = len(pairs & text_pairs) * 2 >= len(pairs) + 1
        else:
            hit = False
        if hit and keyword.strip() not in out:
            out.append(keyword.strip())
    # A keyword inside a longer matched one says nothing more ("nuôi trồng thủy sản").
    spans = [f" {' '.join(_words(k))} " for k in out]
    kept = [
        k for k, sp in zip(out, spans, strict=True) if not any(sp != o and sp in o for o in spans)
    ]
    return kept[:limit]


def matching_phrases(
    model: AffinityModel,
    person_id: int,
    qvec: Mapping[int, float],
    request_text: str,
    limit: int = 4,
) -> list[str]:
    """The request's phrases (two syllables or more, as written) that the expert's profile shares.

    A phrase is a run of the request's words in which every neighbouring pair is a term of
    the expert's profile; runs are kept whole ("biến đổi khí hậu"), single syllables never.
    """
    row = model.row_of.get(person_id)
    if row is None or not qvec:
        return []
    start, end = model.matrix.indptr[row], model.matrix.indptr[row + 1]
    inverse = model._inverse()
    shared = {
        inverse[int(j)]: float(v) * qvec[int(j)]
        for j, v in zip(model.matrix.indices[start:end], model.matrix.data[start:end], strict=True)
        if qvec.get(int(j))
    }
    found: dict[str, float] = {}
    for seg in _segments(request_text):
        terms = [_term_of(w) for w in seg]
        i = 0
        while i < len(seg) - 1:
            j = i
            weight = 0.0
            while (
                j < len(seg) - 1
                and terms[j] is not None
                and terms[j + 1] is not None
                and f"{terms[j]} {terms[j + 1]}" in shared
            ):
                weight += shared[f"{terms[j]} {terms[j + 1]}"]
                j += 1
            if j > i:
                phrase = " ".join(seg[i : j + 1])
                key = phrase.casefold()
                if key not in {k.casefold() for k in found}:
                    found[phrase] = weight
                else:
                    existing = next(k for k in found if k.casefold() == key)
                    found[existing] = max(found[existing], weight)
                i = j + 1
            else:
                i += 1
    ranked = sorted(found.items(), key=lambda kv: -kv[1])
    out: list[str] = []
    for phrase, _w in ranked:
        words = phrase.casefold().split()
        if all(fold(w) in STOPWORDS for w in words):
            continue
        # A longer phrase already says what a shorter one inside it says.
        if any(f" {phrase.casefold()} " in f" {o.casefold()} " for o in out):
            continue
        out.append(phrase)
        if len(out) >= limit:
            break
    return out
