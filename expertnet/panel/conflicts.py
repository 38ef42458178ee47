"""Conflicts of interest as explicit rules over the expert graph, each with its path.

A rule is an object with a ``code``, a ``severity`` and a ``find(ctx)`` that yields every
conflict it sees for one request. Rules work from the request's organisations outwards
(an organisation's few thousand neighbours), never candidate by candidate, so checking
10,000 experts costs the same as checking ten. The list is configurable: pass your own
``rules`` to ``find_conflicts`` (or to ``suggest``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, Protocol

import numpy as np

from ..core.i18n import N_
from .graph import (
    EMPLOYED,
    MEMBER,
    OFFICE,
    RELATIONSHIP,
    ExpertGraph,
    onode,
    pnode,
    rnode,
)
from .i18n import LazyText, _l
from .names import EXCLUDE, POTENTIAL
from .snapshot import BIT
from .snapshot_arrays import search_sorted


class SortedIds(AbstractSet[int]):
    """Person ids held as one ascending array: a set for ``in``, ``len`` and iteration
    without a Python object per id (a request's 50,000 candidates at 1,000,000 members
    cost 5 ms as a frozenset, and as much again to sort back into an array)."""

    __slots__ = ("ids",)

    def __init__(self, ids: np.ndarray) -> None:
        self.ids = ids

    def __contains__(self, x: object) -> bool:
        i = int(np.searchsorted(self.ids, x))  # type: ignore[call-overload]
        return i < len(self.ids) and int(self.ids[i]) == x

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator[int]:
        return iter(self.ids.tolist())


@dataclass(frozen=True)
class ConflictContext:
    """What the rules need to know about one request."""

    graph: ExpertGraph
    request_id: int | None
    agency_id: int | None
    subject_ids: tuple[int, ...]
    #: People who declared a conflict on this request (their invitation, or a note).
    declared_person_ids: frozenset[int] = frozenset()
    #: Only these people are of interest (the candidates), or None for everyone. A
    #: subject association has thousands of plain members; describing a conflict for
    #: each of them would cost more than the whole suggestion.
    people: AbstractSet[int] | None = None

    def wants(self, person_id: int) -> bool:
        return self.people is None or person_id in self.people

    @cached_property
    def _people_sorted(self) -> np.ndarray:
        if isinstance(self.people, SortedIds):
            return self.people.ids
        people = self.people or ()
        return np.sort(np.fromiter(people, dtype=np.int64, count=len(people)))

    def wanted(self, person_ids: np.ndarray) -> np.ndarray:
        """The ``person_ids`` (an array) that ``wants``, in their order."""
        if self.people is None:
            return person_ids
        return person_ids[self.wanted_mask(person_ids)]

    def wanted_mask(self, person_ids: np.ndarray) -> np.ndarray:
        """Which of the ``person_ids`` (an array) ``wants``."""
        if self.people is None:
            return np.ones(len(person_ids), dtype=bool)
        have = self._people_sorted
        if not len(have) or not len(person_ids):
            return np.zeros(len(person_ids), dtype=bool)
        pos = np.minimum(search_sorted(have, person_ids), len(have) - 1)
        return have[pos] == person_ids

    @property
    def organisations(self) -> list[tuple[int, str]]:
        """(org id, "agency" or "subject"), the agency first."""
        out = [(self.agency_id, "agency")] if self.agency_id is not None else []
        out += [(o, "subject") for o in self.subject_ids if o != self.agency_id]
        return [(o, r) for o, r in out if o in self.graph.orgs]

    @property
    def request_node(self) -> int | None:
        return rnode(self.request_id) if self.request_id is not None else None


@dataclass(frozen=True, slots=True)
class Conflict:
    person_id: int
    rule: str
    severity: str
    #: Translated when shown (``str(reason)``): most conflicts found are never shown.
    reason: LazyText | str
    #: The chain of graph nodes that makes the conflict, starting at the expert.
    path: tuple[int, ...]
    #: The kind of each step of the path (len(path) - 1 entries).
    steps: tuple[str, ...] = field(default=())

    @property
    def excludes(self) -> bool:
        return self.severity == EXCLUDE


class ConflictRule(Protocol):
    code: str
    severity: str

    def find(self, ctx: ConflictContext) -> Iterable[Conflict]: ...


def _people_linked(ctx: ConflictContext, org_id: int, kind: str) -> list[int]:
    ids, _masks = ctx.graph.linked_people(onode(org_id), (kind,))
    return ctx.wanted(ids).tolist()


def _insiders(
    ctx: ConflictContext, org_id: int, kinds: tuple[str, ...]
) -> tuple[np.ndarray, list[str]]:
    """The ids of the org's insiders and, for each, the first of ``kinds`` that links them."""
    ids, masks = ctx.graph.linked_people(onode(org_id), kinds)
    bits = [(BIT[k], k) for k in kinds if k in BIT]
    first = np.full(len(ids), -1, dtype=np.int64)
    for j in range(len(bits) - 1, -1, -1):
        first[(masks & bits[j][0]) != 0] = j
    return ids, [bits[j][1] for j in first.tolist()]


