"""How well an expert fits a request, as a number in [0, 1] comparable across requests.

The choice, and why: affinity is the text score of the request's text against the
expert (below), mixed half and half with the overlap of their field codes when the
request names fields.

- Every part of the text score lies in [0, 1] by construction and depends only on the
  request's text, the expert's own text and the corpus statistics (IDF, the average
  record length), never on which other experts or requests are being compared. So the
  same expert and the same text give the same number in any request (within one graph
  version; the statistics move slightly as people are added).
- ``ExpertIndex.search`` was not usable for this: it requires every query word to match
  (right for a search box, wrong for a two-page request text) and raw BM25 scores have
  no fixed scale (here they are divided by the most the request's terms could score).
  We use ``search_index``'s own normalisation and diacritic folding, so "thuy san" and
  "thủy sản" are one term here exactly as in the search box.
- Terms are folded syllables and pairs of adjacent syllables: most Vietnamese words are
  two syllables ("thủy sản", "kinh tế"), and a pair is far more telling than either half.
- The text score (``AffinityModel.text_scores``) has two parts, combined as a
  probabilistic "or": how much of the expert's *declared* expertise (their keywords and
  field names, whole phrases, IDF-weighted) the request mentions, and a BM25-style match
  of the request's terms against the expert's whole record (profile plus publications
  and projects, recent work counting more), with term-frequency saturation and length
  normalisation, divided by the most the request's terms could score. Both lie in
  [0, 1] and depend only on the expert and the request text. Measured against plain
  TF-IDF and BM25 in ``bench/affinity.py`` (docs/performance.md).
- English words are stemmed (Snowball) and English function words dropped: many experts
  publish in English while requests are in Vietnamese.
- Request terms that no expert uses are dropped before normalising: they cannot favour
  any expert, and keeping them would only shrink every score by the same factor.
- The choices (parts, weights, BM25's k1 and b) were made on a development split of the
  held-out-publication test and measured on separate test splits (docs/performance.md).
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

#: Weight of the text score and of the field overlap when the request names fields.
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


def segments(text: str) -> Iterator[list[str]]:
    """The folded terms of each punctuation-delimited segment, in order, stopwords left
    out: what declared phrases (keywords, field names) are matched against."""
    for segment in _SEGMENT_RE.split(normalize_text(text)):
        seq = [w for raw in _WORD_RE.findall(segment) if (w := _term_of(raw)) is not None]
        if seq:
            yield seq


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
#: ``BREADTH_K``) in the learned source's evidence (``scholarly.embeddings.score_works``).
BEST_WEIGHT, BREADTH_WEIGHT, BREADTH_K = 0.3, 0.7, 10
#: The record part of the text score: BM25 saturation and length normalisation, and its
#: weight against the declared-expertise part (chosen on a development split of the
#: held-out-publication test, docs/performance.md).
BM25_K1, BM25_B = 1.2, 0.75
RECORD_WEIGHT = 0.4
#: Longest declared phrase matched (in terms); longer keywords match on their start.
MAX_PHRASE_TERMS = 6
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


def _tfidf_rows(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """``_rows`` of a matrix of term counts: L2-normalised, log-scaled TF-IDF rows."""
    rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
    vals = (1.0 + np.log(counts.data)) * idf[counts.indices]
    norm = np.sqrt(np.bincount(rows, weights=vals * vals, minlength=counts.shape[0]))
    norm[norm == 0] = 1.0
    return sparse.csr_matrix(
        (vals / norm[rows], counts.indices.astype(np.int32), counts.indptr.astype(np.int64)),
        shape=counts.shape,
    )


def _bm25_matrix(
    counts: sparse.csr_matrix, lengths: np.ndarray, avg_length: float
) -> sparse.csr_matrix:
    """``_bm25_rows`` of a matrix of (weighted) term counts whose row sums are ``lengths``."""
    norm = BM25_K1 * (1 - BM25_B + BM25_B * lengths / (avg_length or 1.0))
    tf = counts.data
    rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
    return sparse.csr_matrix(
        (
            tf * (BM25_K1 + 1) / (tf + norm[rows]),
            counts.indices.astype(np.int32),
            counts.indptr.astype(np.int64),
        ),
        shape=counts.shape,
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


class QueryVector(dict):
    """A request as ``AffinityModel.query_vector`` makes it: term column -> normalised
    TF-IDF weight (what explanations read), plus the declared phrases it mentions."""

    phrases: np.ndarray

    def __init__(self, vec: Mapping[int, float], phrases: np.ndarray) -> None:
        super().__init__(vec)
        self.phrases = phrases


_NO_PHRASES = np.zeros(0, dtype=np.int64)


def _bm25_rows(
    docs: Sequence[Mapping[int, float]], n_cols: int, avg_length: float
) -> sparse.csr_matrix:
    """Per (expert, term): ``tf (k1 + 1) / (tf + k1 (1 - b + b len / avg))``, in (0, k1 + 1)."""
    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for counts in docs:
        length = sum(counts.values())
        norm = BM25_K1 * (1 - BM25_B + BM25_B * length / (avg_length or 1.0))
        for j, tf in counts.items():
            indices.append(j)
            data.append(tf * (BM25_K1 + 1) / (tf + norm))
        indptr.append(len(indices))
    return sparse.csr_matrix(
        (np.array(data, dtype=np.float64), np.array(indices, dtype=np.int32), np.array(indptr)),
        shape=(len(docs), n_cols),
    )


def _declared_rows(
    phrase_lists: Sequence[Iterable[str]], phrase_index: Mapping[str, int]
) -> sparse.csr_matrix:
    """Binary expert x phrase rows (phrases outside ``phrase_index`` are dropped)."""
    indptr = [0]
    indices: list[int] = []
    for phrases in phrase_lists:
        indices.extend(sorted({phrase_index[p] for p in phrases if p in phrase_index}))
        indptr.append(len(indices))
    return sparse.csr_matrix(
        (np.ones(len(indices)), np.array(indices, dtype=np.int32), np.array(indptr)),
        shape=(len(phrase_lists), len(phrase_index)),
    )


@dataclass
class AffinityModel:
    """Every expert's text, ready to score a request against all of them at once.

    - ``matrix``: L2-normalised TF-IDF rows of the profiles (expertise keywords, field
      names, position, bio); the explanations read the terms that match here.
    - ``declared``: which declared phrases (keywords, field names; folded, stemmed) each
      expert has, with ``phrase_idf`` over experts and each expert's ``declared_mass``.
    - ``record``: BM25 term weights of each expert's whole record: profile counts plus
      the recency-weighted counts of their works (``work_counts`` keeps the works' own
      rows, grouped by expert, so that a profile edit can rebuild a row).

    An expert's text score is ``1 - (1 - D) (1 - RECORD_WEIGHT × R)``: ``D`` the IDF
    share of their declared phrases that the request mentions, ``R`` the BM25 score of
    the request's distinct terms over their record divided by its maximum
    (``(k1 + 1) × Σ idf``). Both lie in [0, 1], so the score does too.
    """

    person_ids: np.ndarray  # row -> person id
    row_of: Mapping[int, int]
    vocabulary: Mapping[str, int]
    idf: np.ndarray
    matrix: sparse.csr_matrix
    #: folded term -> how it was first written, for human-readable reasons.
    surface: Mapping[str, str]
    #: BM25 IDF over experts, per term, and the record rows (one per expert).
    record_idf: np.ndarray | None = None
    record: sparse.csr_matrix | None = None
    avg_length: float = 1.0
    #: Declared phrases: phrase -> column, IDF over experts, expert x phrase rows.
    phrases: Mapping[str, int] = field(default_factory=dict)
    phrase_idf: np.ndarray | None = None
    declared: sparse.csr_matrix | None = None
    declared_mass: np.ndarray | None = None
    #: One row of raw term counts per work, grouped by expert; ``work_owner`` is the
    #: expert's row, ``work_weight`` the work's recency weight.
    work_counts: sparse.csr_matrix | None = None
    work_owner: np.ndarray | None = None
    work_weight: np.ndarray | None = None
    #: Each expert's keywords as they typed them (the reasons quote them whole).
    keywords: Mapping[int, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        expert_texts: Mapping[int, tuple[Iterable[str], str | None, str | None, Sequence[str]]],
        field_by_code: Mapping[str, Any],
        works: Mapping[int, Sequence[tuple[int | None, str]]] | None = None,
        this_year: int | None = None,
    ) -> AffinityModel:
        person_ids = np.array(sorted(expert_texts), dtype=np.int64)
        n = len(person_ids)
        surface: dict[str, str] = {}
        declared: list[set[str]] = []
        phrase_df: Counter[str] = Counter()
        keywords: dict[int, tuple[str, ...]] = {}
        # Terms are numbered as first met (``local``), then renumbered in sorted order.
        local: dict[str, int] = {}
        number = local.setdefault
        p_rows: list[int] = []
        p_cols: list[int] = []
        p_counts: list[int] = []
        kw_terms: dict[Any, list[str]] = {}
        part_phrases: dict[Any, tuple[str, ...]] = {}
        for row, pid in enumerate(person_ids.tolist()):
            keywords[pid] = tuple(k for k in expert_texts[pid][0] or () if k and k.strip())
            counts = _profile_counts(expert_texts[pid], field_by_code, surface, kw_terms)
            p_rows.extend(itertools.repeat(row, len(counts)))
            p_cols.extend([number(t, len(local)) for t in counts])
            p_counts.extend(counts.values())
            mine = _declared_phrases(expert_texts[pid], field_by_code, part_phrases)
            declared.append(mine)
            phrase_df.update(mine)
        row_of = RowOf(person_ids)
        # Works: each distinct text is read once (a co-authored paper sits in the record
        # of each of its authors), as the numbers of its terms, one per occurrence.
        text_of: dict[str, int] = {}
        w_text: list[int] = []
        owners: list[int] = []
        weights: list[float] = []
        if works:
            from datetime import date

            year_now = this_year or date.today().year
            weight_of: dict[int | None, float] = {}
            for row, pid in enumerate(person_ids.tolist()):
                for year, text in works.get(pid, ()):
                    u = text_of.get(text)
                    if u is None:
                        u = text_of[text] = len(text_of)
                    w = weight_of.get(year)
                    if w is None:
                        w = weight_of[year] = recency_weight(year, year_now)
                    w_text.append(u)
                    owners.append(row)
                    weights.append(w)
        t_cols: list[int] = []
        t_ptr = [0]
        for text in text_of:
            t_cols.extend([number(t, len(local)) for t in terms(text)])
            t_ptr.append(len(t_cols))
        del text_of
        # The vocabulary: every term of an expert's profile or works, sorted.
        vocabulary: dict[str, int] = {}
        renumber = np.empty(len(local), dtype=np.int64)
        for j, t in enumerate(sorted(local)):
            vocabulary[t] = j
            renumber[local[t]] = j
        del local
        n_terms = len(vocabulary)
        profiles = sparse.csr_matrix(
            (
                np.array(p_counts, dtype=np.float64),
                (np.array(p_rows, dtype=np.int64), renumber[np.array(p_cols, dtype=np.int64)]),
            ),
            shape=(n, n_terms),
        )
        profiles.sum_duplicates()
        # Term counts of each distinct text, then of each work (a work with no term is
        # left out, as it says nothing).
        t_ptr_arr = np.array(t_ptr, dtype=np.int64)
        texts = sparse.csr_matrix(
            (
                np.ones(len(t_cols), dtype=np.float64),
                renumber[np.array(t_cols, dtype=np.int64)],
                t_ptr_arr,
            ),
            shape=(len(t_ptr) - 1, n_terms),
        )
        texts.sum_duplicates()
        del t_cols, t_ptr
        w_text_arr = np.array(w_text, dtype=np.int64)
        has_terms = np.diff(t_ptr_arr)[w_text_arr] > 0 if len(w_text_arr) else w_text_arr > 0
        w_text_arr = w_text_arr[has_terms]
        owner_arr = np.array(owners, dtype=np.int64)[has_terms]
        weight_arr = np.array(weights, dtype=np.float64)[has_terms]
        work_counts = None
        record_counts = profiles
        if len(w_text_arr):
            work_counts = texts[w_text_arr]
            work_counts.indices = work_counts.indices.astype(np.int32, copy=False)
            by_expert = sparse.csr_matrix(
                (weight_arr, (owner_arr, np.arange(len(owner_arr)))), shape=(n, len(owner_arr))
            )
            # The whole record of each expert: profile counts plus recency-weighted works.
            record_counts = (profiles + by_expert @ work_counts).tocsr()
        record_counts.sum_duplicates()
        # Document frequency counts experts, not works: a term an expert uses in forty
        # papers is still one expert's term.
        dfs = np.bincount(record_counts.indices, minlength=n_terms).astype(np.float64)
        idf = np.log((n + 1) / (dfs + 1)) + 1.0
        matrix = _tfidf_rows(profiles, idf)
        lengths = np.asarray(record_counts.sum(axis=1)).ravel()
        avg_length = float(np.mean(lengths)) if n else 1.0
        phrases = {p: i for i, p in enumerate(sorted(phrase_df))}
        phrase_idf = np.array(
            [math.log((n + 1) / (phrase_df[p] + 1)) + 1.0 for p in phrases], dtype=np.float64
        )
        declared_matrix = _declared_rows(declared, phrases)
        return cls(
            person_ids=person_ids,
            row_of=row_of,
            vocabulary=vocabulary,
            idf=idf,
            matrix=matrix,
            surface=surface,
            record_idf=np.log(1 + (n - dfs + 0.5) / (dfs + 0.5)),
            record=_bm25_matrix(record_counts, lengths, avg_length),
            avg_length=avg_length,
            phrases=phrases,
            phrase_idf=phrase_idf,
            declared=declared_matrix,
            declared_mass=declared_matrix @ phrase_idf,
            work_counts=work_counts,
            work_owner=owner_arr if work_counts is not None else None,
            work_weight=weight_arr if work_counts is not None else None,
            keywords=keywords,
        )

    def patched(
        self,
        changed: Mapping[int, tuple[Iterable[str], str | None, str | None, Sequence[str]] | None],
        field_by_code: Mapping[str, Any],
    ) -> AffinityModel:
        """A copy in which the profiles of ``changed`` experts are replaced (None: no
        longer an expert), vectorised with this model's vocabulary, phrases and IDF.

        Cheap (a few rows), so a profile edit needs no rebuild; until the next full
        snapshot a term or phrase nobody used before is not counted and the IDF and the
        average record length stay the snapshot's. The works of an expert who stays keep
        their rows and count in their rebuilt record.
        """
        # New surface forms go into a small dict in front of the snapshot's (never copied).
        base = self.surface.maps[-1] if isinstance(self.surface, ChainMap) else self.surface
        extra = dict(self.surface.maps[0]) if isinstance(self.surface, ChainMap) else {}
        surface: ChainMap[str, str] = ChainMap(extra, base)
        old_ids = self.person_ids.tolist()
        keep = np.array([r for r, p in enumerate(old_ids) if p not in changed], dtype=np.int64)
        new_ids = sorted(p for p, t in changed.items() if t is not None)
        docs = []
        records: list[dict[int, float]] = []
        declared: list[set[str]] = []
        wc, wo, ww = self.work_counts, self.work_owner, self.work_weight
        for pid in new_ids:
            text = changed[pid]
            counts = _profile_counts(text, field_by_code, surface)  # type: ignore[arg-type]
            counts = Counter({t: c for t, c in counts.items() if t in self.vocabulary})
            docs.append(counts)
            declared.append(_declared_phrases(text, field_by_code))  # type: ignore[arg-type]
            record = {self.vocabulary[t]: float(c) for t, c in counts.items()}
            old = self.row_of.get(pid)
            if old is not None and wc is not None and wo is not None and ww is not None:
                mine = np.flatnonzero(wo == old)
                if len(mine):
                    summed = sparse.csr_matrix(ww[mine] @ wc[mine])
                    for j, v in zip(summed.indices.tolist(), summed.data.tolist(), strict=True):
                        record[j] = record.get(j, 0.0) + v
            records.append(record)
        fresh = sparse.csr_matrix(
            _rows(docs, self.vocabulary, self.idf), shape=(len(docs), len(self.vocabulary))
        )
        ids = np.concatenate([self.person_ids[keep], np.array(new_ids, dtype=np.int64)])
        order = np.argsort(ids, kind="stable")
        matrix = _merged_rows(self.matrix, keep, fresh, order)
        person_ids = ids[order]
        row_of = RowOf(person_ids)
        record_matrix = self.record
        if record_matrix is not None:
            record_matrix = sparse.vstack(
                [record_matrix[keep], _bm25_rows(records, len(self.vocabulary), self.avg_length)],
                format="csr",
            )[order]
        declared_matrix, mass = self.declared, self.declared_mass
        if declared_matrix is not None and self.phrase_idf is not None:
            declared_matrix = sparse.vstack(
                [declared_matrix[keep], _declared_rows(declared, self.phrases)], format="csr"
            )[order]
            mass = declared_matrix @ self.phrase_idf
        if wc is not None and wo is not None and ww is not None:
            # A work stays with its expert's new row; works of people gone are dropped.
            new_row = np.full(len(old_ids), -1, dtype=np.int64)
            for r, p in enumerate(old_ids):
                new_row[r] = row_of.get(p, -1) if p not in changed or changed[p] else -1
            wo = new_row[wo]
            alive = wo >= 0
            wc, wo, ww = wc[alive], wo[alive], ww[alive]
            by_owner = np.argsort(wo, kind="stable")
            wc, wo, ww = wc[by_owner], wo[by_owner], ww[by_owner]
            if not len(wo):
                wc = wo = ww = None
        # The snapshot's keywords stay where they are (mapped); the changed ones go over them.
        from .snapshot_arrays import Overlay

        keywords = Overlay(
            self.keywords,
            {
                pid: None
                if changed[pid] is None
                else tuple(k for k in changed[pid][0] or () if k and k.strip())  # type: ignore[index]
                for pid in changed
            },
        )
        return AffinityModel(
            person_ids=person_ids,
            row_of=row_of,
            vocabulary=self.vocabulary,
            idf=self.idf,
            matrix=matrix,
            surface=surface,
            record_idf=self.record_idf,
            record=record_matrix,
            avg_length=self.avg_length,
            phrases=self.phrases,
            phrase_idf=self.phrase_idf,
            declared=declared_matrix,
            declared_mass=mass,
            work_counts=wc,
            work_owner=wo,
            work_weight=ww,
            keywords=keywords,
        )

    def query_vector(self, text: str) -> QueryVector:
        """The request text as a normalised sparse vector over the experts' vocabulary,
        with the declared phrases it mentions."""
        text = text[:MAX_REQUEST_CHARS]
        find = getattr(self.vocabulary, "find", None)  # a mapped vocabulary: one look-up
        vec: dict[int, float] = {}
        for t, c in Counter(terms(text)).items():
            j = find(t) if find is not None else self.vocabulary.get(t, -1)
            if j >= 0:
                vec[j] = (1.0 + math.log(c)) * float(self.idf[j])
        norm = math.sqrt(sum(v * v for v in vec.values()))
        found: set[int] = set()
        if self.phrases:
            firsts = self.__dict__.get("_phrase_firsts")
            if firsts is None:  # the first terms of the phrases: most words start none
                firsts = frozenset(p.split(" ", 1)[0] for p in self.phrases)
                self.__dict__["_phrase_firsts"] = firsts
            for seq in segments(text):
                for i in range(len(seq)):
                    if seq[i] not in firsts:
                        continue
                    for n in range(1, min(MAX_PHRASE_TERMS, len(seq) - i) + 1):
                        j = self.phrases.get(" ".join(seq[i : i + n]))
                        if j is not None:
                            found.add(j)
        return QueryVector(
            {j: v / norm for j, v in vec.items()} if norm else {},
            np.array(sorted(found), dtype=np.int64) if found else _NO_PHRASES,
        )

    def declared_scores(self, qvec: Mapping[int, float]) -> np.ndarray:
        """Per expert row: the IDF share of their declared phrases the request mentions."""
        out = np.zeros(len(self.person_ids))
        found = getattr(qvec, "phrases", _NO_PHRASES)
        if self.declared is None or self.phrase_idf is None or not len(found):
            return out
        m = np.zeros(len(self.phrases))
        m[found] = self.phrase_idf[found]
        hit = self.declared @ m
        mass = self.declared_mass
        np.divide(hit, mass, out=out, where=mass > 0)
        return np.clip(out, 0.0, 1.0)

    def record_scores(self, qvec: Mapping[int, float]) -> np.ndarray:
        """Per expert row: BM25 of the request's distinct terms over their whole record,
        divided by the most those terms could score (so in [0, 1])."""
        if self.record is None or self.record_idf is None or not qvec:
            return np.zeros(len(self.person_ids))
        cols = np.fromiter(qvec.keys(), dtype=np.int64)
        q = np.zeros(len(self.vocabulary), dtype=np.float64)
        q[cols] = self.record_idf[cols]
        top = (BM25_K1 + 1) * float(q.sum())
        if top <= 0:
            return np.zeros(len(self.person_ids))
        return np.clip((self.record @ q) / top, 0.0, 1.0)

    def text_scores(self, qvec: Mapping[int, float]) -> np.ndarray:
        """Every expert's text score (declared expertise "or" their record), in row order."""
        declared = self.declared_scores(qvec)
        record = self.record_scores(qvec)
        return 1.0 - (1.0 - declared) * (1.0 - RECORD_WEIGHT * record)

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

    def _inverse(self) -> Sequence[str]:
        """Column -> term."""
        inv = getattr(self, "_inv", None)
        if inv is None and hasattr(self.vocabulary, "key"):
            inv = self._inv = _Terms(self.vocabulary)  # a mapped vocabulary knows its keys
        if inv is None:
            inv = [""] * len(self.vocabulary)
            for t, j in self.vocabulary.items():
                inv[j] = t
            self._inv = inv
        return inv


