"""The national-scale benchmark's measuring of a step (``bench/national.py``)."""

from __future__ import annotations

import json
import os
import sys

import pytest

from bench.national import _tree_pss_mb, growth_table, run_step

CHILD = """
import json
block = bytearray(120 * 2**20)
for i in range(0, len(block), 4096):
    block[i] = 1  # touched: resident, not only reserved
total = sum(range(2_000_000))
print("RESULT " + json.dumps({"total": total}))
"""


def test_a_step_reports_its_result_cpu_and_the_peak_memory_of_its_process(tmp_path):
    res = run_step("child", [sys.executable, "-c", CHILD], dict(os.environ), tmp_path / "log")
    assert res["exit"] == 0
    assert res["result"] == {"total": sum(range(2_000_000))}
    assert res["peak_rss_mb"] >= 120  # the child's own peak, from wait4
    assert res["cpu_s"] > 0
    assert res["cpu_share"] > 0
    assert res["wall_s"] >= res["cpu_s"] / (os.cpu_count() or 1)
    assert "$ " in (tmp_path / "log").read_text()


def test_a_failing_step_stops_the_run_and_names_its_log(tmp_path):
    with pytest.raises(SystemExit, match="broken failed"):
        run_step(
            "broken",
            [sys.executable, "-c", "raise SystemExit(3)"],
            dict(os.environ),
            tmp_path / "l",
        )


def test_the_tree_counts_this_process():
    assert _tree_pss_mb(os.getpid()) > 1


def test_the_growth_table_has_one_column_per_size_and_dashes_for_what_is_missing(tmp_path):
    step = {
        "wall_s": 10.0,
        "cpu_s": 5.0,
        "cpu_share": 0.5,
        "peak_rss_mb": 300.0,
        "peak_tree_pss_mb": 400.0,
        "load_start": 1.0,
        "load_end": 2.0,
    }
    full = {
        "size": 1000,
        "database": "SQLite",
        "started": "x",
        "steps": {
            "demo": step,
            "requests": {
                **step,
                "result": {
                    "people": 1000,
                    "experts": 100,
                    "requests": 12,
                    "requests_made": 5,
                    "requests_forming_panel": 4,
                },
            },
        },
        "db_bytes": 2e6,
        "index_bytes": 1e6,
        "snapshot_bytes": 5e5,
    }
    partial = {"size": 2000, "database": "SQLite", "started": "y", "steps": {"demo": step}}
    text = growth_table([full, partial], None)
    lines = text.splitlines()
    head = next(line for line in lines if line.startswith("| measure"))
    assert head == "| measure | 1,000 | 2,000 |"
    rows = {line.split(" | ")[0][2:]: line.split(" | ")[1:] for line in lines if line[:2] == "| "}
    assert rows["experts (fields or expertise)"] == ["100", "– |"]
    assert rows["requests (made by the bench) / forming a panel"][0] == "12 (5) / 4"
    assert rows["`expertnet demo`: wall / CPU (share), load"][1].startswith("10.0 s / 5.0 CPU-s")
    assert rows["search, all types: p50 / p95 / max (ms), warm"] == ["–", "– |"]
    json.dumps(full)  # what run_size writes per step
