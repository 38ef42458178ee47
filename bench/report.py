"""Benchmark: the yearly activity report for a year with 500 requests (target ≤ 2 s).

A demo union (``expertnet.demo.loader.load_demo``: 84 member organisations and their
members) is loaded into a fresh SQLite file and a fresh PostgreSQL database
(``bench_report``, created and dropped here through an autocommit connection; no other
database is touched). Two years of consultation work are generated on it — 500 requests
in the reported year and as many the year before — the way the workflow leaves them:
panels drawn from the experts of both former provinces with some declined invitations,
opinions, workshops, conferences and panel meetings, published opinions with 2–6
recommendations each, the agencies' answers, and the history of every transition.
Then the report is timed: its queries (cold and warm), the API answer, the page with its
SVG charts, the XLSX export, and a published opinion's DOCX and PDF.

    python bench/report.py [--people 108000] [--requests 500] [--year 2025] [--seed 1]
                           [--db sqlite,postgresql] [--runs 5]
                           [--pg-url postgresql://postgres@127.0.0.1:5432/postgres]
                           [--markdown FILE]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import scratch_postgres  # noqa: E402

TARGET_SECONDS = 2.0
SCRATCH_DB = "bench_report"
VN = ZoneInfo("Asia/Ho_Chi_Minh")

KINDS = (("critique", 0.5), ("consultation", 0.35), ("assessment", 0.15))
ANSWERS = (("adopted", 0.55), ("partially_adopted", 0.3), ("not_adopted", 0.15))
TOPICS = (
    "Quy hoạch phát triển cảng biển Lạch Huyện",
    "Đề án chuyển đổi số trong quản lý đô thị",
    "Dự án đường ven biển Hải Phòng - Hải Dương",
    "Chương trình phát triển nuôi trồng thủy sản bền vững",
    "Kế hoạch phòng chống ngập úng đô thị",
    "Đề án phát triển nhân lực trí tuệ nhân tạo",
    "Dự thảo quy định về bảo vệ môi trường làng nghề",
    "Chương trình y tế cơ sở giai đoạn 2026-2030",
    "Quy hoạch vùng trồng vải thiều Thanh Hà",
    "Dự án khu công nghiệp sinh thái Nam Sách",
)


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


@dataclass
class Timing:
    cold: float = 0.0
    runs: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.runs) if self.runs else 0.0

    @property
    def worst(self) -> float:
        return max(self.runs) if self.runs else 0.0


@dataclass
class Run:
    database: str
    people: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    load_s: float = 0.0
    generate_s: float = 0.0
    timings: dict[str, Timing] = field(default_factory=dict)
    statements: int = 0
    figures: dict[str, Any] = field(default_factory=dict)
    loadavg: float = 0.0


def _timed(fn: Callable[[], Any], runs: int) -> Timing:
    t = Timing()
    start = time.perf_counter()
    fn()
    t.cold = time.perf_counter() - start
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        t.runs.append(time.perf_counter() - start)
    return t


# --- generating the consultation work ----------------------------------------------------------


def generate_work(session, year: int, n_requests: int, rng: random.Random) -> dict[str, int]:
    """Requests of ``year`` with their panels, opinions, meetings, publications, answers."""
    from sqlalchemy import select

    from expertnet.auth.operations import create_user
    from expertnet.consultation.models import (
        AgencyResponse,
        Invitation,
        Meeting,
        Opinion,
        PublishedOpinion,
        PublishedRecommendation,
        Request,
        RequestHistory,
    )
    from expertnet.consultation.operations import content_hash
    from expertnet.directory.models import Membership, Organization, Person, person_field

    agencies = session.execute(
        select(Organization.id, Organization.name).where(Organization.kind == "agency")
    ).all()
    users = session.info.setdefault("bench_users", {})
    if not users:
        users["coordinator"] = create_user(
            email="dieuphoi@bench.vn",
            name="Văn phòng Tư vấn",
            role="coordinator",
            password="x" * 12,
        )
        users["approver"] = create_user(
            email="chutich@bench.vn", name="Bùi Thanh Tùng", role="approver", password="x" * 12
        )
        users["agencies"] = [
            create_user(
                email=f"coquan{i}@bench.vn",
                name=f"Cán bộ {name}",
                role="agency",
                password="x" * 12,
                organization_id=oid,
            )
            for i, (oid, name) in enumerate(agencies[:12])
        ]
        session.flush()
    coordinator, approver = users["coordinator"], users["approver"]
    filers = users["agencies"]

    # Experts by former province, through their member organisations.
    rows = session.execute(
        select(
            Person.id,
            Person.full_name,
            Person.academic_title,
            Person.degree,
            Organization.former_province,
        )
        .join(Membership, Membership.person_id == Person.id)
        .join(Organization, Organization.id == Membership.organization_id)
        .where(Person.id.in_(select(person_field.c.person_id)))
    ).all()
    names: dict[int, str] = {}
    pools: dict[str | None, list[int]] = {"hai_phong": [], "hai_duong": [], None: []}
    for pid, full_name, title, degree, province in rows:
        prefix = " ".join(f"{p}." for p in (title, degree) if p)
        names[pid] = f"{prefix} {full_name}".strip()
        pools[province if province in pools else None].append(pid)
    pools = {k: sorted(set(v)) for k, v in pools.items()}
    everyone = sorted(names)

    count = {"requests": 0, "invitations": 0, "opinions": 0, "meetings": 0, "published": 0,
             "recommendations": 0, "responses": 0, "history": 0}  # fmt: skip
    start = datetime(year, 1, 1, 8, 0, tzinfo=VN)
    year_end = datetime(year + 1, 1, 1, tzinfo=VN)
    sequence = 0
    for n in range(n_requests):
        kind = _pick(rng, KINDS)
        submitted = start + timedelta(days=rng.uniform(0, 355), hours=rng.uniform(0, 9))
        filer = rng.choice(filers)
        fate = rng.random()
        duration = timedelta(days=min(rng.lognormvariate(3.3, 0.45), 150))
        published_at = submitted + duration
        if fate < 0.05:
            state = "declined"
        elif fate < 0.08:
            state = "withdrawn"
        elif published_at >= year_end:
            state = rng.choice(["panel_forming", "in_review", "consolidation", "approval"])
        else:
            state = "closed" if rng.random() < 0.8 else "published"
        done = state in ("published", "closed")
        req = Request(
            kind=kind,
            title=f"{rng.choice(TOPICS)} ({year}-{n + 1:03d})",
            summary="Xin ý kiến tư vấn, phản biện của Liên hiệp Hội.",
            agency_id=filer.organization_id,
            filed_by_id=filer.id,
            coordinator_id=None if state == "withdrawn" else coordinator.id,
            state=state,
            confidential=rng.random() < 0.1,
            created_at=submitted - timedelta(days=rng.uniform(0, 5)),
            submitted_at=submitted,
            published_at=published_at if done else None,
            closed_at=published_at + timedelta(days=rng.uniform(10, 60))
            if state == "closed"
            else None,
            due_date=(submitted + timedelta(days=60)).date(),
        )
        session.add(req)
        session.flush()
        count["requests"] += 1
        steps = ["submit"] + (["decline"] if state == "declined" else [])
        if state == "withdrawn":
            steps.append("withdraw")
        if state in ("declined", "withdrawn"):
            _history(session, RequestHistory, req, steps, submitted, filer, coordinator, count)
            continue

        # The panel: 3–7 experts, mostly from one former province, about half the time
        # with an expert of the other; an expert of a city-wide body now and then.
        size = rng.randint(3, 7)
        home, away = rng.sample(["hai_phong", "hai_duong"], 2)
        panel: list[int] = []
        if rng.random() < 0.5:
            panel.append(rng.choice(pools[away]))
        while len(panel) < size:
            source = pools[None] if pools[None] and rng.random() < 0.2 else pools[home]
            pid = rng.choice(source)
            if pid not in panel:
                panel.append(pid)
        accepted_at = submitted + timedelta(days=rng.uniform(2, 8))
        roles = ["chair", "secretary", "reviewer"] + ["member"] * (size - 3)
        for pid, role in zip(panel, roles, strict=True):
            session.add(
                Invitation(
                    request_id=req.id, person_id=pid, role=role, state="accepted",
                    invited_by_id=coordinator.id, invited_at=accepted_at - timedelta(days=2),
                    responded_at=accepted_at, conflict_declaration={"has_conflict": False},
                )
            )  # fmt: skip
        for _ in range(rng.randint(0, 2)):
            pid = rng.choice(everyone)
            if pid in panel:
                continue
            session.add(
                Invitation(
                    request_id=req.id, person_id=pid, role="member", state="declined",
                    invited_by_id=coordinator.id, invited_at=accepted_at - timedelta(days=2),
                    responded_at=accepted_at, decline_reason="Bận công tác.",
                )
            )  # fmt: skip
            count["invitations"] += 1
        count["invitations"] += len(panel)
        reviewed = state not in ("panel_forming",)
        if reviewed:
            for pid in panel:
                if state == "in_review" and rng.random() < 0.5:
                    continue
                session.add(
                    Opinion(
                        request_id=req.id, person_id=pid, summary="Nhất trí có chỉnh sửa.",
                        assessment="Đề án cần bổ sung đánh giá tác động.",
                        position=rng.choice(["support", "support_with_changes", "oppose"]),
                        recommendations=[{"text": "Bổ sung đánh giá tác động môi trường."}],
                        submitted_at=accepted_at + timedelta(days=rng.uniform(5, 20)),
                    )
                )  # fmt: skip
                count["opinions"] += 1
        if rng.random() < 0.35:
            session.add(
                Meeting(
                    request_id=req.id, kind=rng.choice(["workshop", "conference"]),
                    title="Hội thảo lấy ý kiến chuyên gia", place="Hải Phòng",
                    starts_at=accepted_at + timedelta(days=rng.uniform(3, 15)),
                    held=done or rng.random() < 0.5, created_by_id=coordinator.id,
                )
            )  # fmt: skip
            count["meetings"] += 1
        if rng.random() < 0.3:
            session.add(
                Meeting(
                    request_id=req.id, kind="panel_meeting", title="Họp hội đồng",
                    place="Trụ sở Liên hiệp Hội",
                    starts_at=accepted_at + timedelta(days=rng.uniform(3, 15)),
                    held=done, created_by_id=coordinator.id,
                )
            )  # fmt: skip
            count["meetings"] += 1
        steps += ["accept", "open_panel", "start_review"]
        if state in ("consolidation", "approval") or done:
            steps += ["close_review", "submit_consolidation"]
        if done:
            steps.append("approve")
        if state == "closed":
            steps.append("record_response")
        _history(session, RequestHistory, req, steps, submitted, filer, coordinator, count)
        if not done:
            continue

        sequence += 1
        number = f"{sequence}/LHH-TVPB"
        recs = []
        for position in range(1, rng.randint(2, 6) + 1):
            endorsers = rng.sample(panel, k=rng.randint(1, len(panel)))
            dissent = [
                {"expert_id": pid, "text": "Chưa đủ căn cứ."}
                for pid in panel
                if pid not in endorsers and rng.random() < 0.2
            ]
            recs.append(
                {
                    "position": position,
                    "text": f"Kiến nghị {position}: bổ sung luận cứ khoa học và đánh giá tác động.",
                    "endorsed_by": sorted(endorsers),
                    "dissent": dissent,
                }
            )
        content = {
            "number": number,
            "request": {
                "id": req.id, "kind": kind, "title": req.title, "summary": req.summary,
                "agency": filer.name.removeprefix("Cán bộ "), "fields": [],
                "subject_organizations": [], "due_date": req.due_date.isoformat(),
            },
            "text": "Liên hiệp Hội cơ bản nhất trí, với các kiến nghị sau.",
            "recommendations": recs,
            "panel": [
                {"expert_id": p, "name": names[p], "role": r}
                for p, r in zip(panel, roles, strict=True)
            ],
            "experts": {str(p): names[p] for p in sorted(panel)},
            "dates": {
                "filed_at": req.created_at.isoformat(), "submitted_at": submitted.isoformat(),
                "published_at": published_at.isoformat(),
            },
            "approved_by": approver.name,
        }  # fmt: skip
        opinion = PublishedOpinion(
            request_id=req.id, year=published_at.astimezone(VN).year, sequence=sequence,
            number=number, content=content, content_hash=content_hash(content),
            approved_by_id=approver.id, published_at=published_at, confidential=req.confidential,
        )  # fmt: skip
        session.add(opinion)
        session.flush()
        count["published"] += 1
        for rec in recs:
            row = PublishedRecommendation(
                opinion_id=opinion.id, position=rec["position"], text=rec["text"],
                endorsed_by=rec["endorsed_by"], dissent=rec["dissent"],
            )  # fmt: skip
            session.add(row)
            session.flush()
            count["recommendations"] += 1
            if state == "closed":
                session.add(
                    AgencyResponse(
                        recommendation_id=row.id, status=_pick(rng, ANSWERS),
                        explanation=None, recorded_by_id=filer.id, recorded_at=req.closed_at,
                    )
                )  # fmt: skip
                count["responses"] += 1
    session.flush()
    return count


def _history(session, model, req, steps, at, filer, coordinator, count) -> None:
    states = {
        "submit": ("draft", "submitted"), "decline": ("submitted", "declined"),
        "withdraw": ("submitted", "withdrawn"), "accept": ("submitted", "accepted"),
        "open_panel": ("accepted", "panel_forming"), "start_review": ("panel_forming", "in_review"),
        "close_review": ("in_review", "consolidation"),
        "submit_consolidation": ("consolidation", "approval"),
        "approve": ("approval", "published"), "record_response": ("published", "closed"),
    }  # fmt: skip
    for version, action in enumerate(steps, start=1):
        who = filer if action in ("submit", "withdraw", "record_response") else coordinator
        session.add(
            model(
                request_id=req.id, action=action, from_state=states[action][0],
                to_state=states[action][1], actor_user_id=who.id, actor_role=who.role,
                at=at + timedelta(days=version * 3), payload={}, version=version + 1,
            )
        )  # fmt: skip
        count["history"] += 1


# --- one database ------------------------------------------------------------------------------


def run_database(label: str, db_url: str, args, work: Path) -> Run:
    from flask_migrate import upgrade
    from sqlalchemy import event, func, select

    import expertnet.models  # noqa: F401 - every model registered before any query is built
    from expertnet import create_app
    from expertnet.consultation.letter import letter_from, render_docx, render_pdf
    from expertnet.consultation.models import PublishedOpinion
    from expertnet.demo.loader import load_demo
    from expertnet.directory.models import Organization, Person
    from expertnet.extensions import db
    from expertnet.reports.queries import activity_report

    instance = work / label
    instance.mkdir()
    app = create_app(
        {
            "INSTANCE_PATH": str(instance),
            "SQLALCHEMY_DATABASE_URI": db_url,
            "EXPERTNET_INDEX_DIR": str(instance / "index"),
            "EXPERTNET_INDEX_AUTOREBUILD": False,
            "SERVER_NAME": "localhost",
            "SECRET_KEY": "bench-only",
        }
    )
    run = Run(database=label, loadavg=os.getloadavg()[0])
    rng = random.Random(args.seed)
    with app.app_context():
        upgrade()
        start = time.perf_counter()
        load_demo(db.session, n_people=args.people, seed=args.seed)
        db.session.commit()
        run.load_s = time.perf_counter() - start
        run.people = db.session.scalar(select(func.count(Person.id)))

        start = time.perf_counter()
        for year in (args.year - 1, args.year):
            for key, n in generate_work(db.session, year, args.requests, rng).items():
                run.rows[key] = run.rows.get(key, 0) + n
        db.session.commit()
        run.generate_s = time.perf_counter() - start
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
                conn.commit()
        db.session.remove()
        db.engine.dispose()  # the first report below starts on a new connection ("cold")

    def in_context(fn: Callable[[], Any]) -> Callable[[], Any]:
        def wrapped():
            with app.app_context():
                try:
                    return fn()
                finally:
                    db.session.remove()

        return wrapped

    with app.app_context():
        org_id = db.session.scalar(
            select(Organization.id).where(Organization.kind == "member_association").limit(1)
        )
        opinion_id = db.session.scalar(
            select(PublishedOpinion.id).where(PublishedOpinion.year == args.year).limit(1)
        )
        db.session.remove()

    def union_report():
        report = activity_report(db.session, args.year, published_list=True)
        run.figures = report.to_json()
        return report

    def org_report():
        return activity_report(db.session, args.year, db.session.get(Organization, org_id))

    t = run.timings
    t["report queries, whole union (page's set)"] = _timed(in_context(union_report), args.runs)
    t["report queries, one organisation"] = _timed(in_context(org_report), args.runs)

    statements: list[str] = []
    with app.app_context():
        listener = lambda *a: statements.append(a[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        union_report()
        event.remove(db.engine, "before_cursor_execute", listener)
        db.session.remove()
    run.statements = len(statements)

    client = app.test_client()

    def get(url: str) -> Callable[[], Any]:
        def fetch():
            res = client.get(url)
            assert res.status_code == 200, (url, res.status_code)
            return res

        return fetch

    y = args.year
    t["API GET /api/v1/reports/activity"] = _timed(
        get(f"/api/v1/reports/activity?year={y}"), args.runs
    )
    t["page GET /reports/activity (SVG charts)"] = _timed(
        get(f"/reports/activity?year={y}"), args.runs
    )
    t["XLSX GET /reports/activity.xlsx"] = _timed(
        get(f"/reports/activity.xlsx?year={y}"), args.runs
    )

    def letter(render):
        def make():
            with app.app_context():
                try:
                    return render(letter_from(db.session.get(PublishedOpinion, opinion_id)))
                finally:
                    db.session.remove()

        return make

    t["letter DOCX (one published opinion)"] = _timed(letter(render_docx), args.runs)
    t["letter PDF (one published opinion)"] = _timed(letter(render_pdf), args.runs)
    with app.app_context():
        db.engine.dispose()
    return run


# --- the report --------------------------------------------------------------------------------


def markdown(runs: list[Run], args) -> str:
    first = runs[0]
    f = first.figures
    rows = first.rows
    lines = [
        "# Performance: the yearly activity report",
        "",
        f"`bench/report.py --people {args.people} --requests {args.requests} --year {args.year} "
        f"--seed {args.seed} --runs {args.runs}` — the demo union (84 member organisations, "
        f"{first.people:,} members) with {args.requests} requests in {args.year} and "
        f"{args.requests} in {args.year - 1}. Target: the report for the year in "
        f"≤ {TARGET_SECONDS:.0f} s.",
        "",
        f"Machine: {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, {platform.system()} {platform.release()}; load average at "
        "the start: " + ", ".join(f"{r.database} {r.loadavg:.1f}" for r in runs) + ".",
        "",
        "## The generated work (both years)",
        "",
        "| requests | invitations | opinions | meetings | published | recommendations "
        "| answers | history rows |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {rows['requests']:,} | {rows['invitations']:,} | {rows['opinions']:,} "
        f"| {rows['meetings']:,} | {rows['published']:,} | {rows['recommendations']:,} "
        f"| {rows['responses']:,} | {rows['history']:,} |",
        "",
        f"Figures of {args.year} (same on both databases: "
        f"{'yes' if all(r.figures == f for r in runs) else '**no**'}): "
        f"{sum(f['requests_by_kind'].values())} requests received "
        f"({', '.join(f'{k} {v}' for k, v in f['requests_by_kind'].items())}), "
        f"{f['meetings_held']} meetings held ({f['workshops_and_conferences']} workshops "
        f"and conferences), {f['opinions_published']} opinions published, "
        f"{f['experts_engaged']:,} experts and {f['organizations_engaged']} member "
        f"organisations engaged, median {f['median_days_to_publish']} days to publish, "
        f"adoption rate {f['adoption_rate']}, {f['province_mixing']['mixed']} of "
        f"{f['province_mixing']['panels']} published panels mixing the former provinces.",
        "",
        "## Timings",
        "",
        f"Cold: the first call (new connection, nothing cached). Warm: median and worst "
        f"of the next {args.runs} calls.",
        "",
        "| database | what | cold | warm median | warm worst | target met |",
        "|---|---|---:|---:|---:|---|",
    ]
    for r in runs:
        for what, t in r.timings.items():
            target = ""
            if what.startswith(("report", "API", "page")):
                target = "yes" if max(t.cold, t.worst) <= TARGET_SECONDS else "**no**"
            lines.append(
                f"| {r.database} | {what} | {t.cold * 1000:.0f} ms | {t.median * 1000:.0f} ms "
                f"| {t.worst * 1000:.0f} ms | {target} |"
            )
    lines += [
        "",
        "| database | SQL statements for the whole-union report (figures, 84 rows by "
        "organisation, list of published opinions) | demo load | generating the work |",
        "|---|---:|---:|---:|",
        *[
            f"| {r.database} | {r.statements} | {r.load_s:.1f} s | {r.generate_s:.1f} s |"
            for r in runs
        ],
        "",
        "## Why it is fast, and stays so",
        "",
        "- Every figure is a `GROUP BY` or a window function in the database "
        "(`expertnet/reports/queries.py`); Python only reshapes the few rows that come "
        "back. The statement count is fixed — it does not grow with the requests.",
        "- The year is a range on indexed UTC timestamps (bounds of the local year converted "
        "to UTC), never a function of the column.",
        "- An expert's organisations (memberships active in the year, or the employer) "
        "are looked up for the people involved in the year only, twice per report: the "
        "per-organisation table is one statement whose links are a materialised CTE "
        "shared by all its `GROUP BY`s, and the province mixing is the other. On "
        "PostgreSQL the lookup is a `LATERAL` index probe per expert (left to itself the "
        "planner hashes the experts against a full scan of the membership table, which "
        "at a million members costs most of a second).",
        "- On PostgreSQL the report's transaction runs without JIT: at a million members "
        "the join estimates pass `jit_above_cost` and compiling took 0.7 s for a 0.2 s "
        "statement.",
        "- The median uses `row_number()`/`count()` windows, portable between SQLite and "
        "PostgreSQL; days between timestamps compile to `julianday` on SQLite and "
        "`EXTRACT(EPOCH …)` on PostgreSQL.",
        "- The page draws its SVG charts as strings on the server; no script is sent.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=108_000)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--markdown", type=Path, default=None)
    args = parser.parse_args(argv)

    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        work = Path(tmp)
        for name in [d.strip() for d in args.db.split(",") if d.strip()]:
            if name == "sqlite":
                runs.append(run_database("SQLite", f"sqlite:///{work / 'bench.db'}", args, work))
            elif name == "postgresql":
                with scratch_postgres(args.pg_url, SCRATCH_DB) as url:
                    runs.append(run_database("PostgreSQL", url, args, work))
            else:
                parser.error(f"unknown database {name!r}")
            r = runs[-1]
            for what, t in r.timings.items():
                print(
                    f"{r.database:10} {what:45} cold {t.cold * 1000:7.0f} ms  "
                    f"warm {t.median * 1000:7.0f} ms",
                    file=sys.stderr,
                )
    text = markdown(runs, args)
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    print(text)
    worst = max(
        max(t.cold, t.worst)
        for r in runs
        for what, t in r.timings.items()
        if what.startswith("report")
    )
    return 0 if worst <= TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
