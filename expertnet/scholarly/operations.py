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
from functools import lru_cache
from operator import attrgetter
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, or_, select, text, update
from sqlalchemy.orm import Session

from ..audit.models import AuditEntry
from ..audit.recorder import current_actor
from ..core.errors import ValidationFailed
from ..core.text import clean_text, name_words
from ..core.types import utcnow
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


@lru_cache(maxsize=200_000)
def name_key(name: str) -> str:
    """Folded name parts in any order: "Nguyen Van An" and "An Nguyễn Văn" compare equal.

    The same words as ``person.name_words``, which is what people are looked up by.
    """
    return name_words(name)


#: The fields of a work an import may fill in, in ``MERGE_FIELDS`` order.
_merge_values = attrgetter(*MERGE_FIELDS)

#: A plan and its writing key each work once; a list of 50,000 works fits in the cache.
_title_key = lru_cache(maxsize=65536)(title_key)


# --- linking authors to people ---------------------------------------------------------------

#: Rows per statement of the bulk import (lookups, inserts and updates).
CHUNK = 1000


_NOBODY: frozenset[int] = frozenset()


def _chunks(items: list, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i : i + size]


@dataclass
class AuthorMatcher:
    """Links authors to directory people on firm evidence only.

    ORCID iD or e-mail held by a person: linked. The owner's own name on the owner's own
    record: linked (they keep the record). The same name as someone sharing an
    organisation with the owner: only *suggested* (``candidate_person_id``), waiting for
    that person's confirmation. A name alone is never enough.

    One matcher serves every record of an import: the identifiers are looked up once for
    all authors, and the people bearing the authors' names in the owners' organisations
    once for all owners (``person.name_words`` is indexed: only those names are read,
    never an organisation's whole list of people).
    """

    by_orcid: dict[str, int]
    by_email: dict[str, int]
    #: Owner id -> the organisations they work for or belong to (active memberships).
    owner_orgs: dict[int, set[int]]
    #: Folded name -> organisation id -> its people of that name, for the names looked up
    #: so far (``loaded``); another name is looked up when first asked for.
    people: dict[str, dict[int, set[int]]]
    loaded: set[str] = field(default_factory=set)
    owner: Person | None = None
    session: Session | None = None

    @classmethod
    def build(
        cls, session: Session, owners: list[Person], authors: list[AuthorIn]
    ) -> AuthorMatcher:
        orcids = sorted({a.orcid for a in authors if a.orcid})
        emails = sorted({a.email.lower() for a in authors if a.email})
        by_orcid: dict[str, int] = {}
        for chunk in _chunks(orcids):
            by_orcid.update(
                session.execute(
                    select(ScholarProfile.orcid, ScholarProfile.person_id).where(
                        ScholarProfile.orcid.in_(chunk)
                    )
                ).all()
            )
        by_email: dict[str, int] = {}
        for chunk in _chunks(emails):
            for e, pid in session.execute(
                select(Person.email, Person.id).where(func.lower(Person.email).in_(chunk))
            ):
                by_email[e.lower()] = pid
        owner_orgs: dict[int, set[int]] = {o.id: set() for o in owners}
        for o in owners:
            if o.employer_id is not None:
                owner_orgs[o.id].add(o.employer_id)
        for chunk in _chunks(sorted(owner_orgs)):
            for pid, oid in session.execute(
                select(Membership.person_id, Membership.organization_id).where(
                    Membership.person_id.in_(chunk), Membership.ended_on.is_(None)
                )
            ):
                owner_orgs[pid].add(oid)
        matcher = cls(by_orcid, by_email, owner_orgs, {}, session=session)
        matcher._load({name_key(a.name) for a in authors})
        return matcher

    @classmethod
    def for_owner(cls, session: Session, owner: Person, works: list[WorkIn]) -> AuthorMatcher:
        matcher = cls.build(session, [owner], [a for w in works for a in w.authors])
        matcher.owner = owner
        return matcher

    def _load(self, keys: set[str]) -> None:
        """Read the people of the owners' organisations who bear one of the names ``keys``.

        The lookup goes through the index on ``name_words`` (``organization_id + 0``
        keeps SQLite from walking whole organisations by their index instead).
        """
        keys = keys - self.loaded
        self.loaded |= keys
        orgs = sorted(set().union(*self.owner_orgs.values()))
        if not keys or not orgs:
            return
        assert self.session is not None
        for chunk in _chunks(sorted(keys)):
            for oid, pid, words in (
                *self.session.execute(
                    select(Membership.organization_id, Person.id, Person.name_words)
                    .join(Membership, Membership.person_id == Person.id)
                    .where(
                        Person.name_words.in_(chunk),
                        (Membership.organization_id + 0).in_(orgs),
                        Membership.ended_on.is_(None),
                    )
                ),
                *self.session.execute(
                    select(Person.employer_id, Person.id, Person.name_words).where(
                        Person.name_words.in_(chunk), (Person.employer_id + 0).in_(orgs)
                    )
                ),
            ):
                self.people.setdefault(words, {}).setdefault(oid, set()).add(pid)

    def _colleagues(self, owner_id: int, key: str) -> set[int] | frozenset[int]:
        by_org = self.people.get(key)
        if by_org is None:
            if key in self.loaded:
                return _NOBODY  # most co-authors from abroad: nobody of that name here
            self._load({key})
            by_org = self.people.get(key)
            if by_org is None:
                return _NOBODY
        found: set[int] = set()
        for oid in self.owner_orgs.get(owner_id, ()):
            pids = by_org.get(oid)
            if pids:
                found |= pids
        found.discard(owner_id)
        return found

    def match(self, owner: Person, authors: list[dict[str, Any]]) -> None:
        """Fill ``person_id`` / ``candidate_person_id`` of author rows (dicts) in place."""
        owner_id = owner.id
        owner_key = name_key(owner.full_name)
        owner_taken = any(a["person_id"] == owner_id for a in authors)
        by_orcid, by_email = self.by_orcid, self.by_email
        for a in authors:
            if a["person_id"] is not None:
                continue
            pid = by_orcid.get(a["orcid"]) if a["orcid"] else None
            if pid is None and a.get("email"):
                pid = by_email.get(a["email"].lower())
            if pid is not None:
                a["person_id"] = pid
                owner_taken = owner_taken or pid == owner_id
                continue
            key = name_key(a["name"])
            if not owner_taken and key == owner_key:
                a["person_id"] = owner_id
                owner_taken = True
                continue
            same = self._colleagues(owner_id, key)
            if len(same) == 1:
                a["candidate_person_id"] = next(iter(same))

    def link(self, authors: list[PublicationAuthor]) -> None:
        """The same rules on ORM authors of the matcher's owner (items typed in by hand)."""
        assert self.owner is not None
        rows = [
            {
                "person_id": a.person_id,
                "candidate_person_id": a.candidate_person_id,
                "name": a.name,
                "orcid": a.orcid,
                "email": getattr(a, "_email", None),
            }
            for a in authors
        ]
        self.match(self.owner, rows)
        for a, row in zip(authors, rows, strict=True):
            a.person_id, a.candidate_person_id = row["person_id"], row["candidate_person_id"]


