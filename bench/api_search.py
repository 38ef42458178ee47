"""The API search against the index's own search, side by side on the same queries (issue 17).

Issue 17 asks that a search through ``GET /api/v1/experts?q=…`` cost at most twice what
the Whoosh index search alone costs for the same queries. This runs, in one process on an
existing instance, ``bench/search.py``'s query set (one term, two terms, phrase, facets;
half typed without diacritics; names sampled from the database, phrases from the
taxonomy, as ``bench/national.py`` builds it) two ways, query by query:

- **index**: ``ExpertIndex.search(SearchQuery)``, the call the search service makes, with
  the very query the service builds from the request's arguments (built beforehand, off
  the clock);
- **API**: ``GET /api/v1/experts?q=…&facets=0|1`` through the Flask test client with a
  bearer token: token lookup, argument parsing, the index search, loading the page's 20
  people, JSON. Facets are asked for only by the facet queries, on both sides.

Every query first runs once on each side untimed (so both meet a warm index), then each
side is timed on every query ``--repeat`` times, the two sides alternating which goes
first; ``--profile`` adds one more pass under cProfile, after the timed ones. Each call's
cost is the thread's CPU time (``time.thread_time``; SQLite runs in this thread, so it is
included) and its wall time; the API side also counts its SQL statements. Both answers
are compared (the same total and the same ids in the same order), so the two sides
measure the same work.

    EXPERTNET_INSTANCE=… python bench/api_search.py [--email coordinator@…] \\
        [--queries 50] [--repeat 2] [--profile api] [--markdown out.md] [--json out.json]

Without ``--email`` the first active coordinator is used (staff search everyone). A
token is made for the run and deleted at the end. To compare two trees, run this file
from a checkout of each (it measures the tree it lives in).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._tokens import delete_bench_token, issue_bench_token  # noqa: E402
from bench.national import _queries, percentile  # noqa: E402

#: The target: API p95 at most this many times the index's own p95.
TARGET_RATIO = 2.0
SIDES = ("index", "api")


def _stats(values: list[float]) -> dict[str, float]:
    return {
        "p50": percentile(values, 0.5),
        "p95": percentile(values, 0.95),
        "mean": sum(values) / len(values) if values else float("nan"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--email", help="the token's user (default: the first coordinator)")
    parser.add_argument("--queries", type=int, default=50, help="queries of each type")
    parser.add_argument("--repeat", type=int, default=2, help="timed passes over the set")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--profile", choices=SIDES, action="append", default=[])
    parser.add_argument("--markdown", help="also write the table to this file")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args(argv)

    from sqlalchemy import event, select
    from werkzeug.datastructures import MultiDict

    from expertnet import create_app
    from expertnet.auth.models import User
    from expertnet.extensions import db
    from expertnet.search.index import get_index
    from expertnet.search.service import _query_from_args

    app = create_app({"EXPERTNET_INDEX_SYNC": False, "EXPERTNET_INDEX_WARM": False})
    with app.app_context():
        email = args.email or db.session.scalar(
            select(User.email)
            .where(User.role == "coordinator", User.active.is_(True))
            .order_by(User.id)
        )
        queries = _queries(args.queries, args.seed)
        engine = db.engine
    token_id, user_id, plain = issue_bench_token(app, email, "bench/api_search.py")
    headers = {"Authorization": f"Bearer {plain}"}
    client = app.test_client()
    idx = get_index(app)
    t0, c0 = time.perf_counter(), time.process_time()
    warmed = idx.warm()
    print(
        f"{idx.doc_count()} documents; warm() {warmed} terms in "
        f"{time.perf_counter() - t0:.1f} s ({time.process_time() - c0:.1f} CPU-s)"
    )

    # Every query as the API gets it and as the service hands it to the index.
    cases: list[tuple[str, str, Any]] = []
    with app.test_request_context():
        user = db.session.get(User, user_id)
        for kind, qs in queries.items():
            for q in qs:
                qargs = {"q": q, "facets": "1" if kind == "facets" else "0"}
                sq = _query_from_args(MultiDict(qargs), user)
                cases.append((kind, "/api/v1/experts?" + urlencode(qargs), sq))

    statements = [0]

    @event.listens_for(engine, "before_cursor_execute")
    def _count(*_a, **_k):
        statements[0] += 1

    def api(url: str) -> dict:
        r = client.get(url, headers=headers)
        if r.status_code != 200:
            raise SystemExit(f"{url}: {r.status_code} {r.get_data(as_text=True)[:300]}")
        return r.get_json()

    # Untimed pass: both sides meet the same warm index; the answers must agree.
    mismatches = 0
    for _kind, url, sq in cases:
        res = idx.search(sq)
        body = api(url)
        if body["total"] != res.total or [i["id"] for i in body["items"]] != [
            h["id"] for h in res.hits
        ]:
            mismatches += 1
            print(f"answers differ: {url}")
    if mismatches:
        print(f"{mismatches} of {len(cases)} answers differ (a person deleted since indexing?)")

    cpu: dict[str, dict[str, list[float]]] = {s: {k: [] for k in queries} for s in SIDES}
    wall: dict[str, dict[str, list[float]]] = {s: {k: [] for k in queries} for s in SIDES}
    sql: list[int] = []
    load_before = os.getloadavg()[0]
    for rep in range(args.repeat):
        for n, (kind, url, sq) in enumerate(cases):
            order = SIDES if (n + rep) % 2 == 0 else SIDES[::-1]
            for side in order:
                statements[0] = 0
                c0, w0 = time.thread_time(), time.perf_counter()
                if side == "index":
                    idx.search(sq)
                else:
                    api(url)
                cpu[side][kind].append((time.thread_time() - c0) * 1000)
                wall[side][kind].append((time.perf_counter() - w0) * 1000)
                if side == "api":
                    sql.append(statements[0])
    load_after = os.getloadavg()[0]
    # Profiles in a pass of their own, after the timed ones: a profiler slows what it sees.
    profiles = {s: cProfile.Profile() for s in args.profile}
    for side, prof in profiles.items():
        for _kind, url, sq in cases:
            prof.enable()
            idx.search(sq) if side == "index" else api(url)
            prof.disable()
    delete_bench_token(app, token_id)

    kinds = [*queries, "all"]
    result: dict[str, Any] = {
        "code": str(ROOT),
        "instance": app.instance_path,
        "documents": idx.doc_count(),
        "queries_per_kind": args.queries,
        "repeat": args.repeat,
        "load": [load_before, load_after],
        "sql_per_api_search": sum(sql) / len(sql),
        "kinds": {},
    }
    for kind in kinds:
        row: dict[str, Any] = {}
        for side in SIDES:
            c = [x for v in cpu[side].values() for x in v] if kind == "all" else cpu[side][kind]
            w = [x for v in wall[side].values() for x in v] if kind == "all" else wall[side][kind]
            row[side] = {"cpu": _stats(c), "wall": _stats(w)}
        row["ratio_cpu_p95"] = row["api"]["cpu"]["p95"] / row["index"]["cpu"]["p95"]
        row["ratio_cpu_p50"] = row["api"]["cpu"]["p50"] / row["index"]["cpu"]["p50"]
        row["ratio_wall_p95"] = row["api"]["wall"]["p95"] / row["index"]["wall"]["p95"]
        result["kinds"][kind] = row

    lines = [
        f"Code {ROOT}; {result['documents']} people; {args.queries} queries of each type "
        f"× {args.repeat} timed passes; load average {load_before:.1f} → {load_after:.1f}; "
        f"{result['sql_per_api_search']:.1f} SQL statements per API search.",
        "",
        "| query type | index CPU p50 / p95 (ms) | API CPU p50 / p95 (ms) "
        "| index wall p50 / p95 (ms) | API wall p50 / p95 (ms) "
        "| API/index CPU p50 | API/index CPU p95 | API/index wall p95 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind in kinds:
        r = result["kinds"][kind]
        ic, ac, iw, aw = r["index"]["cpu"], r["api"]["cpu"], r["index"]["wall"], r["api"]["wall"]
        lines.append(
            f"| {kind} | {ic['p50']:.2f} / {ic['p95']:.2f} | {ac['p50']:.2f} / {ac['p95']:.2f} "
            f"| {iw['p50']:.2f} / {iw['p95']:.2f} | {aw['p50']:.2f} / {aw['p95']:.2f} "
            f"| {r['ratio_cpu_p50']:.2f} | {r['ratio_cpu_p95']:.2f} | {r['ratio_wall_p95']:.2f} |"
        )
    ratio = result["kinds"]["all"]["ratio_cpu_p95"]
    verdict = "meets" if ratio <= TARGET_RATIO else "misses"
    lines += ["", f"All queries: API CPU p95 = {ratio:.2f} × the index's ({verdict} ≤ 2×)."]
    text = "\n".join(lines)
    print(text)
    for side, prof in profiles.items():
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(50)
        print(f"\n--- profile: {side} ---\n{out.getvalue()}")
    if args.markdown:
        Path(args.markdown).write_text(text + "\n", encoding="utf-8")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
