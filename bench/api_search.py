"""The API search against the index's own search, side by side on the same queries (issue 17).

Issue 17 asks that a search through ``GET /api/v1/experts?q=…`` cost at most twice what
the Whoosh index search alone costs for the same queries. This runs, in one process on an
existing instance, ``bench/search.py``'s query set (one term, two terms, phrase, facets;
half typed without diacritics; names sampled from the database, phrases from the
taxonomy, as ``bench/national.py`` builds it) two ways, query by query:

- **index**: ``ExpertIndex.search(SearchQuery)``, the call the search service makes, with
  the very query the service builds from the request's arguments (built beforehand, off
  the clock);
- **API**: ``GET /api/v1/experts?q=…&facets=0|1`` with a bearer token, sent through the
  Flask test client: token lookup, argument parsing, the index search, loading the page's
  20 people, JSON. Its cost is the app's own, measured around the WSGI call (from the
  environ in to the last byte of the body out, teardown included) as a server pays it;
  the whole test-client call (which also builds the environ and wraps the response) is
  given beside it as **client**. Facets are asked for only by the facet queries, on
  both sides.

Every query first runs once on each side untimed (so both meet a warm index), then each
side is timed on every query ``--repeat`` times, the two sides alternating which goes
first; ``--profile`` adds one more pass under cProfile and ``--parts`` one that gives the
API's CPU part by part (token, service, index, people, JSON, hooks), after the timed
ones. Each call's cost is the thread's CPU time (``time.thread_time``; SQLite runs in
this thread, so it is included) and its wall time; the API side also counts its SQL
statements. Both answers are compared (the same total and the same ids in the same
order), so the two sides measure the same work.

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
#: What is timed: the index call, the app's WSGI call, the whole test-client call.
MEASURES = ("index", "api", "client")


def _stats(values: list[float]) -> dict[str, float]:
    return {
        "p50": percentile(values, 0.5),
        "p95": percentile(values, 0.95),
        "mean": sum(values) / len(values) if values else float("nan"),
    }


def _parts(app: Any, run: Any) -> dict[str, float]:
    """Thread CPU of the API's parts over one call of ``run`` (which returns the app's CPU
    ms of each request it sent), per request: the functions below are wrapped for the
    pass (no profiler), then restored."""
    import flask
    import flask.ctx

    import expertnet.search.service as service
    from expertnet.auth import queries as auth_queries
    from search_index.index import ExpertIndex

    wrapped = [
        (flask.ctx.RequestContext, "push", "request context in (session opened)"),
        (flask.Flask, "preprocess_request", "before-request hooks (token included)"),
        (auth_queries, "token_by_hash", "of which: the token's statement (connection in)"),
        (service, "search_experts", "the search service"),
        (ExpertIndex, "search", "of which: the index search"),
        (service, "person_summaries", "of which: the page's people"),
        (type(app.json), "response", "JSON of the answer"),
        (flask.Flask, "finalize_request", "after-request hooks"),
        (flask.ctx.RequestContext, "pop", "request context out (teardown, rollback)"),
    ]
    spent = {label: 0.0 for _o, _n, label in wrapped}
    saved = [(owner, name, vars(owner).get(name)) for owner, name, _l in wrapped]

    def timer(fn: Any, label: str) -> Any:
        def timed(*a: Any, **k: Any) -> Any:
            c0 = time.thread_time()
            try:
                return fn(*a, **k)
            finally:
                spent[label] += time.thread_time() - c0

        return timed

    for owner, name, label in wrapped:
        setattr(owner, name, timer(getattr(owner, name), label))
    try:
        served = run()
    finally:
        for owner, name, fn in saved:
            if fn is None:
                delattr(owner, name)  # it was inherited
            else:
                setattr(owner, name, fn)
    out = {"the app's whole WSGI call": sum(served) / len(served)}
    out.update((label, seconds * 1000 / len(served)) for label, seconds in spent.items())
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--email", help="the token's user (default: the first coordinator)")
    parser.add_argument("--queries", type=int, default=50, help="queries of each type")
    parser.add_argument("--repeat", type=int, default=2, help="timed passes over the set")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--profile", choices=SIDES, action="append", default=[])
    parser.add_argument(
        "--parts", action="store_true", help="one more pass: the API's CPU, part by part"
    )
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
    client = app.test_client(use_cookies=False)  # a bearer client keeps no cookies
    # The app's own cost of each answer: its WSGI call and the body it returns.
    inner, served = app.wsgi_app, {}

    def timed_wsgi(environ, start_response):
        c0, w0 = time.thread_time(), time.perf_counter()
        body = inner(environ, start_response)
        try:
            data = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        served["cpu"] = (time.thread_time() - c0) * 1000
        served["wall"] = (time.perf_counter() - w0) * 1000
        return [data]

    app.wsgi_app = timed_wsgi
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

    def api(url: str):
        return client.get(url, headers=headers)

    def check(r) -> dict:
        if r.status_code != 200:
            raise SystemExit(f"{r.request.url}: {r.status_code} {r.get_data(as_text=True)[:300]}")
        return r.get_json()

    # Untimed pass: both sides meet the same warm index; the answers must agree.
    mismatches = 0
    for _kind, url, sq in cases:
        res = idx.search(sq)
        body = check(api(url))
        if body["total"] != res.total or [i["id"] for i in body["items"]] != [
            h["id"] for h in res.hits
        ]:
            mismatches += 1
            print(f"answers differ: {url}")
    if mismatches:
        print(f"{mismatches} of {len(cases)} answers differ (a person deleted since indexing?)")

    cpu: dict[str, dict[str, list[float]]] = {m: {k: [] for k in queries} for m in MEASURES}
    wall: dict[str, dict[str, list[float]]] = {m: {k: [] for k in queries} for m in MEASURES}
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
                    r = api(url)
                c1, w1 = time.thread_time(), time.perf_counter()
                if side == "index":
                    cpu["index"][kind].append((c1 - c0) * 1000)
                    wall["index"][kind].append((w1 - w0) * 1000)
                    continue
                check(r)
                cpu["client"][kind].append((c1 - c0) * 1000)
                wall["client"][kind].append((w1 - w0) * 1000)
                cpu["api"][kind].append(served["cpu"])
                wall["api"][kind].append(served["wall"])
                sql.append(statements[0])
    load_after = os.getloadavg()[0]
    # Profiles in a pass of their own, after the timed ones: a profiler slows what it sees.
    profiles = {s: cProfile.Profile() for s in args.profile}
    for side, prof in profiles.items():
        for _kind, url, sq in cases:
            prof.enable()
            idx.search(sq) if side == "index" else api(url)
            prof.disable()

    def served_cpu() -> list[float]:
        out = []
        for _kind, url, _sq in cases:
            check(api(url))
            out.append(served["cpu"])
        return out

    parts = _parts(app, served_cpu) if args.parts else {}
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
        for m in MEASURES:
            c = [x for v in cpu[m].values() for x in v] if kind == "all" else cpu[m][kind]
            w = [x for v in wall[m].values() for x in v] if kind == "all" else wall[m][kind]
            row[m] = {"cpu": _stats(c), "wall": _stats(w)}
        for m in ("api", "client"):
            for q in ("p50", "p95"):
                row[f"{m}_ratio_cpu_{q}"] = row[m]["cpu"][q] / row["index"]["cpu"][q]
            row[f"{m}_ratio_wall_p95"] = row[m]["wall"]["p95"] / row["index"]["wall"]["p95"]
        result["kinds"][kind] = row

    lines = [
        f"Code {ROOT}; {result['documents']} people; {args.queries} queries of each type "
        f"× {args.repeat} timed passes; load average {load_before:.1f} → {load_after:.1f}; "
        f"{result['sql_per_api_search']:.1f} SQL statements per API search.",
        "",
        "| query type | index CPU p50 / p95 (ms) | API CPU p50 / p95 (ms) "
        "| API/index CPU p50 / p95 | API/index wall p95 "
        "| client CPU p50 / p95 (ms) | client/index CPU p95 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for kind in kinds:
        r = result["kinds"][kind]
        ic, ac, cc = r["index"]["cpu"], r["api"]["cpu"], r["client"]["cpu"]
        lines.append(
            f"| {kind} | {ic['p50']:.2f} / {ic['p95']:.2f} | {ac['p50']:.2f} / {ac['p95']:.2f} "
            f"| {r['api_ratio_cpu_p50']:.2f} / {r['api_ratio_cpu_p95']:.2f} "
            f"| {r['api_ratio_wall_p95']:.2f} "
            f"| {cc['p50']:.2f} / {cc['p95']:.2f} | {r['client_ratio_cpu_p95']:.2f} |"
        )
    ratio = result["kinds"]["all"]["api_ratio_cpu_p95"]
    verdict = "meets" if ratio <= TARGET_RATIO else "misses"
    lines += ["", f"All queries: API CPU p95 = {ratio:.2f} × the index's ({verdict} ≤ 2×)."]
    text = "\n".join(lines)
    print(text)
    for side, prof in profiles.items():
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(50)
        print(f"\n--- profile: {side} ---\n{out.getvalue()}")
    if parts:
        result["parts_ms_per_request"] = parts
        lines = ["", "API, part by part (CPU ms per request, a pass of its own):", ""]
        lines += [f"- {name}: {ms:.2f}" for name, ms in parts.items()]
        text += "\n".join(lines)
        print("\n".join(lines))
    if args.markdown:
        Path(args.markdown).write_text(text + "\n", encoding="utf-8")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