def _authors_from(items: list[AuthorIn]) -> list[PublicationAuthor]:
    out = []
    for n, a in enumerate(items, start=1):
        pa = PublicationAuthor(position=n, name=a.name, orcid=a.orcid)
        pa._email = a.email  # type: ignore[attr-defined]
        out.append(pa)
    return out


def _author_rows(items: list[AuthorIn]) -> list[dict[str, Any]]:
    return [
        {
            "position": n,
            "name": a.name,
            "orcid": a.orcid,
            "email": a.email,
            "person_id": None,
            "candidate_person_id": None,
        }
        for n, a in enumerate(items, start=1)
    ]


# --- the import ----------------------------------------------------------------------------


@dataclass(eq=False)
class Existing:
    """A work already in the record, as far as an import needs it.

    Only the works a file matches are read (by DOI or title key, a chunk at a time), as
    plain rows: a list of 50,000 works never loads a whole record as ORM objects.
    """

    id: int
    person_id: int
    title: str
    title_key: str
    keywords: list[str]
    has_authors: bool
    year: int | None = None
    venue: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    publisher: str | None = None
    doi: str | None = None
    isbn: str | None = None
    language: str | None = None
    abstract: str | None = None
    url: str | None = None


@dataclass
class Merge:
    publication: Existing
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


