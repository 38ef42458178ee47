"""What the expert graph reads from the scholarly record, with bulk Core selects.

- Co-authorship edges: authors of one publication who are linked to directory people
  (``publication_author.person_id``), pairwise. A physics paper may list thousands of
  authors; only the first ``MAX_LINKED_AUTHORS`` linked ones of a paper make edges, so
  one paper never adds more than ~1,200.
- Joint-project edges: records holding a project with the same code.
- For every pair, the most recent collaboration (year, kind, title) in a side table,
  which the conflict rule dates and names ("co-author of 'X' (2024)").
- For every expert, the text of their record (titles, keywords, the start of abstracts,
  project titles) for affinity, and their paper titles for explanations.

The module reads tables from the shared metadata, so it imports no Flask.
"""

from __future__ import annotations

import itertools
import json
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np
from sqlalchemy import Connection, Table, Text, func, select, type_coerce

COAUTHOR = "coauthor"
JOINT_PROJECT = "joint_project"
#: Linked authors of one paper that make co-author edges (the rest are still listed).
MAX_LINKED_AUTHORS = 50
#: Works per expert that feed affinity (the most recent first) and the abstract's start.
MAX_WORKS_FOR_TEXT = 100
ABSTRACT_CHARS = 1500
#: Titles kept per expert for explanations.
MAX_TITLES = 100
#: Paper titles whose terms are kept (``title_terms``, ~0.7 KB each): explanations read
#: the same experts' titles again and again.
TITLE_TERMS_KEEP = 10_000
#: The year key of an undated work: newer than any year (it may be ongoing).
UNDATED = 10_000


@dataclass(slots=True, frozen=True)
class Collaboration:
    """The most recent work two people share: its year (None: undated), kind and title."""

    year: int | None
    kind: str  # COAUTHOR or JOINT_PROJECT
    title: str


@dataclass
class ScholarlyLayer:
    #: (smaller person id, larger person id) -> most recent shared work: a
    #: ``panel.snapshot_arrays.CollaborationTable`` (arrays) once ``read_layer`` made it.
    collaborations: Mapping[tuple[int, int], Collaboration] = field(default_factory=dict)
    #: person id -> (year, text) of each work (publication, project), for affinity.
    works: dict[int, list[tuple[int | None, str]]] = field(default_factory=dict)
    #: person id -> (year, title) of their works, newest first, for explanations.
    titles: dict[int, list[tuple[int | None, str]]] = field(default_factory=dict)


def _newer(a: int | None, b: int | None) -> bool:
    """Is year ``a`` more recent than ``b``? Undated counts as now (it may be ongoing)."""
    return (a if a is not None else UNDATED) > (b if b is not None else UNDATED)


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def plain_rows(conn: Connection, stmt: Any) -> list[tuple[Any, ...]]:
    """The rows of a select as plain tuples from the driver's cursor, on ``conn``'s
    connection (so in its transaction): for the build's bulk reads of hundreds of
    thousands of rows, where making SQLAlchemy rows costs about as much as the query.

    The statement is compiled with its literals inline (the build's own constants, never
    user input), and values come as the driver gives them, with no SQLAlchemy type
    processing: a JSON column read through ``type_coerce(column, Text)`` is text on
    SQLite and already decoded on PostgreSQL (psycopg), booleans may be 0/1.
    """
    sql = str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        cursor.close()


