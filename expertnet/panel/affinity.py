"""How well an expert fits a request, as a number in [0, 1] comparable across requests.

The choice, and why: affinity is the cosine between TF-IDF vectors of the request's text
and of the expert's topical profile (expertise keywords, field names, position, bio),
mixed half and half with the overlap of their field codes when the request names fields.

- Cosine of non-negative vectors lies in [0, 1] by construction, and it depends only on
  the two texts and the corpus statistics, never on which other experts or requests are
  being compared. So the same expert and the same text give the same number in any
  request (within one graph version; the IDF moves slightly as people are added).
- ``ExpertIndex.search`` was not usable for this: it requires every query word to match
  (right for a search box, wrong for a two-page request text) and BM25 scores have no
  fixed scale. We use ``search_index``'s own normalisation and diacritic folding, so
  "thuy san" and "thủy sản" are one term here exactly as in the search box.
- Terms are folded syllables and pairs of adjacent syllables: most Vietnamese words are
  two syllables ("thủy sản", "kinh tế"), and a pair is far more telling than either half.
- Publications and projects are evidence of their own (``AffinityModel``): the best
  matching work and the breadth of good matches, weighted to recent work, combined
  with the profile so that an expert without works keeps their profile score.
- English words are stemmed (Snowball) and English function words dropped: many experts
  publish in English while requests are in Vietnamese.
- Request terms that no expert uses are dropped before normalising: they cannot favour
  any expert, and keeping them would only shrink every score by the same factor.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import ChainMap, Counter
from collections.abc import Iterable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import snowballstemmer
from scipy import sparse

from search_index import fold, normalize_text

from ..directory.taxonomy import area_of

#: Weight of the text cosine and of the field overlap when the request names fields.
TEXT_WEIGHT = 0.5
FIELD_WEIGHT = 0.5
#: Request documents are long; the first part carries the subject and is enough to rank.
MAX_REQUEST_CHARS = 200_000

_SEGMENT_RE = re.compile(r"[^\w\s]+")
_WORD_RE = re.compile(r"\w+")

# Function words that carry no topic; IDF would mostly flatten them, but pairs such as
# "của các" would otherwise survive as rare bigrams.
_STOPWORD_TEXT = (
    "và của các những cho trong với được là có về theo tại đến từ một này đó khi đã sẽ "
    "thì mà như để do bởi trên dưới hoặc hay cũng vào ra nên nếu vì phải không chưa rất "
    "nhiều ít hơn số việc người năm ngày tháng the and of for in on to a an with by "
    # Words every request and many bios use ("development", "phase", "city", "scheme",
    # "opinion"): they say nothing about which expert fits.
    "mới phát triển giai đoạn thành phố địa bàn đề án lấy ý kiến "
    # English function words: many experts publish in English.
    "is are was were be been being from at as or not no but that this these those it its "
    "we our us they their them he she his her which who whom what when where how than then "
    "there here such into onto over under between among about after before during through "
    "using used based can could may might must should would will shall also both each other "
    "more most some any all only very"
)
STOPWORDS = frozenset(fold(w) for w in _STOPWORD_TEXT.split())

_english = snowballstemmer.stemmer("english")
_stems: dict[str, str] = {}


def stem(word: str) -> str:
    """The English (Snowball) stem of a folded word: "restored", "restoration" -> "restor".

    Folded Vietnamese syllables come out unchanged (checked on the taxonomy and the demo
    vocabulary), so one pass serves both languages. Memoised: vocabularies are small.
    """
    out = _stems.get(word)
    if out is None:
        out = _stems[word] = _english.stemWord(word) if len(word) > 3 else word
    return out


_terms_of: dict[str, str | None] = {}


def _term_of(raw: str) -> str | None:
    """The term of one written word (folded, stemmed), None for a stop word; memoised,
    since a corpus of 200,000 titles repeats a few tens of thousands of words."""
    try:
        return _terms_of[raw]
    except KeyError:
        pass
    folded = fold(raw)
    w = None if folded in STOPWORDS or len(folded) < 2 or folded.isdigit() else stem(folded)
    if len(_terms_of) > 1_000_000:
        _terms_of.clear()
    _terms_of[raw] = w
    return w


def terms(text: str) -> list[str]:
    """Folded syllables and adjacent-syllable pairs of a text, stopwords left out."""
    out: list[str] = []
    for segment in _SEGMENT_RE.split(normalize_text(text)):
        prev: str | None = None
        for raw in _WORD_RE.findall(segment):
            w = _term_of(raw)
            if w is None:
                prev = None
                continue
            out.append(w)
            if prev is not None:
                out.append(f"{prev} {w}")
            prev = w
    return out


def field_match(expert_codes: Sequence[str], request_codes: Sequence[str]) -> float:
    """Mean over the request's fields: 1 for the same field (or a discipline of a requested
    area), 0.5 for a sibling discipline in the same area, else 0."""
    if not request_codes:
        return 0.0
    mine = set(expert_codes)
    my_areas = {area_of(c) for c in mine}
    total = 0.0
    for code in request_codes:
        area = area_of(code)
        if code in mine or (area == code and area in my_areas):
            total += 1.0
        elif area in my_areas:
            total += 0.5
    return total / len(request_codes)


#: Weights of an expert's best-matching work and of the breadth (mean of the best
#: ``BREADTH_K``) in the evidence of their publications and projects.
BEST_WEIGHT, BREADTH_WEIGHT, BREADTH_K = 0.3, 0.7, 10
#: A work's weight falls from 1 (this year) towards 0.5 with age (half-life ~7 years).
RECENCY_FLOOR, RECENCY_SCALE = 0.5, 10.0


def recency_weight(year: int | None, this_year: int) -> float:
    if year is None:
        return 0.75
    return RECENCY_FLOOR + (1 - RECENCY_FLOOR) * math.exp(-max(0, this_year - year) / RECENCY_SCALE)


def _rows(docs: list[Counter[str]], vocabulary: dict[str, int], idf: np.ndarray):
    """CSR arrays of L2-normalised, log-scaled TF-IDF rows."""
    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for counts in docs:
        cols = [vocabulary[t] for t in counts]
        vals = [(1.0 + math.log(c)) * idf[j] for c, j in zip(counts.values(), cols, strict=True)]
        norm = math.sqrt(sum(v * v for v in vals)) or 1.0
        indices.extend(cols)
        data.extend(v / norm for v in vals)
        indptr.append(len(indices))
    return (
        np.array(data, dtype=np.float64),
        np.array(indices, dtype=np.int32),
        np.array(indptr, dtype=np.int64),
    )


def _merged_rows(
    base: sparse.csr_matrix, keep: np.ndarray, fresh: sparse.csr_matrix, order: np.ndarray
) -> sparse.csr_matrix:
    """The rows ``keep`` of ``base`` followed by the rows of ``fresh``, taken in ``order``,
    as one CSR matrix written once: ``vstack([base[keep], fresh])[order]`` makes three
    copies of the whole matrix where a patch changes a few rows (docs/performance.md)."""
    n_keep = len(keep)
    starts = np.concatenate([base.indptr[keep], fresh.indptr[:-1]])[order]
    lens = np.concatenate([np.diff(base.indptr)[keep], np.diff(fresh.indptr)])[order]
    from_fresh = order >= n_keep
    indptr = np.zeros(len(order) + 1, dtype=base.indptr.dtype)
    np.cumsum(lens, out=indptr[1:])
    total = int(indptr[-1])
    data = np.empty(total, dtype=base.data.dtype)
    indices = np.empty(total, dtype=base.indices.dtype)
    # Runs of consecutive rows from the same source are copied as one slice: a patch of a
    # few rows is a few memcpy's, not a gather of every element.
    ends = starts + lens
    cut = np.flatnonzero((from_fresh[1:] != from_fresh[:-1]) | (starts[1:] != ends[:-1])) + 1
    bounds = [0, *cut.tolist(), len(order)] if len(order) else []
    for i, j in itertools.pairwise(bounds):
        src = fresh if from_fresh[i] else base
        lo, hi = int(starts[i]), int(ends[j - 1])
        data[indptr[i] : indptr[j]] = src.data[lo:hi]
        indices[indptr[i] : indptr[j]] = src.indices[lo:hi]
    return sparse.csr_matrix((data, indices, indptr), shape=(len(order), base.shape[1]))


class RowOf(Mapping):
    """Person id -> row of the sorted ``person_ids``, by binary search (no dict of 10,000
    boxed ints per snapshot and per patch)."""

    __slots__ = ("ids",)

    def __init__(self, ids: np.ndarray) -> None:
        self.ids = ids

    def _find(self, pid: object) -> int:
        if not isinstance(pid, int | np.integer):
            return -1
        i = int(np.searchsorted(self.ids, pid))
        return i if i < len(self.ids) and int(self.ids[i]) == pid else -1

    def __getitem__(self, pid: int) -> int:
        i = self._find(pid)
        if i < 0:
            raise KeyError(pid)
        return i

    def __contains__(self, pid: object) -> bool:
        return self._find(pid) >= 0

    def __iter__(self) -> Iterator[int]:
        return iter(self.ids.tolist())

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class AffinityModel:
    """TF-IDF vectors of every expert's profile, one L2-normalised row per expert, and of
    each of their works (publications, projects), one row per work.

    An expert's text score is the profile cosine combined, as a probabilistic "or", with
    the evidence of their works: ``1 - (1 - profile) * (1 - works)``, where ``works`` is
    ``BEST_WEIGHT`` × the best recency-weighted cosine of one work plus
    ``BREADTH_WEIGHT`` × the mean of the best ``BREADTH_K``. Every part lies in [0, 1],
    so the score does too; an expert without works keeps exactly their profile cosine.
    """

    person_ids: np.ndarray  # row -> person id
    row_of: Mapping[int, int]
    vocabulary: dict[str, int]
    idf: np.ndarray
    matrix: sparse.csr_matrix
    #: folded term -> how it was first written, for human-readable reasons.
    surface: Mapping[str, str]
    #: One row per work, grouped by expert; ``work_owner`` is the expert's row.
    works: sparse.csr_matrix | None = None
    work_owner: np.ndarray | None = None
    work_weight: np.ndarray | None = None
    #: Each expert's keywords as they typed them (the reasons quote them whole).
    keywords: dict[int, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        expert_texts: Mapping[int, tuple[Iterable[str], str | None, str | None, Sequence[str]]],
        field_by_code: Mapping[str, Any],
        works: Mapping[int, Sequence[tuple[int | None, str]]] | None = None,
        this_year: int | None = None,
    ) -> AffinityModel:
        person_ids = np.array(sorted(expert_texts), dtype=np.int64)
        vocabulary: dict[str, int] = {}
        surface: dict[str, str] = {}
        docs: list[Counter[str]] = []
        df: Counter[str] = Counter()
        keywords: dict[int, tuple[str, ...]] = {}
        for pid in person_ids.tolist():
            keywords[pid] = tuple(k for k in expert_texts[pid][0] or () if k and k.strip())
            counts = _profile_counts(expert_texts[pid], field_by_code, surface)
            docs.append(counts)
            df.update(counts.keys())
        row_of = RowOf(person_ids)
        work_docs: list[Counter[str]] = []
        owners: list[int] = []
        weights: list[float] = []
        if works:
            from datetime import date

            year_now = this_year or date.today().year
            for row, pid in enumerate(person_ids.tolist()):
                # Document frequency counts experts, not works: a term an expert uses in
                # forty papers is still one expert's term.
                seen = set(docs[row])
                for year, text in works.get(pid, ()):
                    counts = Counter(terms(text))
                    if not counts:
                        continue
                    work_docs.append(counts)
                    owners.append(row)
                    weights.append(recency_weight(year, year_now))
                    fresh = counts.keys() - seen
                    df.update(fresh)
                    seen.update(fresh)
        for t in sorted(df):
            vocabulary[t] = len(vocabulary)
        n = len(docs)
        idf = np.zeros(len(vocabulary), dtype=np.float64)
        for t, j in vocabulary.items():
            idf[j] = math.log((n + 1) / (df[t] + 1)) + 1.0
        matrix = sparse.csr_matrix(_rows(docs, vocabulary, idf), shape=(len(docs), len(vocabulary)))
        work_matrix = None
        if work_docs:
            work_matrix = sparse.csr_matrix(
                _rows(work_docs, vocabulary, idf), shape=(len(work_docs), len(vocabulary))
            )
        return cls(
            person_ids=person_ids,
            row_of=row_of,
            vocabulary=vocabulary,
            idf=idf,
            matrix=matrix,
            surface=surface,
            works=work_matrix,
            work_owner=np.array(owners, dtype=np.int64) if work_docs else None,
            work_weight=np.array(weights, dtype=np.float64) if work_docs else None,
            keywords=keywords,
        )

    def patched(
        self,
        changed: Mapping[int, tuple[Iterable[str], str | None, str | None, Sequence[str]] | None],
        field_by_code: Mapping[str, Any],
    ) -> AffinityModel:
        """A copy in which the profiles of ``changed`` experts are replaced (None: no
        longer an expert), vectorised with this model's vocabulary and IDF.

        Cheap (a few rows), so a profile edit needs no rebuild; until the next full
        snapshot a term nobody used before is not counted and the IDF stays the
        snapshot's. The works of an expert who stays keep their rows.
        """
        # New surface forms go into a small dict in front of the snapshot's (never copied).
        base = self.surface.maps[-1] if isinstance(self.surface, ChainMap) else self.surface
        extra = dict(self.surface.maps[0]) if isinstance(self.surface, ChainMap) else {}
        surface: ChainMap[str, str] = ChainMap(extra, base)
        old_ids = self.person_ids.tolist()
        keep = np.array([r for r, p in enumerate(old_ids) if p not in changed], dtype=np.int64)
        new_ids = sorted(p for p, t in changed.items() if t is not None)
        docs = []
        for pid in new_ids:
            counts = _profile_counts(changed[pid], field_by_code, surface)  # type: ignore[arg-type]
            docs.append(Counter({t: c for t, c in counts.items() if t in self.vocabulary}))
        fresh = sparse.csr_matrix(
            _rows(docs, self.vocabulary, self.idf), shape=(len(docs), len(self.vocabulary))
        )
        ids = np.concatenate([self.person_ids[keep], np.array(new_ids, dtype=np.int64)])
        order = np.argsort(ids, kind="stable")
        matrix = _merged_rows(self.matrix, keep, fresh, order)
        person_ids = ids[order]
        row_of = RowOf(person_ids)
        works, owner, weight = self.works, self.work_owner, self.work_weight
        if works is not None and owner is not None and weight is not None:
            # A work stays with its expert's new row; works of people gone are dropped.
            new_row = np.full(len(old_ids), -1, dtype=np.int64)
            for r, p in enumerate(old_ids):
                new_row[r] = row_of.get(p, -1) if p not in changed or changed[p] else -1
            owner = new_row[owner]
            alive = owner >= 0
            works, owner, weight = works[alive], owner[alive], weight[alive]
            by_owner = np.argsort(owner, kind="stable")
            works, owner, weight = works[by_owner], owner[by_owner], weight[by_owner]
            if not len(owner):
                works = owner = weight = None
        keywords = {p: k for p, k in self.keywords.items() if p not in changed}
        for pid in new_ids:
            keywords[pid] = tuple(k for k in changed[pid][0] or () if k and k.strip())  # type: ignore[index]
        return AffinityModel(
            person_ids=person_ids,
            row_of=row_of,
            vocabulary=self.vocabulary,
            idf=self.idf,
            matrix=matrix,
            surface=surface,
            works=works,
            work_owner=owner,
            work_weight=weight,
            keywords=keywords,
        )

    def work_scores(self, q: np.ndarray) -> np.ndarray:
        """Per expert row: the evidence of their works for the dense query ``q``."""
        out = np.zeros(len(self.person_ids))
        if self.works is None or self.work_owner is None or self.work_weight is None:
            return out
        sims = np.clip(self.works @ q, 0.0, 1.0) * self.work_weight
        hit = np.flatnonzero(sims)
        if not len(hit):
            return out
        owner, sim = self.work_owner[hit], sims[hit]
        order = np.lexsort((-sim, owner))  # by owner, best first
        owner, sim = owner[order], sim[order]
        first = np.r_[True, owner[1:] != owner[:-1]]
        starts = np.flatnonzero(first)
        rank = np.arange(len(owner)) - np.repeat(starts, np.diff(np.r_[starts, len(owner)]))
        best = np.zeros(len(self.person_ids))
        best[owner[first]] = sim[first]
        top = rank < BREADTH_K
        breadth = np.zeros(len(self.person_ids))
        np.add.at(breadth, owner[top], sim[top])
        return BEST_WEIGHT * best + BREADTH_WEIGHT * breadth / BREADTH_K

    def query_vector(self, text: str) -> dict[int, float]:
        """The request text as a normalised sparse vector over the experts' vocabulary."""
        counts = Counter(t for t in terms(text[:MAX_REQUEST_CHARS]) if t in self.vocabulary)
        vec = {
            self.vocabulary[t]: (1.0 + math.log(c)) * float(self.idf[self.vocabulary[t]])
            for t, c in counts.items()
        }
        norm = math.sqrt(sum(v * v for v in vec.values()))
        return {j: v / norm for j, v in vec.items()} if norm else {}

    def text_scores(self, qvec: Mapping[int, float]) -> np.ndarray:
        """Every expert's text score (profile cosine "or" their works' evidence), in row order."""
        if not qvec:
            return np.zeros(len(self.person_ids))
        # A dense query vector: a CSR mat-vec is one pass over the non-zeros (about a
        # millisecond at 10,000 experts), where slicing columns out of CSR copies them.
        q = np.zeros(len(self.vocabulary), dtype=np.float64)
        q[np.fromiter(qvec.keys(), dtype=np.int64)] = np.fromiter(qvec.values(), dtype=np.float64)
        profile = np.clip(self.matrix @ q, 0.0, 1.0)
        if self.works is None:
            return profile
        works = np.clip(self.work_scores(q), 0.0, 1.0)
        return 1.0 - (1.0 - profile) * (1.0 - works)

    def matched_terms(self, person_id: int, qvec: Mapping[int, float], limit: int = 3) -> list[str]:
        """The terms that contribute most to an expert's text score, as people wrote them."""
        row = self.row_of.get(person_id)
        if row is None or not qvec:
            return []
        start, end = self.matrix.indptr[row], self.matrix.indptr[row + 1]
        contrib = []
        for j, v in zip(self.matrix.indices[start:end], self.matrix.data[start:end], strict=True):
            w = qvec.get(int(j))
            if w:
                contrib.append((v * w, int(j)))
        contrib.sort(reverse=True)
        inverse = self._inverse()
        out: list[str] = []
        for _score, j in contrib:
            term = inverse[j]
            shown = self.surface.get(term, term)
            # A pair already says what its syllables say.
            if any(shown in o for o in out):
                continue
            out = [o for o in out if o not in shown]
            out.append(shown)
            if len(out) >= limit:
                break
        return out

    def _inverse(self) -> list[str]:
        inv = getattr(self, "_inv", None)
        if inv is None:
            inv = [""] * len(self.vocabulary)
            for t, j in self.vocabulary.items():
                inv[j] = t
            self._inv = inv
        return inv


def _profile_counts(
    text: tuple[Iterable[str], str | None, str | None, Sequence[str]],
    field_by_code: Mapping[str, Any],
    surface: MutableMapping[str, str],
) -> Counter[str]:
    """The term counts of one expert's profile; records how new terms were written."""
    expertise, position, bio, codes = text
    parts: list[str] = []
    for kw in expertise or ():
        parts.append(kw)
        for t in terms(kw):
            if t not in surface:
                surface[t] = _surface(kw, t)
    for code in codes:
        f = field_by_code.get(code)
        if f is not None:
            parts.extend((f.name, f.name_en))
    if position:
        parts.append(position)
    if bio:
        parts.append(bio)
    return Counter(terms("\n".join(parts)))


def _surface(keyword: str, term: str) -> str:
    """The words of ``keyword`` whose folded forms make ``term``, with their diacritics."""
    words = _WORD_RE.findall(normalize_text(keyword).lower())
    want = term.split(" ")
    n = len(want)
    for i in range(len(words) - n + 1):
        if [stem(fold(w)) for w in words[i : i + n]] == want:
            return " ".join(words[i : i + n])
    return term