def _filled(pub: Existing, work: WorkIn) -> list[str]:
    out = [f for f in MERGE_FIELDS if getattr(pub, f) in (None, "") and getattr(work, f)]
    if work.keywords and set(work.keywords) - set(pub.keywords or []):
        out.append("keywords")
    if work.authors and not pub.has_authors:
        out.append("authors")
    return out


_pub = Publication.__table__
_author = PublicationAuthor.__table__
_EXISTING_COLS = (
    "id",
    "person_id",
    "title",
    "title_key",
    "keywords",
    *MERGE_FIELDS,
)


def _find_existing(
    session: Session, entries: list[tuple[int, WorkIn, str]]
) -> tuple[dict[tuple[int, str], Existing], dict[tuple[int, str, int | None], Existing]]:
    """The works already recorded that share a DOI or a title key with ``entries``.

    One query per chunk, on the (person, DOI) and (person, title key) indexes.
    """
    seen: dict[int, Existing] = {}
    has_authors = (
        select(_author.c.id).where(_author.c.publication_id == _pub.c.id).exists().label("a")
    )
    for chunk in _chunks(entries):
        owners = sorted({pid for pid, _w, _k in chunk})
        dois = sorted({w.doi for _p, w, _k in chunk if w.doi})
        keys = sorted({k for _p, _w, k in chunk})
        match = _pub.c.title_key.in_(keys)
        if dois:
            match = or_(_pub.c.doi.in_(dois), match)
        rows = session.execute(
            select(*(_pub.c[c] for c in _EXISTING_COLS), has_authors).where(
                _pub.c.person_id.in_(owners), match
            )
        )
        for row in rows:
            if row.id not in seen:
                values = dict(row._mapping)
                values["has_authors"] = bool(values.pop("a"))
                values["keywords"] = list(values["keywords"] or [])
                seen[row.id] = Existing(**values)
    by_doi: dict[tuple[int, str], Existing] = {}
    by_title: dict[tuple[int, str, int | None], Existing] = {}
    for pub in sorted(seen.values(), key=lambda p: p.id):
        if pub.doi:
            by_doi[(pub.person_id, pub.doi)] = pub
        by_title.setdefault((pub.person_id, pub.title_key, pub.year), pub)
    return by_doi, by_title


def plan_imports(session: Session, batches: list[tuple[Person, list[WorkIn]]]) -> list[ImportPlan]:
    """Plan several records' imports at once: the lookups are shared, in bulk."""
    entries = [(owner.id, w, _title_key(w.title)) for owner, works in batches for w in works]
    by_doi, by_title = _find_existing(session, entries)
    plans: list[ImportPlan] = []
    at = 0
    for owner, works in batches:
        plan = ImportPlan(owner)
        plans.append(plan)
        new_doi: dict[str, WorkIn] = {}
        new_title: dict[tuple[str, int | None], WorkIn] = {}
        for _o, work, tkey in entries[at : at + len(works)]:
            key = (tkey, work.year)
            titled = by_title.get((owner.id, tkey, work.year))
            match, by = None, ""
            if work.doi and (owner.id, work.doi) in by_doi:
                match, by = by_doi[(owner.id, work.doi)], "doi"
            elif titled is not None and not (work.doi and titled.doi):
                match, by = titled, "title_year"
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
        at += len(works)
    return plans


def plan_import(session: Session, owner: Person, works: list[WorkIn]) -> ImportPlan:
    """Sort each work into new, merged (same DOI, else same title and year) or duplicate."""
    return plan_imports(session, [(owner, works)])[0]


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


