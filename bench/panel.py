"""Benchmark: the expert graph, panel suggestions and batch assignment at union scale.

What is measured, and on what: the synthetic union of ``expertnet.demo.generator``
(108,000 members by default, of whom about 10,000 keep an expert profile) is loaded
with ``expertnet.demo.loader.load_demo`` into a scratch SQLite file (kept between runs
under ``--workdir``; it is never the instance database), plus declared relationships.
The graph is then built FROM THAT DATABASE, the way the app builds it (bulk Core
selects on one connection), so the build time includes reading 108,000 rows.

- graph build: wall time of ``build_graph`` (median of ``--builds``), and its memory:
  tracemalloc's retained and peak bytes during one extra build, plus the process RSS;
- suggestions: ``suggest(profile, 5)`` for ``--suggestions`` synthetic requests (varied
  fields, agencies and subject organisations), p50/p95/max;
- batch: 25 requests × 5 seats over every qualified expert; time to build the problem
  (affinities and conflicts for each request) and to solve it by min-cost flow; the
  result compared with scipy's MILP on the whole, unpruned instance (and its LP bound
  if the MILP does not finish within ``--milp-seconds``).

    python bench/panel.py [--people 108000] [--seed 1] [--suggestions 200]
                          [--workdir /tmp/expertnet-bench-panel]
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
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SUGGEST_P95_TARGET_MS = 300.0
BUILD_TARGET_S = 15.0
BATCH_TARGET_S = 5.0
BATCH_QUALITY_TARGET = 0.99


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


SCRATCH_PG = "bench_panel"


def make_app(db_path: Path, url: str | None = None):
    from expertnet import create_app

    return create_app(
        {
            "INSTANCE_PATH": str(db_path.parent / "instance"),
            "SQLALCHEMY_DATABASE_URI": url or f"sqlite:///{db_path}",
            "SECRET_KEY": "bench" * 8,
            "EXPERTNET_INDEX_DIR": str(db_path.parent / "index"),
        }
    )


def scratch_postgres(admin_url: str, fresh: bool) -> str:
    """The URL of the benchmark's own database ``bench_panel`` (no other is touched)."""
    from sqlalchemy import create_engine, text

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": SCRATCH_PG}
        ).first()
        if fresh and exists:
            conn.execute(text(f"DROP DATABASE {SCRATCH_PG} WITH (FORCE)"))
        if fresh or not exists:
            conn.execute(text(f"CREATE DATABASE {SCRATCH_PG}"))
    admin.dispose()
    return admin_url.rsplit("/", 1)[0] + "/" + SCRATCH_PG


def ensure_data(app, people: int, seed: int) -> dict:
    from sqlalchemy import func, insert, select

    from expertnet.demo.loader import load_demo
    from expertnet.directory.models import Person
    from expertnet.extensions import db
    from expertnet.panel.models import PersonRelationship

    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        have = db.session.scalar(select(func.count(Person.id))) or 0
        info: dict = {"loaded_now": False}
        if have == 0:
            t = time.perf_counter()
            load_demo(db.session, people, seed)
            # Declared ties: about one person in 200 records a relative or a partner.
            rng = random.Random(seed)
            ids = db.session.scalars(select(Person.id).order_by(Person.id)).all()
            pairs = set()
            while len(pairs) < len(ids) // 200:
                a, b = rng.sample(ids, 2)
                pairs.add((min(a, b), max(a, b)))
            db.session.execute(
                insert(PersonRelationship),
                [
                    {
                        "person_a_id": a,
                        "person_b_id": b,
                        "kind": rng.choice(["family", "advisor_advisee", "business_partner"]),
                    }
                    for a, b in sorted(pairs)
                ],
            )
            db.session.commit()
            info["load_seconds"] = time.perf_counter() - t
            info["loaded_now"] = True
        info["people"] = db.session.scalar(select(func.count(Person.id)))
        return info


