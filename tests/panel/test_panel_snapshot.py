"""The graph snapshot: the arrays written to the instance folder give the same
neighbours, paths, conflicts and ego networks as a networkx graph of the same rows, and
a profile edit patched into a snapshot gives the same answers as a full rebuild."""

from __future__ import annotations

import random
from datetime import date

import networkx as nx
import pytest
from sqlalchemy import select
from test_panel_cache import (
    _config,
    scratch_url,  # noqa: F401
)

from expertnet import create_app
from expertnet.extensions import db
from expertnet.panel import cache, snapshot
from expertnet.panel.conflicts import ConflictContext, find_conflicts, path_json
from expertnet.panel.graph import (
    EMPLOYED,
    EXPERTISE,
    MEMBER,
    OFFICE,
    RELATIONSHIP,
    build_graph,
    fnode,
    onode,
    pnode,
)
from expertnet.panel.network import Viewer, ego_network, network_stats
from expertnet.scholarly.graph_source import COAUTHOR

THIS_YEAR = date.today().year
STAFF = Viewer("coordinator")


@pytest.fixture
def snap_app(tmp_path, scratch_url):  # noqa: F811
    app = create_app(_config(tmp_path, scratch_url))
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    cache.clear()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    cache.clear()


def _seed(n_people=40, seed=3):
    """A small union: associations in both former provinces, an agency, experts with
    fields, employers, offices, declared ties and one co-authored paper."""
    from expertnet.directory.models import Field, Membership, Organization, Person
    from expertnet.directory.taxonomy import ensure_fields
    from expertnet.panel.models import PersonRelationship
    from expertnet.scholarly.importers import title_key
    from expertnet.scholarly.models import Publication, PublicationAuthor

    ensure_fields(db.session)
    rng = random.Random(seed)
    orgs = [
        Organization(code="HP1", name="Hội Thủy sản", kind="member_association",
                     former_province="hai_phong"),
        Organization(code="HD1", name="Hội Nông học", kind="member_association",
                     former_province="hai_duong"),
        Organization(code="AG1", name="Sở Nông nghiệp", kind="agency"),
        Organization(code="IN1", name="Viện Biển", kind="institute",
                     former_province="hai_phong"),
    ]  # fmt: skip
    db.session.add_all(orgs)
    db.session.flush()
    fields = list(db.session.scalars(select(Field).where(Field.code.like("AGR-%")).limit(4)))
    people = []
    for i in range(n_people):
        expert = i % 3 != 0
        p = Person(
            full_name=f"Nguyễn Văn Thử {i}",
            expertise=[rng.choice(["thủy sản", "nông nghiệp", "biển đảo"])] if expert else [],
            academic_title=rng.choice([None, "PGS", "GS"]),
            degree=rng.choice([None, "TS", "ThS"]),
            employer_id=rng.choice([None, orgs[2].id, orgs[3].id]),
            public_profile=rng.random() < 0.7,
            available=rng.random() < 0.8,
        )
        if expert:
            p.fields = rng.sample(fields, rng.randint(1, 2))
        db.session.add(p)
        people.append(p)
    db.session.flush()
    for p in people:
        for org in rng.sample([orgs[0], orgs[1], orgs[3]], rng.randint(0, 2)):
            role = "chair" if rng.random() < 0.1 else "member"
            db.session.add(Membership(person_id=p.id, organization_id=org.id, role=role))
    for _ in range(6):
        a, b = rng.sample(people, 2)
        db.session.add(PersonRelationship(person_a_id=a.id, person_b_id=b.id, kind="family"))
    title = "Nuôi tôm tuần hoàn"
    pub = Publication(
        person_id=people[1].id, title=title, title_key=title_key(title), year=THIS_YEAR
    )
    pub.authors = [
        PublicationAuthor(position=n, name=p.full_name, person_id=p.id)
        for n, p in enumerate(people[1:4], start=1)
    ]
    db.session.add(pub)
    db.session.commit()
    return [p.id for p in people], [o.id for o in orgs]