def _executemany(session: Session, table, rows: list[dict[str, Any]]) -> None:
    """INSERT ``rows`` (dicts with the same keys) as one executemany at the driver.

    The same statement and the same bind processors (NFC text, JSON, dates) as
    ``session.execute(insert(table), rows)``, applied a column at a time: SQLAlchemy's
    own executemany builds and processes a parameter dict per row, which was a third of
    the bulk import's CPU. A value repeated in a whole column (the import's timestamp,
    its actor) is processed once.
    """
    if not rows:
        return
    conn = session.connection()
    dialect = conn.dialect
    sql, keys, named = _insert_sql(table, tuple(rows[0]), dialect)
    columns = []
    for key in keys:
        values = [row[key] for row in rows]
        process = table.c[key].type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            first = values[0]
            if all(v is first for v in values):
                values = [process(first)] * len(values)
            else:
                values = [process(v) for v in values]
        columns.append(values)
    if named:
        params: list = [dict(zip(keys, t, strict=True)) for t in zip(*columns, strict=True)]
    else:
        params = list(zip(*columns, strict=True))
    conn.exec_driver_sql(sql, params)


@lru_cache(maxsize=64)
def _insert_sql(table, keys: tuple[str, ...], dialect) -> tuple[str, tuple[str, ...], bool]:
    """The INSERT of columns ``keys`` as the dialect writes it, the keys in the order its
    parameters take them, and whether they are named (else positional)."""
    compiled = insert(table).compile(dialect=dialect, column_keys=list(keys))
    if not compiled.positional:
        return str(compiled), keys, True
    order = tuple(compiled.positiontup or ())
    if sorted(order) != sorted(keys):
        raise RuntimeError(f"unexpected parameters {order} for the columns {keys}")
    return str(compiled), order, False


