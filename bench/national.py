"""A national-scale run (issue 17): demo, rebuild, search, snapshot, suggestions, memory.

For each size of ``--sizes`` (members; about one in ten is an expert) a fresh instance
is made in ``--workdir`` and every step runs as a process of its own, timed from here
with ``os.wait4`` (wall time; CPU user + system of the process and of every child it
waited for, such as the index workers; the peak RSS of the largest of those processes)
while a sampler adds up the PSS of the whole process tree once a second:

1. ``expertnet init`` and ``expertnet demo --experts N`` (the demo builds the index too);
2. requests brought up to ``--requests × N / 1,000,000`` (at least what the demo made),
   filed and walked through the consultation operations with the demo's own helpers
   (``expertnet.demo.requests``: its panel picker and wording), most of them forming a
   panel, with fields and titles drawn from the taxonomy;
3. ``expertnet index rebuild``;
4. search in a fresh process through the search service (``search_experts``, what the
   API calls, staff view): ``bench/search.py``'s query set (one term, two terms, phrase,
   facets; half typed without diacritics), first cold, then after ``warm()`` a second set;
5. ``expertnet graph snapshot``, then a fresh process that maps it: RSS / PSS / USS
   (``/proc/self/smaps_rollup``) after the app is loaded, once the graph is ready, and
   after 50 suggestions; ``suggestions_for_request(req, 5)`` (what the panel page calls)
   over the requests that are forming a panel, p50 / p95 / max;
6. the size on disk of the database, the index and the snapshot.

The load average (1 min) is read at the start and end of each step and the CPU share
(CPU seconds / wall seconds) is given, so a reader sees whether the machine was quiet.
Every size's figures are also written to ``WORKDIR/national-N.json``; ``--table-only``
prints the growth table from those files without running anything.

    python bench/national.py --sizes 20000 108000 300000 1000000 --markdown national.md
    python bench/national.py --sizes 20000 --pg-url postgresql+psycopg://postgres@127.0.0.1/postgres
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

#: Targets of issue 17.
SUGGEST_P95_MS = {108_000: 100.0, 1_000_000: 200.0}
APP_PROCESS_MB_AT_108K = 200.0
#: Requests of the national run (at 1,000,000 members); scaled with the size.
REQUESTS_AT_1M = 2000
#: Suggestions measured after this many, for the memory figure.
MEM_AFTER = 50


# --- measuring a process ----------------------------------------------------------------


def _tree_pss_mb(root: int) -> float:
    """The proportional set size (PSS) of ``root`` and all its descendants, in MB.

    PSS, not RSS: the index workers are forked and share their parent's pages, which a
    sum of RSS would count once per process."""
    parent: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        parent[int(entry.name)] = int(stat[stat.rfind(")") + 2 :].split()[1])
    total = 0
    for pid in parent:
        p = pid
        while p and p != root and p in parent:
            p = parent[p]
        if p != root:
            continue
        try:
            with open(f"/proc/{pid}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            continue
    return total / 1024


def run_step(
    label: str, cmd: list[str], env: dict[str, str], log: Path, timeout: float | None = None
) -> dict[str, Any]:
    """Run ``cmd``; its wall and CPU time, peak RSS, the load and its RESULT line."""
    load0 = os.getloadavg()[0]
    started = time.perf_counter()
    with open(log, "ab") as out:
        out.write(f"\n$ {' '.join(cmd)}\n".encode())
        out.flush()
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        peak_tree = [0.0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(1.0):
                with contextlib.suppress(OSError):
                    peak_tree[0] = max(peak_tree[0], _tree_pss_mb(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    cpu = usage.ru_utime + usage.ru_stime
    res: dict[str, Any] = {
        "wall_s": wall,
        "cpu_s": cpu,
        "cpu_share": cpu / wall if wall else 0.0,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "peak_tree_pss_mb": peak_tree[0],
        "load_start": load0,
        "load_end": os.getloadavg()[0],
        "exit": proc.returncode,
    }
    result = None
    with open(log, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if line.startswith("RESULT "):
                result = line[7:]
    if result is not None:
        res["result"] = json.loads(result)
    print(
        f"  {label}: {wall:.1f} s wall, {cpu:.1f} CPU-s ({res['cpu_share']:.0%}), "
        f"peak RSS {res['peak_rss_mb']:.0f} MB (tree PSS {peak_tree[0]:.0f} MB), "
        f"load {load0:.1f} → {res['load_end']:.1f}",
        flush=True,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{label} failed (exit {proc.returncode}); see {log}")
    return res


def _mem() -> dict[str, float]:
    out: dict[str, float] = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1]) / 1024
    try:
        with open("/proc/self/smaps_rollup") as fh:
            for line in fh:
                key = line.split(":")[0]
                if key in ("Pss", "Private_Clean", "Private_Dirty", "Anonymous"):
                    out[key] = int(line.split()[1]) / 1024
    except OSError:
        pass
    out["USS"] = out.get("Private_Clean", 0.0) + out.get("Private_Dirty", 0.0)
    # Anonymous memory is what each process has of its own; the rest of the RSS is file
    # pages (the mapped snapshot, the index), shared by every process of the node.
    return {
        "rss": out["VmRSS"],
        "pss": out.get("Pss", 0.0),
        "uss": out["USS"],
        "anon": out.get("Anonymous"),
    }


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile, q in [0, 1] (as ``bench/panel.py``)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


# --- the steps that run inside the app (``--child``) --------------------------------------


def _app():
    from expertnet import create_app

    return create_app()


def child_requests(target: int, seed: int) -> dict[str, Any]:
    """Bring the requests up to ``target``, walked through the real operations."""
    from datetime import UTC, date, datetime, timedelta

    from sqlalchemy import String, cast, exists, func, or_, select

    from expertnet.auth.models import User
    from expertnet.consultation import operations as ops
    from expertnet.consultation.models import Request
    from expertnet.demo.requests import KIND_VERB, _experts
    from expertnet.directory.models import Field, Organization, Person, person_field
    from expertnet.directory.taxonomy import DISCIPLINES, EXPERTISE
    from expertnet.extensions import db
    from expertnet.panel.service import PANEL_STATES

    app = _app()
    with app.app_context():
        s = db.session
        before = s.scalar(select(func.count(Request.id))) or 0
        rng = random.Random(seed)
        agency = s.scalar(select(User).where(User.role == "agency").order_by(User.id))
        coordinator = s.scalar(select(User).where(User.role == "coordinator").order_by(User.id))
        associations = s.scalars(
            select(Organization.id).where(Organization.kind == "member_association")
        ).all()
        known = set(s.scalars(select(Field.code)))
        disciplines = [d for d in DISCIPLINES if d.code in known]
        roles = ["chair", "secretary", "reviewer", "member"]
        now = datetime.now(UTC)
        made = invited = 0
        states: dict[str, int] = {}
        started = time.perf_counter()
        for i in range(max(0, target - before)):
            d = rng.choice(disciplines)
            codes = [d.code]
            if rng.random() < 0.3:
                other = rng.choice(disciplines).code
                if other != d.code:
                    codes.append(other)
            words = list(EXPERTISE.get(d.code, ()) or (d.name,))
            rng.shuffle(words)
            kind = rng.choice(list(KIND_VERB))
            title = f"Đề án {words[0]} giai đoạn 2026-2030"
            req = ops.create_request(
                agency,
                {
                    "kind": kind,
                    "title": title,
                    "summary": (
                        f"{agency.organization.name} đề nghị Liên hiệp Hội {KIND_VERB[kind]} "
                        f"{title.lower()}, trọng tâm là {', '.join(words[:3])}."
                    ),
                    "fields": codes,
                    "subject_organizations": [rng.choice(associations)] if i % 3 == 0 else [],
                    "due_date": date.today() + timedelta(days=30 + i % 60),
                    "confidential": False,
                },
            )
            # Most requests form a panel (what the suggestions are measured on); some
            # stay earlier in their life. Half of those forming a panel have invitations.
            roll = rng.random()
            goal = (
                "draft"
                if roll < 0.1
                else "submitted"
                if roll < 0.2
                else "accepted"
                if roll < 0.3
                else "panel_forming"
            )
            if goal != "draft":
                ops.perform_action(req, "submit", agency)
            if goal in ("accepted", "panel_forming"):
                ops.perform_action(req, "accept", coordinator)
            if goal == "panel_forming":
                ops.perform_action(req, "open_panel", coordinator)
                if rng.random() < 0.5:
                    panel = _experts(s, codes, 4, rng)
                    for person, role in zip(panel, roles, strict=False):
                        inv = ops.invite(req, person, role, now + timedelta(days=7), coordinator)
                        invited += 1
                        if role in ("chair", "secretary"):
                            ops.accept_invitation(inv, person.user, {"has_conflict": False})
            states[goal] = states.get(goal, 0) + 1
            made += 1
            if made % 100 == 0:
                s.commit()
                print(f"requests: {made}", flush=True)
        s.commit()
        seconds = time.perf_counter() - started
        total = s.scalar(select(func.count(Request.id)))
        forming = s.scalar(select(func.count(Request.id)).where(Request.state.in_(PANEL_STATES)))
        people = s.scalar(select(func.count(Person.id)))
        experts = s.scalar(
            select(func.count(Person.id)).where(
                or_(
                    exists().where(person_field.c.person_id == Person.id),
                    func.coalesce(cast(Person.expertise, String), "[]").not_in(["[]", "null"]),
                )
            )
        )
        return {
            "requests_before": before,
            "requests_made": made,
            "requests": total,
            "requests_forming_panel": forming,
            "invitations": invited,
            "states_made": states,
            "seconds_in_loop": seconds,
            "people": people,
            "experts": experts,
        }


def _queries(n: int, seed: int) -> dict[str, list[str]]:
    """``bench/search.py``'s query set; phrases from the taxonomy, names from the database."""
    from sqlalchemy import func, select

    from bench.search import Union, make_queries
    from expertnet.directory.models import Person
    from expertnet.directory.taxonomy import EXPERTISE
    from expertnet.extensions import db

    top = db.session.scalar(select(func.max(Person.id))) or 0
    rng = random.Random(seed)
    ids = sorted(rng.sample(range(1, top + 1), min(2000, top)))
    names = list(db.session.scalars(select(Person.full_name).where(Person.id.in_(ids))))
    phrases = sorted({e for es in EXPERTISE.values() for e in es})
    return make_queries(Union([], phrases, names), n, seed)