class _Terms(Sequence):
    """Column -> term of a mapped vocabulary (``snapshot_arrays.StringTable``)."""

    def __init__(self, table: Any) -> None:
        self.table = table

    def __getitem__(self, j: int) -> str:  # type: ignore[override]
        return self.table.key(j)

    def __len__(self) -> int:
        return len(self.table)


def _profile_counts(
    text: tuple[Iterable[str], str | None, str | None, Sequence[str]],
    field_by_code: Mapping[str, Any],
    surface: MutableMapping[str, str],
    memo: dict[Any, list[str]] | None = None,
) -> Counter[str]:
    """The term counts of one expert's profile; records how new terms were written.

    ``memo`` keeps the terms of each keyword across the experts of one build (keywords
    repeat from expert to expert)."""
    expertise, position, bio, codes = text
    parts: list[str] = []
    for kw in expertise or ():
        parts.append(kw)
        if memo is None:
            kw_terms = terms(kw)
        else:
            kw_terms = memo.get(kw)  # type: ignore[assignment]
            if kw_terms is None:
                kw_terms = memo[kw] = terms(kw)
        for t in kw_terms:
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


def _declared_phrases(
    text: tuple[Iterable[str], str | None, str | None, Sequence[str]],
    field_by_code: Mapping[str, Any],
    memo: dict[Any, tuple[str, ...]] | None = None,
) -> set[str]:
    """An expert's declared phrases: their keywords and the names of their fields
    (``memo``: the phrases of each keyword or name, across the experts of one build)."""
    expertise, _position, _bio, codes = text
    parts = [k for k in expertise or () if k]
    for code in codes:
        f = field_by_code.get(code)
        if f is not None:
            parts.extend(x for x in (f.name, f.name_en) if x)
    if memo is None:
        return {" ".join(seq[:MAX_PHRASE_TERMS]) for part in parts for seq in segments(part)}
    out: set[str] = set()
    for part in parts:
        found = memo.get(part)
        if found is None:
            found = memo[part] = tuple(" ".join(seq[:MAX_PHRASE_TERMS]) for seq in segments(part))
        out.update(found)
    return out


def _surface(keyword: str, term: str) -> str:
    """The words of ``keyword`` whose folded forms make ``term``, with their diacritics."""
    words = _WORD_RE.findall(normalize_text(keyword).lower())
    want = term.split(" ")
    n = len(want)
    for i in range(len(words) - n + 1):
        if [stem(fold(w)) for w in words[i : i + n]] == want:
            return " ".join(words[i : i + n])
    return term