def _reference(conn):
    """The directory graph built the plain way: a networkx graph of the same rows."""
    from expertnet.panel.graph import _OFFICE_VALUES, _tables

    t = _tables(conn)
    g = nx.Graph()

    def add(u, v, kind):
        kinds = set(g.edges[u, v]["k"]) if g.has_edge(u, v) else set()
        g.add_edge(u, v, k=tuple(sorted(kinds | {kind})))

    for pid, employer in conn.execute(select(t["person"].c.id, t["person"].c.employer_id)):
        g.add_node(pnode(pid))
        if employer is not None:
            add(pnode(pid), onode(employer), EMPLOYED)
    for (oid,) in conn.execute(select(t["organization"].c.id)):
        g.add_node(onode(oid))
    for (fid,) in conn.execute(select(t["field"].c.id)):
        g.add_node(fnode(fid))
    pf = t["person_field"]
    for pid, fid in conn.execute(select(pf.c.person_id, pf.c.field_id)):
        add(pnode(pid), fnode(fid), EXPERTISE)
    m = t["membership"]
    for pid, oid, role in conn.execute(
        select(m.c.person_id, m.c.organization_id, m.c.role).where(m.c.ended_on.is_(None))
    ):
        add(pnode(pid), onode(oid), OFFICE if role in _OFFICE_VALUES else MEMBER)
    r = t["person_relationship"]
    for a, b in conn.execute(select(r.c.person_a_id, r.c.person_b_id)):
        add(pnode(a), pnode(b), RELATIONSHIP)
    pa = t["publication_author"]
    authors: dict[int, list[int]] = {}
    for pub_id, pid in conn.execute(
        select(pa.c.publication_id, pa.c.person_id)
        .where(pa.c.person_id.is_not(None))
        .order_by(pa.c.publication_id, pa.c.position)
    ):
        authors.setdefault(pub_id, []).append(pid)
    for ids in authors.values():
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                add(pnode(a), pnode(b), COAUTHOR)
    return g


def _as_networkx(eg):
    """The snapshot's directory part read back into networkx, node by node."""
    g = nx.Graph()
    for n in eg.graph.nodes.tolist():
        g.add_node(n)
    for n in list(g.nodes) + list(eg.graph.over):
        for m, kinds in eg.graph.neighbours(n):
            g.add_edge(n, m, k=kinds)
    for n in eg.graph.gone:
        if n in g:
            g.remove_node(n)
    return g


def _same_graph(a: nx.Graph, b: nx.Graph) -> None:
    assert set(a.nodes) == set(b.nodes)
    assert {(min(u, v), max(u, v), d["k"]) for u, v, d in a.edges(data=True)} == {
        (min(u, v), max(u, v), d["k"]) for u, v, d in b.edges(data=True)
    }


def _answers(eg, person_ids, org_ids):
    """What the readers of the graph give: neighbours, ego networks, conflicts with paths."""
    out = {}
    for pid in person_ids:
        n = pnode(pid)
        out[("nbrs", pid)] = sorted(eg.adjacency(n))
        out[("ego", pid)] = ego_network(eg, pid, 2, STAFF)
        out[("info", pid)] = eg.people.get(pid)
    for oid in org_ids:
        out[("org", oid)] = sorted(eg.adjacency(onode(oid)))
    for agency in org_ids:
        ctx = ConflictContext(eg, None, agency, tuple(o for o in org_ids if o != agency))
        found = find_conflicts(ctx)
        out[("conflicts", agency)] = {
            pid: [(c.rule, c.path, c.steps, path_json(eg, c)) for c in cs]
            for pid, cs in found.items()
        }
    out["experts"] = sorted(eg.experts())
    out["by_field"] = {k: sorted(eg.experts_by_field[k]) for k in eg.experts_by_field}
    stats = network_stats(eg)
    out["stats"] = {k: v for k, v in stats.items() if k not in ("graph_version", "build_seconds")}
    return out


def _check_arrays(eg, person_ids, org_ids):
    """The array readers give what the object readers give, on this snapshot."""
    import numpy as np

    from expertnet.panel.graph import EMPLOYED, MEMBER, OFFICE, PERSON, RELATIONSHIP
    from expertnet.panel.suggest import _ExpertArrays, _table_arrays, is_senior, seniority

    for n in [onode(o) for o in org_ids] + [pnode(p) for p in person_ids]:
        for kinds in ((MEMBER,), (EMPLOYED, OFFICE), (RELATIONSHIP,), (OFFICE,)):
            ids, masks = eg.linked_people(n, kinds)
            want = [
                (m >> 2, k) for m, k in eg.adjacency(n) if m & 3 == PERSON and set(k) & set(kinds)
            ]
            assert ids.tolist() == [p for p, _k in want]
            assert [snapshot.KINDS_OF_MASK[x] for x in masks.tolist()] == [k for _p, k in want]
    people = [eg.people[int(p)] for p in eg.affinity.person_ids.tolist()]
    want = _ExpertArrays(
        available=np.array([p.available for p in people], dtype=bool),
        cap=np.array([p.max_assignments for p in people], dtype=np.int64),
        seniority=np.array([seniority(p) for p in people], dtype=np.float64),
    )
    got = _table_arrays(eg.people, eg.affinity.person_ids)
    assert got is not None
    assert got.available.tolist() == want.available.tolist()
    assert got.cap.tolist() == want.cap.tolist()
    assert got.seniority.tolist() == want.seniority.tolist()
    # The fixture has seniors and non-seniors, available and not.
    assert len(set(want.seniority.tolist())) > 1 and any(map(is_senior, people))