def child_search(n: int, seed: int) -> dict[str, Any]:
    from werkzeug.datastructures import MultiDict

    from expertnet.auth.models import User
    from expertnet.extensions import db
    from expertnet.search.index import get_index
    from expertnet.search.service import search_experts

    app = _app()
    app.config["EXPERTNET_INDEX_WARM"] = False  # warmed below, on the clock
    out: dict[str, Any] = {}
    with app.test_request_context():
        from sqlalchemy import select

        user = db.session.scalar(select(User).where(User.role == "coordinator"))
        idx = get_index(app)
        out["docs"] = idx.doc_count()

        def run(queries: dict[str, list[str]]) -> dict[str, dict[str, float]]:
            rows: dict[str, dict[str, float]] = {}
            everything: list[float] = []
            cpu: list[float] = []
            for kind, qs in queries.items():
                ms = []
                for q in qs:
                    args = MultiDict({"q": q, "facets": "1" if kind == "facets" else "0"})
                    t, c = time.perf_counter(), time.process_time()
                    search_experts(args, user)
                    ms.append((time.perf_counter() - t) * 1000)
                    cpu.append((time.process_time() - c) * 1000)
                    db.session.rollback()
                rows[kind] = {"p50": percentile(ms, 0.5), "p95": percentile(ms, 0.95)}
                everything += ms
            rows["all"] = {
                "p50": percentile(everything, 0.5),
                "p95": percentile(everything, 0.95),
                "max": max(everything),
                "cpu_p50": percentile(cpu, 0.5),
                "cpu_p95": percentile(cpu, 0.95),
            }
            return rows

        out["cold"] = run(_queries(n, seed + 1))
        t, c = time.perf_counter(), time.process_time()
        out["warmed_terms"] = idx.warm()
        out["warm_s"] = time.perf_counter() - t
        out["warm_cpu_s"] = time.process_time() - c
        out["warm"] = run(_queries(n, seed + 2))
        out["mem"] = _mem()
    return out