def read_layer(
    conn: Connection,
    tables: Mapping[str, Table],
    add_edges: Callable[[np.ndarray, np.ndarray, str], None],
    experts: Container[int],
) -> ScholarlyLayer:
    """Add co-author and joint-project edges through ``add_edges(people, people, kind)``
    (two arrays of person ids, one edge per position); ``experts`` are the people whose
    works feed affinity.

    The co-author pairs are made with array operations (a paper's linked authors in order,
    each once, the first ``MAX_LINKED_AUTHORS``; every pair of them), and for each pair
    the most recent paper wins, an earlier paper (by id) among papers of the same year,
    exactly as a pass over the papers in id order keeping the strictly newer would pick.
    The collaborations are a ``CollaborationTable`` made from those arrays: no Python
    object per pair.
    """
    layer = ScholarlyLayer()
    pub, author, project = (
        tables.get("publication"),
        tables.get("publication_author"),
        tables.get("research_project"),
    )
    if pub is None or author is None or project is None:
        return layer  # the scholarly module is not installed

    # Undated counts as the most recent (``_newer``): as a year key it is UNDATED.
    rows = plain_rows(
        conn,
        select(
            author.c.publication_id,
            author.c.person_id,
            func.coalesce(pub.c.year, UNDATED),
        )
        .join(pub, pub.c.id == author.c.publication_id)
        .where(author.c.person_id.is_not(None))
        .order_by(author.c.publication_id, author.c.position),
    )
    a, b, pub_of, year_of = _coauthor_pairs(rows)
    del rows

    # Works: text for affinity (newest first, bounded per expert), titles for
    # explanations, and the title of every paper a collaboration names.
    works = layer.works
    titles = layer.titles
    pub_ids: list[int] = []
    pub_titles: list[str] = []
    decoded: dict[str, str | None] = {}
    loads = json.loads
    for pub_id, pid, title, keywords, abstract, year in plain_rows(
        conn,
        select(
            pub.c.id,
            pub.c.person_id,
            pub.c.title,
            # The JSON text as stored: most papers' keywords are "[]", and one list is
            # decoded once however many records repeat it.
            type_coerce(pub.c.keywords, Text),
            func.substr(pub.c.abstract, 1, ABSTRACT_CHARS),
            pub.c.year,
        ).order_by(pub.c.person_id, pub.c.year.desc().nulls_last(), pub.c.id.desc()),
    ):
        pub_ids.append(pub_id)
        pub_titles.append(title)
        if pid not in experts:
            continue
        mine = works.get(pid)
        if mine is None:
            mine = works[pid] = []
            titles[pid] = []
        elif len(mine) >= MAX_WORKS_FOR_TEXT:
            continue
        text = title
        if isinstance(keywords, str):
            if keywords == "[]":
                kw = None
            else:
                kw = decoded.get(keywords, "")
                if kw == "":
                    value = loads(keywords)
                    kw = decoded[keywords] = "; ".join(str(k) for k in value) if value else None
        else:  # a driver that decodes JSON itself
            kw = "; ".join(str(k) for k in keywords) if keywords else None
        if kw is not None:
            text = f"{text}\n{kw}"
        if abstract:
            text = f"{text}\n{abstract}"
        mine.append((year, text))
        if len(titles[pid]) < MAX_TITLES:
            titles[pid].append((year, title))
    ids = np.array(pub_ids, dtype=np.int64)
    by_id = np.argsort(ids, kind="stable")
    # Each paper a collaboration names is one source (its title), however many pairs.
    papers, paper_source = np.unique(pub_of, return_inverse=True)
    where = by_id[np.searchsorted(ids, papers, sorter=by_id)] if len(papers) else papers
    sources = [pub_titles[i] for i in where.tolist()]
    add_edges(a, b, COAUTHOR)

    by_code: dict[str, list[tuple[int, int | None, str]]] = defaultdict(list)
    project_text: dict[int, list[tuple[int | None, str]]] = defaultdict(list)
    for pid, code, start, end, status, title in conn.execute(
        select(
            project.c.person_id,
            project.c.code,
            project.c.start_year,
            project.c.end_year,
            project.c.status,
            project.c.title,
        )
    ):
        project_text[pid].append((end or start, title))
        if code and code.strip():
            # An ongoing project is as recent as it gets.
            year = None if status == "ongoing" else (end or start)
            by_code[code.strip().casefold()].append((pid, year, title))
    pa: list[int] = []
    pb: list[int] = []
    p_year: list[int] = []
    p_source: list[int] = []
    for members in by_code.values():
        people = list(dict.fromkeys(m[0] for m in members))[:MAX_LINKED_AUTHORS]
        year, title = members[0][1], members[0][2]
        source = len(sources)
        sources.append(title)
        for i, x in enumerate(people):
            for y in people[i + 1 :]:
                lo, hi = _pair(x, y)
                pa.append(lo)
                pb.append(hi)
                p_year.append(UNDATED if year is None else year)
                p_source.append(source)
    if pa:
        add_edges(np.array(pa, dtype=np.int64), np.array(pb, dtype=np.int64), JOINT_PROJECT)
    layer.collaborations = _collaboration_table(
        np.concatenate([a, np.array(pa, dtype=np.int64)]),
        np.concatenate([b, np.array(pb, dtype=np.int64)]),
        np.concatenate([year_of, np.array(p_year, dtype=np.int64)]),
        np.concatenate([np.zeros(len(a), dtype=np.uint8), np.ones(len(pa), dtype=np.uint8)]),
        np.concatenate([paper_source.astype(np.int64).ravel(), np.array(p_source, dtype=np.int64)]),
        sources,
    )
    for pid, items in project_text.items():
        if pid in experts:
            works.setdefault(pid, []).extend(items[:MAX_WORKS_FOR_TEXT])
    return layer


