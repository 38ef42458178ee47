"""The readers suggestions use for all candidates at once give what the plain one-by-one
computations give: rows of many nodes, the conflict rules that walk an organisation's
insiders, the facts of the candidates made, the paper titles of the reasons.

The references below are the straightforward versions (one insider, one pair, one
person at a time) that the vectorised code replaced.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import date

import networkx as nx
import numpy as np
import pytest

from expertnet.panel.conflicts import (
    CoauthorOfInsider,
    Conflict,
    ConflictContext,
    RelatedToInsider,
    find_conflicts,
)
from expertnet.panel.graph import (
    EMPLOYED,
    MEMBER,
    OFFICE,
    PANEL,
    PERSON,
    RELATIONSHIP,
    ExpertGraph,
    OrgInfo,
    PersonInfo,
    Seat,
    onode,
    pnode,
    rnode,
)
from expertnet.panel.i18n import _l
from expertnet.panel.snapshot import BIT, CSRGraph, PeopleTable
from expertnet.panel.snapshot_arrays import CollaborationTable
from expertnet.scholarly.graph_source import (
    COAUTHOR,
    JOINT_PROJECT,
    Collaboration,
    ScholarlyLayer,
    matching_titles,
    query_terms,
    recent,
)

THIS_YEAR = date.today().year


# --- the straightforward references --------------------------------------------------


def _ref_insiders(ctx, org_id, kinds) -> Iterator[tuple[int, str]]:
    ids, masks = ctx.graph.linked_people(onode(org_id), kinds)
    bits = [(BIT[k], k) for k in kinds if k in BIT]
    for pid, mask in zip(ids.tolist(), masks.tolist(), strict=True):
        yield pnode(pid), next(k for b, k in bits if mask & b)


def _ref_partners(ctx, person_node, kinds) -> list[int]:
    ids, _masks = ctx.graph.linked_people(person_node, kinds)
    return ctx.wanted(ids).tolist()


def _ref_phrase(ctx, org_id, role):
    name = ctx.graph.orgs[org_id].name
    if role == "agency":
        return _l("the requesting agency %(name)s", name=name)
    return _l("%(name)s, whose project or policy is under review", name=name)


class RefRelated(RelatedToInsider):
    def find(self, ctx):
        g = ctx.graph
        for org_id, role in ctx.organisations:
            for m, step in _ref_insiders(ctx, org_id, self.insider_kinds):
                for other_id in _ref_partners(ctx, m, (RELATIONSHIP,)):
                    yield Conflict(
                        other_id,
                        self.code,
                        self.severity,
                        _l(
                            "Has a declared personal relationship with %(person)s, who is "
                            "%(how)s %(org)s.",
                            person=g.label(m),
                            how=_l("employed by")
                            if step == EMPLOYED
                            else _l("an office holder in"),
                            org=_ref_phrase(ctx, org_id, role),
                        ),
                        (pnode(other_id), m, onode(org_id)),
                        (RELATIONSHIP, step),
                    )


class RefCoauthor(CoauthorOfInsider):
    def find(self, ctx):
        g, layer = ctx.graph, ctx.graph.scholarly
        if layer is None or not layer.collaborations:
            return
        years = self._years()

        def partners(insider):
            iid = insider >> 2
            for pid in _ref_partners(ctx, insider, (COAUTHOR, JOINT_PROJECT)):
                c = layer.collaborations.get((pid, iid) if pid < iid else (iid, pid))
                if c is None or not recent(c, years):
                    continue
                year = c.year if c.year is not None else _l("ongoing")
                if c.kind == COAUTHOR:
                    work = _l("co-author of “%(title)s” (%(year)s)", title=c.title, year=year)
                else:
                    work = _l("joint project “%(title)s” (%(year)s)", title=c.title, year=year)
                yield pid, c.kind, work

        for org_id, role in ctx.organisations:
            for m, step in _ref_insiders(ctx, org_id, self.insider_kinds):
                for pid, kind, work in partners(m):
                    if pid == m >> 2:
                        continue
                    yield Conflict(
                        pid,
                        self.code,
                        self.severity,
                        _l(
                            "Worked with %(person)s, who is %(how)s %(org)s: %(work)s.",
                            person=g.label(m),
                            how=_l("employed by")
                            if step == EMPLOYED
                            else _l("an office holder in"),
                            org=_ref_phrase(ctx, org_id, role),
                            work=work,
                        ),
                        (pnode(pid), m, onode(org_id)),
                        (kind, step),
                    )
        rn = ctx.request_node
        if ctx.request_id is None or rn is None:
            return
        for seat in ctx.graph.seats.get(ctx.request_id, ()):
            if seat.state not in ("invited", "accepted"):
                continue
            member = pnode(seat.person_id)
            for pid, kind, work in partners(member):
                if pid == seat.person_id:
                    continue
                yield Conflict(
                    pid,
                    self.code,
                    self.severity,
                    _l(
                        "Worked with %(person)s, who sits on this request's panel: %(work)s.",
                        person=g.label(member),
                        work=work,
                    ),
                    (pnode(pid), member, rn),
                    (kind, "panel"),
                )


# --- a random graph ----------------------------------------------------------------------


def _graph(seed: int, n_people: int = 300, table: bool = False, patch: bool = False):
    rng = random.Random(seed)
    pids = sorted(rng.sample(range(1, 10 * n_people), n_people))
    org_ids = [5, 7, 11, 13]
    orgs = {o: OrgInfo(f"O{o}", f"Tổ chức {o}", None, "agency", None) for o in org_ids}
    people = {
        p: PersonInfo(
            full_name=f"Người {p}",
            academic_title=rng.choice([None, "GS", "PGS"]),
            degree=rng.choice([None, "TS", "ThS", "TSKH"]),
            employer_id=None,
            public=True,
            available=rng.random() < 0.8,
            max_assignments=rng.randint(0, 4),
            is_expert=True,
            union_orgs=tuple(sorted(rng.sample(org_ids, rng.randint(0, 2)))),
            provinces=frozenset(rng.sample(["hai_phong", "hai_duong"], rng.randint(0, 2))),
        )
        for p in pids
    }
    u, v, m = [], [], []

    def edge(a, b, kind):
        u.append(a)
        v.append(b)
        m.append(BIT[kind])

    collabs: dict[tuple[int, int], Collaboration] = {}
    for p in pids:
        for o in rng.sample(org_ids, rng.randint(0, 2)):
            edge(pnode(p), onode(o), rng.choice([EMPLOYED, OFFICE, MEMBER]))
            if rng.random() < 0.2:  # both employed and an office holder
                edge(pnode(p), onode(o), rng.choice([EMPLOYED, OFFICE]))
        for q in rng.sample(pids, 3):
            kind = rng.choice([RELATIONSHIP, COAUTHOR, JOINT_PROJECT, COAUTHOR])
            edge(pnode(p), pnode(q), kind)
            if kind in (COAUTHOR, JOINT_PROJECT) and p != q and rng.random() < 0.9:
                year = rng.choice([None, THIS_YEAR, THIS_YEAR - 2, THIS_YEAR - 4, THIS_YEAR - 9])
                collabs[(min(p, q), max(p, q))] = Collaboration(year, kind, f"Bài {p}-{q}")
    nodes = [pnode(p) for p in pids] + [onode(o) for o in org_ids]
    g = CSRGraph.from_edges(nodes, u, v, m)
    ppl = PeopleTable.from_infos(people)
    if patch:
        # An edited person (new row, new ties), a removed one, a new one.
        a, b, c = pids[0], pids[1], 10 * n_people + 1
        g = g.patched(
            {
                pnode(a): {onode(5): BIT[EMPLOYED], pnode(pids[2]): BIT[COAUTHOR]},
                pnode(c): {onode(5): BIT[OFFICE], pnode(pids[3]): BIT[RELATIONSHIP]},
            },
            removed=[pnode(b)],
        )
        collabs[(min(a, pids[2]), max(a, pids[2]))] = Collaboration(None, COAUTHOR, "Mới")
        ppl = ppl.patched({b: None, c: people[pids[4]]})
    layer = ScholarlyLayer(
        collaborations=CollaborationTable(CollaborationTable.arrays(collabs)) if table else collabs
    )
    activity = nx.Graph()
    seats = {1: [Seat(pids[i], "member", rng.choice(["invited", "accepted", "declined"]), False)
                 for i in range(5, 12)]}  # fmt: skip
    for s in seats[1]:
        activity.add_edge(pnode(s.person_id), rnode(1), k=(PANEL,))
    # A person-to-person tie of a directory kind in the overlay (read like the graph's).
    activity.add_edge(pnode(pids[20]), pnode(pids[21]), k=(RELATIONSHIP,))
    eg = ExpertGraph(
        version=(1, 1),
        graph=g,
        people=ppl,
        orgs=orgs,
        fields={},
        field_by_code={},
        activity=activity,
        seats=seats,
        scholarly=layer,
    )
    return eg, pids, org_ids


def _plain(conflicts: dict[int, list[Conflict]]):
    return {
        pid: [(c.rule, c.severity, str(c.reason), c.path, c.steps) for c in cs]
        for pid, cs in conflicts.items()
    }


@pytest.mark.parametrize("table", [False, True])
@pytest.mark.parametrize("patch", [False, True])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_insider_rules_find_what_the_one_by_one_rules_find(seed, table, patch):
    eg, pids, org_ids = _graph(seed, table=table, patch=patch)
    rng = random.Random(seed)
    for people in (None, frozenset(rng.sample(pids, len(pids) // 2))):
        for years in (3, 10):
            ctx = ConflictContext(
                graph=eg,
                request_id=1,
                agency_id=org_ids[0],
                subject_ids=tuple(org_ids[1:3]),
                people=people,
            )
            got = find_conflicts(ctx, [RelatedToInsider(), CoauthorOfInsider(years=years)])
            want = find_conflicts(ctx, [RefRelated(), RefCoauthor(years=years)])
            assert _plain(got) == _plain(want)
            # Every branch was taken: relationships, co-authors, joint projects, the panel.
            steps = {c.steps for cs in want.values() for c in cs}
            assert {s[0] for s in steps} >= {RELATIONSHIP, COAUTHOR, JOINT_PROJECT}
            assert any(s[1] == "panel" for s in steps)


@pytest.mark.parametrize("patch", [False, True])
def test_rows_of_many_nodes_are_the_rows_one_by_one(patch):
    eg, pids, org_ids = _graph(5, patch=patch)
    ns = (
        [pnode(p) for p in pids[:60]] + [onode(o) for o in org_ids] + [pnode(10**6), pnode(pids[3])]
    )
    ns += [*eg.graph.over, *eg.graph.gone] if patch else []
    owner, nbrs, masks = eg.graph.rows_arrays(np.array(ns, dtype=np.int64))
    got = list(zip(owner.tolist(), nbrs.tolist(), masks.tolist(), strict=True))
    want = []
    for k, n in enumerate(ns):
        nb, mk = eg.graph.row_arrays(n)
        want += [(k, x, y) for x, y in zip(nb.tolist(), mk.tolist(), strict=True)]
    assert got == want
    for kinds in ((RELATIONSHIP,), (COAUTHOR, JOINT_PROJECT), (EMPLOYED, OFFICE)):
        owner, ids, ms = eg.linked_people_of(np.array(ns, dtype=np.int64), kinds)
        got = list(zip(owner.tolist(), ids.tolist(), ms.tolist(), strict=True))
        want = []
        for k, n in enumerate(ns):
            i, m = eg.linked_people(n, kinds)
            want += [(k, x, y) for x, y in zip(i.tolist(), m.tolist(), strict=True)]
        assert got == want
    # The overlay's person-to-person tie is read too.
    _o, ids, _m = eg.linked_people_of(np.array([pnode(pids[20])]), (RELATIONSHIP,))
    assert pids[21] in ids.tolist()
    assert all(n & 3 == PERSON for n in (pnode(p) for p in ids.tolist()))


@pytest.mark.parametrize("patch", [False, True])
def test_candidate_facts_are_the_people_records(patch):
    eg, pids, _orgs = _graph(7, patch=patch)
    ask = [p for p in pids if p in eg.people][::3] + list(eg.people.over)
    ask = [p for p in ask if p in eg.people]
    got = eg.people.panel_facts(ask)
    for pid, facts in zip(ask, got, strict=True):
        p = eg.people[pid]
        assert facts == (p.academic_title, p.degree, p.max_assignments, p.union_orgs, p.provinces)
    with pytest.raises(KeyError):
        eg.people.panel_facts([10**7])


def _ref_titles(layer, person_id, vocabulary, qvec, limit=2):
    """Each title's terms looked up one by one in the vocabulary, summed exactly."""
    from expertnet.panel.affinity import terms

    scored = []
    for n, (year, title) in enumerate(layer.titles.get(person_id, ())):
        weight = math.fsum(qvec.get(vocabulary.get(t, -1), 0.0) for t in set(terms(title)))
        if weight > 0:
            scored.append((-weight, n, year, title))
    scored.sort()
    return [(year, title) for _w, _n, year, title in scored[:limit]]


