"""The contest in the yearly report: editions, entries, authors, awards, who judged.

The rules, as the union reports them:

* **An edition of the year** is one whose entries closed in the year (``entries_close_on``),
  or, without that date, one created in the year; drafts are not counted.
* **Entries** are those filed in the year's editions, withdrawn ones left out; by field,
  and by former province: the applying organisation's, else the first author's employer's
  (``unknown`` when neither is a known organisation with a province).
* **Authors** are distinct people over those entries: the expert record when the author is
  one, else the name and e-mail as written.
* **Awards** count the decided award of each result line of editions whose results were
  approved or published, by the level's name.
* **Judges by organisation**: for each member organisation of the union (the four union
  kinds), the distinct experts who held an active judge seat in the year's editions and
  belong to it (membership active in the year) or work for it (employer), and their seats.

Scoped to one organisation, the entries are those it applies or whose authors it employs,
and the judges are its own.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows import EditionState, EntryState

from ..contest.models import Edition, Entry, JudgeAssignment, JudgeState, ResultLine
from ..directory.models import UNION_KINDS, Membership, Organization, Person

UNKNOWN = "unknown"
_UNION_KIND_VALUES = [k.value for k in UNION_KINDS]


@dataclass
class ContestJudgeRow:
    id: int
    code: str
    name: str
    former_province: str | None
    judges: int = 0
    seats: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "code": self.code,
            "name": self.name,
            "former_province": self.former_province,
            "judges": self.judges,
            "seats": self.seats,
        }


@dataclass
class ContestFigures:
    editions: list[dict[str, Any]] = field(default_factory=list)
    entries_by_field: dict[str, int] = field(default_factory=dict)
    entries_by_province: dict[str, int] = field(default_factory=dict)
    authors: int = 0
    awards: dict[str, int] = field(default_factory=dict)
    judges_by_organization: list[ContestJudgeRow] = field(default_factory=list)
    # Field code -> name, for the page and the spreadsheet (the JSON keeps the codes).
    field_names: dict[str, str] = field(default_factory=dict)
    judges: int = 0

    @property
    def entries(self) -> int:
        return sum(self.entries_by_field.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "editions": self.editions,
            "entries": self.entries,
            "entries_by_field": self.entries_by_field,
            "entries_by_former_province": self.entries_by_province,
            "authors": self.authors,
            "awards": self.awards,
            "awards_total": sum(self.awards.values()),
            "judges": self.judges,
            "judges_by_organization": [r.to_json() for r in self.judges_by_organization],
        }


def _year_of(edition: Edition, w) -> bool:
    if edition.entries_close_on is not None:
        return w.first_day <= edition.entries_close_on <= w.last_day
    created = edition.created_at
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    return w.start <= created < w.end


def contest_figures(session: Session, w, org_id: int | None = None) -> ContestFigures:
    editions = [
        e
        for e in session.scalars(
            select(Edition).where(Edition.state != EditionState.DRAFT.value).order_by(Edition.id)
        )
        if _year_of(e, w)
    ]
    out = ContestFigures(
        editions=[
            {"id": e.id, "name": e.name, "number": e.number, "youth": e.youth, "state": e.state}
            for e in editions
        ]
    )
    ids = [e.id for e in editions]
    if not ids:
        return out
    provinces = dict(session.execute(select(Organization.id, Organization.former_province)).all())
    entries = session.scalars(
        select(Entry).where(Entry.edition_id.in_(ids), Entry.state != EntryState.WITHDRAWN.value)
    ).all()
    if org_id is not None:
        entries = [
            e
            for e in entries
            if e.applying_organization_id == org_id
            or any(a.employer_organization_id == org_id for a in e.authors)
        ]
    by_field: Counter[str] = Counter()
    by_province: Counter[str] = Counter()
    people: set[tuple] = set()
    for e in entries:
        by_field[e.field.code] += 1
        out.field_names[e.field.code] = e.field.name
        org = e.applying_organization_id
        if org is None and e.authors:
            org = e.authors[0].employer_organization_id
        by_province[provinces.get(org) or UNKNOWN] += 1
        for a in e.authors:
            if a.person_id:
                people.add(("person", a.person_id))
            else:
                people.add(("name", a.full_name.casefold(), a.email.casefold()))
    out.entries_by_field = dict(sorted(by_field.items()))
    out.entries_by_province = dict(sorted(by_province.items()))
    out.authors = len(people)
    entry_ids = {e.id for e in entries}

    decided = (EditionState.RESULTS_APPROVED.value, EditionState.PUBLISHED.value)
    awards: Counter[str] = Counter()
    for line in session.scalars(
        select(ResultLine)
        .join(Edition, Edition.id == ResultLine.edition_id)
        .where(ResultLine.edition_id.in_(ids), Edition.state.in_(decided))
    ):
        if line.award_level is not None and (org_id is None or line.entry_id in entry_ids):
            awards[line.award_level.name] += 1
    out.awards = dict(awards)

    seats = session.execute(
        select(JudgeAssignment.person_id, JudgeAssignment.id)
        .join(Entry, Entry.id == JudgeAssignment.entry_id)
        .where(Entry.edition_id.in_(ids), JudgeAssignment.state == JudgeState.active.value)
    ).all()
    seats_of: dict[int, int] = Counter(pid for pid, _ in seats)
    judges = set(seats_of)
    out.judges = len(judges)
    if not judges:
        return out
    links: dict[int, set[int]] = defaultdict(set)
    active = (Membership.started_on.is_(None) | (Membership.started_on <= w.last_day)) & (
        Membership.ended_on.is_(None) | (Membership.ended_on >= w.first_day)
    )
    for pid, oid in session.execute(
        select(Membership.person_id, Membership.organization_id).where(
            Membership.person_id.in_(judges), active
        )
    ):
        links[oid].add(pid)
    for pid, oid in session.execute(
        select(Person.id, Person.employer_id).where(
            Person.id.in_(judges), Person.employer_id.is_not(None)
        )
    ):
        links[oid].add(pid)
    orgs = session.execute(
        select(
            Organization.id, Organization.code, Organization.name, Organization.former_province
        ).where(Organization.id.in_(list(links)), Organization.kind.in_(_UNION_KIND_VALUES))
    ).all()
    rows = []
    for oid, code, name, province in orgs:
        if org_id is not None and oid != org_id:
            continue
        members = links[oid]
        rows.append(
            ContestJudgeRow(
                oid, code, name, province, len(members), sum(seats_of[p] for p in members)
            )
        )
    out.judges_by_organization = sorted(rows, key=lambda r: (-r.judges, -r.seats, r.name))
    if org_id is not None:
        out.judges = sum(r.judges for r in out.judges_by_organization)
    return out
