"""The expert graph: people, organisations, fields and requests, built with bulk Core selects.

Nodes are plain integers, ``id * 4 + kind`` (see ``node``). The directory part (people,
organisations, fields and their ties) is a ``snapshot.CSRGraph``: sorted node ids, row
pointers, neighbour ids and a bit mask of edge kinds per edge (a person can be both a
member and an employee of the same organisation), with no Python object per node or
edge. People are a ``snapshot.PeopleTable`` of column arrays. Such a snapshot is built
once per data version, written to the instance folder and mapped by every process
(``panel.cache``); profile edits patch it (``panel.incremental``).

The consultation layer (requests, panels: tens of nodes and hundreds of edges) stays a
small networkx graph rebuilt on its own.

Facts that suggestions read for every candidate (titles, provinces, workload) live in
side tables on ``ExpertGraph`` rather than in node attributes: scoring 10,000 experts
then reads arrays, not the graph.
"""

from __future__ import annotations

import json
import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import networkx as nx
import numpy as np
from sqlalchemy import Connection, MetaData, Table, Text, distinct, func, select, type_coerce

from ..directory.models import OFFICE_ROLES, UNION_KINDS
from ..directory.taxonomy import area_of
from .names import (  # noqa: F401 - re-exported: the graph's names
    ABOUT,
    EMPLOYED,
    EXPERTISE,
    FIELD,
    KIND_NAMES,
    MEMBER,
    OFFICE,
    ORG,
    PANEL,
    PERSON,
    RELATIONSHIP,
    REQUEST,
    REQUESTED_BY,
    SUBJECT,
    fnode,
    node,
    node_key,
    onode,
    pnode,
    rnode,
)
from .snapshot import BIT, CSRGraph, ExpertsByField, PeopleTable, mask_of

log = logging.getLogger(__name__)

#: Invitation states in which the expert sits on (or is asked onto) a panel.
SEATED_STATES = ("invited", "accepted")
#: Request states after which a seat no longer costs the expert time.
CLOSED_REQUEST_STATES = frozenset({"published", "closed", "declined", "withdrawn"})
#: Declines within this window lower a candidate's score (they may be overloaded).
RECENT_DECLINE_DAYS = 180

_OFFICE_VALUES = frozenset(r.value for r in OFFICE_ROLES)
_UNION_KIND_VALUES = frozenset(k.value for k in UNION_KINDS)


@dataclass(slots=True)
class PersonInfo:
    full_name: str
    academic_title: str | None
    degree: str | None
    employer_id: int | None
    public: bool
    available: bool
    max_assignments: int
    is_expert: bool
    #: Active memberships in the union's own organisations (associations, institutes, …).
    union_orgs: tuple[int, ...] = ()
    provinces: frozenset[str] = frozenset()
    field_codes: tuple[str, ...] = ()

    @property
    def display_name(self) -> str:
        prefix = "".join(f"{p}." for p in (self.academic_title, self.degree) if p)
        return f"{prefix} {self.full_name}".strip()


@dataclass(slots=True)
class OrgInfo:
    code: str
    name: str
    short_name: str | None
    kind: str
    former_province: str | None

    @property
    def is_union_member(self) -> bool:
        return self.kind in _UNION_KIND_VALUES


@dataclass(slots=True)
class FieldInfo:
    id: int
    code: str
    name: str
    name_en: str


@dataclass(slots=True)
class RequestInfo:
    title: str
    summary: str
    state: str
    agency_id: int | None
    confidential: bool
    subject_ids: tuple[int, ...] = ()
    field_codes: tuple[str, ...] = ()


@dataclass(slots=True)
class Seat:
    person_id: int
    role: str
    state: str
    has_conflict: bool


