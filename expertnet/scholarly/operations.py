"""Writes to the scholarly record: single items, and the deduplicating import.

Operations take domain objects and validated data, flush, and never commit; every row
is ``Audited``, so the session hook writes who changed what. The import is planned first
(``plan_import``: what will be created, what merged into which existing work, what
rejected and why) and written only when confirmed (``apply_plan``), so a preview and the
real thing can never disagree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from ..core.errors import ValidationFailed
from ..core.text import clean_line, clean_text, fold
from ..directory.models import Membership, Person
from .i18n import _
from .importers import AuthorIn, Rejected, WorkIn, normalize_orcid, title_key
from .models import (
    Patent,
    Publication,
    PublicationAuthor,
    ResearchProject,
    ScholarProfile,
)

#: Fields an import may fill in on an existing work (never overwriting what is there).
MERGE_FIELDS = (
    "year",
    "venue",
    "volume",
    "issue",
    "pages",
    "publisher",
    "doi",
    "isbn",
    "language",
    "abstract",
    "url",
)


def name_key(name: str) -> tuple[str, ...]:
    """Folded name parts in any order: "Nguyen Van An" and "An Nguyễn Văn" compare equal."""
    return tuple(sorted(fold(clean_line(name) or "").replace(".", " ").replace(",", " ").split()))


# --- linking authors to people ---------------------------------------------------------------


@dataclass
class AuthorMatcher:
    """Links authors to directory people on firm evidence only, for one record owner.

    ORCID iD or e-mail held by a person: linked. The owner's own name on the owner's own
    record: linked (they keep the record). The same name as someone sharing an
    organisation with the owner: only *suggested* (``candidate_person_id``), waiting for
    that person's confirmation. A name alone is never enough.
    """

    owner: Person
    by_orcid: dict[str, int]
    by_email: dict[str, int]
    colleagues: dict[tuple[str, ...], list[int]]

    @classmethod
    def for_owner(cls, session: Session, owner: Person, works: list[WorkIn]) -> AuthorMatcher:
        orcids = {a.orcid for w in works for a in w.authors if a.orcid}
        emails = {a.email.lower() for w in works for a in w.authors if a.email}
        by_orcid: dict[str, int] = {}
        if orcids:
            by_orcid = dict(
                session.execute(
                    select(ScholarProfile.orcid, ScholarProfile.person_id).where(
                        ScholarProfile.orcid.in_(orcids)
                    )
                ).all()
            )
        by_email: dict[str, int] = {}
        if emails:
            by_email = {
                e.lower(): pid
                for e, pid in session.execute(
                    select(Person.email, Person.id).where(func.lower(Person.email).in_(emails))
                ).all()
            }
        org_ids = owner.organization_ids()
        if owner.employer_id is not None:
            org_ids.add(owner.employer_id)
        colleagues: dict[tuple[str, ...], list[int]] = defaultdict(list)
        if org_ids:
            rows = session.execute(
                select(Person.id, Person.full_name)
                .where(
                    or_(
                        Person.employer_id.in_(org_ids),
                        Person.id.in_(
                            select(Membership.person_id).where(
                                Membership.organization_id.in_(org_ids),
                                Membership.ended_on.is_(None),
                            )
                        ),
                    ),
                    Person.id != owner.id,
                )
                .distinct()
            )
            for pid, full_name in rows:
                colleagues[name_key(full_name)].append(pid)
        return cls(owner, by_orcid, by_email, dict(colleagues))

    def link(self, authors: list[PublicationAuthor]) -> None:
        owner_key = name_key(self.owner.full_name)
        owner_taken = any(a.person_id == self.owner.id for a in authors)
        for a in authors:
            if a.person_id is not None:
                continue
            pid = self.by_orcid.get(a.orcid or "")
            if pid is None and getattr(a, "_email", None):
                pid = self.by_email.get(a._email.lower())  # type: ignore[attr-defined]
            if pid is not None:
                a.person_id = pid
                owner_taken = owner_taken or pid == self.owner.id
                continue
            key = name_key(a.name)
            if not owner_taken and key == owner_key:
                a.person_id = self.owner.id
                owner_taken = True
                continue
            same = self.colleagues.get(key, [])
            if len(same) == 1:
                a.candidate_person_id = same[0]


def _authors_from(items: list[AuthorIn]) -> list[PublicationAuthor]:
    out = []
    for n, a in enumerate(items, start=1):
        pa = PublicationAuthor(position=n, name=a.name, orcid=a.orcid)
        pa._email = a.email  # type: ignore[attr-defined]
        out.append(pa)
    return out


# --- the import ----------------------------------------------------------------------------


@dataclass
class Merge:
    publication: Publication
    work: WorkIn
    #: Fields the import fills in (empty before); nothing is overwritten.
    filled: list[str]
    #: "doi" or "title_year": why the two are the same work.
    by: str


@dataclass
class ImportPlan:
    owner: Person
    created: list[WorkIn] = field(default_factory=list)
    merged: list[Merge] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "created": len(self.created),
            "merged": len(self.merged),
            "rejected": [{"entry": r.entry, "reason": r.reason} for r in self.rejected],
        }

    def preview(self) -> dict[str, Any]:
        """What will happen, for a person to confirm: each new work and each merge."""
        return {
            **self.summary(),
            "new": [{"title": w.title, "year": w.year, "doi": w.doi} for w in self.created],
            "merges": [
                {
                    "entry": m.work.label,
                    "title": m.work.title,
                    "into": m.publication.id,
                    "into_title": m.publication.title,
                    "by": m.by,
                    "fills": m.filled,
                }
                for m in self.merged
            ],
        }


def _filled(pub: Publication, work: WorkIn) -> list[str]:
    out = [f for f in MERGE_FIELDS if getattr(pub, f) in (None, "") and getattr(work, f)]
    if work.keywords and set(work.keywords) - set(pub.keywords or []):
        out.append("keywords")
    if work.authors and not pub.authors:
        out.append("authors")
    return out


def plan_import(session: Session, owner: Person, works: list[WorkIn]) -> ImportPlan:
    """Sort each work into new, merged (same DOI, else same title and year) or duplicate."""
    plan = ImportPlan(owner)
    existing = session.scalars(
        select(Publication)
        .where(Publication.person_id == owner.id)
        .options(selectinload(Publication.authors))
    ).all()
    by_doi = {p.doi: p for p in existing if p.doi}
    by_title: dict[tuple[str, int | None], Publication] = {}
    for p in existing:
        by_title.setdefault((p.title_key, p.year), p)
    new_doi: dict[str, WorkIn] = {}
    new_title: dict[tuple[str, int | None], WorkIn] = {}
    for work in works:
        key = (title_key(work.title), work.year)
        match, by = None, ""
        if work.doi and work.doi in by_doi:
            match, by = by_doi[work.doi], "doi"
        elif key in by_title and not (work.doi and by_title[key].doi):
            match, by = by_title[key], "title_year"
        if match is not None:
            plan.merged.append(Merge(match, work, _filled(match, work), by))
            continue
        twin = new_doi.get(work.doi) if work.doi else None
        if twin is None and key in new_title and not (work.doi and new_title[key].doi):
            twin = new_title[key]
        if twin is not None:
            plan.rejected.append(
                Rejected(
                    work.label,
                    _("Appears twice in this file (same as %(other)s).", other=twin.label),
                )
            )
            continue
        plan.created.append(work)
        if work.doi:
            new_doi[work.doi] = work
        new_title.setdefault(key, work)
    return plan


def _new_publication(owner: Person, work: WorkIn) -> Publication:
    pub = Publication(
        person_id=owner.id,
        type=work.type,
        title=work.title,
        title_key=title_key(work.title),
        keywords=list(work.keywords),
        source=work.source,
        authors_truncated=work.authors_truncated,
        **{f: getattr(work, f) for f in MERGE_FIELDS},
    )
    pub.authors = _authors_from(work.authors)
    return pub


def apply_plan(session: Session, plan: ImportPlan) -> list[Publication]:
    """Write a plan: new works created, merges filled in; returns the touched works."""
    owner = plan.owner
    matcher = AuthorMatcher.for_owner(
        session, owner, plan.created + [m.work for m in plan.merged if "authors" in m.filled]
    )
    touched: list[Publication] = []
    for work in plan.created:
        pub = _new_publication(owner, work)
        matcher.link(pub.authors)
        session.add(pub)
        touched.append(pub)
    for m in plan.merged:
        pub = m.publication
        for f in m.filled:
            if f == "keywords":
                pub.keywords = list(dict.fromkeys([*(pub.keywords or []), *m.work.keywords]))
            elif f == "authors":
                pub.authors = _authors_from(m.work.authors)
                pub.authors_truncated = m.work.authors_truncated
                matcher.link(pub.authors)
            else:
                setattr(pub, f, getattr(m.work, f))
        if m.filled:
            touched.append(pub)
    session.flush()
    return touched


def import_works(
    session: Session, owner: Person, works: list[WorkIn], rejected: list[Rejected], dry_run: bool
) -> ImportPlan:
    """Plan, and unless ``dry_run`` write, an import for one expert's record."""
    plan = plan_import(session, owner, works)
    plan.rejected[:0] = rejected
    if not dry_run:
        apply_plan(session, plan)
    return plan