def _insert_rows(session: Session, table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` as one plain executemany and return their ids, in order.

    PostgreSQL hands out the ids from the column's sequence first (they are ours even if
    someone else inserts meanwhile). SQLite has no sequence, and RETURNING in parameter
    order makes SQLAlchemy insert there one row per statement; so the first row is
    inserted alone (which takes the database's write lock until the commit: nobody else
    can insert meanwhile) and the others take the ids that follow its own.
    """
    if not rows:
        return []
    if session.get_bind().dialect.name == "postgresql":
        ids = list(
            session.scalars(
                text(
                    "SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                    "FROM generate_series(1, :n)"
                ),
                {"table": table.name, "n": len(rows)},
            )
        )
    else:
        first = session.execute(insert(table).returning(table.c.id), rows[0]).scalar_one()
        ids = list(range(first, first + len(rows)))
        rows = rows[1:]
        if not rows:
            return ids
    for row, i in zip(rows, ids[-len(rows) :], strict=True):
        row["id"] = i
    _executemany(session, table, rows)
    return ids


class _Audit:
    """The audit entries the ORM hook writes for single changes, written in bulk here."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.now = utcnow()
        self.actor = current_actor.get()
        self.rows: list[dict[str, Any]] = []

    def add(self, kind: str, entity_id: int, action: str, changes: dict) -> None:
        self.rows.append(
            {
                "at": self.now,
                "actor_user_id": self.actor,
                "entity_type": kind,
                "entity_id": entity_id,
                "action": action,
                "changes": changes,
            }
        )
        if len(self.rows) >= CHUNK * 4:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            _executemany(self.session, AuditEntry.__table__, self.rows)
            self.rows = []


def apply_plans(session: Session, plans: list[ImportPlan]) -> list[int]:
    """Write plans: new works created, merges filled in; returns the touched works' ids.

    Core ``insert``/``update`` statements a chunk at a time (the ORM unit of work takes
    seconds per thousand works). What the audit hook would have recorded is written in
    bulk: one entry per work created or filled in (its authors listed in it), and one
    ``publication_import`` entry per record summarising the import.
    """
    matcher = AuthorMatcher.build(
        session,
        [p.owner for p in plans],
        [
            a
            for p in plans
            for w in (*p.created, *(m.work for m in p.merged if "authors" in m.filled))
            for a in w.authors
        ],
    )
    audit = _Audit(session)
    now = audit.now
    touched: list[int] = []
    author_rows: list[dict[str, Any]] = []

    def authors_for(owner: Person, pub_id: int, work: WorkIn) -> list[str]:
        rows = _author_rows(work.authors)
        matcher.match(owner, rows)
        for row in rows:
            row.pop("email")
            row["publication_id"] = pub_id
        author_rows.extend(rows)
        if len(author_rows) >= CHUNK * 4:
            flush_authors()
        return [row["name"] for row in rows]

    def flush_authors() -> None:
        if author_rows:
            _executemany(session, _author, author_rows)
            author_rows.clear()

    created = [(p.owner, w) for p in plans for w in p.created]
    for chunk in _chunks(created):
        rows = [
            {
                "person_id": owner.id,
                "type": w.type,
                "title": w.title,
                "title_key": _title_key(w.title),
                "keywords": list(w.keywords),
                "source": w.source,
                "authors_truncated": w.authors_truncated,
                **dict(zip(MERGE_FIELDS, _merge_values(w), strict=True)),
                "created_at": now,
                "updated_at": now,
            }
            for owner, w in chunk
        ]
        changes = []
        for row in rows:
            # Every value set, as the audit hook records a new row (the keywords a copy).
            change = {k: [None, v] for k, v in row.items() if v is not None}
            del change["created_at"], change["updated_at"]
            if row["keywords"]:
                change["keywords"] = [None, list(row["keywords"])]
            else:
                del change["keywords"]
            changes.append(change)
        ids = _insert_rows(session, _pub, rows)
        for (owner, w), pub_id, change in zip(chunk, ids, changes, strict=True):
            names = authors_for(owner, pub_id, w)
            if names:
                change["authors"] = [None, names]
            audit.add("publication", pub_id, "create", change)
            touched.append(pub_id)
    flush_authors()

    # Merges: each work's final values (later rows of a file see what earlier rows filled).
    final: dict[int, tuple[Existing, dict[str, list]]] = {}
    for p in plans:
        for m in p.merged:
            if not m.filled:
                continue
            pub = m.publication
            _e, changes = final.setdefault(pub.id, (pub, {}))
            for f in m.filled:
                if f == "keywords":
                    new = list(dict.fromkeys([*(pub.keywords or []), *m.work.keywords]))
                    changes.setdefault(f, [list(pub.keywords or []), None])[1] = new
                    pub.keywords = new
                elif f == "authors":
                    changes["authors"] = [[], (p.owner, m.work)]
                else:
                    changes.setdefault(f, [getattr(pub, f), None])[1] = getattr(m.work, f)
                    setattr(pub, f, getattr(m.work, f))
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for pub_id, (_pub_row, changes) in final.items():
        values = {f: v[1] for f, v in changes.items() if f != "authors"}
        if "authors" in changes:
            owner, work = changes["authors"][1]
            session.execute(delete(_author).where(_author.c.publication_id == pub_id))
            changes["authors"] = [[], authors_for(owner, pub_id, work)]
            values["authors_truncated"] = work.authors_truncated
        groups[tuple(sorted(values))].append({"_id": pub_id, **values})
        audit.add("publication", pub_id, "update", changes)
        touched.append(pub_id)
    flush_authors()
    for cols, rows in groups.items():
        stmt = (
            update(_pub)
            .where(_pub.c.id == bindparam("_id"))
            .values({c: bindparam(c) for c in cols} | {"updated_at": now})
        )
        for chunk in _chunks(rows):
            session.execute(stmt, chunk)

    for p in plans:
        if p.created or p.merged:
            audit.add(
                "publication_import",
                p.owner.id,
                "import",
                {
                    "created": len(p.created),
                    "merged": len(p.merged),
                    "filled": sum(1 for m in p.merged if m.filled),
                    "rejected": len(p.rejected),
                    "sources": sorted(
                        {w.source for w in (*p.created, *(m.work for m in p.merged))}
                    ),
                },
            )
    audit.flush()
    session.flush()
    return touched


def apply_plan(session: Session, plan: ImportPlan) -> list[int]:
    """Write one plan (see ``apply_plans``)."""
    return apply_plans(session, [plan])


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
    owners: dict[int, Person] = {}
    for chunk in _chunks(sorted(by_person)):
        people = session.scalars(select(Person).where(Person.id.in_(chunk)))
        owners.update((p.id, p) for p in people)
    batches = [(owners[pid], by_person[pid]) for pid in sorted(by_person)]
    return plan_imports(session, batches), refused