def test_snapshot_round_trip_gives_the_networkx_graph_paths_and_answers(snap_app, tmp_path):
    with snap_app.app_context():
        person_ids, org_ids = _seed()
        conn = db.session.connection()
        built = build_graph(conn, cache.current_version())
        reference = _reference(conn)
        path = snapshot.save(built, tmp_path / "snaps")
        loaded = snapshot.load(path)
        cache.add_consultation_layer(loaded, conn)

        # Every node's neighbours and edge kinds, as networkx has them.
        _same_graph(_as_networkx(built), reference)
        _same_graph(_as_networkx(loaded), reference)
        assert loaded.graph.number_of_edges() == reference.number_of_edges()
        assert loaded.graph.number_of_nodes() == reference.number_of_nodes()
        for n in reference.nodes:
            assert sorted(loaded.graph.neighbours(n)) == sorted(
                (m, reference.edges[n, m]["k"]) for m in reference.adj[n]
            )
        # Paths: the shortest path between any two people is as long on both.
        mine = _as_networkx(loaded)
        for a in person_ids[:10]:
            want = nx.single_source_shortest_path_length(reference, pnode(a))
            assert nx.single_source_shortest_path_length(mine, pnode(a)) == want
        # The arrays are mapped from the files, not copied into the process.
        from expertnet.panel.snapshot_arrays import is_mapped

        assert is_mapped(loaded.graph.nbrs)
        assert _answers(loaded, person_ids, org_ids) == _answers(built, person_ids, org_ids)
        _check_arrays(loaded, person_ids, org_ids)
        assert loaded.affinity.person_ids.tolist() == built.affinity.person_ids.tolist()
        db.session.remove()


def test_every_process_maps_the_snapshot_one_build_wrote(snap_app):
    with snap_app.app_context():
        person_ids, _org_ids = _seed(10)
        built = cache.refresh(db.engine)
        root = cache.snapshot_root(db.engine)
        assert snapshot.latest(root, built.version[0]) is not None
        cache.clear()  # another process: it finds the file and maps it, no build
        calls = []
        real = cache.build_graph
        cache.build_graph = lambda *a, **k: calls.append(1) or real(*a, **k)
        try:
            eg = cache.get_graph()
        finally:
            cache.build_graph = real
        assert not calls and eg.version == built.version
        assert sorted(eg.experts()) == sorted(built.experts())
        assert person_ids[0] in eg.people
        db.session.remove()


def test_a_process_that_maps_the_snapshot_settles_it_once(snap_app, monkeypatch):
    """As after a build: the mapped snapshot's objects leave the collector's sight
    (``cache.settle``), or each full collection walks them all during some request."""
    with snap_app.app_context():
        _seed(6)
        built = cache.refresh(db.engine)
        cache.clear()  # another process: it maps the file
        settled = []
        monkeypatch.setattr(cache, "settle", lambda: settled.append(1))
        eg = cache.get_graph()
        assert eg.version == built.version and settled == [1]
        assert cache.get_graph() is eg and settled == [1]  # the cached one: nothing to do
        db.session.remove()


def _edit(person_ids, org_ids):
    """Profile edits of every kind a patch must handle."""
    from expertnet.directory.models import Field, Membership, Person
    from expertnet.panel.models import PersonRelationship

    a, b, c, d, e, f = (db.session.get(Person, pid) for pid in person_ids[:6])
    # A new membership and an office; an ended membership.
    db.session.add(Membership(person_id=a.id, organization_id=org_ids[0], role="vice_chair"))
    for m in db.session.scalars(select(Membership).where(Membership.person_id == b.id)):
        m.ended_on = date.today()
    # A new employer, none for another; fields changed; a plain member becomes an expert.
    c.employer_id = org_ids[2]
    e.employer_id = None
    assert not d.expertise
    d.fields = list(db.session.scalars(select(Field).where(Field.code == "AGR-AQU")))
    d.expertise = ["nuôi trồng thủy sản", "rừng ngập mặn"]
    f.expertise = []
    f.fields = []
    f.full_name = "Trần Thị Đổi Tên"
    f.available = not f.available
    # A declared tie; a person deleted; a new person.
    db.session.add(PersonRelationship(person_a_id=a.id, person_b_id=c.id, kind="family"))
    db.session.delete(db.session.get(Person, person_ids[6]))
    new = Person(full_name="Lê Văn Mới", expertise=["thủy sản"], employer_id=org_ids[3])
    db.session.add(new)
    db.session.flush()
    db.session.add(Membership(person_id=new.id, organization_id=org_ids[1], role="member"))
    db.session.commit()
    return new.id


