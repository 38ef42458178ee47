"""The fixed cost of a request: CPU and SQL statements of three cheap answers, in one process.

``/healthz``, an anonymous ``GET /api/v1/organizations`` and a bearer-token search
``GET /api/v1/experts?q=…`` go through the Flask test client round by round (interleaved,
so a change in the machine's load touches them alike). Each request's cost is the thread's
CPU time (``time.thread_time``) and the number of SQL statements it ran.

    EXPERTNET_INSTANCE=… python bench/request_cost.py --email coordinator@… \\
        --rounds 500 [--profile healthz] [--json out.json]

To compare two trees, run it alternately with ``PYTHONPATH=<old tree>`` and
``PYTHONPATH=<new tree>``: the first directory on the path is the code measured. A token is
made for the run and deleted at the end.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._tokens import delete_bench_token, issue_bench_token  # noqa: E402

ENDPOINTS = {
    "healthz": ("/healthz", False),
    "organisations (anonymous)": ("/api/v1/organizations", False),
    "search (token)": ("/api/v1/experts?q=%C4%91i%E1%BB%87n", True),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--email", required=True, help="the token's user (any active user)")
    parser.add_argument("--rounds", type=int, default=500)
    parser.add_argument("--profile", choices=list(ENDPOINTS), action="append", default=[])
    parser.add_argument("--json", help="write the per-endpoint figures to this file")
    args = parser.parse_args(argv)

    from sqlalchemy import event

    from expertnet import create_app
    from expertnet.extensions import db

    app = create_app({"EXPERTNET_INDEX_SYNC": False})
    token_id, _, plain = issue_bench_token(app, args.email, "bench/request_cost.py")
    with app.app_context():
        engine = db.engine
    bearer = {"Authorization": f"Bearer {plain}"}
    client = app.test_client()
    statements = [0]

    @event.listens_for(engine, "before_cursor_execute")
    def _count(*_a, **_k):
        statements[0] += 1

    def get(name: str) -> None:
        path, token = ENDPOINTS[name]
        r = client.get(path, headers=bearer if token else None)
        if r.status_code != 200:
            raise SystemExit(f"{path}: {r.status_code} {r.get_data(as_text=True)[:300]}")

    for _ in range(5):  # warm every path (caches, first compiles)
        for name in ENDPOINTS:
            get(name)
    cpu: dict[str, list[float]] = {n: [] for n in ENDPOINTS}
    sql: dict[str, list[int]] = {n: [] for n in ENDPOINTS}
    profiles = {n: cProfile.Profile() for n in args.profile}
    load_before = os.getloadavg()[0]
    for _round in range(args.rounds):
        for name in ENDPOINTS:
            prof = profiles.get(name)
            statements[0] = 0
            c0 = time.thread_time()
            if prof:
                prof.enable()
            get(name)
            if prof:
                prof.disable()
            cpu[name].append((time.thread_time() - c0) * 1000)
            sql[name].append(statements[0])
    load_after = os.getloadavg()[0]
    delete_bench_token(app, token_id)

    import expertnet

    out = {
        "code": os.path.dirname(os.path.dirname(expertnet.__file__)),
        "load": [load_before, load_after],
        "endpoints": {
            n: {
                "cpu_mean_ms": statistics.fmean(cpu[n]),
                "cpu_p50_ms": statistics.median(cpu[n]),
                "sql": statistics.fmean(sql[n]),
            }
            for n in ENDPOINTS
        },
    }
    print(f"{out['code']}: load {load_before:.1f} → {load_after:.1f}")
    for n, v in out["endpoints"].items():
        print(
            f"  {n:28} CPU mean {v['cpu_mean_ms']:6.2f} ms  p50 {v['cpu_p50_ms']:6.2f} ms"
            f"  SQL {v['sql']:.1f}"
        )
    for name, prof in profiles.items():
        s = io.StringIO()
        pstats.Stats(prof, stream=s).sort_stats("cumulative").print_stats(45)
        print(f"\n--- profile: {name} ---\n{s.getvalue()}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(out, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
