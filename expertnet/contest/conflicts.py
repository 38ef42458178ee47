"""Conflicts of interest between a juror and an entry's authors, each with the path that makes it.

The panel's rules look outwards from a request's organisations; these look outwards from
an entry's authors, over the same expert graph: the juror is an author; works for an
author's employer or the organisation applying the solution; has a declared personal
relationship with an author (a relative, …); is a co-author of an author (an edge of kind
``coauthor`` in the graph, or a contest entry they wrote together); or declared a
conflict on the entry. All of them exclude. Authors who are not members of the union
have no person node; their employer, when it is a known organisation, still has one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..panel.names import EMPLOYED, EXCLUDE, RELATIONSHIP, onode, pnode

if TYPE_CHECKING:  # the graph module loads numpy and networkx: not at import time
    from ..panel.graph import ExpertGraph
from ..panel.i18n import _

#: Edge kinds that mean two people wrote something together (the scholarly record adds them).
COAUTHOR_KINDS = ("coauthor",)


@dataclass(frozen=True)
class AuthorFacts:
    """One author as the rules see them."""

    name: str
    person_id: int | None = None
    employer_org_id: int | None = None


@dataclass(frozen=True)
class EntryConflictContext:
    graph: ExpertGraph
    entry_id: int
    entry_title: str
    authors: tuple[AuthorFacts, ...]
    applying_org_id: int | None = None
    #: person id -> the other people they co-authored contest entries with (any edition).
    contest_coauthors: Mapping[int, frozenset[int]] = field(default_factory=dict)
    declared_person_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class PathStep:
    type: str  # person, author, organization, entry
    id: int | None
    label: str
    via: str | None = None

    def to_dict(self) -> dict:
        out = {"type": self.type, "id": self.id, "label": self.label}
        if self.via:
            out["via"] = self.via
        return out


@dataclass(frozen=True)
class EntryConflict:
    person_id: int
    rule: str
    reason: str
    path: tuple[PathStep, ...]
    severity: str = EXCLUDE

    @property
    def excludes(self) -> bool:
        return self.severity == EXCLUDE

    def path_json(self) -> list[dict]:
        return [s.to_dict() for s in self.path]


def _juror(ctx: EntryConflictContext, pid: int) -> PathStep:
    return PathStep("person", pid, ctx.graph.label(pnode(pid)))


def _author(a: AuthorFacts, via: str) -> PathStep:
    return PathStep("author", a.person_id, a.name, via)


def _org(ctx: EntryConflictContext, org_id: int, via: str) -> PathStep:
    return PathStep("organization", org_id, ctx.graph.label(onode(org_id)), via)


def _is_author(ctx: EntryConflictContext, jurors: frozenset[int]) -> Iterator[EntryConflict]:
    for a in ctx.authors:
        if a.person_id in jurors:
            yield EntryConflict(
                a.person_id,
                "is_author",
                _("Is an author of the entry."),
                (
                    _juror(ctx, a.person_id),
                    PathStep("entry", ctx.entry_id, ctx.entry_title, "author"),
                ),
            )


def _same_employer(ctx: EntryConflictContext, jurors: frozenset[int]) -> Iterator[EntryConflict]:
    orgs: list[tuple[int, AuthorFacts | None]] = [
        (a.employer_org_id, a) for a in ctx.authors if a.employer_org_id is not None
    ]
    if ctx.applying_org_id is not None:
        orgs.append((ctx.applying_org_id, None))
    for org_id, author in orgs:
        for pid in jurors:
            info = ctx.graph.people.get(pid)
            if info is None or info.employer_id != org_id:
                continue
            if author is None:
                reason = _(
                    "Employed by %(org)s, which applies the solution.",
                    org=ctx.graph.label(onode(org_id)),
                )
                path = (_juror(ctx, pid), _org(ctx, org_id, EMPLOYED))
            else:
                reason = _(
                    "Employed by %(org)s, like the author %(author)s.",
                    org=ctx.graph.label(onode(org_id)),
                    author=author.name,
                )
                path = (_juror(ctx, pid), _org(ctx, org_id, EMPLOYED), _author(author, EMPLOYED))
            yield EntryConflict(pid, "same_employer", reason, path)


def _linked(
    ctx: EntryConflictContext,
    jurors: frozenset[int],
    kinds: Iterable[str],
    rule: str,
    reason: Callable[[str], str],
) -> Iterator[EntryConflict]:
    kinds = tuple(kinds)
    for a in ctx.authors:
        if a.person_id is None or not ctx.graph.has_node(pnode(a.person_id)):
            continue
        for m in ctx.graph.neighbours_by(pnode(a.person_id), kinds):
            pid = m >> 2
            if m & 3 == 0 and pid in jurors:
                via = next(k for k in ctx.graph.edge_kinds(m, pnode(a.person_id)) if k in kinds)
                yield EntryConflict(pid, rule, reason(a.name), (_juror(ctx, pid), _author(a, via)))


def _contest_coauthors(
    ctx: EntryConflictContext, jurors: frozenset[int]
) -> Iterator[EntryConflict]:
    for a in ctx.authors:
        if a.person_id is None:
            continue
        for pid in sorted(ctx.contest_coauthors.get(a.person_id, frozenset()) & jurors):
            yield EntryConflict(
                pid,
                "coauthor",
                _("Co-authored a contest entry with the author %(author)s.", author=a.name),
                (_juror(ctx, pid), _author(a, "coauthor")),
            )


def _declared(ctx: EntryConflictContext, jurors: frozenset[int]) -> Iterator[EntryConflict]:
    for pid in sorted(ctx.declared_person_ids & jurors):
        yield EntryConflict(
            pid,
            "declared",
            _("Declared a conflict of interest on this entry."),
            (_juror(ctx, pid), PathStep("entry", ctx.entry_id, ctx.entry_title, "declared")),
        )


def find_entry_conflicts(
    ctx: EntryConflictContext, jurors: Iterable[int]
) -> dict[int, list[EntryConflict]]:
    """Every conflict of each juror with the entry, by person id."""
    wanted = frozenset(jurors)
    found: list[EntryConflict] = [
        *_is_author(ctx, wanted),
        *_same_employer(ctx, wanted),
        *_linked(
            ctx, wanted, (RELATIONSHIP,), "related_to_author",
            lambda name: _(
                "Has a declared personal relationship with the author %(author)s.", author=name
            ),
        ),
        *_linked(
            ctx, wanted, COAUTHOR_KINDS, "coauthor",
            lambda name: _("Has published with the author %(author)s.", author=name),
        ),
        *_contest_coauthors(ctx, wanted),
        *_declared(ctx, wanted),
    ]  # fmt: skip
    out: dict[int, list[EntryConflict]] = {}
    for c in found:
        out.setdefault(c.person_id, []).append(c)
    return out