def test_a_patched_snapshot_answers_as_a_full_rebuild(snap_app):
    with snap_app.app_context():
        person_ids, org_ids = _seed()
        first = cache.refresh(db.engine)
        db.session.commit()
        new_id = _edit(person_ids, org_ids)
        # Another process with only the snapshot file gets the same, by the change log.
        builds = []
        real = cache.build_graph
        cache.build_graph = lambda *a, **k: builds.append(1) or real(*a, **k)
        try:
            patched = cache.get_graph()
            db.session.commit()
            cache.clear()
            mapped_and_patched = cache.get_graph()
        finally:
            cache.build_graph = real
        assert not builds
        assert patched.version[0] > first.version[0] and patched.patched_people >= 7
        assert mapped_and_patched.version == patched.version
        full = build_graph(db.session.connection(), cache.current_version())
        ids = [*person_ids, new_id]
        _same_graph(_as_networkx(patched), _as_networkx(full))
        _same_graph(_as_networkx(mapped_and_patched), _as_networkx(full))
        assert patched.graph.number_of_edges() == full.graph.number_of_edges()
        assert patched.graph.number_of_nodes() == full.graph.number_of_nodes()
        want = _answers(full, ids, org_ids)
        assert _answers(patched, ids, org_ids) == want
        assert _answers(mapped_and_patched, ids, org_ids) == want
        _check_arrays(patched, [p for p in ids if p in patched.people], org_ids)
        _check_arrays(mapped_and_patched, [p for p in ids if p in patched.people], org_ids)
        assert person_ids[6] not in patched.people and new_id in patched.people
        assert len(patched.people) == len(full.people)
        # Affinity: the same experts; the patched profile scores like the rebuilt one
        # (equal up to the IDF, which the rebuild recomputes over the new corpus).
        assert patched.affinity.person_ids.tolist() == full.affinity.person_ids.tolist()
        assert person_ids[5] in first.affinity.row_of
        assert person_ids[5] not in patched.affinity.row_of
        assert person_ids[3] not in first.affinity.row_of
        q = patched.affinity.query_vector("nuôi trồng thủy sản")
        row = patched.affinity.row_of[person_ids[3]]
        assert patched.affinity.text_scores(q)[row] > 0
        db.session.remove()


def test_an_organisation_change_is_not_patched(snap_app):
    from expertnet.directory.models import Organization

    with snap_app.app_context():
        _person_ids, org_ids = _seed(6)
        first = cache.refresh(db.engine)
        db.session.commit()
        db.session.get(Organization, org_ids[0]).name = "Hội Đổi Tên"
        db.session.commit()
        eg = cache.get_graph()  # background builds are off here: built at once
        assert eg.version[0] > first.version[0] and eg.patched_people == 0
        assert eg.orgs[org_ids[0]].name == "Hội Đổi Tên"
        db.session.remove()


def test_the_command_and_the_job_write_the_snapshot_once(snap_app):
    from expertnet.jobs import job_name, run_job
    from expertnet.panel.jobs import build_graph_snapshot

    with snap_app.app_context():
        _seed(6)
        version = cache.current_version()
        root = cache.snapshot_root(db.engine)
        db.session.remove()
    result = snap_app.test_cli_runner().invoke(args=["graph", "snapshot"])
    assert result.exit_code == 0, result.output
    assert f"graph version {version[0]}" in result.output
    path = snapshot.snapshot_dir(root, version[0])
    assert path.is_dir()
    written = (path / "meta.pickle").stat().st_mtime_ns
    cache.clear()  # a worker process: it maps the file the command wrote, builds nothing
    out = run_job(snap_app, job_name(build_graph_snapshot), [], {})
    assert out["version"] == list(version) and out["people"] == 6
    assert (path / "meta.pickle").stat().st_mtime_ns == written


