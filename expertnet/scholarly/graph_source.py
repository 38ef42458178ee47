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

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Table, func, select

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


@dataclass(slots=True, frozen=True)
class Collaboration:
    """The most recent work two people share: its year (None: undated), kind and title."""

    year: int | None
    kind: str  # COAUTHOR or JOINT_PROJECT
    title: str


@dataclass
class ScholarlyLayer:
    #: (smaller person id, larger person id) -> most recent shared work.
    collaborations: dict[tuple[int, int], Collaboration] = field(default_factory=dict)
    #: person id -> (year, text) of each work (publication, project), for affinity.
    works: dict[int, list[tuple[int | None, str]]] = field(default_factory=dict)
    #: person id -> (year, title) of their works, newest first, for explanations.
    titles: dict[int, list[tuple[int | None, str]]] = field(default_factory=dict)


def _newer(a: int | None, b: int | None) -> bool:
    """Is year ``a`` more recent than ``b``? Undated counts as now (it may be ongoing)."""
    big = 10_000
    return (a if a is not None else big) > (b if b is not None else big)


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def read_layer(
    conn: Connection,
    tables: Mapping[str, Table],
    add_edge: Callable[[int, int, str], None],
    is_expert: Callable[[int], bool],
) -> ScholarlyLayer:
    """Add co-author and joint-project edges through ``add_edge(person, person, kind)``."""
    layer = ScholarlyLayer()
    pub, author, project = (
        tables.get("publication"),
        tables.get("publication_author"),
        tables.get("research_project"),
    )
    if pub is None or author is None or project is None:
        return layer  # the scholarly module is not installed

    best: dict[tuple[int, int], tuple[int | None, int]] = {}
    years: dict[int, int | None] = {}
    current: int | None = None
    linked: list[int] = []

    def close() -> None:
        people = list(dict.fromkeys(linked))[:MAX_LINKED_AUTHORS]
        y = years.get(current)  # type: ignore[arg-type]
        for i, a in enumerate(people):
            for b in people[i + 1 :]:
                key = _pair(a, b)
                old = best.get(key)
                if old is None or _newer(y, old[0]):
                    best[key] = (y, current)  # type: ignore[assignment]

    rows = conn.execute(
        select(author.c.publication_id, author.c.person_id, pub.c.year)
        .join(pub, pub.c.id == author.c.publication_id)
        .where(author.c.person_id.is_not(None))
        .order_by(author.c.publication_id, author.c.position)
    )
    for pub_id, person_id, year in rows:
        if pub_id != current:
            if current is not None:
                close()
            current, linked = pub_id, []
            years[pub_id] = year
        linked.append(person_id)
    if current is not None:
        close()
    wanted = {pid for _y, pid in best.values()}
    titles: dict[int, str] = {}
    ids = sorted(wanted)
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        titles.update(conn.execute(select(pub.c.id, pub.c.title).where(pub.c.id.in_(chunk))).all())
    for (a, b), (y, pid) in best.items():
        add_edge(a, b, COAUTHOR)
        layer.collaborations[(a, b)] = Collaboration(y, COAUTHOR, titles.get(pid, ""))

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
    for members in by_code.values():
        people = list(dict.fromkeys(m[0] for m in members))[:MAX_LINKED_AUTHORS]
        year, title = members[0][1], members[0][2]
        for i, a in enumerate(people):
            for b in people[i + 1 :]:
                key = _pair(a, b)
                add_edge(a, b, JOINT_PROJECT)
                old = layer.collaborations.get(key)
                if old is None or _newer(year, old.year):
                    layer.collaborations[key] = Collaboration(year, JOINT_PROJECT, title)

    # Text for affinity: newest works first, bounded per expert.
    works = layer.works
    for pid, title, keywords, abstract, year in conn.execute(
        select(
            pub.c.person_id,
            pub.c.title,
            pub.c.keywords,
            func.substr(pub.c.abstract, 1, ABSTRACT_CHARS),
            pub.c.year,
        ).order_by(pub.c.person_id, pub.c.year.desc().nulls_last(), pub.c.id.desc())
    ):
        mine = works.setdefault(pid, []) if is_expert(pid) else None
        if mine is None or len(mine) >= MAX_WORKS_FOR_TEXT:
            continue
        text = [title]
        if keywords:
            text.append("; ".join(str(k) for k in keywords))
        if abstract:
            text.append(abstract)
        mine.append((year, "\n".join(text)))
        if len(layer.titles.setdefault(pid, [])) < MAX_TITLES:
            layer.titles[pid].append((year, title))
    for pid, items in project_text.items():
        if is_expert(pid):
            works.setdefault(pid, []).extend(items[:MAX_WORKS_FOR_TEXT])
    return layer


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