@dataclass
class ExpertGraph:
    """One immutable snapshot of the graph and its side tables, for one data version."""

    version: tuple[int, int]
    #: People, organisations, fields and their ties; rebuilt only when those change.
    graph: CSRGraph
    people: Mapping[int, PersonInfo]
    orgs: dict[int, OrgInfo]
    fields: dict[int, FieldInfo]
    field_by_code: dict[str, FieldInfo]
    #: Requests and their edges (panel, subject, requested-by, about): a small overlay
    #: rebuilt on its own when invitations change, so the big graph is never copied.
    activity: nx.Graph = field(default_factory=nx.Graph)
    requests: dict[int, RequestInfo] = field(default_factory=dict)
    #: request id -> its invitations that still count (invited, accepted, declined).
    seats: dict[int, list[Seat]] = field(default_factory=dict)
    #: person id -> accepted seats on requests that are still open.
    load: dict[int, int] = field(default_factory=dict)
    #: person id -> declines in the last ``RECENT_DECLINE_DAYS`` days.
    recent_declines: dict[int, int] = field(default_factory=dict)
    #: field code -> ids of experts with that field (areas include their disciplines).
    experts_by_field: Mapping[str, set[int]] = field(default_factory=dict)
    affinity: Any = None  # panel.affinity.AffinityModel, set by the builder
    #: Co-authorships and joint projects (``scholarly.graph_source.ScholarlyLayer``).
    scholarly: Any = None
    build_seconds: float = 0.0
    #: People patched in since the snapshot was built (``panel.incremental``).
    patched_people: int = 0
    #: Lazily computed, per snapshot (e.g. sampled betweenness): safe because immutable.
    memo: dict[str, Any] = field(default_factory=dict)

    def experts(self) -> Iterator[int]:
        people = self.people
        if isinstance(people, PeopleTable):
            return iter(people.expert_ids())
        return (pid for pid, p in people.items() if p.is_expert)

    def label(self, n: int) -> str:
        kind, ident = n & 3, n >> 2
        if kind == PERSON:
            p = self.people.get(ident)
            return p.display_name if p else f"#{ident}"
        if kind == ORG:
            o = self.orgs.get(ident)
            return o.name if o else f"#{ident}"
        if kind == FIELD:
            f = self.fields.get(ident)
            return f.name if f else f"#{ident}"
        r = self.requests.get(ident)
        return r.title if r else f"#{ident}"

    def edge_kinds(self, u: int, v: int) -> tuple[str, ...]:
        kinds = self.graph.edge_kinds(u, v)
        if kinds:
            return kinds
        data = self.activity.get_edge_data(u, v)
        return data["k"] if data else ()

    def adjacency(self, n: int) -> Iterator[tuple[int, tuple[str, ...]]]:
        """(neighbour, edge kinds) of ``n`` in the directory graph and the overlay."""
        yield from self.graph.neighbours(n)
        for m, data in self.activity._adj.get(n, {}).items():  # type: ignore[attr-defined]
            yield m, data["k"]

    def neighbours_by(self, n: int, kinds: Iterable[str]) -> Iterator[int]:
        """Neighbours of ``n`` joined by an edge of any of ``kinds``."""
        wanted = frozenset(kinds)
        for m, k in self.adjacency(n):
            if wanted.intersection(k):
                yield m

    def linked_people(self, n: int, kinds: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        """People joined to ``n`` by an edge of any of the directory ``kinds``, as arrays:
        (person ids, the directory-kind mask of each edge), in ``adjacency`` order.

        What ``adjacency`` filtered by kind gives, without a Python object per edge:
        an organisation with 50,000 members is read in microseconds.
        """
        want = mask_of(k for k in kinds if k in BIT)
        nbrs, masks = self.graph.row_arrays(n)
        keep = ((masks & want) != 0) & ((nbrs & 3) == PERSON)
        ids, ms = nbrs[keep] >> 2, masks[keep]
        extra = [
            (m >> 2, mask_of(k for k in data["k"] if k in BIT))
            for m, data in self.activity._adj.get(n, {}).items()  # type: ignore[attr-defined]
            if m & 3 == PERSON
        ]
        extra = [(p, mk) for p, mk in extra if mk & want]
        if extra:
            ids = np.concatenate([ids, np.array([p for p, _ in extra], dtype=np.int64)])
            ms = np.concatenate([ms, np.array([mk for _, mk in extra], dtype=np.uint16)])
        return ids, ms

    def linked_people_of(
        self, ns: np.ndarray, kinds: Iterable[str]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``linked_people`` of many nodes at once: (position in ``ns`` of each entry's
        node, person ids, masks), node by node in ``ns`` order, each node's people in
        ``linked_people`` order: what concatenating ``linked_people(n)`` gives.
        """
        ns = np.asarray(ns, dtype=np.int64)
        want = mask_of(k for k in kinds if k in BIT)
        owner, nbrs, masks = self.graph.rows_arrays(ns)
        keep = ((masks & want) != 0) & ((nbrs & 3) == PERSON)
        owner, ids, ms = owner[keep], nbrs[keep] >> 2, masks[keep]
        adj = self.activity._adj  # type: ignore[attr-defined]
        extra: list[tuple[int, int, int]] = []
        if adj:
            for k, n in enumerate(ns.tolist()):
                for m, data in adj.get(n, {}).items():
                    if m & 3 == PERSON:
                        mk = mask_of(x for x in data["k"] if x in BIT)
                        if mk & want:
                            extra.append((k, m >> 2, mk))
        if extra:
            late = np.r_[np.zeros(len(ids), dtype=np.int8), np.ones(len(extra), dtype=np.int8)]
            owner = np.concatenate([owner, np.array([e[0] for e in extra], dtype=np.int64)])
            ids = np.concatenate([ids, np.array([e[1] for e in extra], dtype=np.int64)])
            ms = np.concatenate([ms, np.array([e[2] for e in extra], dtype=np.uint16)])
            order = np.lexsort((late, owner))
            owner, ids, ms = owner[order], ids[order], ms[order]
        return owner, ids, ms

    def has_node(self, n: int) -> bool:
        return n in self.graph or n in self.activity


# --- building ---------------------------------------------------------------------------


class _Interner:
    """Shares one tuple (and one edge-attribute dict) per distinct combination of kinds."""

    def __init__(self) -> None:
        self._dicts: dict[tuple[str, ...], dict[str, tuple[str, ...]]] = {}

    def attrs(self, kinds: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
        d = self._dicts.get(kinds)
        if d is None:
            d = self._dicts[kinds] = {"k": kinds}
        return d


def _add(adj: dict[int, dict[int, Any]], interner: _Interner, u: int, v: int, kind: str) -> None:
    """Add ``kind`` to the edge u–v, writing the adjacency dicts directly.

    This is networkx's own storage (``Graph._adj``); writing it directly skips a dict per
    edge and about half the build time. Attribute dicts are shared and never mutated:
    changing an edge replaces its dict.
    """
    au = adj.setdefault(u, {})
    old = au.get(v)
    if old is None:
        d = interner.attrs((kind,))
    elif kind in old["k"]:
        return
    else:
        d = interner.attrs(tuple(sorted((*old["k"], kind))))
    au[v] = d
    adj.setdefault(v, {})[u] = d


class _Edges:
    """Directory edges as three flat lists (u, v, kind bit), made into CSR at the end;
    edges that come as arrays (``add_people``) are kept as arrays."""

    __slots__ = ("chunks", "m", "u", "v")

    def __init__(self) -> None:
        self.u: list[int] = []
        self.v: list[int] = []
        self.m: list[int] = []
        self.chunks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def add(self, u: int, v: int, kind: str) -> None:
        self.u.append(u)
        self.v.append(v)
        self.m.append(BIT[kind])

    def add_people(self, a: np.ndarray, b: np.ndarray, kind: str) -> None:
        """Edges of ``kind`` between people ``a[i]`` and ``b[i]`` (person ids)."""
        a = np.asarray(a, dtype=np.int64)
        b = np.asarray(b, dtype=np.int64)
        self.add_arrays((a << 2) | PERSON, (b << 2) | PERSON, kind)

    def add_arrays(self, u: np.ndarray, v: np.ndarray, kind: str) -> None:
        """Edges of ``kind`` between nodes ``u[i]`` and ``v[i]``."""
        self.chunks.append((u, v, np.full(len(u), BIT[kind], dtype=np.uint16)))

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        u = [np.array(self.u, dtype=np.int64), *(c[0] for c in self.chunks)]
        v = [np.array(self.v, dtype=np.int64), *(c[1] for c in self.chunks)]
        m = [np.array(self.m, dtype=np.uint16), *(c[2] for c in self.chunks)]
        return np.concatenate(u), np.concatenate(v), np.concatenate(m)


def _tables(conn: Connection) -> dict[str, Table]:
    """The tables to read, reflected from the models' metadata (no import cycles)."""
    from ..extensions import db

    md: MetaData = db.metadata
    return dict(md.tables)


def build_graph(conn: Connection, version: tuple[int, int] = (0, 0)) -> ExpertGraph:
    """Read everything the graph needs with a few bulk selects and build a snapshot."""
    from ..scholarly.graph_source import plain_rows, read_layer
    from .affinity import AffinityModel

    started = time.perf_counter()
    t = _tables(conn)
    person, org, membership = t["person"], t["organization"], t["membership"]
    fld, person_field, rel = t["field"], t["person_field"], t["person_relationship"]

    edges = _Edges()

    orgs = {
        r.id: OrgInfo(r.code, r.name, r.short_name, r.kind, r.former_province)
        for r in conn.execute(
            select(
                org.c.id,
                org.c.code,
                org.c.name,
                org.c.short_name,
                org.c.kind,
                org.c.former_province,
            )
        )
    }
    fields: dict[int, FieldInfo] = {}
    parent_of: dict[str, str | None] = {}
    for r in conn.execute(select(fld.c.id, fld.c.code, fld.c.name, fld.c.name_en)):
        fields[r.id] = FieldInfo(r.id, r.code, r.name, r.name_en)
    field_by_code = {f.code: f for f in fields.values()}
    for code in field_by_code:
        area = area_of(code)
        parent_of[code] = area if area != code else None

    people: dict[int, PersonInfo] = {}
    texts: dict[int, tuple[Any, ...]] = {}
    employed: list[tuple[int, int]] = []
    for (
        pid,
        full_name,
        academic_title,
        degree,
        employer_id,
        public_profile,
        available,
        max_assignments,
        expertise,
        position,
        bio,
    ) in plain_rows(
        conn,
        select(
            person.c.id,
            person.c.full_name,
            person.c.academic_title,
            person.c.degree,
            person.c.employer_id,
            person.c.public_profile,
            person.c.available,
            person.c.max_assignments,
            # The JSON text as stored: most people have no expertise ("[]"), and those
            # need no decoding.
            type_coerce(person.c.expertise, Text),
            person.c.position,
            person.c.bio,
        ),
    ):
        if isinstance(expertise, str):  # else a driver that decodes JSON itself
            expertise = json.loads(expertise) if expertise != "[]" else None
        expertise = expertise or []
        people[pid] = PersonInfo(
            full_name=full_name,
            academic_title=academic_title,
            degree=degree,
            employer_id=employer_id,
            public=bool(public_profile),
            available=bool(available),
            max_assignments=int(max_assignments or 0),
            is_expert=bool(expertise),
        )
        if expertise or bio:
            texts[pid] = (expertise, position, bio)
        if employer_id is not None:
            employed.append((pid, employer_id))
    if employed:
        pairs = np.array(employed, dtype=np.int64)
        edges.add_arrays((pairs[:, 0] << 2) | PERSON, (pairs[:, 1] << 2) | ORG, EMPLOYED)

    person_fields: dict[int, list[str]] = defaultdict(list)
    for pid, fid in conn.execute(select(person_field.c.person_id, person_field.c.field_id)):
        f = fields[fid]
        person_fields[pid].append(f.code)
        edges.add(pnode(pid), fnode(fid), EXPERTISE)

    union_orgs: dict[int, list[int]] = defaultdict(list)
    for pid, oid, role in conn.execute(
        select(membership.c.person_id, membership.c.organization_id, membership.c.role).where(
            membership.c.ended_on.is_(None)
        )
    ):
        edges.add(pnode(pid), onode(oid), OFFICE if role in _OFFICE_VALUES else MEMBER)
        if orgs[oid].is_union_member:
            union_orgs[pid].append(oid)

    for a, b in conn.execute(select(rel.c.person_a_id, rel.c.person_b_id)):
        edges.add(pnode(a), pnode(b), RELATIONSHIP)

    experts_by_field: dict[str, set[int]] = defaultdict(set)
    for pid, info in people.items():
        codes = person_fields.get(pid)
        if codes:
            info.is_expert = True
            info.field_codes = tuple(sorted(codes))
        if not info.is_expert:
            continue
        mine = union_orgs.get(pid, ())
        info.union_orgs = tuple(sorted(set(mine)))
        provinces = {orgs[o].former_province for o in mine if orgs[o].former_province}
        if info.employer_id is not None and orgs[info.employer_id].former_province:
            provinces.add(orgs[info.employer_id].former_province)  # type: ignore[arg-type]
        info.provinces = frozenset(provinces)  # type: ignore[arg-type]
        for code in info.field_codes:
            experts_by_field[code].add(pid)
            parent = parent_of.get(code)
            if parent:
                experts_by_field[parent].add(pid)

    # One more edge source: co-authorships and joint projects of the scholarly record.
    scholarly = read_layer(
        conn, t, edges.add_people, {pid for pid, info in people.items() if info.is_expert}
    )

    # Every person, organisation and field is a node, linked or not.
    nodes = [
        *(pnode(pid) for pid in people),
        *(onode(oid) for oid in orgs),
        *(fnode(fid) for fid in fields),
    ]
    g = CSRGraph.from_edges(nodes, *edges.arrays())
    expert_texts = {
        pid: (*texts.get(pid, ((), None, None)), people[pid].field_codes)
        for pid in people
        if people[pid].is_expert
    }
    affinity = AffinityModel.build(expert_texts, field_by_code, works=scholarly.works)
    eg = ExpertGraph(
        version=version,
        graph=g,
        people=PeopleTable.from_infos(people),
        orgs=orgs,
        fields=fields,
        field_by_code=field_by_code,
        experts_by_field=ExpertsByField(
            {k: np.array(sorted(v), dtype=np.int64) for k, v in experts_by_field.items()}
        ),
        scholarly=scholarly,
        affinity=affinity,
    )
    add_consultation_layer(eg, conn)
    eg.build_seconds = time.perf_counter() - started
    log.info(
        "expert graph built in %.2fs: %d nodes, %d edges",
        eg.build_seconds,
        g.number_of_nodes(),
        g.number_of_edges(),
    )
    return eg


def _add_jury_load(eg: ExpertGraph, t: dict[str, Table], conn: Connection) -> None:
    """One unit of load per contest edition with entries the expert still has to judge."""
    judge, entry = t.get("contest_judge"), t.get("contest_entry")
    if judge is None or entry is None:
        return
    from ..contest.workload import OPEN_ENTRY_STATES

    rows = conn.execute(
        select(judge.c.person_id, func.count(distinct(entry.c.edition_id)))
        .join(entry, entry.c.id == judge.c.entry_id)
        .where(judge.c.state == "active", entry.c.state.in_(OPEN_ENTRY_STATES))
        .group_by(judge.c.person_id)
    )
    for person_id, units in rows:
        eg.load[person_id] = eg.load.get(person_id, 0) + units


def add_consultation_layer(eg: ExpertGraph, conn: Connection) -> None:
    """(Re)build request nodes, panel seats, workload and declines on an existing snapshot.

    Cheap (tens of requests, hundreds of invitations), so invitation changes rebuild only
    this layer instead of the whole graph.
    """
    g = nx.Graph()
    adj: dict[int, dict[int, Any]] = g._adj  # type: ignore[attr-defined]
    eg.activity = g
    eg.requests, eg.seats, eg.load, eg.recent_declines = {}, {}, {}, {}
    t = _tables(conn)
    req = t.get("consultation_request")
    inv = t.get("invitation")
    if req is None or inv is None:
        return  # the consultation module is not installed
    interner = _Interner()
    rf, rs = t["request_field"], t["request_subject_organization"]
    for r in conn.execute(
        select(
            req.c.id, req.c.title, req.c.summary, req.c.state, req.c.agency_id, req.c.confidential
        )
    ):
        eg.requests[r.id] = RequestInfo(
            r.title, r.summary or "", r.state, r.agency_id, bool(r.confidential)
        )
        g.add_node(rnode(r.id))
        if r.agency_id is not None:
            _add(adj, interner, rnode(r.id), onode(r.agency_id), REQUESTED_BY)
    subjects: dict[int, list[int]] = defaultdict(list)
    for rid, oid in conn.execute(select(rs.c.request_id, rs.c.organization_id)):
        subjects[rid].append(oid)
        _add(adj, interner, rnode(rid), onode(oid), SUBJECT)
    rfields: dict[int, list[str]] = defaultdict(list)
    for rid, fid in conn.execute(select(rf.c.request_id, rf.c.field_id)):
        rfields[rid].append(eg.fields[fid].code)
        _add(adj, interner, rnode(rid), fnode(fid), ABOUT)
    for rid, info in eg.requests.items():
        info.subject_ids = tuple(sorted(subjects.get(rid, ())))
        info.field_codes = tuple(sorted(rfields.get(rid, ())))

    since = datetime.now(UTC) - timedelta(days=RECENT_DECLINE_DAYS)
    for r in conn.execute(
        select(
            inv.c.request_id,
            inv.c.person_id,
            inv.c.role,
            inv.c.state,
            inv.c.conflict_declaration,
            inv.c.responded_at,
        )
    ):
        declared = r.conflict_declaration or {}
        has_conflict = bool(declared.get("has_conflict")) if isinstance(declared, dict) else False
        if r.state != "revoked":
            eg.seats.setdefault(r.request_id, []).append(
                Seat(r.person_id, r.role, r.state, has_conflict)
            )
        if r.state in SEATED_STATES:
            _add(adj, interner, pnode(r.person_id), rnode(r.request_id), PANEL)
        req_state = eg.requests[r.request_id].state
        if r.state == "accepted" and req_state not in CLOSED_REQUEST_STATES:
            eg.load[r.person_id] = eg.load.get(r.person_id, 0) + 1
        if r.state == "declined" and r.responded_at is not None:
            at = r.responded_at if r.responded_at.tzinfo else r.responded_at.replace(tzinfo=UTC)
            if at >= since:
                eg.recent_declines[r.person_id] = eg.recent_declines.get(r.person_id, 0) + 1
    _add_jury_load(eg, t, conn)
    g._node.update((n, {}) for n in adj if n not in g._node)  # type: ignore[attr-defined]
