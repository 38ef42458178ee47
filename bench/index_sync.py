"""Benchmark: how soon a change made on one app node is found by search on another.

Two real ``expertnet serve`` processes (two gunicorn workers each) with instance folders
and search indexes of their own share one database (PostgreSQL with ``--database-url``,
else a SQLite file). A demo union is loaded, then ``--changes`` times an expert is
created through node A's API with a unique keyword, and node B is searched for that
keyword every 50 ms until its index (not the database fallback) returns the expert;
likewise for an edit of that expert. Each change waits a random 0-1 s first, so that it
is not made in step with node B's poll. Reported: p50/p95/max of the delay.

    python bench/index_sync.py [--database-url postgresql://…] [--people 2000]
                               [--changes 30] [--workdir /tmp/expertnet-bench-sync]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXPERTNET = str(Path(sys.executable).parent / "expertnet")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def node_env(work: Path, name: str, url: str) -> dict:
    return {
        **os.environ,
        "EXPERTNET_INSTANCE": str(work / name),
        "EXPERTNET_DATABASE_URL": url,
        "EXPERTNET_SECRET_KEY": "bench-index-sync",
    }


def run(env: dict, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [EXPERTNET, *args], env=env, input=stdin, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"expertnet {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def call(base: str, method: str, path: str, token: str | None = None, body=None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)  # noqa: S310 - loopback
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=30) as res:  # noqa: S310 - loopback
        return json.loads(res.read())


def wait_until(condition, bound: float = 300.0) -> None:
    deadline = time.monotonic() + bound
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        time.sleep(0.05)


def healthy(base: str) -> bool:
    try:
        body = call(base, "GET", "/healthz")
    except OSError:
        return False
    return body["status"] == "ok" and body["index"]["behind"] == 0


def found_on(base: str, token: str, words: str, person_id: int) -> bool:
    q = urllib.parse.urlencode({"q": words})
    body = call(base, "GET", f"/api/v1/experts?{q}", token)
    return not body.get("notice") and any(i["id"] == person_id for i in body["items"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--changes", type=int, default=30)
    parser.add_argument(
        "--workdir", default=str(Path(tempfile.gettempdir()) / "expertnet-bench-sync")
    )
    parser.add_argument("--ports", default="5611,5612")
    args = parser.parse_args()

    work = Path(args.workdir)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    url = args.database_url or f"sqlite:///{work / 'shared.db'}"
    env_a, env_b = node_env(work, "a", url), node_env(work, "b", url)
    run(env_a, "init")
    run(env_a, "demo", "--experts", str(args.people))
    run(env_a, "users", "create", "--email", "bench@example.org", "--name", "Bench",
        "--role", "admin", stdin="bench-password-long\n")  # fmt: skip
    token = run(env_a, "users", "token", "--email", "bench@example.org").strip()

    ports = args.ports.split(",")
    servers = [
        subprocess.Popen(
            [EXPERTNET, "serve", "--port", port, "--workers", "2"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for env, port in ((env_a, ports[0]), (env_b, ports[1]))
    ]
    a, b = (f"http://127.0.0.1:{p}" for p in ports)
    try:
        started = time.monotonic()
        wait_until(lambda: healthy(a) and healthy(b))
        catch_up = time.monotonic() - started
        created, edited = [], []
        for n in range(args.changes):
            # Out of step with node B's poll, which the previous "found" was in step with.
            time.sleep(random.uniform(0, 1))
            word = "kc" + secrets.token_hex(4)
            body = {"full_name": f"Chuyên gia đo {n}", "expertise": [f"kiểm chứng {word}"]}
            person = call(a, "POST", "/api/v1/experts", token, body)
            t0 = time.monotonic()
            wait_until(lambda p=person, w=word: found_on(b, token, w, p["id"]), 60)
            created.append(time.monotonic() - t0)

            word = "sua" + secrets.token_hex(4)
            patch = {"expertise": [f"sửa đổi {word}"], "version": person["version"]}
            time.sleep(random.uniform(0, 1))
            call(a, "PATCH", f"/api/v1/experts/{person['id']}", token, patch)
            t0 = time.monotonic()
            wait_until(lambda p=person, w=word: found_on(b, token, w, p["id"]), 60)
            edited.append(time.monotonic() - t0)
        lag = call(b, "GET", "/healthz")["index"]
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)

    kind = "PostgreSQL (LISTEN/NOTIFY)" if url.startswith("postgresql") else "SQLite (polling 1 s)"
    print(f"database: {kind}; {args.people} people; node B first catch-up {catch_up:.1f} s")
    print("| change made on node A | n | p50 (ms) | p95 (ms) | max (ms) |")
    print("|---|---:|---:|---:|---:|")
    for label, values in (("expert created", created), ("expert edited", edited)):
        ms = [v * 1000 for v in values]
        print(
            f"| {label} | {len(ms)} | {statistics.median(ms):.0f} | "
            f"{percentile(ms, 0.95):.0f} | {max(ms):.0f} |"
        )
    print(f"node B afterwards: behind {lag['behind']}, syncer {lag['syncer']}")


if __name__ == "__main__":
    main()
