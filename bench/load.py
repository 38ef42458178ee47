"""Loopback load test of one app node: the mixed workload, requests per second and p95.

Closed-loop clients (threads, one keep-alive HTTP connection each) repeat a weighted mix
of what people do most: search experts, open a profile, list organisations, list
requests, and ask for panel suggestions. Every client waits for its answer before
sending the next request, so the figures are the node's throughput at that concurrency.

    python bench/load.py --url http://127.0.0.1:8100 --token TOKEN \\
        --clients 8 32 --seconds 60 --markdown load.md

The token is a staff member's API token (``expertnet users token --email …``): the
request list and the suggestions are staff answers. The node is started separately
(``expertnet serve --workers 2``); see docs/performance.md for the setup measured.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import statistics
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

import requests

SEARCHES = [
    "thủy lợi",
    "nong nghiep",
    "y tế",
    "môi trường",
    "giao thông",
    "xây dựng",
    "công nghệ thông tin",
    "kinh tế",
    "hóa học",
    '"biến đổi khí hậu"',
    "nguyen van",
    "trần thị",
    "điện",
    "quy hoạch",
    "an toàn thực phẩm",
]

#: The mix: (endpoint name, weight). Search and profiles dominate, as on the live site.
MIX = [
    ("search", 35),
    ("profile", 25),
    ("organisations", 15),
    ("request list", 15),
    ("suggestions", 10),
]


@dataclass
class Targets:
    """Ids the requests use, read from the node before the run."""

    experts: list[int] = field(default_factory=list)
    organisations: int = 1
    requests: list[int] = field(default_factory=list)


class Client:
    """One keep-alive connection (``http.client``: a few microseconds per request, so the
    load generator takes little of the CPU it shares with the node)."""

    def __init__(self, base: str, token: str, targets: Targets, seed: int) -> None:
        self.base = base.rstrip("/")
        url = urlsplit(self.base)
        self.host, self.port = url.hostname or "127.0.0.1", url.port or 80
        self.headers = {"Authorization": f"Bearer {token}", "Connection": "keep-alive"}
        self.conn: http.client.HTTPConnection | None = None
        self.targets = targets
        self.rng = random.Random(seed)

    def path(self, endpoint: str) -> str:
        rng, t = self.rng, self.targets
        if endpoint == "search":
            return f"/api/v1/experts?q={rng.choice(SEARCHES)}&page={rng.randint(1, 3)}"
        if endpoint == "profile":
            return f"/api/v1/experts/{rng.choice(t.experts)}"
        if endpoint == "organisations":
            return f"/api/v1/organizations?page={rng.randint(1, t.organisations)}"
        if endpoint == "request list":
            return "/api/v1/requests"
        if endpoint == "suggestions":
            return f"/api/v1/requests/{rng.choice(t.requests)}/panel/suggestions?size=5"
        raise ValueError(endpoint)

    def call(self, endpoint: str) -> tuple[float, int]:
        path = quote(self.path(endpoint), safe="/?&=")
        start = time.perf_counter()
        for attempt in (1, 2):
            reused = self.conn is not None
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
                self.conn.request("GET", path, headers=self.headers)
                resp = self.conn.getresponse()
                resp.read()  # the whole answer
                status = resp.status
                if resp.will_close:
                    self.conn.close()
                    self.conn = None
                break
            except (OSError, http.client.HTTPException) as exc:
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                status = 0
                # The server closes a keep-alive connection idle past its limit; a
                # request sent on it just then is sent again once, as browsers do.
                stale = isinstance(exc, http.client.RemoteDisconnected | ConnectionResetError)
                if not (reused and stale and attempt == 1):
                    break
        return time.perf_counter() - start, status


def discover(base: str, token: str) -> Targets:
    """Expert, organisation and request ids the node answers for (and warms its caches)."""
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token}"
    targets = Targets()
    for q in SEARCHES[:8]:
        page = http.get(f"{base}/api/v1/experts", params={"q": q, "per_page": 50}, timeout=120)
        page.raise_for_status()
        targets.experts += [item["id"] for item in page.json()["items"]]
    orgs = http.get(f"{base}/api/v1/organizations", timeout=60).json()
    per_page = max(1, orgs.get("per_page") or len(orgs["items"]) or 1)
    targets.organisations = max(1, -(-orgs.get("total", len(orgs["items"])) // per_page))
    listed = http.get(f"{base}/api/v1/requests", params={"per_page": 100}, timeout=60).json()
    for item in listed["items"]:
        # The first suggestions of a process build its expert graph; wait for it here.
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            url = f"{base}/api/v1/requests/{item['id']}/panel/suggestions?size=5"
            resp = http.get(url, timeout=300)
            if resp.status_code == 200:
                targets.requests.append(item["id"])
                break
            if resp.status_code != 503:
                break
            time.sleep(float(resp.headers.get("Retry-After", "2")))
    if not (targets.experts and targets.requests):
        raise SystemExit("the node has no experts or no request that takes suggestions")
    return targets


def _pids_cpu(pids: list[str]) -> dict[str, float]:
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / tick
    return out


def _database_pids(pg_url: str | None) -> list[str]:
    """The PostgreSQL backends serving the node's database (same machine only)."""
    if not pg_url:
        return []
    import psycopg

    with psycopg.connect(pg_url) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()"
        ).fetchall()
    return [str(r[0]) for r in rows]


def _database_cpu(pg_url: str | None, before: dict[str, float] | None) -> dict[str, float]:
    now = _pids_cpu(_database_pids(pg_url))
    return now if before is None else {p: now[p] - before.get(p, 0.0) for p in now}


