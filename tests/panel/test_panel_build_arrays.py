"""The graph build's array code gives what the plain per-work / per-pair code gave.

``AffinityModel.build`` (sparse products over each distinct work text tokenised once)
and ``graph_source.read_layer`` (co-author pairs and the most recent collaboration per
pair with array operations) are checked against the straightforward computations they
replaced, kept here as the reference, on generated data with the awkward cases: texts
repeated across experts, works with no term, undated works, the same person twice in
an author list, author lists over the cap, ties in year, a joint project newer than a
shared paper.
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from types import SimpleNamespace

import numpy as np
import pytest
from scipy import sparse

from expertnet.panel.affinity import (
    AffinityModel,
    _bm25_rows,
    _declared_phrases,
    _declared_rows,
    _profile_counts,
    _rows,
    recency_weight,
    terms,
)
from expertnet.scholarly import graph_source
from expertnet.scholarly.graph_source import (
    COAUTHOR,
    JOINT_PROJECT,
    MAX_LINKED_AUTHORS,
    MAX_TITLES,
    MAX_WORKS_FOR_TEXT,
    Collaboration,
)

WORDS = [
    "nuôi",
    "trồng",
    "thủy",
    "sản",
    "kinh",
    "tế",
    "biển",
    "quy",
    "hoạch",
    "đô",
    "thị",
    "ven",
    "biển",
    "cảng",
    "hàng",
    "hải",
    "logistics",
    "aquaculture",
    "shrimp",
    "farming",
    "coastal",
    "planning",
    "restored",
    "restoration",
    "urban",
    "water",
    "quality",
    "của",
    "và",
    "the",
    "of",
    "in",
    "giống",
    "cây",
    "trồng",
    "phân",
    "bón",
    "hữu",
    "cơ",
    "luật",
    "pháp",
    "thẩm",
    "định",
]


EDGES = ["", "   ", "...", "của", "và thủy sản", "thủy sản của", ", kinh tế", "kinh tế;", "biển"]


def _text(rng: random.Random, n: int) -> str:
    out = []
    for _ in range(n):
        out.append(rng.choice(WORDS))
        if rng.random() < 0.1:
            out.append(rng.choice((",", ".", ";", " -")))
    return " ".join(out)


# --- the reference: the affinity build as it was, one Counter per work ------------------


def _reference_build(expert_texts, field_by_code, works, this_year):
    person_ids = np.array(sorted(expert_texts), dtype=np.int64)
    vocabulary: dict[str, int] = {}
    surface: dict[str, str] = {}
    docs, declared = [], []
    df: Counter[str] = Counter()
    phrase_df: Counter[str] = Counter()
    for pid in person_ids.tolist():
        counts = _profile_counts(expert_texts[pid], field_by_code, surface)
        docs.append(counts)
        df.update(counts.keys())
        mine = _declared_phrases(expert_texts[pid], field_by_code)
        declared.append(mine)
        phrase_df.update(mine)
    work_docs, owners, weights = [], [], []
    for row, pid in enumerate(person_ids.tolist()):
        seen = set(docs[row])
        for year, text in works.get(pid, ()):
            counts = Counter(terms(text))
            if not counts:
                continue
            work_docs.append(counts)
            owners.append(row)
            weights.append(recency_weight(year, this_year))
            fresh = counts.keys() - seen
            df.update(fresh)
            seen.update(fresh)
    for t in sorted(df):
        vocabulary[t] = len(vocabulary)
    n = len(docs)
    idf = np.zeros(len(vocabulary))
    dfs = np.zeros(len(vocabulary))
    for t, j in vocabulary.items():
        idf[j] = math.log((n + 1) / (df[t] + 1)) + 1.0
        dfs[j] = df[t]
    matrix = sparse.csr_matrix(_rows(docs, vocabulary, idf), shape=(n, len(vocabulary)))
    record_counts = [{vocabulary[t]: float(c) for t, c in d.items()} for d in docs]
    work_rows = []
    for counts, row, w in zip(work_docs, owners, weights, strict=True):
        cols = {vocabulary[t]: float(c) for t, c in counts.items()}
        work_rows.append(cols)
        for j, c in cols.items():
            record_counts[row][j] = record_counts[row].get(j, 0.0) + w * c
    avg_length = float(np.mean([sum(d.values()) for d in record_counts])) if n else 1.0
    phrases = {p: i for i, p in enumerate(sorted(phrase_df))}
    work_counts = sparse.csr_matrix(
        (
            np.array([c for d in work_rows for c in d.values()]),
            np.array([j for d in work_rows for j in d], dtype=np.int32),
            np.r_[0, np.cumsum([len(d) for d in work_rows])],
        ),
        shape=(len(work_rows), len(vocabulary)),
    )
    return SimpleNamespace(
        person_ids=person_ids,
        vocabulary=vocabulary,
        idf=idf,
        matrix=matrix,
        surface=surface,
        record_idf=np.log(1 + (n - dfs + 0.5) / (dfs + 0.5)),
        record=_bm25_rows(record_counts, len(vocabulary), avg_length),
        avg_length=avg_length,
        phrases=phrases,
        declared=_declared_rows(declared, phrases),
        work_counts=work_counts,
        work_owner=np.array(owners, dtype=np.int64),
        work_weight=np.array(weights),
    )


def _same_matrix(a, b) -> None:
    a, b = sparse.csr_matrix(a, copy=True), sparse.csr_matrix(b, copy=True)
    a.sort_indices()
    b.sort_indices()
    assert a.shape == b.shape
    assert np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
    np.testing.assert_allclose(a.data, b.data, rtol=0, atol=1e-9)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_affinity_build_matches_the_per_work_computation(seed):
    rng = random.Random(seed)
    fields = {
        "AGR-AQU": SimpleNamespace(name="Nuôi trồng thủy sản", name_en="Aquaculture"),
        "ECO": SimpleNamespace(name="Kinh tế", name_en="Economics"),
    }
    shared = [_text(rng, rng.randint(2, 12)) for _ in range(15)]  # co-authored papers
    shared += ["của và the", "...", ""]  # works with no term at all
    texts, works = {}, {}
    for pid in rng.sample(range(1, 400), 60):
        texts[pid] = (
            # Keywords that begin or end with punctuation or a stop word, or have no word,
            # decide whether a pair spans two parts of the profile.
            [
                rng.choice(EDGES) if rng.random() < 0.3 else _text(rng, rng.randint(1, 4))
                for _ in range(rng.randint(0, 4))
            ],
            rng.choice([None, "Giáo viên", "trưởng phòng.", _text(rng, 2)]),
            _text(rng, rng.randint(5, 30)) if rng.random() < 0.7 else rng.choice([None, "..."]),
            tuple(rng.sample(sorted(fields), rng.randint(0, 2))),
        )
        if rng.random() < 0.8:
            works[pid] = [
                (
                    rng.choice([None, 1998, 2015, 2024, 2026]),
                    rng.choice(shared) if rng.random() < 0.5 else _text(rng, rng.randint(1, 20)),
                )
                for _ in range(rng.randint(0, 12))
            ]
    works[10_000] = [(2020, "not an expert: left out")]
    new = AffinityModel.build(texts, fields, works=works, this_year=2026)
    old = _reference_build(texts, fields, works, 2026)
    assert np.array_equal(new.person_ids, old.person_ids)
    assert new.vocabulary == old.vocabulary and new.phrases == old.phrases
    assert new.surface == old.surface
    assert new.avg_length == pytest.approx(old.avg_length, abs=1e-9)
    for name in ("idf", "record_idf"):
        np.testing.assert_allclose(getattr(new, name), getattr(old, name), rtol=0, atol=1e-9)
    for name in ("matrix", "record", "declared", "work_counts"):
        _same_matrix(getattr(new, name), getattr(old, name))
    assert np.array_equal(new.work_owner, old.work_owner)
    np.testing.assert_allclose(new.work_weight, old.work_weight, rtol=0, atol=1e-12)
    # And the scores a request gets.
    for text in (shared[0], "nuôi tôm ven biển aquaculture", _text(rng, 40)):
        q = new.query_vector(text)
        scores = new.text_scores(q)
        ref = AffinityModel(
            person_ids=old.person_ids,
            row_of=new.row_of,
            vocabulary=old.vocabulary,
            idf=old.idf,
            matrix=old.matrix,
            surface=old.surface,
            record_idf=old.record_idf,
            record=old.record,
            avg_length=old.avg_length,
            phrases=old.phrases,
            phrase_idf=new.phrase_idf,
            declared=old.declared,
            declared_mass=old.declared @ new.phrase_idf,
        )
        np.testing.assert_allclose(scores, ref.text_scores(q), rtol=0, atol=1e-9)


# --- the reference: the scholarly layer as it was, one pair at a time ---------------------


def _reference_layer(conn, tables, experts):
    """(edges as {(a, b, kind)}, collaborations, works, titles) the old way."""
    from sqlalchemy import func, select

    pub, author, project = (
        tables["publication"],
        tables["publication_author"],
        tables["research_project"],
    )
    edges: set[tuple[int, int, str]] = set()
    collabs: dict[tuple[int, int], Collaboration] = {}
    best: dict[tuple[int, int], tuple[int | None, int]] = {}
    years: dict[int, int | None] = {}
    linked: dict[int, list[int]] = defaultdict(list)
    for pub_id, person_id, year in conn.execute(
        select(author.c.publication_id, author.c.person_id, pub.c.year)
        .join(pub, pub.c.id == author.c.publication_id)
        .where(author.c.person_id.is_not(None))
        .order_by(author.c.publication_id, author.c.position)
    ):
        years[pub_id] = year
        linked[pub_id].append(person_id)
    for pub_id in sorted(linked):
        people = list(dict.fromkeys(linked[pub_id]))[:MAX_LINKED_AUTHORS]
        y = years[pub_id]
        for i, a in enumerate(people):
            for b in people[i + 1 :]:
                key = (min(a, b), max(a, b))
                old = best.get(key)
                if old is None or graph_source._newer(y, old[0]):
                    best[key] = (y, pub_id)
    titles_by_id = dict(conn.execute(select(pub.c.id, pub.c.title)).all())
    for key, (y, pub_id) in best.items():
        edges.add((*key, COAUTHOR))
        collabs[key] = Collaboration(y, COAUTHOR, titles_by_id[pub_id])
    by_code: dict[str, list] = defaultdict(list)
    project_text: dict[int, list] = defaultdict(list)
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
            year = None if status == "ongoing" else (end or start)
            by_code[code.strip().casefold()].append((pid, year, title))
    for members in by_code.values():
        people = list(dict.fromkeys(m[0] for m in members))[:MAX_LINKED_AUTHORS]
        year, title = members[0][1], members[0][2]
        for i, a in enumerate(people):
            for b in people[i + 1 :]:
                key = (min(a, b), max(a, b))
                edges.add((*key, JOINT_PROJECT))
                old = collabs.get(key)
                if old is None or graph_source._newer(year, old.year):
                    collabs[key] = Collaboration(year, JOINT_PROJECT, title)
    works: dict[int, list] = {}
    titles: dict[int, list] = {}
    for pid, title, keywords, abstract, year in conn.execute(
        select(
            pub.c.person_id,
            pub.c.title,
            pub.c.keywords,
            func.substr(pub.c.abstract, 1, graph_source.ABSTRACT_CHARS),
            pub.c.year,
        ).order_by(pub.c.person_id, pub.c.year.desc().nulls_last(), pub.c.id.desc())
    ):
        mine = works.setdefault(pid, []) if pid in experts else None
        if mine is None or len(mine) >= MAX_WORKS_FOR_TEXT:
            continue
        text = [title]
        if keywords:
            text.append("; ".join(str(k) for k in keywords))
        if abstract:
            text.append(abstract)
        mine.append((year, "\n".join(text)))
        if len(titles.setdefault(pid, [])) < MAX_TITLES:
            titles[pid].append((year, title))
    for pid, items in project_text.items():
        if pid in experts:
            works.setdefault(pid, []).extend(items[:MAX_WORKS_FOR_TEXT])
    return edges, collabs, works, titles


def test_scholarly_layer_matches_the_pair_by_pair_computation(session, make_person):
    from expertnet.extensions import db

    rng = random.Random(7)
    people = [make_person(full_name=f"Người {i}").id for i in range(70)]
    experts = set(rng.sample(people, 40))
    t = db.metadata.tables
    pubs, authors, projects = [], [], []
    titles = [_text(rng, 5) for _ in range(30)]
    for n in range(1, 401):
        owner = rng.choice(people)
        pubs.append(
            {
                "id": 500_000 + n,
                "person_id": owner,
                "title": rng.choice(titles),
                "title_key": f"t{n}",
                # Ties in year are common: the earlier paper must win them.
                "year": rng.choice([None, 2001, 2019, 2019, 2023, 2023]),
                "keywords": rng.choice([[], [], ["thủy sản", "kinh tế"], [""], ["shrimp"]]),
                "abstract": rng.choice([None, "", _text(rng, 30)]),
            }
        )
        size = MAX_LINKED_AUTHORS + 10 if n % 97 == 0 else rng.randint(1, 6)
        listed = [owner, *rng.choices(people, k=size)]  # the same person may come twice
        for pos, pid in enumerate(listed, start=1):
            authors.append(
                {
                    "publication_id": 500_000 + n,
                    "position": pos,
                    "name": f"A {pid}",
                    "person_id": pid if rng.random() < 0.85 else None,
                }
            )
    for n in range(60):
        start = rng.choice([None, 2015, 2020, 2024])
        projects.append(
            {
                "person_id": rng.choice(people),
                "code": rng.choice([None, "", " ĐT-01 ", "đt-01", "KC-02", "KC-03", f"X{n}"]),
                "title": _text(rng, 4),
                "start_year": start,
                "end_year": None if start is None or rng.random() < 0.5 else start + 2,
                "status": rng.choice(["ongoing", "completed"]),
            }
        )
    conn = session.connection()
    conn.execute(t["publication"].insert(), pubs)
    conn.execute(t["publication_author"].insert(), authors)
    conn.execute(t["research_project"].insert(), projects)

    edges: set[tuple[int, int, str]] = set()

    def add_edges(a, b, kind):
        for x, y in zip(a.tolist(), b.tolist(), strict=True):
            edges.add((min(x, y), max(x, y), kind))

    layer = graph_source.read_layer(conn, t, add_edges, experts)
    ref_edges, ref_collabs, ref_works, ref_titles = _reference_layer(conn, t, experts)
    assert edges == ref_edges
    assert set(ref_collabs) == set(layer.collaborations)
    assert dict(layer.collaborations.items()) == ref_collabs
    assert any(c.kind == JOINT_PROJECT for c in ref_collabs.values())
    assert any(c.year is None for c in ref_collabs.values())
    assert layer.works == ref_works
    assert layer.titles == ref_titles
