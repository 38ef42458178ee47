"""``expertnet import members``: JSON last line, exit codes, dry run, report, index."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from roster_helpers import count_people

ROWS = [
    ["Họ và tên", "Email", "Điện thoại", "Năm sinh", "Học vị", "Ghi chú"],
    ["Nguyễn Văn An", "an@example.org", "0912345678", "1970", "TS", ""],
    ["Trần Thị Bình", "binh@example.org", "", "1982", "ThS", ""],
    ["", "khong-ten@example.org", "", "", "", "no name"],
]


def _invoke(runner, path, org_id, *extra):
    return runner.invoke(
        args=["import", "members", str(path), "--organization", str(org_id), *extra]
    )


def _summary(res) -> dict:
    return json.loads(res.stdout.strip().splitlines()[-1])


def test_import_prints_json_last_and_writes_the_report(runner, session, org, write_csv):
    res = _invoke(runner, write_csv(ROWS), org.id)
    assert res.exit_code == 0, res.output
    summary = _summary(res)
    assert {k: summary[k] for k in ("created", "updated", "merged", "rejected")} == {
        "created": 2,
        "updated": 0,
        "merged": 0,
        "rejected": 1,
    }
    report = Path(summary["report"])
    assert report.is_file()
    with report.open(encoding="utf-8-sig") as fh:
        lines = list(csv.reader(fh))
    assert lines[1][0] == "4" and "name is missing" in lines[1][2]
    assert "unknown column ignored: Ghi chú" in res.stderr
    assert "check" in res.stderr and "write" in res.stderr  # the progress bars
    assert res.stdout.count("\n") == 1  # standard output is the JSON line only
    assert count_people(session) == 2


def test_second_run_changes_nothing(runner, org, write_csv):
    path = write_csv(ROWS)
    assert _invoke(runner, path, org.id).exit_code == 0
    again = _summary(_invoke(runner, path, org.id))
    assert (again["created"], again["updated"], again["merged"]) == (0, 0, 0)


def test_dry_run_reports_and_writes_nothing(runner, session, org, write_csv):
    res = _invoke(runner, write_csv(ROWS), org.id, "--dry-run")
    assert res.exit_code == 0, res.output
    assert _summary(res)["created"] == 2 and _summary(res)["dry_run"] is True
    assert count_people(session) == 0


def test_imported_people_are_searchable(runner, app, org, write_csv):
    from expertnet.search.index import get_index

    assert _invoke(runner, write_csv(ROWS), org.id).exit_code == 0
    assert get_index(app).status()["doc_count"] == 2


def test_bad_file_is_one_line_on_stderr_and_a_nonzero_exit(runner, session, org, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    res = _invoke(runner, path, org.id)
    assert res.exit_code != 0
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "empty" in lines[0]
    assert res.stdout == ""


def test_unknown_organisation_and_missing_file(runner, org, write_csv, tmp_path):
    res = _invoke(runner, write_csv(ROWS), 999999)
    assert res.exit_code != 0 and "no organisation" in res.stderr
    res = _invoke(runner, tmp_path / "nope.csv", org.id)
    assert res.exit_code != 0 and "no such file" in res.stderr
    assert len([line for line in res.stderr.splitlines() if line.strip()]) == 1


def test_unexpected_error_rolls_everything_back(runner, session, org, write_csv, monkeypatch):
    from expertnet.roster.importer import RosterImport

    original = RosterImport._write

    def fail_after_writing(self, matcher, progress):
        original(self, matcher, progress)
        raise RuntimeError("connection lost")

    monkeypatch.setattr(RosterImport, "_write", fail_after_writing)
    res = _invoke(runner, write_csv(ROWS), org.id)
    assert res.exit_code != 0 and "nothing was imported" in res.stderr
    assert count_people(session) == 0