# --- single items ---------------------------------------------------------------------------


def _check_people(session: Session, ids: set[int], field_name: str) -> None:
    if not ids:
        return
    found = set(session.scalars(select(Person.id).where(Person.id.in_(ids))))
    missing = ids - found
    if missing:
        raise ValidationFailed(
            {
                field_name: _(
                    "Unknown person ids: %(ids)s.", ids=", ".join(map(str, sorted(missing)))
                )
            }
        )


def create_publication(session: Session, owner: Person, data: dict) -> Publication:
    """A publication typed in by hand; authors may name their directory person."""
    work = WorkIn(
        title=data["title"],
        type=data.get("type") or "journal_article",
        authors=[AuthorIn(a["name"], a.get("orcid")) for a in data.get("authors") or []],
        keywords=data.get("keywords") or [],
        source="manual",
        **{f: data.get(f) for f in MERGE_FIELDS},
    )
    plan = plan_import(session, owner, [work])
    if plan.merged:
        m = plan.merged[0]
        raise ValidationFailed(
            {
                "doi" if m.by == "doi" else "title": _(
                    "This work is already in the record (publication %(id)s).",
                    id=m.publication.id,
                )
            }
        )
    pub = _new_publication(owner, work)
    explicit = {
        n: a["person_id"]
        for n, a in enumerate(data.get("authors") or [])
        if a.get("person_id") is not None
    }
    _check_people(session, set(explicit.values()), "authors")
    for n, pid in explicit.items():
        pub.authors[n].person_id = pid
    AuthorMatcher.for_owner(session, owner, [work]).link(pub.authors)
    session.add(pub)
    session.flush()
    return pub


