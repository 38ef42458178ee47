"""Panel suggestions for one request: fit, conflicts, workload, seniority and composition.

``suggest(profile, size)`` is the function pages and the API call; ``alternatives`` gives
replacements for one seat that keep the rest of the panel valid. Both take a
``RequestProfile``, a plain dataclass, so they do not depend on the consultation model
(``profile_for_request`` builds one from a stored request).

Over 600 lines on purpose: scoring, conflicts, composition and the seat search are one
algorithm whose steps share the candidate tables; split, each part would need the others.
"""

from __future__ import annotations

import itertools
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from ..directory.models import DEGREE_RANK, FormerProvince
from ..scholarly import embeddings
from ..scholarly.graph_source import matching_titles, query_terms
from .affinity import FIELD_WEIGHT, TEXT_WEIGHT
from .cache import get_graph
from .conflicts import (
    DEFAULT_RULES,
    Conflict,
    ConflictContext,
    ConflictRule,
    SortedIds,
    find_conflicts,
)
from .explain import matching_keywords, matching_phrases
from .graph import ExpertGraph, PersonInfo
from .i18n import LazyText, _, _l
from .snapshot import PeopleTable
from .snapshot_arrays import search_sorted

#: At most this many seats; a panel of 30 is a conference, not a panel.
MAX_PANEL_SIZE = 25
#: Titles and degrees that count as "senior" for the composition rule.
SENIOR_TITLES = frozenset({"GS", "PGS"})
SENIOR_DEGREES = frozenset({"TS", "TSKH"})
#: How many ranked candidates (beyond the panel) are kept for swaps and alternatives.
RANKED_KEEP = 200


@dataclass(frozen=True)
class RequestProfile:
    """What suggestions need to know about a request; ``request_id`` is None for a draft."""

    request_id: int | None
    title: str
    summary: str = ""
    field_codes: tuple[str, ...] = ()
    agency_id: int | None = None
    subject_ids: tuple[int, ...] = ()
    document_text: str = ""
    #: People not to propose (already invited, or left out by the coordinator).
    excluded_person_ids: frozenset[int] = frozenset()
    #: People who declared a conflict on this request.
    declared_person_ids: frozenset[int] = frozenset()

    def text(self) -> str:
        # The title names the subject; counting it twice keeps a long document from
        # drowning it.
        return "\n".join((self.title, self.title, self.summary, self.document_text))


@dataclass(frozen=True)
class PanelConstraints:
    """Composition rules; each can be switched off or changed."""

    max_per_organization: int | None = 2
    both_provinces: bool = True
    senior_member: bool = True
    propose_chair: bool = True
    #: Below this affinity an expert is not "qualified" for the request at all.
    min_affinity: float = 0.05


@dataclass(slots=True)
class Candidate:
    person_id: int
    affinity: float
    text_score: float
    field_score: float
    score: float
    senior: bool
    seniority: float
    orgs: tuple[int, ...]
    provinces: frozenset[str]
    load: int
    cap: int
    recent_declines: int
    potential_conflicts: list[Conflict] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    #: Display name; filled in with the reasons, only for candidates that are shown.
    name: str = ""


@dataclass(frozen=True, slots=True)
class Exclusion:
    person_id: int
    #: Translated when shown (``str(reason)``): most exclusions are only counted.
    reason: LazyText | str
    rule: str
    affinity: float
    conflict: Conflict | None = None