def _partners(
    ctx: ConflictContext, person_ids: np.ndarray, kinds: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """The wanted people joined to each of ``person_ids`` by an edge of any of ``kinds``:
    (position in ``person_ids`` of the person, partner id), person by person, each one's
    partners in ``linked_people`` order. All people at once: an agency's thousands of
    staff are one gather over the graph's arrays, not a look-up each."""
    owner, ids, _masks = ctx.graph.linked_people_of(pnode(person_ids), kinds)
    keep = ctx.wanted_mask(ids)
    return owner[keep], ids[keep]


def _how() -> dict[str, LazyText]:
    """How an insider belongs to a party ("employed by", "an office holder in"), by the
    step that links them: one text each, shared by a rule's conflicts."""
    office = _l("an office holder in")
    return {EMPLOYED: _l("employed by"), OFFICE: office}


def _labels(ctx: ConflictContext, person_ids: Iterable[int]) -> dict[int, str]:
    """Display names of a few people, each made once."""
    return {pid: ctx.graph.label(pnode(pid)) for pid in person_ids}


def _org_phrase(ctx: ConflictContext, org_id: int, role: str) -> LazyText:
    name = ctx.graph.orgs[org_id].name
    if role == "agency":
        return _l("the requesting agency %(name)s", name=name)
    return _l("%(name)s, whose project or policy is under review", name=name)


@dataclass(frozen=True)
class EmployedByParty:
    """Employed by the requesting agency or a subject organisation: excluded."""

    code: str = "employed_by_party"
    severity: str = EXCLUDE

    def find(self, ctx: ConflictContext) -> Iterator[Conflict]:
        for org_id, role in ctx.organisations:
            # One reason for all of the organisation's people (a text, never changed).
            reason = _l("Employed by %(org)s.", org=_org_phrase(ctx, org_id, role))
            for pid in _people_linked(ctx, org_id, EMPLOYED):
                yield Conflict(
                    pid,
                    self.code,
                    self.severity,
                    reason,
                    (pnode(pid), onode(org_id)),
                    (EMPLOYED,),
                )


@dataclass(frozen=True)
class HoldsOfficeInParty:
    """Holds office (board, chair, vice-chair, secretary) in a party: excluded."""

    code: str = "office_in_party"
    severity: str = EXCLUDE

    def find(self, ctx: ConflictContext) -> Iterator[Conflict]:
        for org_id, role in ctx.organisations:
            # One reason for all of the organisation's people (a text, never changed).
            reason = _l("Holds office in %(org)s.", org=_org_phrase(ctx, org_id, role))
            for pid in _people_linked(ctx, org_id, OFFICE):
                yield Conflict(
                    pid,
                    self.code,
                    self.severity,
                    reason,
                    (pnode(pid), onode(org_id)),
                    (OFFICE,),
                )


@dataclass(frozen=True)
class DeclaredConflict:
    """The expert declared a conflict on this request: excluded."""

    code: str = "declared"
    severity: str = EXCLUDE

    def find(self, ctx: ConflictContext) -> Iterator[Conflict]:
        declared = set(ctx.declared_person_ids)
        if ctx.request_id is not None:
            declared.update(
                s.person_id for s in ctx.graph.seats.get(ctx.request_id, ()) if s.has_conflict
            )
        rn = ctx.request_node
        for pid in sorted(p for p in declared if ctx.wants(p)):
            path = (pnode(pid), rn) if rn is not None else (pnode(pid),)
            yield Conflict(
                pid,
                self.code,
                self.severity,
                _l("Declared a conflict of interest on this request."),
                path,
                ("declared",) if rn is not None else (),
            )


@dataclass(frozen=True)
class RelatedToInsider:
    """A declared relationship to someone employed by or holding office in a party (two hops)."""

    code: str = "related_to_insider"
    severity: str = EXCLUDE
    insider_kinds: tuple[str, ...] = (EMPLOYED, OFFICE)

    def find(self, ctx: ConflictContext) -> Iterator[Conflict]:
        for org_id, role in ctx.organisations:
            insiders, steps = _insiders(ctx, org_id, self.insider_kinds)
            owner, others = _partners(ctx, insiders, (RELATIONSHIP,))
            owners = owner.tolist()
            names = _labels(ctx, {int(insiders[k]) for k in owners})
            org = _org_phrase(ctx, org_id, role)
            how = _how()
            office = how[OFFICE]
            for k, other_id in zip(owners, others.tolist(), strict=True):
                iid, step = int(insiders[k]), steps[k]
                yield Conflict(
                    other_id,
                    self.code,
                    self.severity,
                    _l(
                        "Has a declared personal relationship with %(person)s, who is "
                        "%(how)s %(org)s.",
                        person=names[iid],
                        how=how.get(step, office),
                        org=org,
                    ),
                    (pnode(other_id), pnode(iid), onode(org_id)),
                    (RELATIONSHIP, step),
                )


@dataclass(frozen=True)
class MemberOfParty:
    """Plain membership of a party: a potential conflict, shown but not excluded."""

    code: str = "member_of_party"
    severity: str = POTENTIAL

    def find(self, ctx: ConflictContext) -> Iterator[Conflict]:
        for org_id, role in ctx.organisations:
            reason = _l(
                "Member of %(org)s (potential conflict).", org=_org_phrase(ctx, org_id, role)
            )
            for pid in _people_linked(ctx, org_id, MEMBER):
                yield Conflict(
                    pid,
                    self.code,
                    self.severity,
                    reason,
                    (pnode(pid), onode(org_id)),
                    (MEMBER,),
                )


@dataclass(frozen=True)
class CoauthorOfInsider:
    """Co-authored a work or shared a project, within the last ``years`` years, with someone
    employed by or holding office in a party, or with a member of this request's panel.

    ``years`` None reads ``EXPERTNET_COAUTHOR_YEARS`` from the app (default 3).
    """

    code: str = "coauthor"
    severity: str = EXCLUDE
    years: int | None = None
    insider_kinds: tuple[str, ...] = (EMPLOYED, OFFICE)

    def _years(self) -> int:
        if self.years is not None:
            return self.years
        from flask import current_app, has_app_context

        if not has_app_context():
            return 3
        return int(current_app.config.get("EXPERTNET_COAUTHOR_YEARS", 3))

    def find(self, ctx: ConflictContext) -> Iterator[Conflict]:
        from ..scholarly.graph_source import COAUTHOR, JOINT_PROJECT

        layer = ctx.graph.scholarly
        if layer is None or not layer.collaborations:
            return
        years = self._years()
        kinds = (COAUTHOR, JOINT_PROJECT)

        def partners(people: np.ndarray) -> tuple[list[int], list[int], list[str], list[Any]]:
            """(position in ``people``, graph node of the partner, kind of their most
            recent work, a handle to that work for ``get``) of each collaboration within
            the window, person by person. The works themselves are read only when a
            reason is shown."""
            owner, ids = _partners(ctx, people, kinds)
            keep = ids != people[owner]
            owner, ids = owner[keep], ids[keep]
            ok, kind, handles = _recent_collaborations(
                layer.collaborations, people[owner], ids, years
            )
            return owner[ok].tolist(), pnode(ids[ok]).tolist(), kind, handles

        get = _work_getter(layer.collaborations)
        label = ctx.graph.label
        code, severity = self.code, self.severity
        for org_id, role in ctx.organisations:
            insiders, steps = _insiders(ctx, org_id, self.insider_kinds)
            owners, nodes, kind, handles = partners(insiders)
            if not owners:
                continue
            inodes = pnode(insiders).tolist()
            org = _org_phrase(ctx, org_id, role)
            how = _how()
            office = how[OFFICE]
            hows = [how.get(step, office) for step in steps]
            on = onode(org_id)
            for k, n, ck, h in zip(owners, nodes, kind, handles, strict=True):
                inode = inodes[k]
                yield Conflict(
                    n >> 2,
                    code,
                    severity,
                    _Deferred(
                        WORKED_WITH_INSIDER,
                        _worked_with_insider,
                        (label, inode, hows[k], org, get, h),
                    ),
                    (n, inode, on),
                    (ck, steps[k]),
                )
        rn = ctx.request_node
        if ctx.request_id is None or rn is None:
            return
        members = np.array(
            [
                s.person_id
                for s in ctx.graph.seats.get(ctx.request_id, ())
                if s.state in ("invited", "accepted")
            ],
            dtype=np.int64,
        )
        owners, nodes, kind, handles = partners(members)
        mnodes = pnode(members).tolist()
        for k, n, ck, h in zip(owners, nodes, kind, handles, strict=True):
            mnode = mnodes[k]
            yield Conflict(
                n >> 2,
                code,
                severity,
                _Deferred(WORKED_WITH_MEMBER, _worked_with_member, (label, mnode, get, h)),
                (n, mnode, rn),
                (ck, "panel"),
            )


WORKED_WITH_INSIDER = N_("Worked with %(person)s, who is %(how)s %(org)s: %(work)s.")
WORKED_WITH_MEMBER = N_("Worked with %(person)s, who sits on this request's panel: %(work)s.")


class _Deferred(LazyText):
    """A ``LazyText`` whose variables are also made only when it is shown: a request at
    1,000,000 members finds over a thousand co-authorships, and naming each one's people
    and work (a title read from the snapshot) cost more than finding them. ``read(*args)``
    gives the variables; the text is the same as ``_l(message, **read(*args))``."""

    __slots__ = ("_args", "_read")

    def __init__(self, message: str, read: Callable[..., dict[str, object]], args: tuple) -> None:
        self.message = message
        self._read = read
        self._args = args

    @property  # type: ignore[override]
    def variables(self) -> dict[str, object]:
        return self._read(*self._args)


def _worked_with_insider(
    label: Callable[[int], str],
    node: int,
    how: LazyText,
    org: LazyText,
    get: Callable[[Any], Any],
    handle: Any,
) -> dict[str, object]:
    return {"person": label(node), "how": how, "org": org, "work": _work(get(handle))}


def _worked_with_member(
    label: Callable[[int], str], node: int, get: Callable[[Any], Any], handle: Any
) -> dict[str, object]:
    return {"person": label(node), "work": _work(get(handle))}


def _work(c: Any) -> LazyText:
    """ "co-author of “X” (2024)", "joint project “Y” (ongoing)"."""
    from ..scholarly.graph_source import COAUTHOR

    year = c.year if c.year is not None else _l("ongoing")
    if c.kind == COAUTHOR:
        return _l("co-author of “%(title)s” (%(year)s)", title=c.title, year=year)
    return _l("joint project “%(title)s” (%(year)s)", title=c.title, year=year)


def _recent_works(collaborations: Any, a: np.ndarray, b: np.ndarray, years: int) -> list[Any]:
    """The most recent collaboration of each pair (a[i], b[i]) if it is within the last
    ``years`` years (``graph_source.recent``), else None. On a snapshot's table, one
    search for all pairs and only the works kept are read."""
    from ..scholarly.graph_source import recent

    find_many = getattr(collaborations, "find_many", None)
    if find_many is None:
        out = []
        for x, y in zip(a.tolist(), b.tolist(), strict=True):
            c = collaborations.get((x, y) if x < y else (y, x))
            out.append(c if c is not None and recent(c, years) else None)
        return out
    from .snapshot_arrays import NO_YEAR

    rows = find_many(a, b)
    year = collaborations.years(np.maximum(rows, 0))
    ok = (rows >= 0) & ((year == NO_YEAR) | (year >= date.today().year - years))
    return [
        collaborations.at(r) if k else None for r, k in zip(rows.tolist(), ok.tolist(), strict=True)
    ]


def _recent_collaborations(
    collaborations: Any, a: np.ndarray, b: np.ndarray, years: int
) -> tuple[np.ndarray, list[str], list[Any]]:
    """Which pairs (a[i], b[i]) worked together within the last ``years`` years (their
    most recent collaboration, as ``_recent_works``) and, for those, its kind and a handle
    for ``_work_getter(collaborations)``: on a snapshot's table, its row (one search for
    all pairs, nothing read but years and kinds); else the collaboration itself."""
    if getattr(collaborations, "find_many", None) is None:
        works = _recent_works(collaborations, a, b, years)
        ok = np.array([c is not None for c in works], dtype=bool)
        kept = [c for c in works if c is not None]
        return ok, [c.kind for c in kept], kept
    from .snapshot_arrays import KINDS, NO_YEAR

    rows = collaborations.find_many(a, b)
    safe = np.maximum(rows, 0)
    year = collaborations.years(safe)
    ok = (rows >= 0) & ((year == NO_YEAR) | (year >= date.today().year - years))
    kept = rows[ok]
    kind = [KINDS[k] for k in np.asarray(collaborations.a["kind"][kept]).tolist()]
    return ok, kind, kept.tolist()


def _work_getter(collaborations: Any) -> Callable[[Any], Any]:
    """The collaboration of a handle ``_recent_collaborations`` gave."""
    if getattr(collaborations, "find_many", None) is None:
        return _same
    return collaborations.at  # type: ignore[no-any-return]


def _same(c: Any) -> Any:
    return c


DEFAULT_RULES: tuple[ConflictRule, ...] = (
    EmployedByParty(),
    HoldsOfficeInParty(),
    DeclaredConflict(),
    RelatedToInsider(),
    CoauthorOfInsider(),
    MemberOfParty(),
)


def find_conflicts(
    ctx: ConflictContext, rules: Sequence[ConflictRule] = DEFAULT_RULES
) -> dict[int, list[Conflict]]:
    """Every conflict of every person, by person id; excluding conflicts first."""
    out: dict[int, list[Conflict]] = {}
    for rule in rules:
        for c in rule.find(ctx):
            out.setdefault(c.person_id, []).append(c)
    for conflicts in out.values():
        if len(conflicts) > 1:
            conflicts.sort(key=_conflict_order)
    return out


def _conflict_order(c: Conflict) -> tuple[bool, str, tuple[int, ...]]:
    return (c.severity != EXCLUDE, c.rule, c.path)


def path_json(eg: ExpertGraph, conflict: Conflict) -> list[dict]:
    """The path as the API shows it: each node's type, id and label, and the step to it."""
    from .graph import KIND_NAMES

    out = []
    for i, n in enumerate(conflict.path):
        item = {"type": KIND_NAMES[n & 3], "id": n >> 2, "label": eg.label(n)}
        if i > 0 and i - 1 < len(conflict.steps):
            item["via"] = conflict.steps[i - 1]
        out.append(item)
    return out