def test_the_affinity_model_and_the_scholarly_layer_are_mapped_and_equal_the_built(
    snap_app, tmp_path
):
    import numpy as np

    from expertnet.panel.snapshot_arrays import is_mapped

    with snap_app.app_context():
        person_ids, _org_ids = _seed()
        conn = db.session.connection()
        built = build_graph(conn, cache.current_version())
        loaded = snapshot.load(snapshot.save(built, tmp_path / "snaps"))
        a, b = loaded.affinity, built.affinity
        for name in ("matrix", "record", "declared", "work_counts"):
            m, want = getattr(a, name), getattr(b, name)
            assert want is not None and want.nnz
            # scipy kept the mapped arrays: no private copy per process.
            assert is_mapped(m.data) and is_mapped(m.indices) and is_mapped(m.indptr), name
            assert m.shape == want.shape and (m != want).nnz == 0, name
        for name in ("person_ids", "idf", "record_idf", "phrase_idf", "declared_mass"):
            assert is_mapped(getattr(a, name)), name
            assert np.array_equal(getattr(a, name), getattr(b, name)), name
        assert np.array_equal(a.work_owner, b.work_owner)
        assert np.array_equal(a.work_weight, b.work_weight)
        assert not is_mapped(b.matrix.data)  # the check can fail
        assert dict(a.vocabulary) == b.vocabulary and dict(a.phrases) == b.phrases
        assert dict(a.surface) == dict(b.surface) and dict(a.keywords) == b.keywords
        assert "zzz-no-such-term" not in a.vocabulary and a.vocabulary.get(1) is None
        inverse = a._inverse()
        assert [inverse[j] for j in range(len(inverse))] == b._inverse()
        text = "nuôi trồng thủy sản, rừng ngập mặn và kinh tế biển"
        qa, qb = a.query_vector(text), b.query_vector(text)
        assert qa and qa == qb and np.array_equal(qa.phrases, qb.phrases)
        assert np.array_equal(a.text_scores(qa), b.text_scores(qb))
        for pid in b.person_ids.tolist():
            assert a.matched_terms(pid, qa) == b.matched_terms(pid, qb)

        # The scholarly layer: pairs and titles, found by binary search in mapped arrays.
        sa, sb = loaded.scholarly, built.scholarly
        assert sb.collaborations and sb.titles
        assert is_mapped(sa.collaborations.a["a"]) and is_mapped(sa.titles.a["blob"])
        assert dict(sa.collaborations.items()) == sb.collaborations
        assert len(sa.collaborations) == len(sb.collaborations)
        for (x, y), c in sb.collaborations.items():
            assert sa.collaborations.get((x, y)) == c
            assert (y, x) not in sa.collaborations or (y, x) in sb.collaborations
        assert sa.collaborations.get((-1, -2)) is None and (1,) not in sa.collaborations
        assert {k: sa.titles[k] for k in sa.titles} == sb.titles
        assert sa.titles.get(-5, []) == []

        # A patch builds its rows beside the mapped arrays (they are read-only).
        gone, kept = person_ids[1], b.person_ids.tolist()[-1]
        assert gone in a.row_of
        patched = a.patched({gone: None}, loaded.field_by_code)
        assert gone not in patched.keywords and patched.keywords[kept] == b.keywords[kept]
        assert len(patched.keywords) == len(b.keywords) - 1
        assert is_mapped(a.matrix.data) and dict(a.keywords) == b.keywords
        db.session.remove()


def test_a_transaction_with_released_savepoints_patches_the_cached_graph(
    app, session, make_org, make_person, monkeypatch
):
    """Savepoints released inside a transaction bump the version and record the people
    they changed; a graph asked for later in that transaction, with more uncommitted
    changes, is the cached one patched for those people (no full build), and it is the
    graph a full build of what the transaction sees gives."""
    from expertnet.directory.models import Membership

    org, other = make_org(), make_org()
    a = make_person("Trần Văn Bình", organizations=[org], fields=["ENG-IT"])
    b = make_person("Lê Thị Hoa", organizations=[other], fields=["ENG-IT"])
    session.commit()
    shared = cache.get_graph()
    assert cache.get_graph() is shared
    real = cache.build_graph
    builds = []
    monkeypatch.setattr(
        cache,
        "build_graph",
        lambda conn, version=(0, 0): builds.append(version) or real(conn, version),
    )
    with session.begin_nested():  # released: the version moves, ``a`` is recorded
        session.add(Membership(person_id=a.id, organization_id=other.id, role="member"))
    session.add(Membership(person_id=b.id, organization_id=org.id, role="member"))
    session.flush()  # not released: the transaction's own, uncommitted change
    assert cache.current_version()[0] > shared.version[0]
    seen = cache.get_graph()
    assert builds == []
    full = real(session.connection(), cache.current_version())
    _same_graph(_as_networkx(seen), _as_networkx(full))
    assert pnode(a.id) in dict(seen.adjacency(onode(other.id)))
    assert pnode(b.id) in dict(seen.adjacency(onode(org.id)))