def test_matching_titles_by_term_are_the_titles_by_vocabulary():
    from expertnet.panel.affinity import terms

    rng = random.Random(11)
    words = "nuôi tôm tuần hoàn biển đảo thủy sản nông nghiệp marine shrimp farming climate"
    words = words.split()
    titles = {
        p: [
            (rng.choice([None, 2020, 2024]), " ".join(rng.sample(words, rng.randint(2, 6))))
            for _ in range(rng.randint(0, 12))
        ]
        for p in range(40)
    }
    # The same words in another order: the same weight, so the newer (first) one wins.
    titles[40] = [(2024, "nông nghiệp và thủy sản"), (2020, "thủy sản và nông nghiệp")]
    layer = ScholarlyLayer(titles=titles)
    vocab: dict[str, int] = {}
    for items in titles.values():
        for _y, t in items:
            for term in terms(t):
                vocab.setdefault(term, len(vocab))
    inverse = [""] * len(vocab)
    for t, j in vocab.items():
        inverse[j] = t
    found = 0
    for _ in range(20):
        qvec = {j: rng.random() for j in rng.sample(range(len(vocab)), 8)}
        qterms = query_terms(inverse, qvec)
        for p in titles:
            want = _ref_titles(layer, p, vocab, qvec)
            assert matching_titles(layer, p, vocab, qvec) == want
            assert matching_titles(layer, p, vocab, qvec, qterms=qterms) == want
            found += bool(want)
    assert found > 100
    qvec = {vocab[t]: 0.1 + 0.2 * k for k, t in enumerate(terms("nông nghiệp thủy sản"))}
    for q in (None, query_terms(inverse, qvec)):
        got = matching_titles(layer, 40, vocab, qvec, limit=1, qterms=q)
        assert got == [(2024, "nông nghiệp và thủy sản")]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_exclusions_made_when_read_are_the_sorted_list(seed):
    """``Exclusions`` (ordered for all at once, each made when read) is the list the
    suggestion used to make and sort: better fit first, then by id; the same reasons."""
    from expertnet.panel.suggest import Exclusion, Exclusions

    rng = random.Random(seed)
    n = 400
    person_ids = np.array(sorted(rng.sample(range(1, 10 * n), n)), dtype=np.int64)
    # Few distinct affinities: many ties, ordered by id.
    aff = np.array([rng.choice([0.1, 0.25, 0.5, 0.75]) for _ in range(n)])
    load = np.array([rng.randint(0, 5) for _ in range(n)], dtype=np.int64)
    cap = np.array([rng.randint(0, 5) for _ in range(n)], dtype=np.int64)
    rows = rng.sample(range(n), 120)
    named, gone, capped = sorted(rows[:40]), rows[40:80], rows[80:]
    why: list = []
    want: list[Exclusion] = []
    for r in named:
        pid, a = int(person_ids[r]), float(aff[r])
        pick = rng.randint(0, 3)
        if pick == 0:
            c = Conflict(pid, "declared", "exclude", _l("Declared."), (pnode(pid),), ())
            why.append(c)
            want.append(Exclusion(pid, c.reason, "declared", a, c))
        elif pick == 1:
            why.append(None)
            want.append(Exclusion(pid, "Left out by the coordinator.", "left_out", a))
        else:
            state = "declined" if pick == 2 else "invited"
            why.append(state)
            text = (
                "Declined this request's invitation."
                if state == "declined"
                else "Already invited to this panel."
            )
            want.append(Exclusion(pid, text, f"already_{state}", a))
    for r in gone:
        pid = int(person_ids[r])
        want.append(Exclusion(pid, "Marked as not available for panels.", "unavailable", aff[r]))
    for r in capped:
        text = f"At the workload cap: {load[r]} of {cap[r]} panels."
        want.append(Exclusion(int(person_ids[r]), text, "workload_cap", float(aff[r])))
    want.sort(key=lambda e: (-e.affinity, e.person_id))

    got = Exclusions(
        why,
        np.array(named, dtype=np.int64),
        person_ids,
        aff,
        np.array(gone, dtype=np.int64),
        np.array(capped, dtype=np.int64),
        load,
        cap,
    )

    def plain(e):
        c = e.conflict
        return (e.person_id, str(e.reason), e.rule, e.affinity, c and (c.rule, c.path))

    assert len(got) == len(want)
    # Read out of order first: what is made once is what a later read gets.
    assert [plain(e) for e in got[50:60]] == [plain(e) for e in want[50:60]]
    assert plain(got[-1]) == plain(want[-1])
    assert [plain(e) for e in got] == [plain(e) for e in want]
    assert got[3] is got[3]
    assert all(type(e.person_id) is int and type(e.affinity) is float for e in got)
    with pytest.raises(IndexError):
        got[len(want)]