def update_publication(session: Session, pub: Publication, data: dict) -> Publication:
    for key in ("type", "keywords", *MERGE_FIELDS):
        if key in data:
            setattr(pub, key, data[key])
    if "title" in data:
        pub.title = data["title"]
        pub.title_key = title_key(data["title"])
    if pub.doi:
        clash = session.scalar(
            select(Publication.id).where(
                Publication.person_id == pub.person_id,
                Publication.doi == pub.doi,
                Publication.id != pub.id,
            )
        )
        if clash is not None:
            raise ValidationFailed(
                {"doi": _("This work is already in the record (publication %(id)s).", id=clash)}
            )
    if "authors" in data:
        authors = data["authors"]
        _check_people(session, {a["person_id"] for a in authors if a.get("person_id")}, "authors")
        pub.authors = []
        session.flush()
        pub.authors = [
            PublicationAuthor(
                position=n, name=a["name"], orcid=a.get("orcid"), person_id=a.get("person_id")
            )
            for n, a in enumerate(authors, start=1)
        ]
        AuthorMatcher.for_owner(session, pub.person, []).link(pub.authors)
    session.flush()
    return pub


def delete_item(session: Session, item: Any) -> None:
    session.delete(item)
    session.flush()


def confirm_author(session: Session, author: PublicationAuthor, accept: bool) -> None:
    """The suggested person says "that is me" (linked) or "not me" (suggestion dropped)."""
    if accept:
        author.person_id = author.candidate_person_id
    author.candidate_person_id = None
    session.flush()


