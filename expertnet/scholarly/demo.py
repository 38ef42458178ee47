"""Synthetic scholarly records for the demo: publications, co-authors and projects.

Run after the directory is loaded (``expertnet demo``). Each expert gets a number of
works that grows with their degree and title (a professor ~30, an engineer ~2), written
in Vietnamese or English about their own expertise and fields; co-authors come mostly
from the expert's own organisations and sometimes from another one, now and then across
the two former provinces, so the graph has the shared co-authors the union reports on.
Some colleagues share a research project (same code). Bulk Core inserts, like the
directory loader: no audit entries, the caller commits.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ..core.bulk import indexes_built_after, insert_rows, reserve_ids
from ..core.types import utcnow
from ..directory.models import Field, Membership, Organization, Person, person_field
from .importers import title_key
from .models import Publication, PublicationAuthor, ResearchProject

BATCH = 2000
WORKS_BY_RANK = {"GS": 60, "PGS": 45, "TSKH": 40, "TS": 30, "ThS": 12}

_VI_TITLES = (
    "Nghiên cứu {kw} tại {place}",
    "Đánh giá thực trạng {kw} trên địa bàn {place}",
    "Giải pháp nâng cao hiệu quả {kw}",
    "Ứng dụng {kw} trong {kw2}",
    "Một số vấn đề về {kw} và {kw2}",
    "Cơ sở khoa học của {kw} ở vùng ven biển {place}",
)
_EN_TITLES = (
    "{field}: evidence from {place_en}",
    "Assessing {kw_en} in the Red River delta",
    "A review of {field} methods for {kw_en}",
    "Modelling {kw_en} under climate change in northern Vietnam",
    "Towards sustainable {kw_en}: a case study of {place_en}",
)
_PLACES = ("Hải Phòng", "Hải Dương", "Thủy Nguyên", "Kiến An", "Chí Linh", "Cát Hải", "Kinh Môn")
_VENUES_VI = (
    "Tạp chí Khoa học và Công nghệ Việt Nam",
    "Tạp chí Kinh tế và Phát triển",
    "Tạp chí Nông nghiệp và Phát triển nông thôn",
    "Tạp chí Y học Việt Nam",
    "Tạp chí Xây dựng",
    "Kỷ yếu Hội thảo khoa học Liên hiệp Hội Hải Phòng",
)
_VENUES_EN = (
    "Vietnam Journal of Science and Technology",
    "Journal of Coastal Research",
    "Sustainability",
    "Aquaculture Reports",
    "Environmental Science and Pollution Research",
)


_TYPES = ("journal_article",) * 6 + ("conference_paper",) * 3 + ("book",)
#: Publication columns given per row (after the reserved id), in this order.
_PUBLICATION_COLUMNS = (
    "id", "person_id", "type", "title", "title_key", "year", "venue", "volume", "issue",
    "pages", "language", "keywords",
)  # fmt: skip
_PUBLICATION_CONSTANTS = {
    "publisher": None, "doi": None, "isbn": None, "abstract": None, "url": None,
    "source": "manual", "authors_truncated": 0,
}  # fmt: skip
_AUTHOR_COLUMNS = ("publication_id", "position", "name", "person_id")
_AUTHOR_CONSTANTS = {"orcid": None, "candidate_person_id": None}


def _kw_en(rng: random.Random, field_en: list[str]) -> str:
    return (rng.choice(field_en) if field_en else "regional development").lower()


@dataclass
class DemoRecords:
    """The generated record, not yet written: publications (without their ids), their
    author teams (person ids, in order), the authors' names and the project rows."""

    publications: list[tuple] = field(default_factory=list)
    teams: list[list[int]] = field(default_factory=list)
    names: dict[int, str] = field(default_factory=dict)
    projects: list[dict] = field(default_factory=list)


def load_demo_records(
    session: Session, seed: int = 1, progress: Callable[[int], None] | None = None
) -> dict[str, int]:
    """Give the directory's experts publications and projects; returns what was written
    (``generate_records`` then ``write_records``; the caller commits)."""
    return write_records(session, generate_records(session, seed, progress))


