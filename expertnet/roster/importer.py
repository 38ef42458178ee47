"""Imports a member roster into one organisation: match, merge, write in bulk, report.

Each valid row is matched against the people already in the directory and the rows
before it in the same file:

* **sure** — the same e-mail or phone (and a name that agrees), else the same name,
  birth year and employer: the row is merged into that person. A row whose every value
  an entry of this roster with the same name already holds is that entry again (the same
  file imported twice), whatever is blank. Merging only fills what
  is blank, adds fields and keywords, and records the membership; it never overwrites.
* **uncertain** — the same name and birth year with another or no employer, or another
  e-mail address; the same name where a birth year is missing; an e-mail or phone that
  belongs to someone with another name, or to two different people: the row is held
  back and listed for a person to confirm (``decisions``), never merged silently.
* otherwise a new person — unless the row matches someone of another organisation (the
  same e-mail or phone, or the same name and birth year): then it is held back as a
  *pending link* for a coordinator (``links``), and nothing of that person is shown.

Only people already on this organisation's roster (and earlier rows of the file) are
matched and merged; the rest of the directory is consulted for pending links only.

Rows count as ``created`` (a new person), ``merged`` (into an earlier row of the file, or
someone whose membership had ended), ``pending`` (a link for a coordinator), ``updated``
(someone already on the roster whose record the row completed) or
``unchanged``. Importing the same file twice therefore creates and updates nothing.

People are written with Core ``insert``/``update`` statements in batches (the ORM unit
of work is many times slower for 100,000 rows); the audit entries the ORM hook would
have written are written here in bulk, and the touched people are marked for the search
index (``search.hooks.mark_people_changed``), which logs and indexes them when the
caller commits. The importer flushes but never commits: the caller owns the one
transaction, so an import is all or nothing.

Over 600 lines on purpose: matching, merging and the bulk write share the per-file
state (the rows seen so far, the people matched); split, that state would leak.
"""

from __future__ import annotations

import csv
import gc
import secrets
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Table, bindparam, insert, select, text, update
from sqlalchemy.orm import Session

from ..audit.models import AuditEntry
from ..audit.recorder import current_actor
from ..core.types import utcnow
from ..directory.models import Field, Membership, Organization, Person, person_field
from ..search.hooks import mark_people_changed
from .columns import (
    Header,
    MemberRow,
    RowRejected,
    Vocabulary,
    folded,
    map_header,
    normalize_phone,
    parse_row,
)
from .export import safe_cell
from .links import Outside, PendingRow, elsewhere_reason, row_values, write_links
from .messages import _
from .reader import RosterError, read_roster

BATCH_SIZE = 2000
#: How many rejected rows and uncertain matches a preview keeps (the report has all).
PREVIEW_ROWS = 200

_SIMPLE = ("email", "phone", "gender", "birth_year", "academic_title", "degree", "position")

Progress = Callable[[int], None]


@dataclass(eq=False, slots=True)
class Known:
    """A person the import knows: in the directory already, or created by an earlier row."""

    ref: str  # "p<id>" for people in the directory, "r<row>" for people this file creates
    id: int | None
    full_name: str
    birth_year: int | None = None
    email: str | None = None
    phone: str | None = None
    gender: str | None = None
    academic_title: str | None = None
    degree: str | None = None
    position: str | None = None
    employer_id: int | None = None
    employer_name: str | None = None
    fields: list[str] = field(default_factory=list)
    expertise: list[str] = field(default_factory=list)
    is_new: bool = False
    member_before: bool = False
    member: bool = False
    reactivate: bool = False
    changes: dict[str, list[Any]] = field(default_factory=dict)
    original_fields: list[str] = field(default_factory=list)
    original_expertise: list[str] = field(default_factory=list)


@dataclass
class Rejection:
    row: int
    reasons: list[str]
    cells: list[str]


@dataclass
class Uncertain:
    row: int
    full_name: str
    reason: str
    candidates: list[dict[str, Any]]
    cells: list[str]


