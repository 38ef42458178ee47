"""Fixtures for the roster tests: files written in tmp_path, one organisation, an import."""

from __future__ import annotations

from pathlib import Path

import pytest
from roster_helpers import csv_text, to_cp1258


@pytest.fixture
def write_csv(tmp_path):
    counter = {"n": 0}

    def write(rows, encoding="utf-8", delimiter=",", name=None) -> Path:
        counter["n"] += 1
        path = tmp_path / (name or f"roster{counter['n']}.csv")
        text = csv_text(rows, delimiter)
        if encoding == "cp1258":
            path.write_bytes(to_cp1258(text))
        else:
            path.write_bytes(text.encode(encoding))
        return path

    return write


@pytest.fixture
def write_xlsx(tmp_path):
    from openpyxl import Workbook

    counter = {"n": 0}

    def write(rows) -> Path:
        counter["n"] += 1
        path = tmp_path / f"roster{counter['n']}.xlsx"
        wb = Workbook()
        ws = wb.active
        for row in rows:
            ws.append(row)
        wb.save(path)
        return path

    return write


@pytest.fixture
def org(make_org):
    return make_org(name="Hội Tin học thành phố", short_name="HTH", code="HTH")


@pytest.fixture
def run_import(session, tmp_path):
    """Import a file the way the command does, minus the commit (the test rolls back)."""
    from expertnet.roster.importer import import_roster

    def run(path, organization, **kw):
        kw.setdefault("report_dir", tmp_path / "reports")
        result = import_roster(session, organization, path, **kw)
        session.flush()
        session.expire_all()
        return result

    return run