def generate_records(
    session: Session, seed: int = 1, progress: Callable[[int], None] | None = None
) -> DemoRecords:
    """The publications and projects of the directory's experts, read from ``session``.

    Only reads: people, their fields and memberships, organisations.
    """
    rng = random.Random(seed * 7919 + 13)  # noqa: S311 - synthetic data, not security
    fields = {
        fid: (code, name_en)
        for fid, code, name_en in session.execute(select(Field.id, Field.code, Field.name_en))
    }
    person_fields: dict[int, list[str]] = defaultdict(list)
    for pid, fid in session.execute(select(person_field.c.person_id, person_field.c.field_id)):
        person_fields[pid].append(fields[fid][1])
    union_kinds = ("member_association", "institute", "club", "collective_member")
    provinces = dict(
        session.execute(
            select(Organization.id, Organization.former_province).where(
                Organization.kind.in_(union_kinds)
            )
        ).all()
    )
    orgs_of: dict[int, list[int]] = defaultdict(list)
    for pid, oid in session.execute(
        select(Membership.person_id, Membership.organization_id).where(
            Membership.ended_on.is_(None)
        )
    ):
        if oid in provinces:
            orgs_of[pid].append(oid)
    experts = []
    for row in session.execute(
        select(
            Person.id, Person.full_name, Person.expertise, Person.academic_title, Person.degree
        ).order_by(Person.id)
    ):
        if row.expertise or person_fields.get(row.id):
            experts.append(row)
    members_of: dict[int, list[int]] = defaultdict(list)
    for e in experts:
        for oid in orgs_of.get(e.id, ()):
            members_of[oid].append(e.id)
    names = {e.id: e.full_name for e in experts}
    all_ids = [e.id for e in experts]
    by_province: dict[str, list[int]] = defaultdict(list)
    for e in experts:
        for oid in orgs_of.get(e.id, ()):
            if provinces.get(oid):
                by_province[provinces[oid]].append(e.id)

    now = utcnow()
    pubs: list[tuple] = []
    authors: list[list[int]] = []
    years = tuple(range(2005, now.year + 1))
    keys: dict[str, str] = {}  # title → title_key: titles repeat, folding them is not free
    provinces_sorted = sorted(by_province)

    def coauthors(pid: int) -> list[int]:
        out: list[int] = []
        mine = orgs_of.get(pid, [])
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3, 4))):
            roll = rng.random()
            if mine and roll < 0.7:
                pool = members_of[rng.choice(mine)]
            elif roll < 0.85 and by_province:
                pool = by_province[rng.choice(provinces_sorted)]
            else:
                pool = all_ids
            other = rng.choice(pool)
            if other != pid and other not in out:
                out.append(other)
        return out

    for done, e in enumerate(experts, start=1):
        rank = WORKS_BY_RANK.get(e.academic_title or "", WORKS_BY_RANK.get(e.degree or "", 4))
        n = max(0, int(rng.gauss(rank, rank / 3)))
        keywords = list(e.expertise or []) or ["phát triển bền vững"]
        field_en = person_fields.get(e.id, [])
        seen: set[tuple[str, int]] = set()
        for _ in range(n):
            year = rng.choice(years)
            english = rng.random() < 0.45
            kw, kw2 = rng.choice(keywords), rng.choice(keywords)
            if english:
                title = rng.choice(_EN_TITLES).format(
                    field=rng.choice(field_en) if field_en else "Applied science",
                    kw_en=_kw_en(rng, field_en),
                    place_en=rng.choice(("Hai Phong", "Hai Duong", "the Red River delta")),
                )
            else:
                title = rng.choice(_VI_TITLES).format(kw=kw, kw2=kw2, place=rng.choice(_PLACES))
            folded = keys.get(title)
            if folded is None:
                folded = keys[title] = title_key(title)
            key = (folded, year)
            if key in seen:
                continue
            seen.add(key)
            team = [e.id, *coauthors(e.id)]
            rng.shuffle(team)
            kind = rng.choice(_TYPES)
            venue = rng.choice(_VENUES_EN if english else _VENUES_VI)
            volume = str(rng.randint(1, 60))
            issue = str(rng.randint(1, 12))
            first_page = rng.randint(1, 300)
            pages = f"{first_page}–{first_page + rng.randint(5, 15)}"
            pubs.append(
                (e.id, kind, title, folded, year, venue, volume, issue, pages,
                 "en" if english else "vi", [] if english else [kw])
            )  # fmt: skip
            authors.append(team)
        if progress is not None and done % 500 == 0:
            progress(500)

    # Projects: a few colleagues of one organisation share each project code.
    projects = []
    for oid, members in sorted(members_of.items()):
        for k in range(min(3, len(members) // 4)):
            team = rng.sample(members, min(len(members), rng.randint(2, 5)))
            start = rng.randint(2012, now.year - 1)
            end = start + rng.randint(1, 3)
            status = "ongoing" if end >= now.year else "completed"
            code = f"ĐT.{start}.{oid:03d}.{k + 1:02d}"
            kw = rng.choice(experts).expertise or ["phát triển bền vững"]
            title = f"Nghiên cứu {rng.choice(kw)} phục vụ phát triển {rng.choice(_PLACES)}"
            for i, pid in enumerate(team):
                projects.append(
                    {
                        "person_id": pid,
                        "code": code,
                        "title": title,
                        "level": rng.choice(("city", "city", "grassroots", "ministerial")),
                        "role": "lead" if i == 0 else ("secretary" if i == 1 else "member"),
                        "funder": "Sở Khoa học và Công nghệ Hải Phòng",
                        "start_year": start,
                        "end_year": end,
                        "status": status,
                        "result": None,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
    return DemoRecords(pubs, authors, names, projects)


def write_records(session: Session, records: DemoRecords) -> dict[str, int]:
    """Write what ``generate_records`` made (bulk Core inserts; the caller commits)."""
    now = utcnow()
    conn = session.connection()
    stamps = {"created_at": now, "updated_at": now}
    counts = {"publications": 0, "publication_authors": 0, "research_projects": 0}
    with indexes_built_after(conn, ("publication", "publication_author")):
        _write(session, conn, records, counts, stamps)
    session.flush()
    return counts


def _write(session: Session, conn, records: DemoRecords, counts: dict, stamps: dict) -> None:
    pub_t, author_t = Publication.__table__, PublicationAuthor.__table__
    project_t = ResearchProject.__table__
    names = records.names
    # The projects first: on SQLite the transaction then holds the write lock, which
    # ``reserve_ids`` needs (the ids it hands out are max(id) + 1).
    projects = records.projects
    for start in range(0, len(projects), BATCH):
        session.execute(insert(project_t), projects[start : start + BATCH])
    counts["research_projects"] = len(projects)
    for start in range(0, len(records.publications), BATCH):
        pubs = records.publications[start : start + BATCH]
        authors = records.teams[start : start + BATCH]
        ids = reserve_ids(session, pub_t, len(pubs))
        rows = [(pub_id, *row) for pub_id, row in zip(ids, pubs, strict=True)]
        insert_rows(conn, pub_t, _PUBLICATION_COLUMNS, rows, _PUBLICATION_CONSTANTS | stamps)
        rows = [
            (pub_id, n, names[person], person)
            for pub_id, people in zip(ids, authors, strict=True)
            for n, person in enumerate(people, start=1)
        ]
        insert_rows(conn, author_t, _AUTHOR_COLUMNS, rows, _AUTHOR_CONSTANTS)
        counts["publications"] += len(pubs)
        counts["publication_authors"] += len(rows)


def _load_in_child(app, seed: int, pipe) -> None:
    from ..extensions import db

    try:
        with app.app_context():
            records = generate_records(db.session, seed)
            db.session.close()  # its read snapshot ends; no connection kept while waiting
            if pipe.recv() != "write":
                return
            counts = write_records(db.session, records)
            db.session.commit()
            db.session.close()
        pipe.send(("ok", counts))
    except BaseException as exc:  # the parent raises it
        pipe.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        pipe.close()


class RecordsElsewhere:
    """``load_demo_records`` in a forked process (``load_records_elsewhere``)."""

    def __init__(self, process, pipe) -> None:
        self.process, self.pipe = process, pipe

    def write(self) -> None:
        """The caller has committed and writes nothing more: the records may be written."""
        self.pipe.send("write")

    def result(self) -> dict[str, int]:
        """Wait until the records are committed; returns what was written."""
        try:
            status, value = self.pipe.recv()
        except EOFError:
            status, value = "error", f"the process ended with code {self.process.exitcode}"
        finally:
            self.pipe.close()
            self.process.join()
        if status != "ok":
            raise RuntimeError(f"loading the scholarly record failed: {value}")
        return value


def load_records_elsewhere(app, seed: int = 1) -> RecordsElsewhere:
    """Generate the record of the committed directory in a forked process at once, and
    write it there (in a transaction of its own) once told to by ``write()``.

    The generation only reads, so it runs beside the caller's own work; the writing
    waits for the caller's commit (SQLite has one writer at a time). The caller must
    have no database connection open when calling this (SQLite's state must not be
    copied by ``fork`` into a process that uses the database): close the session and
    dispose of the engine first.
    """
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    mine, theirs = ctx.Pipe()
    # A daemon: if the caller fails before ``write()``, the child ends with it.
    process = ctx.Process(
        target=_load_in_child, args=(app, seed, theirs), name="expertnet-demo-records", daemon=True
    )
    process.start()
    theirs.close()
    return RecordsElsewhere(process, mine)