def edit_stream(app, experts, ps, seconds: float, every: float, background: bool) -> list:
    """p50/p95/max of the network and suggestions calls while another thread keeps
    editing profiles (one commit every ``every`` seconds), as the endpoints make them:
    ``get_graph()`` (which sees the new version) and then the ego network or ``suggest``."""
    import threading

    from sqlalchemy.exc import OperationalError

    from expertnet.directory.models import Person
    from expertnet.extensions import db
    from expertnet.panel import cache
    from expertnet.panel.network import Viewer, ego_network
    from expertnet.panel.suggest import suggest

    app.config["EXPERTNET_GRAPH_BACKGROUND"] = background
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            # A build reads for seconds; in SQLite's default journal mode a writer waiting
            # to commit then locks new readers out. WAL lets both go on (and persists).
            raw = db.engine.raw_connection()
            try:
                raw.driver_connection.execute("PRAGMA journal_mode=WAL")
            finally:
                raw.close()
    rng = random.Random(7)
    stop = threading.Event()
    edits = [0]

    def editor() -> None:
        while not stop.is_set():
            with app.app_context():
                try:
                    p = db.session.get(Person, rng.choice(experts))
                    p.position = f"Chuyên viên {rng.randrange(10**6)}"
                    db.session.commit()
                    edits[0] += 1
                except OperationalError:  # SQLite: a long read held the file; try again
                    db.session.rollback()
                finally:
                    db.session.remove()
            stop.wait(every)

    with app.app_context():
        cache.get_graph()  # the process's first graph, before the clock starts
        db.session.remove()
    net: list[float] = []
    sug: list[float] = []
    worker = threading.Thread(target=editor, daemon=True)
    started = time.monotonic()
    worker.start()
    i = 0
    while time.monotonic() - started < seconds:
        with app.app_context():
            t = time.perf_counter()
            ego_network(cache.get_graph(), experts[i % len(experts)], 1, Viewer(None))
            net.append((time.perf_counter() - t) * 1000)
            db.session.remove()
        with app.app_context():
            t = time.perf_counter()
            suggest(ps[i % len(ps)], 5, graph=cache.get_graph())
            sug.append((time.perf_counter() - t) * 1000)
            db.session.remove()
        i += 1
    stop.set()
    worker.join()
    with app.app_context():
        cache.wait_for_build(db.engine)
    mode = "background build" if background else "rebuild on the request path"
    label = f"during {edits[0]} profile edits in {seconds:.0f} s ({mode})"

    def fmt(xs: list[float]) -> str:
        return f"{percentile(xs, 0.5):.0f} / {percentile(xs, 0.95):.0f} / {max(xs):.0f}"

    return [
        (f"network, {len(net)} calls {label}: p50 / p95 / max (ms)", fmt(net), ""),
        (f"suggestions, {len(sug)} calls {label}: p50 / p95 / max (ms)", fmt(sug), ""),
    ]


