"""Patching a graph snapshot for a few changed people instead of rebuilding it.

Every commit that changes the directory records which people it touched in
``graph_change`` (``panel.cache`` writes the rows with the version bump, in the same
transaction); a change that is not about identified people (an organisation, a field, a
publication, a bulk import) records one row without a person, which means "rebuild".
A process whose snapshot is at version B and sees version V reads the rows of
(B, V] and, when they name only people, re-reads those people — their row, fields,
active memberships and declared relationships — and returns a patched copy: the graph
rows of those people and their neighbours, their ``PersonInfo``, the experts by field
and their affinity profile. Milliseconds, where a full build takes seconds.

Patching is idempotent (it re-reads the current rows), so a snapshot that already holds
some of the changes is patched correctly too.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, or_, select

from ..directory.taxonomy import area_of
from .cache import MAX_PATCH
from .graph import (
    _OFFICE_VALUES,
    EMPLOYED,
    EXPERTISE,
    MEMBER,
    OFFICE,
    RELATIONSHIP,
    ExpertGraph,
    PersonInfo,
    _tables,
    fnode,
    onode,
    pnode,
)
from .snapshot import BIT, ExpertsByField, PeopleTable, mask_of

#: Edge kinds a patch re-reads; the others (co-authorship, joint projects) are kept.
_PATCHED_MASK = mask_of((EMPLOYED, EXPERTISE, MEMBER, OFFICE, RELATIONSHIP))
_CHUNK = 1000


class NeedsRebuild(Exception):
    """The changes cannot be patched: something other than people changed, or too much."""


def changed_people(conn: Connection, since: int, until: int) -> set[int]:
    """People changed by the commits of versions (since, until]; ``NeedsRebuild`` when a
    commit changed more than people."""
    t = _tables(conn)["graph_change"]
    out: set[int] = set()
    for (pid,) in conn.execute(
        select(t.c.person_id).where(t.c.version > since, t.c.version <= until)
    ):
        if pid is None:
            raise NeedsRebuild
        out.add(pid)
        if len(out) > MAX_PATCH:
            raise NeedsRebuild
    return out


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


def patch(
    eg: ExpertGraph, conn: Connection, person_ids: Iterable[int], version: tuple[int, int]
) -> ExpertGraph:
    """A copy of ``eg`` with ``person_ids`` re-read from ``conn`` (the consultation layer
    is shared: the caller refreshes it when requests changed too)."""
    ids = sorted(set(person_ids))
    wanted = set(ids)
    out = copy.copy(eg)
    out.memo = {}
    out.version = version
    if not ids:
        return out
    t = _tables(conn)
    person, membership = t["person"], t["membership"]
    person_field, rel = t["person_field"], t["person_relationship"]
    rows: dict[int, Any] = {}
    codes: dict[int, list[str]] = defaultdict(list)
    links: dict[int, dict[int, int]] = defaultdict(dict)

    def link(u: int, v: int, kind: str) -> None:
        links[u][v] = links[u].get(v, 0) | BIT[kind]

    for chunk in _chunks(ids):
        for r in conn.execute(
            select(
                person.c.id,
                person.c.full_name,
                person.c.academic_title,
                person.c.degree,
                person.c.employer_id,
                person.c.public_profile,
                person.c.available,
                person.c.max_assignments,
                person.c.expertise,
                person.c.position,
                person.c.bio,
            ).where(person.c.id.in_(chunk))
        ):
            rows[r.id] = r
            if r.employer_id is not None:
                link(r.id, onode(r.employer_id), EMPLOYED)
        for pid, fid in conn.execute(
            select(person_field.c.person_id, person_field.c.field_id).where(
                person_field.c.person_id.in_(chunk)
            )
        ):
            codes[pid].append(eg.fields[fid].code)
            link(pid, fnode(fid), EXPERTISE)
        union_orgs: dict[int, list[int]] = defaultdict(list)
        for pid, oid, role in conn.execute(
            select(membership.c.person_id, membership.c.organization_id, membership.c.role).where(
                membership.c.person_id.in_(chunk), membership.c.ended_on.is_(None)
            )
        ):
            link(pid, onode(oid), OFFICE if role in _OFFICE_VALUES else MEMBER)
            if eg.orgs[oid].is_union_member:
                union_orgs[pid].append(oid)
        for a, b in conn.execute(
            select(rel.c.person_a_id, rel.c.person_b_id).where(
                or_(rel.c.person_a_id.in_(chunk), rel.c.person_b_id.in_(chunk))
            )
        ):
            if a in wanted:
                link(a, pnode(b), RELATIONSHIP)
            if b in wanted:
                link(b, pnode(a), RELATIONSHIP)
        for pid in chunk:
            r = rows.get(pid)
            if r is None:
                continue
            info = PersonInfo(
                full_name=r.full_name,
                academic_title=r.academic_title,
                degree=r.degree,
                employer_id=r.employer_id,
                public=bool(r.public_profile),
                available=bool(r.available),
                max_assignments=int(r.max_assignments or 0),
                is_expert=bool(r.expertise) or bool(codes.get(pid)),
                field_codes=tuple(sorted(codes.get(pid, ()))),
            )
            if info.is_expert:
                mine = union_orgs.get(pid, ())
                info.union_orgs = tuple(sorted(set(mine)))
                provinces = {eg.orgs[o].former_province for o in mine if eg.orgs[o].former_province}
                if info.employer_id is not None and eg.orgs[info.employer_id].former_province:
                    provinces.add(eg.orgs[info.employer_id].former_province)
                info.provinces = frozenset(provinces)  # type: ignore[arg-type]
            rows[pid] = (r, info)

    # The graph: each changed person's row is what the database says, plus the
    # co-authorship edges the snapshot had (the scholarly record did not change).
    new_rows: dict[int, dict[int, int]] = {}
    removed: list[int] = []
    for pid in ids:
        n = pnode(pid)
        if pid not in rows:
            removed.append(n)
            continue
        kept = {
            m: mask & ~_PATCHED_MASK
            for m, mask in eg.graph.row_masks(n).items()
            if mask & ~_PATCHED_MASK
        }
        for m, mask in links.get(pid, {}).items():
            kept[m] = kept.get(m, 0) | mask
        new_rows[n] = kept
    out.graph = eg.graph.patched(new_rows, removed)

    infos: dict[int, PersonInfo | None] = {
        pid: rows[pid][1] if pid in rows else None for pid in ids
    }
    people = eg.people
    if isinstance(people, PeopleTable):
        out.people = people.patched(infos)
    else:
        patched_people = dict(people)
        for pid, info in infos.items():
            if info is None:
                patched_people.pop(pid, None)
            else:
                patched_people[pid] = info
        out.people = patched_people

    experts = {pid: info for pid, info in infos.items() if info is not None and info.is_expert}
    added: dict[int, set[str]] = {}
    for pid, info in experts.items():
        mine = set(info.field_codes)
        mine.update(area_of(c) for c in info.field_codes)
        added[pid] = mine
    ebf = eg.experts_by_field
    if not isinstance(ebf, ExpertsByField):
        import numpy as np

        ebf = ExpertsByField({k: np.array(sorted(v), dtype=np.int64) for k, v in ebf.items()})
    out.experts_by_field = ebf.patched(ids, added)

    if eg.affinity is not None:
        changed_texts: dict[int, Any] = {}
        for pid in ids:
            if pid in experts:
                r = rows[pid][0]
                codes = experts[pid].field_codes
                changed_texts[pid] = (r.expertise or [], r.position, r.bio, codes)
            elif pid in eg.affinity.row_of:
                changed_texts[pid] = None
        if changed_texts:
            out.affinity = eg.affinity.patched(changed_texts, eg.field_by_code)
    out.patched_people = eg.patched_people + len(ids)
    return out
