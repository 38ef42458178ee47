"""CPU per answer of each endpoint of the load mix, measured in one process.

``bench/load.py`` measures a node over HTTP; this runs the same requests through the
Flask test client in one thread, so each answer's cost is its own: the thread's CPU
time (``time.thread_time``: the app's Python, the driver, JSON; not PostgreSQL's), the
wall time (which includes the database's) and the number of SQL statements. Endpoints
are interleaved round by round, so a change in the machine's load touches them alike.

    EXPERTNET_DATABASE_URL=… python bench/endpoints.py --email coordinator@… \\
        --rounds 40 [--profile suggestions] [--markdown out.md]

The user must be staff (the request list and suggestions are staff answers); a token is
made for the run and revoked at the end. ``--profile NAME`` prints a cProfile of that
endpoint's requests (cumulative time, the top 40 functions).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._tokens import delete_bench_token, issue_bench_token  # noqa: E402
from bench.load import SEARCHES  # noqa: E402

ENDPOINTS = [
    "search",
    "search (index only)",
    "profile",
    "organisations",
    "request list",
    "suggestions",
    "healthz",
]


def _p(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--email", required=True, help="a staff member's e-mail")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", choices=ENDPOINTS, action="append", default=[])
    parser.add_argument("--markdown", help="also write the table to this file")
    parser.add_argument("--label", default="", help="a name for this run in the table")
    args = parser.parse_args(argv)

    from sqlalchemy import event

    from expertnet import create_app
    from expertnet.auth.models import User
    from expertnet.extensions import db
    from expertnet.search.index import get_index
    from expertnet.search.service import _query_from_args

    app = create_app({"EXPERTNET_INDEX_SYNC": False})
    token_id, user_id, plain = issue_bench_token(app, args.email, "bench/endpoints.py")
    headers = {"Authorization": f"Bearer {plain}"}
    client = app.test_client()

    def get(path: str):
        r = client.get(path, headers=headers)
        if r.status_code != 200:
            raise SystemExit(f"{path}: {r.status_code} {r.get_data(as_text=True)[:300]}")
        return r.get_json()

    experts: list[int] = []
    for q in SEARCHES[:8]:
        experts += [i["id"] for i in get(f"/api/v1/experts?q={q}&per_page=50")["items"]]
    orgs = get("/api/v1/organizations")
    org_pages = max(1, -(-orgs["total"] // max(1, orgs["per_page"])))
    requests_ = [
        i["id"]
        for i in get("/api/v1/requests?per_page=100")["items"]
        if client.get(
            f"/api/v1/requests/{i['id']}/panel/suggestions?size=5", headers=headers
        ).status_code
        == 200
    ]
    rng = random.Random(args.seed)

    def path(name: str) -> str:
        if name == "search":
            return f"/api/v1/experts?q={rng.choice(SEARCHES)}&page={rng.randint(1, 3)}"
        if name == "profile":
            return f"/api/v1/experts/{rng.choice(experts)}"
        if name == "organisations":
            return f"/api/v1/organizations?page={rng.randint(1, min(org_pages, 6))}"
        if name == "request list":
            return "/api/v1/requests"
        if name == "suggestions":
            return f"/api/v1/requests/{rng.choice(requests_)}/panel/suggestions?size=5"
        if name == "healthz":
            return "/healthz"
        raise ValueError(name)

    statements = [0]
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _count(*_a, **_k):
        statements[0] += 1

    index_user = [None]

    def index_only() -> None:
        # The index's own part of a search answer: parse the arguments, search, facets.
        from werkzeug.datastructures import MultiDict

        q = MultiDict({"q": rng.choice(SEARCHES), "page": str(rng.randint(1, 3))})
        with app.test_request_context():
            if index_user[0] is None:
                index_user[0] = db.session.get(User, user_id)
            get_index(app).search(_query_from_args(q, index_user[0]))

    cpu: dict[str, list[float]] = {n: [] for n in ENDPOINTS}
    wall: dict[str, list[float]] = {n: [] for n in ENDPOINTS}
    sql: dict[str, list[int]] = {n: [] for n in ENDPOINTS}
    profiles = {n: cProfile.Profile() for n in args.profile}
    order = list(ENDPOINTS)
    for _ in range(3):  # warm every path once more (caches, first compiles)
        for name in order:
            index_only() if name == "search (index only)" else get(path(name))
    load_before = __import__("os").getloadavg()[0]
    for _round in range(args.rounds):
        rng.shuffle(order)
        for name in order:
            prof = profiles.get(name)
            statements[0] = 0
            c0, w0 = time.thread_time(), time.perf_counter()
            if prof:
                prof.enable()
            if name == "search (index only)":
                index_only()
            else:
                get(path(name))
            if prof:
                prof.disable()
            cpu[name].append((time.thread_time() - c0) * 1000)
            wall[name].append((time.perf_counter() - w0) * 1000)
            sql[name].append(statements[0])
    load_after = __import__("os").getloadavg()[0]
    delete_bench_token(app, token_id)

    label = f" {args.label}" if args.label else ""
    rows = [
        f"In-process{label}: {args.rounds} rounds, load average {load_before:.1f} → "
        f"{load_after:.1f}",
        "",
        "| endpoint | CPU mean (ms) | CPU p50 | CPU p95 | wall p50 (ms) | wall p95 | SQL |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name in ENDPOINTS:
        c, w = sorted(cpu[name]), sorted(wall[name])
        rows.append(
            f"| {name} | {statistics.fmean(c):.1f} | {_p(c, 50):.1f} | {_p(c, 95):.1f} "
            f"| {_p(w, 50):.1f} | {_p(w, 95):.1f} | {statistics.fmean(sql[name]):.1f} |"
        )
    mix = {"search": 35, "profile": 25, "organisations": 15, "request list": 15, "suggestions": 10}
    mean = sum(statistics.fmean(cpu[n]) * w for n, w in mix.items()) / sum(mix.values())
    rows += ["", f"Weighted by the load mix: {mean:.1f} ms of app CPU per answer."]
    text = "\n".join(rows)
    print(text)
    for name, prof in profiles.items():
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(40)
        print(f"\n--- profile: {name} ---\n{out.getvalue()}")
    if args.markdown:
        Path(args.markdown).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
