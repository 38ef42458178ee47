"""The search index rebuild of an existing instance, serial and parallel, side by side.

Runs ``rebuild_index()`` with ``EXPERTNET_INDEX_PROCS`` 1 and 2 (alternately, ``--runs``
times each) and reports wall time, the CPU time of this process and of its workers
(``RUSAGE_CHILDREN``) and the load average: on two cores a parallel rebuild shows
about twice as much CPU as wall time when the machine is otherwise idle.

    EXPERTNET_INSTANCE=/path/to/instance python bench/index_rebuild.py --runs 2
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args()

    from expertnet import create_app
    from expertnet.extensions import db
    from expertnet.search.index import rebuild_index

    app = create_app()
    results: dict[int, list[tuple[float, float, float, float]]] = {1: [], 2: []}
    people = 0
    with app.app_context():
        for _ in range(args.runs):
            for procs in (2, 1):
                app.config["EXPERTNET_INDEX_PROCS"] = procs
                load = os.getloadavg()[0]
                c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
                p0 = time.process_time()
                t0 = time.perf_counter()
                people = rebuild_index()
                wall = time.perf_counter() - t0
                parent = time.process_time() - p0
                c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
                children = (c1.ru_utime + c1.ru_stime) - (c0.ru_utime + c0.ru_stime)
                results[procs].append((wall, parent, children, load))
                db.session.remove()
    print(f"{people:,} people; load average at the end {os.getloadavg()[0]:.1f}")
    print("| workers | wall (s) | CPU this process (s) | CPU workers (s) | CPU / wall | load |")
    print("|---:|---:|---:|---:|---:|---:|")
    for procs, rows in results.items():
        for wall, parent, children, load in rows:
            print(
                f"| {procs} | {wall:.1f} | {parent:.1f} | {children:.1f} "
                f"| {(parent + children) / wall:.2f} | {load:.1f} |"
            )
    for procs, rows in results.items():
        print(f"median wall with {procs} worker(s): {statistics.median(r[0] for r in rows):.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
