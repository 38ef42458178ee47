"""Fixtures for the search_index tests: one shared read-only index over generated experts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from si_data import union

from search_index import ExpertIndex


@pytest.fixture(scope="module")
def people() -> list[dict[str, Any]]:
    return union(400)


@pytest.fixture(scope="module")
def built(
    tmp_path_factory: pytest.TempPathFactory, people: list[dict[str, Any]]
) -> Iterator[ExpertIndex]:
    """A read-only index shared by a module's tests (building it once keeps the suite fast)."""
    idx = ExpertIndex(tmp_path_factory.mktemp("idx"))
    idx.rebuild(people)
    yield idx
    idx.close()


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[ExpertIndex]:
    """An empty index of the test's own."""
    idx = ExpertIndex(tmp_path / "idx")
    yield idx
    idx.close()