class Exclusions(Sequence[Exclusion]):
    """Who was left out and why, the better fit first (then by id), each ``Exclusion``
    made only when read.

    A request at 1,000,000 members leaves out thousands of experts (not available, at
    their workload cap); a page shows 30 and the API 50, the rest are only counted. The
    order is computed for all of them at once (numpy), the objects for those read.
    """

    def __init__(
        self,
        why: list[Conflict | str | None],
        named_rows: np.ndarray,
        person_ids: np.ndarray,
        aff: np.ndarray,
        unavailable_rows: np.ndarray,
        capped_rows: np.ndarray,
        load: np.ndarray,
        cap: np.ndarray,
    ) -> None:
        self._why = why
        self._person_ids = person_ids
        self._aff = aff
        self._load, self._cap = load, cap
        self._n_named, self._n_gone = len(why), len(unavailable_rows)
        self._rows = np.concatenate((named_rows, unavailable_rows, capped_rows)).astype(np.int64)
        ids, a = person_ids[self._rows], aff[self._rows]
        # (-affinity, person id): ids are unique, so the order is the same as a sort by key.
        self._order = np.lexsort((ids, -a))
        self._made: dict[int, Exclusion] = {}

    def __len__(self) -> int:
        return len(self._order)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self._make(j) for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self._make(i)

    def __iter__(self):  # type: ignore[override]
        for i in range(len(self)):
            yield self._make(i)

    def _make(self, i: int) -> Exclusion:
        e = self._made.get(i)
        if e is not None:
            return e
        k = int(self._order[i])
        row = int(self._rows[k])
        pid, a = int(self._person_ids[row]), float(self._aff[row])
        if k < self._n_named:
            e = self._named(k, pid, a)
        else:
            if k < self._n_named + self._n_gone:
                e = Exclusion(pid, _NOT_AVAILABLE, "unavailable", a)
            else:
                reason = _l(
                    "At the workload cap: %(load)s of %(cap)s panels.",
                    load=int(self._load[row]),
                    cap=int(self._cap[row]),
                )
                e = Exclusion(pid, reason, "workload_cap", a)
        # Shared by every caller of a kept evaluation: making one twice is harmless.
        self._made[i] = e
        return e

    def _named(self, k: int, pid: int, a: float) -> Exclusion:
        why = self._why[k]
        if isinstance(why, Conflict):
            return Exclusion(pid, why.reason, why.rule, a, why)
        if why is None:
            return Exclusion(pid, _l("Left out by the coordinator."), "left_out", a)
        reason = (
            _l("Declined this request's invitation.")
            if why == "declined"
            else _l("Already invited to this panel.")
        )
        return Exclusion(pid, reason, f"already_{why}", a)


#: One text for everyone not available (a reason is never changed once made).
_NOT_AVAILABLE = _l("Marked as not available for panels.")


@dataclass(frozen=True)
class Unmet:
    constraint: str
    message: str


@dataclass
class Suggestion:
    """A proposed panel, the ranked pool behind it, who was left out and why."""

    size: int
    panel: list[Candidate]
    chair_id: int | None
    ranked: list[Candidate]
    excluded: Sequence[Exclusion]
    unmet: list[Unmet]
    constraints: PanelConstraints
    qualified_count: int
    #: The snapshot the suggestion was computed on (for paths and labels).
    graph: ExpertGraph | None = field(default=None, repr=False)


# --- scoring ----------------------------------------------------------------------------


def seniority(p: PersonInfo) -> float:
    """0..1 from academic title and degree: GS 1, PGS 0.9, TSKH 0.8, TS 0.7, …"""
    if p.academic_title == "GS":
        return 1.0
    if p.academic_title == "PGS":
        return 0.9
    return min(0.8, DEGREE_RANK.get(p.degree or "", 0) * 0.14)


def is_senior(p: PersonInfo) -> bool:
    return p.academic_title in SENIOR_TITLES or p.degree in SENIOR_DEGREES


def _rows_of(eg: ExpertGraph, code: str) -> np.ndarray:
    """Affinity-model rows of the experts of a field code (areas include their disciplines)."""
    model = eg.affinity
    cache = model.__dict__.setdefault("_field_rows", {})
    rows = cache.get(code)
    if rows is None:
        pids = np.array(sorted(eg.experts_by_field.get(code, ())), dtype=np.int64)
        ids = model.person_ids
        pos = np.searchsorted(ids, pids)
        found = pos < len(ids)
        found[found] = ids[pos[found]] == pids[found]
        rows = pos[found].astype(np.int64)
        cache[code] = rows
    return rows