@pytest.mark.parametrize("n", [0, 5, 255, 256, 3000])
def test_searching_needles_in_order_gives_the_plain_search(n):
    from expertnet.panel.snapshot_arrays import search_sorted

    rng = np.random.default_rng(n)
    haystack = np.sort(rng.integers(0, 5000, 20000))  # duplicates: the leftmost is found
    needles = rng.integers(-10, 5100, n)
    got = search_sorted(haystack, needles)
    assert got.tolist() == np.searchsorted(haystack, needles).tolist()


@pytest.mark.parametrize("table", [False, True])
def test_candidates_as_a_sorted_array_find_what_the_set_finds(table):
    from expertnet.panel.conflicts import DEFAULT_RULES, SortedIds

    eg, pids, org_ids = _graph(4, table=table)
    rng = random.Random(4)
    chosen = sorted(rng.sample(pids, len(pids) // 2))
    ids = SortedIds(np.array(chosen, dtype=np.int64))
    assert len(ids) == len(chosen) and list(ids) == chosen
    assert all(p in ids for p in chosen) and not any(p in ids for p in set(pids) - set(chosen))
    assert 10**9 not in ids and -1 not in ids

    def ctx(people):
        return ConflictContext(
            graph=eg,
            request_id=1,
            agency_id=org_ids[0],
            subject_ids=tuple(org_ids[1:3]),
            declared_person_ids=frozenset(pids[::7]),
            people=people,
        )

    want = find_conflicts(ctx(frozenset(chosen)), DEFAULT_RULES)
    assert want and _plain(find_conflicts(ctx(ids), DEFAULT_RULES)) == _plain(want)