@dataclass
class ImportResult:
    organization_id: int
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    merged: int = 0
    unchanged: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    uncertain: list[Uncertain] = field(default_factory=list)
    pending: list[PendingRow] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    file_format: str = ""
    encoding: str | None = None
    touched_ids: set[int] = field(default_factory=set)
    report_path: Path | None = None
    report_token: str | None = None

    @property
    def rejected(self) -> int:
        return len(self.rejections)

    def summary(self) -> dict[str, Any]:
        """The command line's JSON (API.md), with the extra counts after the fixed ones."""
        return {
            "created": self.created,
            "updated": self.updated,
            "merged": self.merged,
            "rejected": self.rejected,
            "report": str(self.report_path) if self.report_path else None,
            "uncertain": len(self.uncertain),
            "unchanged": self.unchanged,
            "rows": self.rows,
            "dry_run": self.dry_run,
            "unknown_columns": self.unknown_columns,
            "pending_links": len(self.pending),
        }

    def preview(self) -> dict[str, Any]:
        """What a preview page shows (JSON-safe), with the first rows of each list."""
        return {
            **self.summary(),
            "report_token": self.report_token,
            "file_format": self.file_format,
            "encoding": self.encoding,
            "rejections": [
                {"row": r.row, "reasons": r.reasons} for r in self.rejections[:PREVIEW_ROWS]
            ],
            "uncertain_rows": [
                {
                    "row": u.row,
                    "full_name": u.full_name,
                    "reason": u.reason,
                    "candidates": u.candidates,
                }
                for u in self.uncertain[:PREVIEW_ROWS]
            ],
            # The row's own name only: nothing of the person of another organisation.
            "pending_rows": [
                {"row": p.row, "full_name": p.full_name, "reason": elsewhere_reason()}
                for p in self.pending[:PREVIEW_ROWS]
            ],
        }


@contextmanager
def _without_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: a large import allocates hundreds of thousands
    of objects without cycles, and the collector's passes over them cost a third of the
    time. Reference counting still frees everything."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# --- loading what the import compares against ---------------------------------------------


def load_vocabulary(session: Session) -> Vocabulary:
    fields: dict[str, str] = {}
    for code, name, name_en in session.execute(select(Field.code, Field.name, Field.name_en)):
        for key in (code, name, name_en):
            if key:
                fields.setdefault(folded(key).strip(), code)
    orgs: dict[str, int] = {}
    for org_id, code, name, short in session.execute(
        select(Organization.id, Organization.code, Organization.name, Organization.short_name)
    ):
        for key in (name, short, code):
            if key:
                orgs.setdefault(folded(key).strip(), org_id)
    return Vocabulary(fields=fields, organizations=orgs)