def _coauthor_pairs(
    rows: Sequence[tuple[int, int, int]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The co-author pairs of (paper, linked person, year key) rows sorted by paper and
    author position: (smaller id, larger id, paper, year key) of each pair's most recent
    paper, sorted by pair."""
    n = len(rows)
    flat = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.int64, count=3 * n)
    pub_ids, people, years = flat[0::3], flat[1::3], flat[2::3]
    empty = np.zeros(0, dtype=np.int64)
    if not n:
        return empty, empty, empty, empty
    # Each person once per paper (their first position), in author order.
    order = np.lexsort((np.arange(n), people, pub_ids))
    p, q = pub_ids[order], people[order]
    first = np.sort(order[np.r_[True, (p[1:] != p[:-1]) | (q[1:] != q[:-1])]])
    pub_ids, people, years = pub_ids[first], people[first], years[first]
    starts = np.flatnonzero(np.r_[True, pub_ids[1:] != pub_ids[:-1]])
    sizes = np.minimum(np.diff(np.r_[starts, len(pub_ids)]), MAX_LINKED_AUTHORS)
    a_parts, b_parts, p_parts = [], [], []
    for k in np.unique(sizes[sizes >= 2]).tolist():
        group = starts[sizes == k]
        authors = people[group[:, None] + np.arange(k)]
        i, j = np.triu_indices(k, 1)
        a_parts.append(authors[:, i].ravel())
        b_parts.append(authors[:, j].ravel())
        p_parts.append(np.repeat(group, len(i)))
    if not a_parts:
        return empty, empty, empty, empty
    x, y, at = np.concatenate(a_parts), np.concatenate(b_parts), np.concatenate(p_parts)
    lo, hi = np.minimum(x, y), np.maximum(x, y)
    paper, year = pub_ids[at], years[at]
    # Per pair: the newest paper, the first (smallest id) among equally new ones.
    order = np.lexsort((paper, -year, hi, lo))
    lo, hi, paper, year = lo[order], hi[order], paper[order], year[order]
    keep = np.r_[True, (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])]
    return lo[keep], hi[keep], paper[keep], year[keep]


def _collaboration_table(
    a: np.ndarray,
    b: np.ndarray,
    year: np.ndarray,
    kind: np.ndarray,
    source: np.ndarray,
    texts: Sequence[str],
) -> Any:
    """The ``CollaborationTable`` of candidate collaborations, given in the order a pass
    keeping the strictly newer would see them: per pair the newest, the first among
    equally new ones. ``source`` indexes ``texts`` (the title of each)."""
    from ..panel.snapshot_arrays import NO_YEAR, CollaborationTable, _blob

    order = np.lexsort((np.arange(len(a)), -year, b, a))
    a, b, year, kind, source = a[order], b[order], year[order], kind[order], source[order]
    if len(a):
        keep = np.r_[True, (a[1:] != a[:-1]) | (b[1:] != b[:-1])]
        a, b, year, kind, source = a[keep], b[keep], year[keep], kind[keep], source[keep]
    # Titles numbered in the order the sorted pairs first name them (as
    # ``CollaborationTable.arrays`` does), equal titles once.
    used, first, inverse = np.unique(source, return_index=True, return_inverse=True)
    pool: dict[str, int] = {}
    seen = np.argsort(first, kind="stable")
    number = np.empty(len(used), dtype=np.int64)
    number[seen] = [pool.setdefault(texts[u], len(pool)) for u in used[seen].tolist()]
    off, blob = _blob(pool)
    return CollaborationTable(
        {
            "a": a,
            "b": b,
            "year": np.where(year == UNDATED, NO_YEAR, year).astype(np.int32),
            "kind": kind.astype(np.uint8),
            "title": number[inverse] if len(source) else np.zeros(0, dtype=np.int64),
            "off": off,
            "blob": blob,
        }
    )


def recent(c: Collaboration, years: int, today: date | None = None) -> bool:
    """Within the last ``years`` years (an undated or ongoing one always is)."""
    if c.year is None:
        return True
    return c.year >= (today or date.today()).year - years


def matching_titles(
    layer: ScholarlyLayer | None,
    person_id: int,
    vocabulary: Mapping[str, int],
    qvec: Mapping[int, float],
    limit: int = 2,
    *,
    qterms: Mapping[str, float] | None = None,
) -> list[tuple[int | None, str]]:
    """The expert's works whose titles share the most weight with the request's text
    (of equal weights, the newer: titles are kept newest first).

    ``qterms`` is ``qvec`` by term (``query_terms``): given, a title's terms are looked
    up in it directly instead of each in the vocabulary (the same weights: every term
    of ``qvec`` is in the vocabulary, and a term outside ``qvec`` weighs nothing).
    """
    if layer is None or not qvec:
        return []
    weight_of: Callable[[str, float], float]
    if qterms is not None:
        weight_of = qterms.get
    else:

        def weight_of(t: str, default: float) -> float:
            return qvec.get(vocabulary.get(t, -1), default)

    scored = []
    for n, (year, title) in enumerate(layer.titles.get(person_id, ())):
        # Summed exactly (``fsum``), so two titles sharing the same terms with the request
        # weigh the same and the newer one comes first. A plain ``sum`` over the terms (a
        # set, in an order that changes from process to process with string hashing)
        # could differ in the last bit and pick either, differently in each process.
        weight = math.fsum(w for t in title_terms(title) if (w := weight_of(t, 0.0)))
        if weight > 0:
            scored.append((-weight, n, year, title))
    scored.sort()
    return [(year, title) for _w, _n, year, title in scored[:limit]]


def query_terms(inverse: Sequence[str], qvec: Mapping[int, float]) -> dict[str, float]:
    """``qvec`` (column -> weight) by term, ``inverse`` giving each column's term."""
    return {inverse[j]: w for j, w in qvec.items()}


@lru_cache(maxsize=TITLE_TERMS_KEEP)
def title_terms(title: str) -> tuple[str, ...]:
    """The distinct terms of a title (``affinity.terms``), kept for the titles seen last:
    the experts explained for one request are often explained for the next."""
    from ..panel.affinity import terms

    return tuple(set(terms(title)))


def collaboration_stats(eg: Any, top: int = 10) -> dict[str, Any]:
    """Co-authorship and joint projects across member organisations and former provinces.

    A pair counts "across organisations" when the two share no union organisation and
    each has one; "across provinces" when one is only of former Hải Phòng and the other
    only of former Hải Dương. The organisation pairs that work together most are listed.
    """
    layer = eg.scholarly
    out: dict[str, Any] = {
        "pairs": 0,
        "coauthor_pairs": 0,
        "joint_project_pairs": 0,
        "cross_organization_pairs": 0,
        "cross_province_pairs": 0,
        "organization_pairs": [],
    }
    if layer is None:
        return out
    hp, hd = "hai_phong", "hai_duong"
    org_pairs: Counter[tuple[int, int]] = Counter()
    for (a, b), c in layer.collaborations.items():
        pa, pb = eg.people.get(a), eg.people.get(b)
        if pa is None or pb is None:
            continue
        out["pairs"] += 1
        out["coauthor_pairs" if c.kind == COAUTHOR else "joint_project_pairs"] += 1
        oa, ob = set(pa.union_orgs), set(pb.union_orgs)
        if oa and ob and not oa & ob:
            out["cross_organization_pairs"] += 1
            for x in oa:
                for y in ob:
                    org_pairs[(x, y) if x < y else (y, x)] += 1
        if {frozenset(pa.provinces), frozenset(pb.provinces)} == {
            frozenset({hp}),
            frozenset({hd}),
        }:
            out["cross_province_pairs"] += 1
    out["organization_pairs"] = [
        {
            "organizations": [
                {"id": x, "label": eg.orgs[x].name, "former_province": eg.orgs[x].former_province}
                for x in pair
            ],
            "pairs": n,
        }
        for pair, n in sorted(org_pairs.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    ]
    return out