def child_graph(n: int) -> dict[str, Any]:
    """A fresh process that maps the snapshot, then suggests panels for stored requests."""
    out: dict[str, Any] = {}
    app = _app()
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from expertnet.consultation.models import Request
    from expertnet.extensions import db
    from expertnet.panel import cache
    from expertnet.panel.service import PANEL_STATES, suggestions_for_request

    with app.app_context():
        db.session.execute(select(1))
        out["mem_app"] = _mem()
        t, c = time.perf_counter(), time.process_time()
        eg = cache.get_graph()
        out["graph_ready_s"] = time.perf_counter() - t
        out["graph_ready_cpu_s"] = time.process_time() - c
        out["graph_people"] = len(eg.people)
        out["graph_experts"] = sum(1 for _ in eg.experts())
        out["graph_edges"] = int(eg.graph.number_of_edges())
        out["mem_graph"] = _mem()
        db.session.remove()
        ids = list(
            db.session.scalars(
                select(Request.id)
                .where(Request.state.in_(PANEL_STATES))
                .order_by(Request.id)
                .limit(n)
            )
        )
        db.session.remove()
        out["suggest_requests"] = len(ids)
        lat: list[float] = []
        cpu: list[float] = []
        unmet = 0
        for i, rid in enumerate(ids):
            # As the page does: the request loaded, then its suggestions (which check the
            # graph's version and read the request's documents).
            t, c = time.perf_counter(), time.process_time()
            req = db.session.scalars(
                select(Request)
                .where(Request.id == rid)
                .options(
                    selectinload(Request.fields),
                    selectinload(Request.subject_organizations),
                    selectinload(Request.invitations),
                )
            ).one()
            s = suggestions_for_request(req, 5)
            lat.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
            unmet += bool(s.unmet)
            db.session.remove()
            if i + 1 == MEM_AFTER:
                out["mem_after_suggestions"] = _mem()
        if "mem_after_suggestions" not in out:
            out["mem_after_suggestions"] = _mem()
        out["suggest_ms"] = {
            "first": lat[0] if lat else None,
            "p50": percentile(lat, 0.5),
            "p95": percentile(lat, 0.95),
            "max": max(lat) if lat else None,
            "cpu_p50": percentile(cpu, 0.5),
            "cpu_p95": percentile(cpu, 0.95),
        }
        out["suggest_unmet"] = unmet
        out["mem_end"] = _mem()
    return out