class _Matcher:
    """Indexes of the known people by e-mail, phone and folded name."""

    def __init__(self, org_names: Mapping[int, str]):
        self.org_names = org_names
        self.by_email: dict[str, Known] = {}
        self.by_phone: dict[str, list[Known]] = {}
        self.by_name: dict[str, list[Known]] = {}
        self.by_ref: dict[str, Known] = {}
        self.outside = Outside()

    def add(self, k: Known) -> None:
        self.by_ref[k.ref] = k
        if k.email:
            self.by_email.setdefault(k.email.lower(), k)
        if k.phone:
            self.by_phone.setdefault(k.phone, []).append(k)
        self.by_name.setdefault(folded(k.full_name), []).append(k)

    def employer_key(self, employer_id: int | None, employer_name: str | None) -> str | None:
        if employer_id is not None:
            return folded(self.org_names.get(employer_id, str(employer_id)))
        return folded(employer_name) if employer_name else None

    def match(self, r: MemberRow) -> tuple[Known | None, str | None, list[Known]]:
        """(sure match, None, []) or (None, reason, candidates) or (None, None, []) for new."""
        name = folded(r.full_name)
        strong: list[Known] = []
        if r.email and r.email in self.by_email:
            strong.append(self.by_email[r.email])
        if r.phone:
            strong.extend(k for k in self.by_phone.get(r.phone, ()) if k not in strong)
        if len(strong) > 1:
            return None, _("The e-mail and phone belong to different people."), strong
        if strong:
            k = strong[0]
            if folded(k.full_name) != name:
                return None, _("The same e-mail or phone, but another name."), strong
            if r.email and k.email and r.email != k.email.lower():
                return None, _("The same phone and name, but another e-mail."), strong
            if r.birth_year and k.birth_year and r.birth_year != k.birth_year:
                return None, _("The same e-mail or phone, but another birth year."), strong
            return k, None, []
        same_name = self.by_name.get(name, [])
        if not same_name:
            return None, None, []
        for k in same_name:
            # Everything the row says, an entry of this roster already holds: it is that
            # entry again (importing a file twice), and there is nothing to merge.
            if k.member_before and self.holds(k, r):
                return k, None, []
        employer = self.employer_key(r.employer_id, r.employer_name)
        sure, likely = [], []
        for k in same_name:
            if r.birth_year and k.birth_year and r.birth_year != k.birth_year:
                continue  # two birth years: two people
            other_email = bool(r.email and k.email and r.email != k.email.lower())
            if (
                r.birth_year
                and k.birth_year
                and employer is not None
                and employer == self.employer_key(k.employer_id, k.employer_name)
                and not other_email
            ):
                sure.append(k)
            else:
                likely.append(k)
        if len(sure) == 1:
            return sure[0], None, []
        if sure:
            return None, _("Several people have this name, birth year and employer."), sure
        if likely:
            if r.birth_year and all(k.birth_year for k in likely):
                reason = _(
                    "The same name and birth year, but the employer or e-mail does not confirm it."
                )
            else:
                reason = _("The same name, but a birth year is missing.")
            return None, reason, likely
        return None, None, []

    def holds(self, k: Known, r: MemberRow) -> bool:
        """True if every value of the row is already ``k``'s."""
        for col in _SIMPLE:
            value = getattr(r, col)
            have = getattr(k, col)
            if col == "email" and have:
                have = have.lower()
            if value is not None and value != have:
                return False
        employer = self.employer_key(r.employer_id, r.employer_name)
        if employer is not None and employer != self.employer_key(k.employer_id, k.employer_name):
            return False
        if not set(r.fields) <= set(k.fields):
            return False
        return {kw.lower() for kw in r.expertise} <= {kw.lower() for kw in k.expertise}


def _candidate_json(k: Known, org_names: Mapping[int, str]) -> dict[str, Any]:
    return {
        "ref": k.ref,
        "id": k.id,
        "full_name": k.full_name,
        "birth_year": k.birth_year,
        "employer": org_names.get(k.employer_id) if k.employer_id else k.employer_name,
        "in_this_file": k.is_new,
    }


def _describe_candidate(c: dict[str, Any]) -> str:
    where = f"#{c['id']}" if c["id"] else _("row %(n)s", n=c["ref"][1:])
    extra = "".join(f", {v}" for v in (c["birth_year"], c["employer"]) if v)
    return f"{c['full_name']} ({where}{extra})"


# --- the import --------------------------------------------------------------------------