def _cpu_seconds(master: int | None) -> float | None:
    """CPU time (user + system) of the server's master and worker processes so far."""
    if not master:
        return None
    tick = os.sysconf("SC_CLK_TCK")
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return None
    total = 0.0
    for pid in [str(master), *children]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def run(
    base: str,
    token: str,
    targets: Targets,
    clients: int,
    seconds: float,
    server: int | None,
    pg_url: str | None = None,
) -> dict:
    names = [n for n, _w in MIX]
    weights = [w for _n, w in MIX]
    samples: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    stop_at = [0.0]
    began = [0.0]

    before: dict[str, object] = {}

    def _start() -> None:
        # Run by one thread once every client has warmed up: the clocks start now.
        before.update(
            load=os.getloadavg()[0],
            cpu=_cpu_seconds(server),
            db=_database_cpu(pg_url, None),
            own=time.process_time(),
        )
        began[0] = time.perf_counter()
        stop_at[0] = began[0] + seconds

    start_gate = threading.Barrier(clients + 1, action=_start)

    def loop(slot: int) -> None:
        client = Client(base, token, targets, seed=slot)
        mine: list[tuple[str, float, int]] = []
        # One request per worker connection before the clock starts (keep-alive set up).
        client.call("request list")
        start_gate.wait()
        while time.perf_counter() < stop_at[0]:
            endpoint = client.rng.choices(names, weights)[0]
            elapsed, status = client.call(endpoint)
            mine.append((endpoint, elapsed, status))
        with lock:
            for endpoint, elapsed, status in mine:
                if status == 200:
                    samples[endpoint].append(elapsed)
                else:
                    errors[endpoint] += 1

    threads = [threading.Thread(target=loop, args=(n,), daemon=True) for n in range(clients)]
    for t in threads:
        t.start()
    start_gate.wait()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began[0]
    own_cpu = time.process_time() - float(before["own"])  # type: ignore[arg-type]
    load_before = before["load"]
    cpu_before = before["cpu"]
    db_before = before["db"]
    cpu_after = _cpu_seconds(server)
    db_cpu = sum(_database_cpu(pg_url, db_before).values()) if pg_url else None
    return {
        "clients": clients,
        "wall": wall,
        "samples": dict(samples),
        "errors": dict(errors),
        "load": (load_before, os.getloadavg()[0]),
        "server_cpu": None if cpu_before is None else cpu_after - cpu_before,
        "database_cpu": db_cpu,
        "client_cpu": own_cpu,
    }


def _p(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def table(result: dict) -> str:
    wall = result["wall"]
    rows = [
        f"**{result['clients']} concurrent clients**, {wall:.0f} s, load average "
        f"{result['load'][0]:.1f} → {result['load'][1]:.1f}",
        "",
        "| endpoint | requests | req/s | p50 (ms) | p95 (ms) | max (ms) | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    everything: list[float] = []
    for name, _w in MIX:
        values = sorted(result["samples"].get(name, []))
        everything += values
        rows.append(
            f"| {name} | {len(values)} | {len(values) / wall:.1f} | {_p(values, 50) * 1000:.0f} "
            f"| {_p(values, 95) * 1000:.0f} | {(max(values) if values else 0) * 1000:.0f} "
            f"| {result['errors'].get(name, 0)} |"
        )
    everything.sort()
    rows.append(
        f"| **all** | {len(everything)} | **{len(everything) / wall:.1f}** "
        f"| {_p(everything, 50) * 1000:.0f} | {_p(everything, 95) * 1000:.0f} "
        f"| {(everything[-1] if everything else 0) * 1000:.0f} "
        f"| {sum(result['errors'].values())} |"
    )
    if result.get("server_cpu") and everything:
        app_cpu, db_cpu = result["server_cpu"], result.get("database_cpu") or 0.0
        per = (app_cpu + db_cpu) / len(everything)
        rows += [
            "",
            f"CPU: app node {app_cpu:.1f} s, PostgreSQL backends {db_cpu:.1f} s for "
            f"{len(everything)} answers: {app_cpu / len(everything) * 1000:.0f} + "
            f"{db_cpu / len(everything) * 1000:.0f} ms per answer, so about "
            f"{2 / per:.0f} answers/s when both cores are free for the node and its database.",
        ]
    if everything:
        rows += [
            "",
            f"Load generator: {result['client_cpu']:.1f} CPU-seconds "
            f"({result['client_cpu'] / len(everything) * 1000:.2f} ms per request).",
        ]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the node, e.g. http://127.0.0.1:8100")
    parser.add_argument("--token", default=os.environ.get("EXPERTNET_BENCH_TOKEN"))
    parser.add_argument("--clients", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--seconds", type=float, default=60, help="per concurrency level")
    parser.add_argument("--markdown", help="also write the tables to this file")
    parser.add_argument(
        "--server-pid", type=int, help="the gunicorn master's pid: also report the server's CPU"
    )
    parser.add_argument(
        "--pg-url", help="the node's database (psycopg URL): also report its backends' CPU"
    )
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("--token (or EXPERTNET_BENCH_TOKEN) is required")
    base = args.url.rstrip("/")
    began = time.perf_counter()
    targets = discover(base, args.token)
    print(
        f"warm-up and discovery {time.perf_counter() - began:.1f} s: "
        f"{len(set(targets.experts))} experts, {len(targets.requests)} requests with "
        f"suggestions, {targets.organisations} organisation pages",
        file=sys.stderr,
    )
    tables = []
    for clients in args.clients:
        result = run(base, args.token, targets, clients, args.seconds, args.server_pid, args.pg_url)
        tables.append(table(result))
        print(tables[-1] + "\n", flush=True)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as out:
            out.write("\n\n".join(tables) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