def child_main(args) -> int:
    if args.child == "requests":
        res = child_requests(args.target, args.seed)
    elif args.child == "search":
        res = child_search(args.queries, args.seed)
    elif args.child == "graph":
        res = child_graph(args.suggestions)
    else:
        raise SystemExit(f"unknown child step {args.child}")
    print("RESULT " + json.dumps(res), flush=True)
    return 0


# --- one size -----------------------------------------------------------------------------


def _dir_size(path: Path) -> int:
    if not path.exists():
        return 0
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _pg_database(admin_url: str, name: str, drop_only: bool = False) -> str:
    from sqlalchemy import create_engine, text

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if not drop_only:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return admin_url.rsplit("/", 1)[0] + "/" + name


def _pg_size(url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar()
    engine.dispose()
    return int(size or 0)


STEPS = ("init", "demo", "requests", "rebuild", "search", "snapshot", "graph")


def run_size(n: int, args, work: Path) -> dict[str, Any]:
    inst = work / f"n{n}"
    out = work / f"national-{n}{'-pg' if args.pg_url else ''}.json"
    only = [s for s in (args.only or "").split(",") if s]
    if only:
        # Again on a kept instance (``--keep``): the other steps' figures stay as they were.
        if not inst.exists():
            raise SystemExit(f"--only needs the instance {inst} of a --keep run")
        res = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    else:
        if inst.exists():
            shutil.rmtree(inst)
        inst.mkdir(parents=True)
        res = {}
    log = inst / "run.log"
    env = dict(os.environ)
    env.update(
        {
            "EXPERTNET_INSTANCE": str(inst),
            "PYTHONPATH": str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
        }
    )
    env.pop("EXPERTNET_DATABASE_URL", None)
    pg_url = None
    if args.pg_url:
        name = f"bench_national_{n}"
        pg_url = args.pg_url.rsplit("/", 1)[0] + "/" + name
        if not only:
            _pg_database(args.pg_url, name)
        env["EXPERTNET_DATABASE_URL"] = pg_url
        # A server database wants one key for every node; the bench's processes share this.
        env.setdefault("EXPERTNET_SECRET_KEY", "bench-national-" + "0" * 32)
        env.setdefault("EXPERTNET_BASE_URL", "http://localhost")  # for the invitations' links
    cli = str(Path(sys.executable).with_name("expertnet"))
    me = [sys.executable, str(Path(__file__).resolve())]
    res.update({"size": n, "database": "PostgreSQL" if pg_url else "SQLite"})
    res.setdefault("started", time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()))
    print(f"== {n:,} members ({res['database']}), log {log}", flush=True)

    class Steps(dict):
        """Each step's figures, written out as soon as it is done (a long run that
        stops half-way keeps what it measured)."""

        def __setitem__(self, key: str, value: dict[str, Any]) -> None:
            super().__setitem__(key, value)
            out.write_text(json.dumps(res, indent=1), encoding="utf-8")

    steps = res["steps"] = Steps(res.get("steps", {}))
    target = max(round(args.requests * n / 1_000_000), 0)
    commands = {
        "init": [cli, "init"],
        "demo": [cli, "demo", "--experts", str(n), "--seed", str(args.seed)],
        "requests": [*me, "--child", "requests", "--target", str(target), "--seed", str(args.seed)],
        "rebuild": [cli, "index", "rebuild"],
        "search": [
            *me,
            "--child",
            "search",
            "--queries",
            str(args.queries),
            "--seed",
            str(args.seed),
        ],
        "snapshot": [cli, "graph", "snapshot"],
        "graph": [*me, "--child", "graph", "--suggestions", str(args.suggestions)],
    }
    try:
        for step in STEPS:
            if not only or step in only:
                steps[step] = run_step(step, commands[step], env, log)
    except BaseException:
        if pg_url and not args.keep:
            _pg_database(args.pg_url, f"bench_national_{n}", drop_only=True)
        raise
    if pg_url:
        res["db_bytes"] = _pg_size(pg_url)
    else:
        res["db_bytes"] = sum(
            _dir_size(inst / f"expertnet.db{suffix}") for suffix in ("", "-wal", "-shm")
        )
    res["index_bytes"] = _dir_size(inst / "index")
    res["snapshot_bytes"] = _dir_size(inst / "graph")
    res["finished"] = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    out.write_text(json.dumps(res, indent=1), encoding="utf-8")
    if pg_url and not args.keep:
        _pg_database(args.pg_url, f"bench_national_{n}", drop_only=True)
    if not args.keep:
        shutil.rmtree(inst)
    return res


