"""Memory and time of the expert graph per process: a build, a mapped snapshot, a patch.

Each measurement runs in a fresh Python process (so RSS is the process's own):

- ``build``: the process builds the graph itself (``cache.refresh``, which also writes
  the snapshot to the instance folder) — what every process did before the snapshot.
- ``map``: a second process finds the snapshot file and maps it (``cache.get_graph``):
  the time to load it, then RSS/PSS/USS after 50 suggestions and 50 ego networks.
- ``patch``: in that process, one profile edit committed, then ``get_graph`` patches the
  snapshot; the time of the patch (median of ``--edits``).

``--code PATH`` runs the same steps with the package found under PATH (an older
checkout), for the before/after table; older code has no snapshot, so only ``build``
is measured there. The data is the panel benchmark's SQLite file (``bench/panel.py``
makes it).

    python bench/graph_snapshot.py --db /tmp/expertnet-bench-panel/panel-108000-1.db
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import json, os, random, sys, time
sys.path.insert(0, {code!r})
step, db_path, inst, edits = {step!r}, {db!r}, {inst!r}, {edits!r}


def mem():
    out = {{}}
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1]) / 1024
    try:
        with open("/proc/self/smaps_rollup") as fh:
            for line in fh:
                k = line.split(":")[0]
                if k in ("Pss", "Private_Clean", "Private_Dirty"):
                    out[k] = int(line.split()[1]) / 1024
    except OSError:
        pass
    out["USS"] = out.get("Private_Clean", 0) + out.get("Private_Dirty", 0)
    return out


from expertnet import create_app
from expertnet.extensions import db
from expertnet.panel import cache

app = create_app({{
    "INSTANCE_PATH": inst,
    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{{db_path}}",
    "SECRET_KEY": "bench" * 8,
    "EXPERTNET_INDEX_DIR": os.path.join(inst, "index"),
    "EXPERTNET_GRAPH_BACKGROUND": False,
}})
res = {{"step": step, "rss_create_app": mem()["VmRSS"]}}
with app.app_context():
    from flask_migrate import upgrade
    upgrade()
    db.session.remove()
    res["rss_app"] = mem()["VmRSS"]
    t = time.perf_counter()
    if step == "build":
        eg = cache.refresh(db.engine) if hasattr(cache, "snapshot_root") else cache.get_graph()
    else:
        eg = cache.get_graph()
    res["seconds"] = time.perf_counter() - t
    res["cpu_seconds"] = time.process_time()
    res["people"] = len(eg.people)
    db.session.remove()

    # Use it as a server would: suggestions and ego networks touch the arrays.
    from expertnet.panel.network import Viewer, ego_network
    from expertnet.panel.suggest import RequestProfile, suggest
    from expertnet.directory.taxonomy import DISCIPLINES

    rng = random.Random(1)
    experts = sorted(eg.experts())
    t = time.perf_counter()
    for i in range(50):
        d = rng.choice(DISCIPLINES)
        suggest(RequestProfile(request_id=None, title=d.name, field_codes=(d.code,)), 5,
                graph=eg)
        ego_network(eg, rng.choice(experts), 2, Viewer("coordinator"))
    res["use_seconds"] = time.perf_counter() - t
    res["mem"] = mem()

    if step == "map" and edits:
        from expertnet.directory.models import Person
        times = []
        for i in range(edits):
            p = db.session.get(Person, rng.choice(experts))
            p.position = f"Chuyên viên {{rng.randrange(10**6)}}"
            db.session.commit()
            t = time.perf_counter()
            eg = cache.get_graph()
            times.append(time.perf_counter() - t)
            db.session.commit()
            res.setdefault("rss_per_edit", []).append(round(mem()["VmRSS"]))
        res["patch_seconds"] = times
        res["patched_people"] = eg.patched_people
        res["mem_after_edits"] = mem()
        res["cpu_seconds_total"] = time.process_time()
        db.session.remove()
print("RESULT " + json.dumps(res))
"""