_PROJECT_FIELDS = (
    "code",
    "title",
    "level",
    "role",
    "funder",
    "start_year",
    "end_year",
    "status",
    "result",
)
_PATENT_FIELDS = ("kind", "title", "number", "office", "year", "status", "inventors")


def _years_ok(data: dict) -> None:
    s, e = data.get("start_year"), data.get("end_year")
    if s is not None and e is not None and e < s:
        raise ValidationFailed({"end_year": _("The end year is before the start year.")})


def create_project(session: Session, owner: Person, data: dict) -> ResearchProject:
    _years_ok(data)
    project = ResearchProject(person_id=owner.id, **{k: data.get(k) for k in _PROJECT_FIELDS})
    for key, default in (("level", "city"), ("role", "member"), ("status", "ongoing")):
        if getattr(project, key) is None:
            setattr(project, key, default)
    session.add(project)
    session.flush()
    return project


def update_project(session: Session, project: ResearchProject, data: dict) -> ResearchProject:
    merged = {k: data.get(k, getattr(project, k)) for k in ("start_year", "end_year")}
    _years_ok(merged)
    for k in _PROJECT_FIELDS:
        if k in data:
            setattr(project, k, data[k])
    session.flush()
    return project


def create_patent(session: Session, owner: Person, data: dict) -> Patent:
    patent = Patent(person_id=owner.id, **{k: data.get(k) for k in _PATENT_FIELDS})
    patent.kind = patent.kind or "patent"
    patent.status = patent.status or "filed"
    session.add(patent)
    session.flush()
    return patent


def update_patent(session: Session, patent: Patent, data: dict) -> Patent:
    for k in _PATENT_FIELDS:
        if k in data:
            setattr(patent, k, data[k])
    session.flush()
    return patent


def set_orcid(session: Session, person: Person, raw: str | None) -> ScholarProfile:
    """Record (or clear) a person's ORCID iD; it must be valid and nobody else's."""
    orcid = None
    if raw:
        orcid = normalize_orcid(raw)
        if orcid is None:
            raise ValidationFailed({"orcid": _("Not a valid ORCID iD (check digit wrong).")})
        clash = session.scalar(
            select(ScholarProfile.person_id).where(
                ScholarProfile.orcid == orcid, ScholarProfile.person_id != person.id
            )
        )
        if clash is not None:
            raise ValidationFailed({"orcid": _("Another person already has this ORCID iD.")})
    profile = session.scalar(select(ScholarProfile).where(ScholarProfile.person_id == person.id))
    if profile is None:
        profile = ScholarProfile(person_id=person.id)
        session.add(profile)
    profile.orcid = orcid
    session.flush()
    return profile


def clean_work_text(value: str | None) -> str | None:
    return clean_text(value) if value else None


def organization_people(session: Session, org_id: int) -> dict[str, int]:
    """E-mail (lower case) and id (as text) -> person id, for the organisation's people."""
    rows = session.execute(
        select(Person.id, Person.email).where(
            or_(
                Person.employer_id == org_id,
                Person.id.in_(
                    select(Membership.person_id).where(
                        Membership.organization_id == org_id, Membership.ended_on.is_(None)
                    )
                ),
            )
        )
    ).all()
    out: dict[str, int] = {}
    for pid, email in rows:
        out[str(pid)] = pid
        if email:
            out[email.lower()] = pid
    return out


def plan_organization_import(
    session: Session, org_id: int, works: list[WorkIn], rejected: list[Rejected]
) -> tuple[list[ImportPlan], list[Rejected]]:
    """A list per organisation: each row names its expert (e-mail or id) of that organisation."""
    people = organization_people(session, org_id)
    by_person: dict[int, list[WorkIn]] = defaultdict(list)
    refused = list(rejected)
    for work in works:
        key = (work.expert or "").strip().lower()
        if not key:
            refused.append(Rejected(work.label, _("The expert column is empty.")))
            continue
        pid = people.get(key)
        if pid is None:
            refused.append(
                Rejected(
                    work.label,
                    _("%(expert)s is not a person of this organisation.", expert=work.expert),
                )
            )
            continue
        by_person[pid].append(work)
    plans = []
    for pid in sorted(by_person):
        owner = session.get(Person, pid)
        plans.append(plan_import(session, owner, by_person[pid]))
    return plans, refused