def profiles(eg, n: int, seed: int):
    """Synthetic requests: a discipline's keywords as title, agencies and subject orgs."""
    from expertnet.directory.taxonomy import DISCIPLINES, EXPERTISE
    from expertnet.panel.suggest import RequestProfile

    rng = random.Random(seed)
    agencies = sorted(o for o, info in eg.orgs.items() if info.kind == "agency")
    union = sorted(o for o, info in eg.orgs.items() if info.is_union_member)
    out = []
    for i in range(n):
        d = rng.choice(DISCIPLINES)
        words = list(EXPERTISE.get(d.code, ()) or (d.name,))
        rng.shuffle(words)
        title = f"Đề án {words[0]} giai đoạn 2026-2030"
        summary = (
            f"Lấy ý kiến phản biện về {', '.join(words[:3])} trên địa bàn thành phố; "
            f"đánh giá tác động kinh tế, xã hội và môi trường."
        )
        out.append(
            RequestProfile(
                request_id=None,
                title=title,
                summary=summary,
                field_codes=(d.code,),
                agency_id=rng.choice(agencies) if agencies else None,
                subject_ids=tuple(rng.sample(union, 1)) if union else (),
                document_text=" ".join(words) * 3 if i % 2 else "",
            )
        )
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--people", type=int, default=108_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--suggestions", type=int, default=200)
    ap.add_argument("--builds", type=int, default=3)
    ap.add_argument("--requests", type=int, default=25)
    ap.add_argument("--seats", type=int, default=5)
    ap.add_argument("--milp-seconds", type=float, default=300.0)
    ap.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "expertnet-bench-panel"))
    ap.add_argument("--markdown", default=None)
    ap.add_argument(
        "--pg-url",
        default=None,
        help="measure on PostgreSQL instead: an admin URL; the data goes into its own "
        f"database {SCRATCH_PG}, kept between runs (add --fresh to reload)",
    )
    ap.add_argument("--fresh", action="store_true")
    ap.add_argument("--edit-seconds", type=float, default=60.0)
    ap.add_argument("--edit-every", type=float, default=5.0, help="seconds between edits")
    args = ap.parse_args()

    from expertnet.extensions import db
    from expertnet.panel import cache
    from expertnet.panel.assign import assign, milp_optimum, problem_from_profiles
    from expertnet.panel.graph import build_graph
    from expertnet.panel.network import Viewer, ego_network, network_stats
    from expertnet.panel.suggest import suggest

    load_start = os.getloadavg()[0]
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    db_path = work / f"panel-{args.people}-{args.seed}.db"
    url = scratch_postgres(args.pg_url, args.fresh) if args.pg_url else None
    if url is None and args.fresh:
        db_path.unlink(missing_ok=True)
    app = make_app(db_path, url)
    data = ensure_data(app, args.people, args.seed)
    rows: list[tuple[str, str, str]] = []
    with app.app_context():
        conn = db.session.connection()
        # Build: wall time without tracing, then memory with tracemalloc on a fresh build.
        times = []
        eg = None
        for _ in range(args.builds):
            eg = None
            t = time.perf_counter()
            eg = build_graph(conn, cache.current_version())
            times.append(time.perf_counter() - t)
        assert eg is not None
        rss_with_graph = rss_mb()
        experts = sum(1 for _ in eg.experts())
        del eg
        rss_before = rss_mb()
        tracemalloc.start()
        eg = build_graph(conn, cache.current_version())
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        cache.settle()  # as ``get_graph`` does after a build
        g = eg.graph
        build_s = statistics.median(times)
        rows += [
            ("members (people in the graph)", f"{len(eg.people):,}", ""),
            ("experts (profiles with expertise or fields)", f"{experts:,}", ""),
            ("organisations / fields", f"{len(eg.orgs)} / {len(eg.fields)}", ""),
            ("graph nodes / edges", f"{g.number_of_nodes():,} / {g.number_of_edges():,}", ""),
            (
                "affinity vocabulary (terms) / non-zeros",
                f"{len(eg.affinity.vocabulary):,} / {eg.affinity.matrix.nnz:,}",
                "",
            ),
            (
                f"graph build from the database, median of {args.builds} (s)",
                f"{build_s:.2f}",
                f"≤ {BUILD_TARGET_S:.0f}",
            ),
            ("graph build, each run (s)", ", ".join(f"{x:.2f}" for x in times), ""),
            ("memory retained by one snapshot, tracemalloc (MB)", f"{current / 2**20:.0f}", ""),
            ("memory peak during a build, tracemalloc (MB)", f"{peak / 2**20:.0f}", ""),
            (
                "process RSS with one snapshot (MB)",
                f"{rss_with_graph:.0f}",
                f"(RSS before the traced build: {rss_before:.0f})",
            ),
        ]
        if data.get("loaded_now"):
            rows.insert(
                0,
                (
                    "demo load into the database (s, not part of the targets)",
                    f"{data['load_seconds']:.1f}",
                    "",
                ),
            )

        # Version check cost: what every request pays instead of a rebuild.
        t = time.perf_counter()
        for _ in range(200):
            cache.current_version()
        version_ms = (time.perf_counter() - t) / 200 * 1000
        rows.append(("graph version check per request (ms)", f"{version_ms:.2f}", ""))

        # Suggestions.
        ps = profiles(eg, args.suggestions, args.seed)
        suggest(ps[0], 5, graph=eg)  # warm caches (the vocabulary inverse, numpy)
        lat = []
        unmet = 0
        for p in ps:
            t = time.perf_counter()
            s = suggest(p, 5, graph=eg)
            lat.append((time.perf_counter() - t) * 1000)
            unmet += bool(s.unmet)
        p50, p95 = percentile(lat, 0.5), percentile(lat, 0.95)
        rows += [
            (f"suggest(size=5), {len(lat)} requests: p50 (ms)", f"{p50:.0f}", ""),
            ("suggest(size=5): p95 (ms)", f"{p95:.0f}", f"≤ {SUGGEST_P95_TARGET_MS:.0f}"),
            ("suggest(size=5): max (ms)", f"{max(lat):.0f}", ""),
            ("suggestions with a rule reported unmet", f"{unmet} of {len(lat)}", ""),
        ]

        # Ego network and statistics.
        some = sorted(eg.experts())[:: max(1, experts // 50)][:50]
        t = time.perf_counter()
        for pid in some:
            ego_network(eg, pid, 2, Viewer("coordinator"))
        ego_ms = (time.perf_counter() - t) / len(some) * 1000
        t = time.perf_counter()
        network_stats(eg)
        stats_s = time.perf_counter() - t
        rows += [
            ("ego network depth 2, staff view, mean (ms)", f"{ego_ms:.1f}", ""),
            ("network statistics, first call per graph version (s)", f"{stats_s:.2f}", ""),
        ]

        # Requests during a stream of profile edits: each edit changes the directory,
        # so the graph must be rebuilt; with background builds no request waits for it.
        db.session.commit()
        for background in (False, True):
            rows += edit_stream(
                app, some, ps, args.edit_seconds, args.edit_every, background=background
            )
        eg = cache.get_graph()

        # Batch assignment.
        batch = profiles(eg, args.requests, args.seed + 1)
        t = time.perf_counter()
        problem = problem_from_profiles(batch, args.seats, graph=eg)
        prep_s = time.perf_counter() - t
        t = time.perf_counter()
        plan = assign(problem)
        flow_s = time.perf_counter() - t
        rows += [
            (
                f"batch {args.requests} × {args.seats}: candidate pairs (qualified, no conflict)",
                f"{len(problem.affinity):,} over {len(problem.capacity):,} experts",
                "",
            ),
            ("batch: pairs kept after lossless pruning", f"{plan.pairs_considered:,}", ""),
            ("batch: affinities and conflicts for all requests (s)", f"{prep_s:.2f}", ""),
            ("batch: min-cost flow (s)", f"{flow_s:.2f}", ""),
            ("batch: total (s)", f"{prep_s + flow_s:.2f}", f"≤ {BATCH_TARGET_S:.0f}"),
            ("batch: seats filled", f"{plan.seats_filled} of {problem.total_seats}", ""),
            ("batch: total affinity (flow)", f"{plan.total_affinity:.4f}", ""),
        ]
        t = time.perf_counter()
        try:
            opt = milp_optimum(problem, time_limit=args.milp_seconds)
            label = "MILP optimum, whole unpruned instance"
        except RuntimeError:
            opt = milp_optimum(problem, relax=True)
            label = "LP relaxation bound, whole unpruned instance"
        milp_s = time.perf_counter() - t
        ratio = plan.total_weight / opt if opt else 1.0
        rows += [
            (f"batch: {label} (scaled weight)", f"{opt:,.0f} in {milp_s:.1f} s", ""),
            ("batch: flow / optimum", f"{ratio:.6f}", f"≥ {BATCH_QUALITY_TARGET}"),
        ]

    head = (
        f"Machine: {platform.processor() or platform.machine()}, Python "
        f"{platform.python_version()}, {os.cpu_count()} CPUs. Data: "
        f"`generate_union({args.people}, seed={args.seed})` loaded with `load_demo` into "
        f"{'a scratch PostgreSQL database' if url else 'a scratch SQLite file'}, plus "
        f"{args.people // 200} declared relationships; the "
        f"graph is built from that database. Run: `python bench/panel.py"
        f" --people {args.people} --seed {args.seed}"
        f"{' --pg-url …' if url else ''}`. Load average (1 min) at start / end: "
        f"{load_start:.1f} / {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores shared with "
        "other work."
    )
    table = ["| measure | result | target |", "|---|---|---|"]
    table += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    text = "\n".join([head, "", *table, ""])
    print(text)
    if args.markdown:
        Path(args.markdown).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