def run(step: str, code: str, db: str, inst: str, edits: int, python: str) -> dict:
    src = CHILD.format(step=step, code=code, db=db, inst=inst, edits=edits)
    out = subprocess.run([python, "-c", src], capture_output=True, text=True, check=False, cwd=code)
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    sys.stderr.write(out.stderr[-4000:])
    raise SystemExit(f"{step} failed")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", required=True, help="a SQLite file with the demo union")
    ap.add_argument("--code", default=str(Path(__file__).resolve().parents[1]))
    ap.add_argument("--before", default=None, help="an older checkout to compare with")
    ap.add_argument("--edits", type=int, default=10)
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--tmp", default=None, help="where the copies of the data go")
    args = ap.parse_args()
    rows = []
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="graph-bench-", dir=args.tmp) as tmp:
        if args.before and not (Path(args.before) / "expertnet/panel/snapshot.py").exists():
            # A copy: the older code does not know this checkout's migrations.
            old_db = os.path.join(tmp, "before.db")
            shutil.copy(args.db, old_db)
            import sqlite3

            with sqlite3.connect(old_db) as c:  # back to the schema before migration 0020
                c.execute("DROP TABLE IF EXISTS graph_change")
                c.execute(
                    "UPDATE alembic_version SET version_num = '0007' WHERE version_num = '0020'"
                )
            r = run("build", args.before, old_db, os.path.join(tmp, "old"), 0, args.python)
            os.unlink(old_db)
            rows.append(("before: every process builds", r))
        elif args.before:
            # Code with snapshots: the same steps, interleaved with this checkout's, each
            # side on its own copy of the data (the edits write to it).
            sides = []
            for side, code in (("before", args.before), ("after", args.code)):
                copy = os.path.join(tmp, f"{side}.db")
                shutil.copy(args.db, copy)
                sides.append((side, code, copy, os.path.join(tmp, side)))
            for step in ("build", "map"):
                for side, code, db, inst in sides:
                    r = run(step, code, db, inst, args.edits if step == "map" else 0, args.python)
                    what = "builds (writes the file)" if step == "build" else "maps the file"
                    rows.append((f"{side}: the process that {what}", r))
            for _side, _code, db, _inst in sides:
                os.unlink(db)
        if not (args.before and (Path(args.before) / "expertnet/panel/snapshot.py").exists()):
            inst = os.path.join(tmp, "new")
            r = run("build", args.code, args.db, inst, 0, args.python)
            rows.append(("after: the one process that builds (and writes the file)", r))
            r = run("map", args.code, args.db, inst, args.edits, args.python)
            rows.append(("after: every other process maps the file", r))
    print(f"load average at start: {load[0]:.1f} / {load[1]:.1f}; at end: {os.getloadavg()[0]:.1f}")
    print(
        "| process | people | graph ready (s) | CPU s to ready | RSS after create_app (MB) "
        "| RSS app + migrations (MB) | RSS (MB) "
        "| PSS (MB) | USS (MB) | peak RSS (MB) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, r in rows:
        m = r["mem"]
        print(
            f"| {label} | {r['people']:,} | {r['seconds']:.2f} | {r.get('cpu_seconds', 0):.1f} "
            f"| {r.get('rss_create_app', 0):.0f} | {r['rss_app']:.0f} "
            f"| {m['VmRSS']:.0f} | {m.get('Pss', 0):.0f} | {m['USS']:.0f} | {m['VmHWM']:.0f} |"
        )
    for label, r in rows:
        if "patch_seconds" in r:
            print(f"\n{label}:")
            ts = [t * 1000 for t in r["patch_seconds"]]
            m = r["mem_after_edits"]
            print(
                f"\npatch after one profile edit: median {statistics.median(ts):.1f} ms, "
                f"max {max(ts):.1f} ms over {len(ts)} edits ({r['patched_people']} people "
                f"patched); RSS after {m['VmRSS']:.0f} MB, USS {m['USS']:.0f} MB"
            )
            print(f"RSS after each edit (MB): {r['rss_per_edit']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
