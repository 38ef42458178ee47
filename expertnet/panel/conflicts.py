"""Conflicts of interest as explicit rules over the expert graph, each with its path.

A rule is an object with a ``code``, a ``severity`` and a ``find(ctx)`` that yields every
conflict it sees for one request. Rules work from the request's organisations outwards
(an organisation's few thousand neighbours), never candidate by candidate, so checking
10,000 experts costs the same as checking ten. The list is configurable: pass your own
``rules`` to ``find_conflicts`` (or to ``suggest``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

import numpy as np

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
    people: frozenset[int] | None = None

    def wants(self, person_id: int) -> bool:
        return self.people is None or person_id in self.people

    @cached_property
    def _people_sorted(self) -> np.ndarray:
        people = self.people or ()
        return np.sort(np.fromiter(people, dtype=np.int64, count=len(people)))

    def wanted(self, person_ids: np.ndarray) -> np.ndarray:
        """The ``person_ids`` (an array) that ``wants``, in their order."""
        if self.people is None:
            return person_ids
        have = self._people_sorted
        if not len(have) or not len(person_ids):
            return person_ids[:0]
        pos = np.minimum(np.searchsorted(have, person_ids), len(have) - 1)
        return person_ids[have[pos] == person_ids]

    @property
    def organisations(self) -> list[tuple[int, str]]:
        """(org id, "agency" or "subject"), the agency first."""
        out = [(self.agency_id, "agency")] if self.agency_id is not None else []
        out += [(o, "subject") for o in self.subject_ids if o != self.agency_id]
        return [(o, r) for o, r in out if o in self.graph.orgs]

    @property
    def request_node(self) -> int | None:
        return rnode(self.request_id) if self.request_id is not None else None


@dataclass(frozen=True)
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
) -> Iterator[tuple[int, str]]:
    """(person node, the first of ``kinds`` that links them) of the org's insiders."""
    ids, masks = ctx.graph.linked_people(onode(org_id), kinds)
    bits = [(BIT[k], k) for k in kinds if k in BIT]
    for pid, mask in zip(ids.tolist(), masks.tolist(), strict=True):
        yield pnode(pid), next(k for b, k in bits if mask & b)


def _partners(ctx: ConflictContext, person_node: int, kinds: tuple[str, ...]) -> list[int]:
    """Ids of the wanted people joined to a person by an edge of any of ``kinds``."""
    ids, _masks = ctx.graph.linked_people(person_node, kinds)
    return ctx.wanted(ids).tolist()


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
            for pid in _people_linked(ctx, org_id, EMPLOYED):
                yield Conflict(
                    pid,
                    self.code,
                    self.severity,
                    _l("Employed by %(org)s.", org=_org_phrase(ctx, org_id, role)),
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
            for pid in _people_linked(ctx, org_id, OFFICE):
                yield Conflict(
                    pid,
                    self.code,
                    self.severity,
                    _l("Holds office in %(org)s.", org=_org_phrase(ctx, org_id, role)),
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
        g = ctx.graph
        for org_id, role in ctx.organisations:
            for m, step in _insiders(ctx, org_id, self.insider_kinds):
                for other_id in _partners(ctx, m, (RELATIONSHIP,)):
                    other = pnode(other_id)
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
                            org=_org_phrase(ctx, org_id, role),
                        ),
                        (other, m, onode(org_id)),
                        (RELATIONSHIP, step),
                    )


@dataclass(frozen=True)
class MemberOfParty:
    """Plain membership of a party: a potential conflict, shown but not excluded."""

    code: str = "member_of_party"
    severity: str = POTENTIAL

    def find(self, ctx: ConflictContext) -> Iterator[Conflict]:
        for org_id, role in ctx.organisations:
            for pid in _people_linked(ctx, org_id, MEMBER):
                yield Conflict(
                    pid,
                    self.code,
                    self.severity,
                    _l(
                        "Member of %(org)s (potential conflict).",
                        org=_org_phrase(ctx, org_id, role),
                    ),
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
        from ..scholarly.graph_source import COAUTHOR, JOINT_PROJECT, recent

        g, layer = ctx.graph, ctx.graph.scholarly
        if layer is None or not layer.collaborations:
            return
        years = self._years()
        kinds = (COAUTHOR, JOINT_PROJECT)

        def partners(insider: int) -> Iterator[tuple[int, str, str]]:
            iid = insider >> 2
            for pid in _partners(ctx, insider, kinds):
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
            for m, step in _insiders(ctx, org_id, self.insider_kinds):
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
                            how=(
                                _l("employed by") if step == EMPLOYED else _l("an office holder in")
                            ),
                            org=_org_phrase(ctx, org_id, role),
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
        conflicts.sort(key=lambda c: (not c.excludes, c.rule, c.path))
    return out


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