def affinity_arrays(
    eg: ExpertGraph, profile: RequestProfile, qvec: dict[int, float] | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(affinity, text score, field overlap) of every expert, in affinity-model row order."""
    model = eg.affinity
    if qvec is None:
        qvec = model.query_vector(profile.text())
    # The learned source (sentence embeddings), mixed in when configured and computed.
    text = embeddings.mix_text(eg, profile, model.text_scores(qvec))
    codes = tuple(c for c in profile.field_codes if c in eg.field_by_code)
    if not codes:
        return np.round(text, 6), text, np.zeros_like(text)
    # ``field_match`` over arrays: an expert of the requested discipline (or of any
    # discipline of a requested area) scores 1, one elsewhere in the same area 0.5.
    field = np.zeros_like(text)
    for code in codes:
        area = code.split("-", 1)[0]
        field[_rows_of(eg, area)] += 0.5
        field[_rows_of(eg, code)] += 0.5
    field /= len(codes)
    return np.round(TEXT_WEIGHT * text + FIELD_WEIGHT * field, 6), text, field


def affinities(
    eg: ExpertGraph, profile: RequestProfile, qvec: dict[int, float] | None = None
) -> dict[int, tuple[float, float, float]]:
    """person id -> (affinity, text score, field overlap) for every expert with any fit."""
    aff, text, field = affinity_arrays(eg, profile, qvec)
    ids = eg.affinity.person_ids
    return {
        int(ids[r]): (float(aff[r]), float(text[r]), float(field[r]))
        for r in np.flatnonzero(aff > 0).tolist()
    }


def affinity_of(eg: ExpertGraph, person_id: int, profile: RequestProfile) -> float:
    """One expert's affinity to one request text: the number batch assignment uses."""
    return affinities(eg, profile).get(person_id, (0.0, 0.0, 0.0))[0]


@dataclass
class _ExpertArrays:
    """Per-expert facts in affinity-model row order, for scoring every candidate at once."""

    available: np.ndarray
    cap: np.ndarray
    seniority: np.ndarray


def _expert_arrays(eg: ExpertGraph) -> _ExpertArrays:
    """Availability, cap and seniority per affinity row, read once per snapshot: every
    candidate made reads them (re-reading them per candidate was half a suggestion's CPU
    at 108,000 members). Kept in ``eg.memo``, which every patched or re-layered snapshot
    starts empty, so an edit (an expert made unavailable) is seen at once."""
    arrays = eg.memo.get("expert_arrays")
    if arrays is not None:
        return arrays  # type: ignore[no-any-return]
    model = eg.affinity
    if isinstance(eg.people, PeopleTable):
        arrays = _table_arrays(eg.people, model.person_ids)
    if arrays is None:
        people = [eg.people[int(p)] for p in model.person_ids.tolist()]
        arrays = _ExpertArrays(
            available=np.array([p.available for p in people], dtype=bool),
            cap=np.array([p.max_assignments for p in people], dtype=np.int64),
            seniority=np.array([seniority(p) for p in people], dtype=np.float64),
        )
    eg.memo["expert_arrays"] = arrays
    return arrays


def _table_arrays(table: PeopleTable, ids: np.ndarray) -> _ExpertArrays | None:
    """``_ExpertArrays`` read from the people table's columns (no object per expert)."""
    a, v = table.a, table.vocab
    n = len(a["ids"])
    rows = np.minimum(np.searchsorted(a["ids"], ids), max(n - 1, 0))
    # People patched since the snapshot (or added by a patch): their own, current facts.
    changed = np.isin(ids, np.fromiter(table.over, dtype=np.int64, count=len(table.over)))
    if n == 0 or not (changed | (a["ids"][rows] == ids)).all():
        return None
    # ``seniority`` of each title and degree once; -1 (none) is the last entry.
    by_title = np.array([{"GS": 1.0, "PGS": 0.9}.get(t, np.nan) for t in v["title"]] + [np.nan])
    by_degree = np.array([min(0.8, DEGREE_RANK.get(d, 0) * 0.14) for d in v["degree"]] + [0.0])
    title = by_title[a["title"][rows]]
    arrays = _ExpertArrays(
        available=(a["flags"][rows] & PeopleTable.AVAILABLE) != 0,
        cap=a["max_assignments"][rows].astype(np.int64),
        seniority=np.where(np.isnan(title), by_degree[a["degree"][rows]], title),
    )
    for r in np.flatnonzero(changed).tolist():
        p = table.over[int(ids[r])]
        if p is None:
            return None
        arrays.available[r] = p.available
        arrays.cap[r] = p.max_assignments
        arrays.seniority[r] = seniority(p)
    return arrays


def _in_sorted(values: np.ndarray, sorted_ids: np.ndarray) -> np.ndarray:
    """``np.isin(values, sorted_ids)`` for an ascending ``sorted_ids``: one search."""
    if not len(sorted_ids):
        return np.zeros(len(values), dtype=bool)
    pos = np.minimum(search_sorted(sorted_ids, values), len(sorted_ids) - 1)
    return sorted_ids[pos] == values


def _rows_of_ids(eg: ExpertGraph, pids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row, found) of each person id in the affinity model (``row_of``, for many)."""
    ids = eg.affinity.person_ids
    if not len(ids):
        return np.zeros(len(pids), dtype=np.int64), np.zeros(len(pids), dtype=bool)
    pos = np.minimum(search_sorted(ids, pids), len(ids) - 1)
    return pos, ids[pos] == pids


def _scatter(eg: ExpertGraph, counts: dict[int, int], name: str) -> np.ndarray:
    """``counts`` (person id -> n) by affinity row, made once per snapshot (``eg.memo``,
    emptied by every new consultation layer, which also makes new ``counts``) and never
    written to."""
    kept = eg.memo.get(name)
    if kept is not None and kept[0] is counts:
        return kept[1]  # type: ignore[no-any-return]
    out = np.zeros(len(eg.affinity.person_ids), dtype=np.int64)
    pids = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
    values = np.fromiter(counts.values(), dtype=np.int64, count=len(counts))
    rows, found = _rows_of_ids(eg, pids)
    out[rows[found]] = values[found]
    out.flags.writeable = False
    eg.memo[name] = (counts, out)
    return out


class Candidates(Sequence[Candidate]):
    """The eligible experts, best first, made into ``Candidate`` objects only when read.

    Scores are computed for every qualified expert at once (numpy); most of them are
    never looked at one by one, so they never become Python objects.
    """

    def __init__(
        self,
        eg: ExpertGraph,
        rows: np.ndarray,
        aff: np.ndarray,
        text: np.ndarray,
        field: np.ndarray,
        score: np.ndarray,
        load: np.ndarray,
        declines: np.ndarray,
        conflicts: dict[int, list[Conflict]],
    ) -> None:
        self._eg = eg
        self._rows = rows
        self._aff, self._text, self._field, self._score = aff, text, field, score
        self._load, self._declines = load, declines
        self._conflicts = conflicts
        self._made: dict[int, Candidate] = {}
        self._position: dict[int, int] | None = None

    #: Candidates made at once when iterated.
    CHUNK = 16

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            wanted = range(*i.indices(len(self)))
            self._make_many([j for j in wanted if j not in self._made])
            return [self._made[j] for j in wanted]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self._make(i)

    def __iter__(self):  # type: ignore[override]
        # Made a few at a time: readers usually stop after the first few.
        n = len(self)
        for start in range(0, n, self.CHUNK):
            yield from self[start : min(n, start + self.CHUNK)]

    def _make(self, i: int) -> Candidate:
        c = self._made.get(i)
        if c is None:
            self._make_many([i])
            c = self._made[i]
        return c

    def _make_many(self, positions: list[int]) -> None:
        """Make the candidates at these positions, reading their people's facts at once
        (``PeopleTable.panel_facts``) rather than a whole record each."""
        if not positions:
            return
        eg = self._eg
        rows = self._rows[positions]
        pids = eg.affinity.person_ids[rows].tolist()
        people = eg.people
        if isinstance(people, PeopleTable):
            facts = people.panel_facts(pids)
        else:
            facts = [
                (p.academic_title, p.degree, p.max_assignments, p.union_orgs, p.provinces)
                for p in (people[pid] for pid in pids)
            ]
        seniority = _expert_arrays(eg).seniority[rows].tolist()
        aff, text, field = (x[rows].tolist() for x in (self._aff, self._text, self._field))
        load, declines = self._load[rows].tolist(), self._declines[rows].tolist()
        score = self._score[positions].tolist()
        for k, i in enumerate(positions):
            pid = pids[k]
            title, degree, cap, orgs, provinces = facts[k]
            self._made[i] = Candidate(
                person_id=pid,
                affinity=aff[k],
                text_score=text[k],
                field_score=field[k],
                score=score[k],
                senior=title in SENIOR_TITLES or degree in SENIOR_DEGREES,
                seniority=seniority[k],
                orgs=orgs,
                provinces=provinces,
                load=load[k],
                cap=cap,
                recent_declines=declines[k],
                potential_conflicts=[x for x in self._conflicts.get(pid, ()) if not x.excludes],
            )

    def by_person(self, person_id: int) -> Candidate | None:
        if self._position is None:
            ids = self._eg.affinity.person_ids[self._rows]
            self._position = {int(p): i for i, p in enumerate(ids.tolist())}
        i = self._position.get(person_id)
        return None if i is None else self._make(i)

    def headroom(self) -> Iterable[tuple[int, float, int]]:
        """(person id, affinity, free seats) of every candidate, without making objects."""
        ids = self._eg.affinity.person_ids[self._rows].tolist()
        aff = self._aff[self._rows].tolist()
        free = (_expert_arrays(self._eg).cap[self._rows] - self._load[self._rows]).tolist()
        return zip(ids, aff, free, strict=True)


@dataclass
class _Evaluation:
    eg: ExpertGraph
    profile: RequestProfile
    candidates: Candidates  # eligible and qualified, best first
    excluded: Sequence[Exclusion]
    qvec: dict[int, float]

    @cached_property
    def qterms(self) -> dict[str, float]:
        """``qvec`` by term, for the reasons of every candidate shown."""
        return query_terms(self.eg.affinity._inverse(), self.qvec)


@dataclass(frozen=True)
class _Scored:
    """What ``_evaluate`` computes for one request on one snapshot, never changed after."""

    qvec: dict[int, float]
    aff: np.ndarray
    text: np.ndarray
    field: np.ndarray
    rows: np.ndarray  # eligible and qualified rows, best first
    score: np.ndarray  # their scores, in that order
    load: np.ndarray
    declines: np.ndarray
    conflicts: dict[int, list[Conflict]]
    excluded: Exclusions
    #: The learned source the scores used (held so that its ``id`` in the key stays its).
    learned: object = None


#: Scored requests kept per snapshot (``ExpertGraph.memo``): a coordinator's page and the
#: API ask again and again for the same few requests between two changes. Each costs
#: about 1.3 MB of a process's own memory at 108,000 members and 5 MB at 1,000,000
#: (scores, conflicts and exclusions of every qualified expert), so only a few are kept.
SCORED_KEEP = 8
_scored_lock = threading.Lock()


def _evaluate(
    eg: ExpertGraph,
    profile: RequestProfile,
    constraints: PanelConstraints,
    rules: Sequence[ConflictRule],
) -> _Evaluation:
    """Every qualified expert scored, the excluded with their reasons, best first.

    The scores depend only on the snapshot (directory and consultation layer: any change
    to either makes a new ``ExpertGraph`` with an empty ``memo``), the request's profile
    (its text, fields, organisations, documents, declared conflicts and left-out people),
    the constraints, the rules and the learned source; so they are kept in the snapshot's
    memo under those and computed once. Each call gets its own ``Candidates`` over them.
    """
    learned = embeddings.learned_scores(eg, profile)
    key = ("suggest", profile, constraints, tuple(rules), id(learned))
    with _scored_lock:
        store = eg.memo.setdefault("suggest", OrderedDict())
        scored = store.get(key)
        if scored is not None:
            store.move_to_end(key)
    if scored is None:
        scored = _score(eg, profile, constraints, rules, learned)
        with _scored_lock:
            store[key] = scored
            while len(store) > SCORED_KEEP:
                store.popitem(last=False)
    candidates = Candidates(
        eg,
        scored.rows,
        scored.aff,
        scored.text,
        scored.field,
        scored.score,
        scored.load,
        scored.declines,
        scored.conflicts,
    )
    return _Evaluation(eg, profile, candidates, scored.excluded, scored.qvec)


def _score(
    eg: ExpertGraph,
    profile: RequestProfile,
    constraints: PanelConstraints,
    rules: Sequence[ConflictRule],
    learned: object,
) -> _Scored:
    model = eg.affinity
    qvec = model.query_vector(profile.text())
    aff, text, field = affinity_arrays(eg, profile, qvec)
    qualified = np.flatnonzero((aff >= constraints.min_affinity) & (aff > 0))
    qualified_ids = model.person_ids[qualified]
    ctx = ConflictContext(
        graph=eg,
        request_id=profile.request_id,
        agency_id=profile.agency_id,
        subject_ids=tuple(profile.subject_ids),
        declared_person_ids=frozenset(profile.declared_person_ids),
        people=SortedIds(qualified_ids),  # ascending, as the model's ids
    )
    conflicts = find_conflicts(ctx, rules)
    seated: dict[int, str] = {}
    if profile.request_id is not None:
        seated = {s.person_id: s.state for s in eg.seats.get(profile.request_id, ())}

    # The few people left out by name (a conflict, already on this panel, left out by
    # the coordinator) are decided one by one; everything else for all rows at once.
    # Only people with a conflict, a seat or the coordinator's word can be named: walk
    # those few (the qualified among them, by id), not every qualified expert.
    maybe = np.array(
        sorted(set(conflicts) | set(seated) | set(profile.excluded_person_ids)), dtype=np.int64
    )
    maybe = maybe[_in_sorted(maybe, qualified_ids)]
    # Why each is named (made into an ``Exclusion`` only when read, ``Exclusions``): the
    # conflict that excludes them, their seat's state, or None (left out).
    named: list[int] = []
    why: list[Conflict | str | None] = []
    left_out = profile.excluded_person_ids
    for pid in maybe.tolist():
        mine = conflicts.get(pid)
        # ``find_conflicts`` puts a person's excluding conflicts first.
        if mine and mine[0].excludes:
            why.append(mine[0])
        elif pid in seated:
            why.append(seated[pid])
        elif pid in left_out:
            why.append(None)
        else:
            continue
        named.append(pid)
    arrays = _expert_arrays(eg)
    load = _scatter(eg, eg.load, "load_by_row")
    declines = _scatter(eg, eg.recent_declines, "declines_by_row")
    named_sorted = np.array(named, dtype=np.int64)
    open_rows = qualified[~_in_sorted(qualified_ids, named_sorted)]
    unavailable = ~arrays.available[open_rows]
    capped = ~unavailable & (load[open_rows] >= arrays.cap[open_rows])
    excluded = Exclusions(
        why,
        _rows_of_ids(eg, named_sorted)[0],
        model.person_ids,
        aff,
        open_rows[unavailable],
        open_rows[capped],
        load,
        arrays.cap,
    )
    rows = open_rows[~(unavailable | capped)]
    cap = arrays.cap[rows]
    headroom = np.where(cap > 0, 1.0 - load[rows] / np.maximum(cap, 1), 0.0)
    modifiers = (arrays.seniority[rows] + headroom + 1.0 / (1 + declines[rows])) / 3
    # Affinity leads; the modifiers reorder experts of similar fit but can never
    # lift a poor fit above a good one by more than 30 %.
    score = np.round(aff[rows] * (0.7 + 0.3 * modifiers), 6)
    order = np.lexsort((model.person_ids[rows], -aff[rows], -score))
    for array in (aff, text, field, load, declines):
        array.flags.writeable = False  # shared by every caller from now on
    return _Scored(
        qvec=qvec,
        aff=aff,
        text=text,
        field=field,
        rows=rows[order],
        score=score[order],
        load=load,
        declines=declines,
        conflicts=conflicts,
        excluded=excluded,
        learned=learned,
    )


# --- composition ------------------------------------------------------------------------


def _org_ok(panel: Iterable[Candidate], c: Candidate, cap: int | None) -> bool:
    if cap is None:
        return True
    counts: dict[int, int] = {}
    for m in panel:
        for o in m.orgs:
            counts[o] = counts.get(o, 0) + 1
    return all(counts.get(o, 0) < cap for o in c.orgs)


def _requirements(
    constraints: PanelConstraints,
) -> list[tuple[str, str | None]]:
    reqs: list[tuple[str, str | None]] = []
    if constraints.both_provinces:
        reqs += [("province", p.value) for p in FormerProvince]
    if constraints.senior_member:
        reqs.append(("senior", None))
    return reqs


def _satisfies(c: Candidate, req: tuple[str, str | None]) -> bool:
    kind, value = req
    if kind == "province":
        return value in c.provinces
    return c.senior


def _met(panel: Sequence[Candidate], req: tuple[str, str | None]) -> bool:
    return any(_satisfies(c, req) for c in panel)


def _unmet_message(req: tuple[str, str | None], exists: bool, cap: int | None) -> Unmet:
    kind, value = req
    if kind == "province":
        label = FormerProvince(value).title_en if value else ""
        if not exists:
            return Unmet(
                f"province:{value}",
                _(
                    "No qualified, available expert from %(province)s for this request.",
                    province=_(label),
                ),
            )
        return Unmet(
            f"province:{value}",
            _(
                "Could not seat an expert from %(province)s without breaking the limit of "
                "%(cap)s per organisation or another rule.",
                province=_(label),
                cap=cap,
            ),
        )
    if not exists:
        return Unmet(
            "senior",
            _("No qualified, available professor, associate professor or doctor (GS, PGS, TS)."),
        )
    return Unmet(
        "senior",
        _("Could not seat a GS, PGS or TS without breaking another rule."),
    )


def compose(
    candidates: Sequence[Candidate], size: int, constraints: PanelConstraints
) -> tuple[list[Candidate], list[Unmet]]:
    """Pick ``size`` candidates greedily by score, then swap in what coverage rules need."""
    cap = constraints.max_per_organization
    panel: list[Candidate] = []
    for c in candidates:
        if len(panel) >= size:
            break
        if _org_ok(panel, c, cap):
            panel.append(c)
    unmet: list[Unmet] = []
    reqs = _requirements(constraints)
    for req in reqs:
        if _met(panel, req):
            continue
        # Lazily, best first: candidates further down are rarely needed (nor made).
        pool = (c for c in candidates if _satisfies(c, req) and c not in panel)
        first = next(pool, None)
        if first is None:
            unmet.append(_unmet_message(req, False, cap))
            continue
        done = False
        met_before = [r for r in reqs if r != req and _met(panel, r)]
        for c in itertools.chain((first,), pool):
            if len(panel) < size and _org_ok(panel, c, cap):
                panel.append(c)
                done = True
                break
            # Replace the weakest member whose loss keeps the other rules met.
            for m in sorted(panel, key=lambda x: (x.score, -x.person_id)):
                rest = [x for x in panel if x is not m]
                trial = [*rest, c]
                if _org_ok(rest, c, cap) and all(_met(trial, r) for r in met_before):
                    panel = trial
                    done = True
                    break
            if done:
                break
        if not done:
            unmet.append(_unmet_message(req, True, cap))
    if len(panel) < size:
        unmet.insert(
            0,
            Unmet(
                "size",
                _(
                    "Only %(n)s qualified, available experts without a conflict fit the "
                    "rules; %(size)s seats were asked for.",
                    n=len(panel),
                    size=size,
                ),
            ),
        )
    panel.sort(key=lambda c: (-c.score, c.person_id))
    return panel, unmet


def propose_chair(panel: Sequence[Candidate]) -> Candidate | None:
    """The most senior member, the better fit among equals."""
    if not panel:
        return None
    return max(panel, key=lambda c: (c.seniority, c.affinity, -c.person_id))


# --- reasons ----------------------------------------------------------------------------


def _reasons(ev: _Evaluation, c: Candidate) -> list[str]:
    eg = ev.eg
    p = eg.people[c.person_id]
    c.name = p.display_name
    # The affinity itself is the card's one figure; the reasons say it in words.
    out: list[str] = []
    text = ev.profile.text()
    own = matching_keywords(eg.affinity.keywords.get(c.person_id, ()), text)
    if own:
        out.append(_("Expertise matches: %(terms)s.", terms=", ".join(own)))
    else:
        phrases = matching_phrases(eg.affinity, c.person_id, ev.qvec, text)
        if phrases:
            out.append(
                _(
                    "The request speaks of %(terms)s, as does the expert's profile.",
                    terms=", ".join(f"“{p}”" for p in phrases),
                )
            )
    papers = matching_titles(
        eg.scholarly, c.person_id, eg.affinity.vocabulary, ev.qvec, qterms=ev.qterms
    )
    if papers:
        shown = "; ".join(f"“{t}” ({y})" if y else f"“{t}”" for y, t in papers)
        out.append(_("Publications on the subject: %(works)s.", works=shown))
    close = embeddings.best_paper(eg, ev.profile, c.person_id)
    if close:
        out.append(
            _(
                "Closest in meaning: the paper “%(title)s” (%(year)s).",
                title=close[1],
                year=close[0] or "—",
            )
        )
    if ev.profile.field_codes:
        same = [
            eg.field_by_code[code].name
            for code in ev.profile.field_codes
            if code in p.field_codes and code in eg.field_by_code
        ]
        if same:
            out.append(_("Works in the requested field: %(fields)s.", fields=", ".join(same)))
        elif c.field_score > 0:
            out.append(_("Works in a related field of the same area."))
    if c.orgs:
        names = ", ".join(eg.orgs[o].short_name or eg.orgs[o].name for o in c.orgs[:3])
        out.append(_("Member of %(orgs)s.", orgs=names))
    for prov in sorted(c.provinces):
        out.append(_("Province: %(province)s.", province=_(FormerProvince(prov).title_en)))
    if c.senior:
        title = "".join(f"{x}." for x in (p.academic_title, p.degree) if x)
        out.append(_("Senior: %(title)s", title=title))
    out.append(_("Workload: %(load)s of %(cap)s panels.", load=c.load, cap=c.cap))
    if c.recent_declines:
        out.append(_("Declined %(n)s invitations in the last six months.", n=c.recent_declines))
    for conflict in c.potential_conflicts:
        out.append(_("Potential conflict: %(reason)s", reason=conflict.reason))
    return out


# --- entry points -----------------------------------------------------------------------


def suggest(
    profile: RequestProfile,
    size: int = 5,
    *,
    constraints: PanelConstraints | None = None,
    rules: Sequence[ConflictRule] = DEFAULT_RULES,
    graph: ExpertGraph | None = None,
    explain_ranked: int = 20,
) -> Suggestion:
    """Propose a panel of ``size`` for the request, with reasons, exclusions and unmet rules.

    The panel's members get their reasons, and so do the first ``explain_ranked`` of the
    ranked pool (a page shows them; the API's answer lists only the panel)."""
    if not 1 <= size <= MAX_PANEL_SIZE:
        raise ValueError(f"size must be between 1 and {MAX_PANEL_SIZE}")
    constraints = constraints or PanelConstraints()
    eg = graph or get_graph()
    ev = _evaluate(eg, profile, constraints, rules)
    panel, unmet = compose(ev.candidates, size, constraints)
    chair = propose_chair(panel) if constraints.propose_chair else None
    in_panel = {c.person_id for c in panel}
    ranked = [c for c in ev.candidates[: RANKED_KEEP + size] if c.person_id not in in_panel]
    for c in panel:
        c.reasons = _reasons(ev, c)
        if chair is not None and c.person_id == chair.person_id:
            c.reasons.insert(0, _("Proposed chair: the most senior member with a strong fit."))
    for c in ranked[:explain_ranked]:
        c.reasons = _reasons(ev, c)
    return Suggestion(
        size=size,
        panel=panel,
        chair_id=chair.person_id if chair else None,
        ranked=ranked,
        excluded=ev.excluded,
        unmet=unmet,
        constraints=constraints,
        qualified_count=len(ev.candidates),
        graph=eg,
    )


def alternatives(
    profile: RequestProfile,
    panel_ids: Sequence[int],
    seat_person_id: int,
    *,
    limit: int = 10,
    constraints: PanelConstraints | None = None,
    rules: Sequence[ConflictRule] = DEFAULT_RULES,
    graph: ExpertGraph | None = None,
) -> list[Candidate]:
    """Replacements for one seat that keep every rule the rest of the panel meets.

    A rule the current panel meets stays met; the per-organisation limit always holds.
    """
    constraints = constraints or PanelConstraints()
    eg = graph or get_graph()
    ev = _evaluate(eg, profile, constraints, rules)
    found = (ev.candidates.by_person(p) for p in panel_ids)
    current = [c for c in found if c is not None]
    rest = [c for c in current if c.person_id != seat_person_id]
    taken = set(panel_ids)
    keep = [r for r in _requirements(constraints) if _met(current, r)]
    out: list[Candidate] = []
    for c in ev.candidates:
        if c.person_id in taken:
            continue
        trial = [*rest, c]
        if not _org_ok(rest, c, constraints.max_per_organization):
            continue
        if not all(_met(trial, r) for r in keep):
            continue
        c.reasons = _reasons(ev, c)
        out.append(c)
        if len(out) >= limit:
            break
    return out
