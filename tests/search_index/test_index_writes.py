"""Upserts, removals, rebuild swaps and several processes writing the same index at once."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path
from typing import Any

import pytest
from si_data import fillers, person, union

import search_index.build as build_module
import search_index.index as index_module
from search_index import ExpertIndex, SearchQuery


def ids_for(idx: ExpertIndex, text: str) -> set[int]:
    return {h["id"] for h in idx.search(SearchQuery(text=text, per_page=100)).hits}


def test_new_index_is_empty_and_healthy(fresh: ExpertIndex) -> None:
    assert fresh.status() == {"ok": True, "doc_count": 0, "detail": "empty"}
    assert fresh.search(SearchQuery(text="anything")).total == 0


def test_upsert_adds_then_replaces_by_id(fresh: ExpertIndex) -> None:
    fresh.upsert([person(1, "Nguyễn Văn An", expertise=["trí tuệ nhân tạo"])])
    assert ids_for(fresh, "tri tue") == {1}
    fresh.upsert([person(1, "Nguyễn Văn An", expertise=["nuôi trồng thủy sản"])])
    assert ids_for(fresh, "tri tue") == set()
    assert ids_for(fresh, "thuy san") == {1}
    assert fresh.doc_count() == 1


def test_upsert_is_visible_to_another_instance(tmp_path: Path) -> None:
    a = ExpertIndex(tmp_path / "idx")
    b = ExpertIndex(tmp_path / "idx")
    assert b.search(SearchQuery(text="binh")).total == 0
    a.upsert([person(5, "Trần Thị Bình")])
    assert ids_for(b, "binh") == {5}
    a.close()
    b.close()


def test_remove(fresh: ExpertIndex) -> None:
    fresh.rebuild(union(50))
    before = fresh.doc_count()
    assert fresh.remove([1, 3, 999_999]) == 3
    assert fresh.doc_count() == before - 2
    assert 1 not in ids_for(fresh, "Nguyễn Văn An")
    assert ids_for(fresh, "Đặng Quốc Dũng") == set()


def test_rebuild_replaces_everything_and_reports_progress(fresh: ExpertIndex) -> None:
    fresh.upsert([person(999, "Người Cũ")])
    seen: list[int] = []
    n = fresh.rebuild(iter(union(1500)), progress=seen.append)
    assert n == fresh.doc_count() == len(union(1500))
    assert seen[-1] == n and seen == sorted(seen)
    assert 999 not in ids_for(fresh, "Người Cũ")


def test_rebuild_keeps_at_most_two_generations(tmp_path: Path) -> None:
    idx = ExpertIndex(tmp_path / "idx")
    for _ in range(4):
        idx.rebuild(union(5))
    assert len(list((tmp_path / "idx").glob("gen-*"))) <= 2
    assert idx.doc_count() == len(union(5))


def test_parallel_build_in_shards_then_upsert(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The shard path normally starts at 5,000 people; lower it to keep the test quick.
    monkeypatch.setattr(build_module, "PARALLEL_MIN_DOCS", 100)
    monkeypatch.setattr(build_module, "BATCH_SIZE", 64)
    people = union(600)
    idx = ExpertIndex(tmp_path / "idx")
    assert idx.rebuild(people, procs=2) == len(people)
    current = (tmp_path / "idx" / "CURRENT").read_text()
    assert len(list((tmp_path / "idx" / current).glob("shard-*"))) == 2
    assert idx.doc_count() == len(people)
    assert idx.search(SearchQuery(text="Nguyễn Văn An")).hits[0]["id"] == 1
    r = idx.search(SearchQuery(text="", facets=True))
    assert sum(r.facets["degree"].values()) == len(people)
    # Replacing a person keeps them in one shard only; new people go to the last shard.
    idx.upsert(
        [person(1, "Nguyễn Văn An", expertise=["khí tượng thủy văn"]), person(5000, "Lý Mới")]
    )
    assert idx.doc_count() == len(people) + 1
    assert ids_for(idx, "khi tuong") == {1}
    assert ids_for(idx, "Lý Mới") == {5000}
    idx.remove([1])
    assert idx.doc_count() == len(people)
    idx.close()


def test_upsert_during_rebuild_is_not_lost(tmp_path: Path) -> None:
    idx = ExpertIndex(tmp_path / "idx")
    other = ExpertIndex(tmp_path / "idx")
    idx.rebuild(union(20))

    def snapshot() -> Any:
        # The rebuild reads an old snapshot of person 2 ...
        for i, doc in enumerate(union(20)):
            if i == 5:
                # ... while another writer commits a newer version and a removal.
                other.upsert([person(2, "Trần Thị Bích Thủy", expertise=["khí tượng thủy văn"])])
                other.remove([3])
            yield doc

    idx.rebuild(snapshot())
    assert ids_for(idx, "khi tuong") == {2}
    assert 3 not in ids_for(idx, "Đặng Quốc Dũng")
    assert not (tmp_path / "idx" / index_module.JOURNAL_FILE).exists()
    idx.close()
    other.close()


def test_searches_keep_working_during_rebuild(tmp_path: Path) -> None:
    idx = ExpertIndex(tmp_path / "idx")
    idx.rebuild(union(200))
    errors: list[BaseException] = []
    stop = threading.Event()

    def searcher() -> None:
        reader = ExpertIndex(tmp_path / "idx")
        try:
            while not stop.is_set():
                r = reader.search(SearchQuery(text="Nguyễn Văn An", facets=True))
                assert r.hits[0]["id"] == 1
        except BaseException as e:
            errors.append(e)
        finally:
            reader.close()

    threads = [threading.Thread(target=searcher) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        for _ in range(3):
            idx.rebuild(union(200))
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert errors == []
    idx.close()


def _writer_process(path: str, worker: int, n: int) -> None:
    idx = ExpertIndex(path, lock_timeout=120)
    for i in range(n):
        # One commit per person: the most lock contention two processes can produce.
        idx.upsert([person(10_000 + worker * 1000 + i, f"Người Viết{worker} Số{i}")])
        # Both processes also keep rewriting the same person.
        idx.upsert([person(1, "Nguyễn Văn An", bio=f"sửa bởi w{worker} lần {i}")])
    idx.remove([10_000 + worker * 1000])  # and each removes its own first person
    idx.close()


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "idx"
    base = ExpertIndex(path)
    base.rebuild(union(30))
    start = base.doc_count()
    n = 20
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer_process, args=(str(path), w, n)) for w in (1, 2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=180)
    assert [p.exitcode for p in procs] == [0, 0]

    idx = ExpertIndex(path)
    assert idx.status()["ok"]
    assert idx.doc_count() == start + 2 * (n - 1)
    for w in (1, 2):
        found = {h["id"] for h in idx.search(SearchQuery(text=f"viet{w}", per_page=100)).hits}
        assert found == {10_000 + w * 1000 + i for i in range(1, n)}
    assert idx.search(SearchQuery(text="Nguyễn Văn An")).hits[0]["id"] == 1
    assert len([h for h in idx.search(SearchQuery(text="sua boi")).hits if h["id"] == 1]) == 1
    base.close()
    idx.close()


def test_fillers_are_deterministic() -> None:
    assert fillers(5) == fillers(5)