class RosterImport:
    """One import of one file into one organisation's roster; ``run`` does the work."""

    def __init__(
        self,
        session: Session,
        organization: Organization,
        path: str | Path,
        *,
        dry_run: bool = False,
        decisions: Mapping[int, str] | None = None,
        report_dir: str | Path | None = None,
    ):
        self.session = session
        self.org = organization
        self.path = Path(path)
        self.dry_run = dry_run
        self.decisions = dict(decisions or {})
        self.report_dir = Path(report_dir) if report_dir else None
        self.result = ImportResult(organization_id=organization.id, dry_run=dry_run)
        self._data: tuple[Header, list[tuple[int, list[str]]]] | None = None
        self._matcher: _Matcher | None = None

    # -- phases ---------------------------------------------------------------------------

    def read(self) -> tuple[Header, list[tuple[int, list[str]]]]:
        """Read the file and its header (once); ``RosterError`` for an unusable file."""
        if self._data is None:
            sheet = read_roster(self.path)
            header, first = map_header(sheet.rows)
            data = sheet.rows[first:]
            if not data:
                raise RosterError(_("The file has a header but no members."))
            self.result.header = header.texts
            self.result.unknown_columns = header.unknown
            self.result.file_format = sheet.format
            self.result.encoding = sheet.encoding
            self._data = (header, data)
        return self._data

    def plan(self, progress: Progress | None = None) -> ImportResult:
        """Check every row and match it; nothing is written yet."""
        with _without_gc():
            return self._plan_all(progress)

    def _plan_all(self, progress: Progress | None) -> ImportResult:
        header, data = self.read()
        vocab = load_vocabulary(self.session)
        parsed: list[tuple[list[str], MemberRow]] = []
        for i, (row_no, cells) in enumerate(data, start=1):
            try:
                parsed.append((cells, parse_row(row_no, cells, header, vocab)))
            except RowRejected as exc:
                self.result.rejections.append(Rejection(row_no, exc.reasons, cells))
            if progress is not None and i % 1000 == 0:
                progress(1000)
        self.result.rows = len(data)
        self._matcher = self._load_known([r for _c, r in parsed])
        for cells, row in parsed:
            self._plan(row, cells, self._matcher)
        self.result.rejections.sort(key=lambda r: r.row)
        if progress is not None:
            progress(len(data) % 1000)
        return self.result

    def write(self, progress: Progress | None = None) -> ImportResult:
        """Write what ``plan`` decided (not in a dry run) and the report; flushes only."""
        assert self._matcher is not None, "plan() first"
        if not self.dry_run:
            with _without_gc():
                self._write(self._matcher, progress)
        if self.report_dir is not None:
            self.write_report()
        return self.result

    def run(self, progress: Progress | None = None) -> ImportResult:
        """Read, check, match and (unless a dry run) write; the caller commits."""
        self.plan(progress)
        return self.write()

    def _load_known(self, rows: list[MemberRow]) -> _Matcher:
        org_names = dict(self.session.execute(select(Organization.id, Organization.name)).all())
        matcher = _Matcher(org_names)
        emails = {r.email for r in rows if r.email}
        phones = {r.phone for r in rows if r.phone}
        names = {folded(r.full_name) for r in rows}
        members = dict(
            self.session.execute(
                select(Membership.person_id, Membership.ended_on).where(
                    Membership.organization_id == self.org.id
                )
            ).all()
        )
        p = Person.__table__.c
        stmt = select(
            p.id,
            p.full_name,
            p.birth_year,
            p.email,
            p.phone,
            p.gender,
            p.academic_title,
            p.degree,
            p.position,
            p.employer_id,
            p.employer_name,
        ).execution_options(yield_per=5000)
        # One pass over the directory keeps only the people this file could be about.
        found: list[Known] = []
        for row in self.session.execute(stmt):
            email = row.email.lower() if row.email else None
            phone = normalize_phone(row.phone) if row.phone else None
            if not (
                (email and email in emails)
                or (phone and phone in phones)
                or folded(row.full_name) in names
            ):
                continue
            in_org = row.id in members
            if not in_org:
                # Someone of another organisation: only whether a row matches them.
                matcher.outside.add(row.id, email, phone, row.full_name, row.birth_year)
                continue
            found.append(
                Known(
                    ref=f"p{row.id}",
                    id=row.id,
                    full_name=row.full_name,
                    birth_year=row.birth_year,
                    email=row.email,
                    phone=phone or row.phone,
                    gender=row.gender,
                    academic_title=row.academic_title,
                    degree=row.degree,
                    position=row.position,
                    employer_id=row.employer_id,
                    employer_name=row.employer_name,
                    member_before=in_org and members[row.id] is None,
                    member=in_org and members[row.id] is None,
                    reactivate=in_org and members[row.id] is not None,
                )
            )
        by_id = {k.id: k for k in found}
        ids = sorted(by_id)
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            for pid, expertise in self.session.execute(
                select(p.id, p.expertise).where(p.id.in_(chunk))
            ):
                by_id[pid].expertise = list(expertise or [])
                by_id[pid].original_expertise = list(expertise or [])
            for pid, code in self.session.execute(
                select(person_field.c.person_id, Field.code)
                .join(Field, Field.id == person_field.c.field_id)
                .where(person_field.c.person_id.in_(chunk))
            ):
                by_id[pid].fields.append(code)
                by_id[pid].original_fields.append(code)
        for k in found:
            matcher.add(k)
        return matcher

    def _plan(self, r: MemberRow, cells: list[str], matcher: _Matcher) -> None:
        known, reason, candidates = matcher.match(r)
        if reason is not None:
            decision = self.decisions.get(r.row)
            refs = {c.ref for c in candidates}
            if decision in refs:
                known = matcher.by_ref[decision]
            elif decision == "new":
                if r.email and (r.email in matcher.by_email or r.email in matcher.outside.by_email):
                    self.result.rejections.append(
                        Rejection(
                            r.row,
                            [_("Another person already has this e-mail address.")],
                            cells,
                        )
                    )
                    return
                known = None
            else:
                self.result.uncertain.append(
                    Uncertain(
                        r.row,
                        r.full_name,
                        reason,
                        [_candidate_json(c, matcher.org_names) for c in candidates],
                        cells,
                    )
                )
                return
        if known is None:
            elsewhere = matcher.outside.match(r)
            if elsewhere:
                values = row_values(r, matcher.org_names)
                self.result.pending.append(
                    PendingRow(r.row, r.full_name, sorted(elsewhere), values, cells)
                )
                return
            k = Known(
                ref=f"r{r.row}",
                id=None,
                full_name=r.full_name,
                is_new=True,
                member=True,
            )
            self._fill(k, r)
            matcher.add(k)
            self.result.created += 1
            return
        if r.email and not known.email and r.email in matcher.outside.by_email:
            self.result.rejections.append(
                Rejection(r.row, [_("Another person already has this e-mail address.")], cells)
            )
            return
        changed = self._fill(known, r, matcher)
        if not known.member:
            known.member = True
            changed = True
        if known.is_new or not known.member_before:
            self.result.merged += 1
        elif changed:
            self.result.updated += 1
        else:
            self.result.unchanged += 1

    @staticmethod
    def _fill(k: Known, r: MemberRow, matcher: _Matcher | None = None) -> bool:
        """Fill ``k``'s blanks from ``r``, add fields and keywords; True if anything changed."""
        changed = False
        for col in _SIMPLE:
            new = getattr(r, col)
            if new is not None and getattr(k, col) in (None, ""):
                if not k.is_new:
                    k.changes[col] = [getattr(k, col), new]
                setattr(k, col, new)
                changed = True
                if matcher is not None and col == "email":
                    matcher.by_email.setdefault(new, k)
                if matcher is not None and col == "phone":
                    matcher.by_phone.setdefault(new, []).append(k)
        if k.employer_id is None and not k.employer_name and (r.employer_id or r.employer_name):
            if not k.is_new:
                k.changes["employer_id"] = [None, r.employer_id]
                k.changes["employer_name"] = [None, r.employer_name]
            k.employer_id, k.employer_name = r.employer_id, r.employer_name
            changed = True
        for code in r.fields:
            if code not in k.fields:
                k.fields.append(code)
                changed = True
        have = {kw.lower() for kw in k.expertise}
        for kw in r.expertise:
            if kw.lower() not in have:
                have.add(kw.lower())
                k.expertise.append(kw)
                changed = True
        return changed

    # -- writing --------------------------------------------------------------------------

    def _write(self, matcher: _Matcher, progress: Progress | None) -> None:
        s = self.session
        now = utcnow()
        actor = current_actor.get()
        field_ids = dict(s.execute(select(Field.code, Field.id)).all())
        t = Person.__table__
        known = list(matcher.by_ref.values())
        audit: list[dict[str, Any]] = []

        def entry(kind: str, entity_id: int, action: str, changes: dict) -> None:
            audit.append(
                {
                    "at": now,
                    "actor_user_id": actor,
                    "entity_type": kind,
                    "entity_id": entity_id,
                    "action": action,
                    "changes": changes,
                }
            )
            if len(audit) >= BATCH_SIZE * 4:
                flush_audit()

        def flush_audit() -> None:
            # Written as we go, so that 200,000 entries never sit in memory at once.
            if audit:
                s.execute(insert(AuditEntry.__table__), audit)
                audit.clear()

        new = [k for k in known if k.is_new]
        for i in range(0, len(new), BATCH_SIZE):
            batch = new[i : i + BATCH_SIZE]
            ids = self._insert(t, [self._person_row(k, now) for k in batch])
            for k, pid in zip(batch, ids, strict=True):
                k.id = pid
                created = {c: [None, v] for c, v in self._person_row(k, now).items() if v}
                for c in ("version", "created_at", "updated_at", "available", "max_assignments"):
                    created.pop(c, None)
                if k.fields:
                    created["fields"] = [None, list(k.fields)]
                entry("person", pid, "create", created)
            if progress is not None:
                progress(len(batch))

        # Existing people: fill blanks, grouped by the set of columns that change.
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for k in known:
            if k.is_new:
                continue
            values = {c: v[1] for c, v in k.changes.items()}
            changes = dict(k.changes)
            if k.expertise != k.original_expertise:
                values["expertise"] = list(k.expertise)
                changes["expertise"] = [k.original_expertise, list(k.expertise)]
            if k.fields != k.original_fields:
                changes["fields"] = [sorted(k.original_fields), sorted(k.fields)]
            if values:
                groups.setdefault(tuple(sorted(values)), []).append({"_id": k.id, **values})
            if changes:
                entry("person", k.id, "update", changes)
        for cols, rows in groups.items():
            upd = (
                update(t)
                .where(t.c.id == bindparam("_id"))
                .values(
                    {c: bindparam(c) for c in cols}
                    | {"version": t.c.version + 1, "updated_at": now}
                )
            )
            s.connection().execute(upd, rows)

        pf_rows = [
            {"person_id": k.id, "field_id": field_ids[code]}
            for k in known
            for code in k.fields
            if k.is_new or code not in k.original_fields
        ]
        for i in range(0, len(pf_rows), BATCH_SIZE * 4):
            s.execute(insert(person_field), pf_rows[i : i + BATCH_SIZE * 4])

        m = Membership.__table__
        joining = [k for k in known if k.member and not k.member_before and not k.reactivate]
        for i in range(0, len(joining), BATCH_SIZE):
            batch = joining[i : i + BATCH_SIZE]
            rows = [
                {"person_id": k.id, "organization_id": self.org.id, "role": "member"} for k in batch
            ]
            ids = self._insert(m, rows)
            for row, mid in zip(rows, ids, strict=True):
                entry("membership", mid, "create", {key: [None, v] for key, v in row.items()})
        back = [k for k in known if k.reactivate and k.member]
        for k in back:
            mid = s.scalar(
                select(m.c.id).where(m.c.person_id == k.id, m.c.organization_id == self.org.id)
            )
            s.execute(update(m).where(m.c.id == mid).values(ended_on=None))
            entry("membership", mid, "update", {"ended_on": ["(ended)", None]})

        flush_audit()
        s.flush()
        write_links(s, self.org.id, self.result.pending, self.path.name)
        self.result.touched_ids = {
            k.id
            for k in known
            if k.id is not None
            and (k.is_new or k.changes or k.fields != k.original_fields
                 or k.expertise != k.original_expertise or (k.member and not k.member_before))
        }  # fmt: skip
        mark_people_changed(s, self.result.touched_ids)

    def _insert(self, table: Table, rows: list[dict[str, Any]]) -> list[int]:
        """Insert ``rows`` and return their new ids, in order.

        PostgreSQL hands out the ids from the column's sequence first (they are ours even
        if someone else inserts meanwhile), so the rows go as a plain executemany, several
        times faster there than RETURNING. SQLite has no sequence to reserve from; there
        RETURNING (in parameter order) is as fast.
        """
        s = self.session
        if s.get_bind().dialect.name == "postgresql":
            ids = list(
                s.scalars(
                    text(
                        "SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                        "FROM generate_series(1, :n)"
                    ),
                    {"table": table.name, "n": len(rows)},
                )
            )
            s.execute(insert(table), [{**row, "id": i} for row, i in zip(rows, ids, strict=True)])
            return ids
        stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return list(s.execute(stmt, rows).scalars())

    @staticmethod
    def _person_row(k: Known, now: datetime) -> dict[str, Any]:
        return {
            "full_name": k.full_name,
            "gender": k.gender,
            "birth_year": k.birth_year,
            "academic_title": k.academic_title,
            "degree": k.degree,
            "position": k.position,
            "employer_id": k.employer_id,
            "employer_name": k.employer_name,
            "email": k.email,
            "phone": k.phone,
            "expertise": list(k.expertise),
            "public_profile": False,
            "available": True,
            "max_assignments": 3,
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }

    # -- the report -----------------------------------------------------------------------

    def write_report(self) -> Path:
        """The rejected and uncertain rows, each with why, as CSV for Excel (UTF-8 with BOM)."""
        assert self.report_dir is not None
        self.report_dir.mkdir(parents=True, exist_ok=True)
        token = secrets.token_urlsafe(16)
        stamp = utcnow().strftime("%Y%m%d-%H%M%S")
        path = self.report_dir / f"roster-report-org{self.org.id}-{stamp}-{token}.csv"
        lines: list[tuple[int, str, str, str, list[str]]] = []
        for r in self.result.rejections:
            lines.append((r.row, "rejected", " ".join(r.reasons), "", r.cells))
        for u in self.result.uncertain:
            cands = "; ".join(_describe_candidate(c) for c in u.candidates)
            lines.append((u.row, "uncertain", u.reason, cands, u.cells))
        for p in self.result.pending:
            lines.append((p.row, "pending", elsewhere_reason(), "", p.cells))
        lines.sort(key=lambda line: line[0])
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(
                [_("row"), _("status"), _("reason"), _("possible matches")]
                + [safe_cell(h) for h in self.result.header]
            )
            for row_no, status, reason, cands, cells in lines:
                status_text = {
                    "rejected": _("rejected"),
                    "uncertain": _("to confirm"),
                    "pending": _("link for a coordinator"),
                }[status]
                w.writerow(
                    [row_no, status_text, safe_cell(reason), safe_cell(cands)]
                    + [safe_cell(c) for c in cells]
                )
        self.result.report_path = path
        self.result.report_token = token
        return path


def import_roster(
    session: Session,
    organization: Organization,
    path: str | Path,
    *,
    dry_run: bool = False,
    decisions: Mapping[int, str] | None = None,
    report_dir: str | Path | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import ``path`` into ``organization``'s roster; ``RosterError`` for an unusable file.

    ``decisions`` resolves uncertain rows: row number → a candidate's ``ref`` (merge into
    that person) or ``"new"`` (a different person); other uncertain rows are held back.
    Flushes, never commits.
    """
    job = RosterImport(
        session,
        organization,
        path,
        dry_run=dry_run,
        decisions=decisions,
        report_dir=report_dir,
    )
    return job.run(progress=progress)