# --- the growth table -----------------------------------------------------------------------


def _f(x: Any, spec: str = ".1f") -> str:
    return "–" if x is None else format(x, spec)


def _tree(st: dict[str, Any]) -> str:
    if "peak_tree_pss_mb" in st:
        return f"{st['peak_tree_pss_mb']:.0f}"
    # Runs before the sampler read PSS summed the RSS (shared pages counted per process).
    return f"({st['peak_tree_rss_mb']:.0f} RSS summed)"


def _step(st: dict[str, Any]) -> str:
    return (
        f"{st['wall_s']:.1f} s / {st['cpu_s']:.1f} CPU-s ({st['cpu_share']:.0%}), "
        f"load {st['load_start']:.1f}→{st['load_end']:.1f}"
    )


def growth_table(results: list[dict[str, Any]], args) -> str:
    cols = [r["size"] for r in results]
    rows: list[tuple[str, list[str]]] = []

    def row(label: str, fn) -> None:
        cells = []
        for r in results:
            try:
                cells.append(fn(r))
            except (KeyError, TypeError):
                cells.append("–")
        rows.append((label, cells))

    req = lambda r: r["steps"]["requests"]["result"]  # noqa: E731
    srch = lambda r: r["steps"]["search"]["result"]  # noqa: E731
    gr = lambda r: r["steps"]["graph"]["result"]  # noqa: E731
    row("people", lambda r: f"{req(r)['people']:,}")
    row("experts (fields or expertise)", lambda r: f"{req(r)['experts']:,}")
    row(
        "requests (made by the bench) / forming a panel",
        lambda r: (
            f"{req(r)['requests']:,} ({req(r)['requests_made']:,}) / "
            f"{req(r)['requests_forming_panel']:,}"
        ),
    )
    row("`expertnet demo`: wall / CPU (share), load", lambda r: _step(r["steps"]["demo"]))
    row(
        "`expertnet demo`: peak RSS of the largest process / peak PSS of the process tree (MB)",
        lambda r: f"{r['steps']['demo']['peak_rss_mb']:.0f} / " + _tree(r["steps"]["demo"]),
    )
    row("requests step: wall / CPU (share), load", lambda r: _step(r["steps"]["requests"]))
    row(
        "`expertnet index rebuild`: wall / CPU (share), load",
        lambda r: _step(r["steps"]["rebuild"]),
    )
    row(
        "`expertnet index rebuild`: peak RSS of the largest process / peak PSS of the tree (MB)",
        lambda r: f"{r['steps']['rebuild']['peak_rss_mb']:.0f} / " + _tree(r["steps"]["rebuild"]),
    )
    for kind in ("one term", "two terms", "phrase", "facets"):
        row(
            f"search {kind}: p50 / p95 (ms), warm",
            lambda r, k=kind: f"{srch(r)['warm'][k]['p50']:.0f} / {srch(r)['warm'][k]['p95']:.0f}",
        )
    row(
        "search, all types: p50 / p95 / max (ms), warm",
        lambda r: (
            f"{srch(r)['warm']['all']['p50']:.0f} / {srch(r)['warm']['all']['p95']:.0f} / "
            f"{srch(r)['warm']['all']['max']:.0f}"
        ),
    )
    row(
        "search, all types: CPU p50 / p95 (CPU-ms), warm",
        lambda r: (
            f"{srch(r)['warm']['all']['cpu_p50']:.0f} / {srch(r)['warm']['all']['cpu_p95']:.0f}"
        ),
    )
    row(
        "search, all types: p95 (ms), cold (before `warm()`)",
        lambda r: f"{srch(r)['cold']['all']['p95']:.0f}",
    )
    row("search process: wall / CPU (share), load", lambda r: _step(r["steps"]["search"]))
    row(
        "`expertnet graph snapshot`: wall / CPU (share), load",
        lambda r: _step(r["steps"]["snapshot"]),
    )
    row(
        "`expertnet graph snapshot`: peak RSS (MB)",
        lambda r: f"{r['steps']['snapshot']['peak_rss_mb']:.0f}",
    )
    row(
        "graph: people / experts / edges",
        lambda r: (
            f"{gr(r)['graph_people']:,} / {gr(r)['graph_experts']:,} / {gr(r)['graph_edges']:,}"
        ),
    )
    row(
        "graph ready in a fresh process, mapping the snapshot (s wall / CPU-s)",
        lambda r: f"{gr(r)['graph_ready_s']:.2f} / " + _f(gr(r).get("graph_ready_cpu_s"), ".2f"),
    )
    for key, label in (
        ("mem_app", "app loaded"),
        ("mem_graph", "graph ready"),
        ("mem_after_suggestions", f"after {MEM_AFTER} suggestions"),
    ):
        row(
            f"app process RSS / PSS / USS / anonymous (MB), {label}",
            lambda r, k=key: (
                f"{gr(r)[k]['rss']:.0f} / {gr(r)[k]['pss']:.0f} / {gr(r)[k]['uss']:.0f} / "
                + _f(gr(r)[k].get("anon"), ".0f")
            ),
        )
    row(
        "suggestions (size 5), requests forming a panel: n, p50 / p95 / max (ms)",
        lambda r: (
            f"{gr(r)['suggest_requests']}: {gr(r)['suggest_ms']['p50']:.0f} / "
            f"{gr(r)['suggest_ms']['p95']:.0f} / {gr(r)['suggest_ms']['max']:.0f}"
        ),
    )
    row(
        "suggestions: CPU p50 / p95 (CPU-ms)",
        lambda r: f"{gr(r)['suggest_ms']['cpu_p50']:.0f} / {gr(r)['suggest_ms']['cpu_p95']:.0f}",
    )
    row(
        "suggestions: first call in the process (ms)",
        lambda r: f"{gr(r)['suggest_ms']['first']:.0f}",
    )
    row("suggestions process: wall / CPU (share), load", lambda r: _step(r["steps"]["graph"]))
    row("database on disk (MB)", lambda r: f"{r['db_bytes'] / 1e6:.0f}")
    row("index on disk (MB)", lambda r: f"{r['index_bytes'] / 1e6:.0f}")
    row("graph snapshot on disk (MB)", lambda r: f"{r['snapshot_bytes'] / 1e6:.0f}")

    head = "| measure | " + " | ".join(f"{c:,}" for c in cols) + " |"
    sep = "|---|" + "---:|" * len(cols)
    body = [f"| {label} | " + " | ".join(cells) + " |" for label, cells in rows]
    targets = (
        f"Targets: suggestions p95 ≤ {SUGGEST_P95_MS[108_000]:.0f} ms at 108,000 and "
        f"≤ {SUGGEST_P95_MS[1_000_000]:.0f} ms at 1,000,000 members; an app process "
        f"≤ {APP_PROCESS_MB_AT_108K:.0f} MB at 108,000."
    )
    dbs = sorted({r["database"] for r in results})
    note = (
        f"`python bench/national.py --sizes {' '.join(str(c) for c in cols)}"
        f"{' --pg-url …' if 'PostgreSQL' in dbs else ''}` on {', '.join(dbs)}; "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPUs; runs started "
        + ", ".join(f"{r['size']:,}: {r['started']} UTC" for r in results)
        + ". CPU share = CPU seconds (the process and the children it waited for) / wall "
        "seconds; load = 1-minute load average at the start → end of the step."
    )
    return "\n".join([note, "", targets, "", head, sep, *body, ""])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[20_000, 108_000, 300_000, 1_000_000])
    ap.add_argument(
        "--requests", type=int, default=REQUESTS_AT_1M, help="requests at 1,000,000 members"
    )
    ap.add_argument("--queries", type=int, default=50, help="search queries of each type")
    ap.add_argument("--suggestions", type=int, default=200, help="requests to suggest for")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "expertnet-bench-national"
    )
    ap.add_argument("--pg-url", default=None, help="PostgreSQL admin URL (bench_national_N)")
    ap.add_argument("--keep", action="store_true", help="keep each size's instance")
    ap.add_argument(
        "--only",
        default=None,
        help=f"run only these steps again on a kept instance, comma-separated: {','.join(STEPS)}",
    )
    ap.add_argument("--markdown", type=Path, default=None)
    ap.add_argument("--table-only", action="store_true", help="the table from earlier runs")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--target", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return child_main(args)

    args.workdir.mkdir(parents=True, exist_ok=True)
    suffix = "-pg" if args.pg_url else ""
    results = []
    for n in args.sizes:
        if args.table_only:
            path = args.workdir / f"national-{n}{suffix}.json"
            if path.exists():
                results.append(json.loads(path.read_text(encoding="utf-8")))
            continue
        results.append(run_size(n, args, args.workdir))
        text = growth_table(results, args)  # after each size, so a long run shows progress
        if args.markdown:
            args.markdown.write_text(text, encoding="utf-8")
    text = growth_table(results, args)
    print(text)
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
