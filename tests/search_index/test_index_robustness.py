"""A missing or damaged index raises IndexUnavailable (never a crash) and a rebuild repairs it."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from si_data import union

from search_index import ExpertIndex, IndexUnavailable, SearchQuery


@pytest.fixture
def idx_path(tmp_path: Path) -> Path:
    path = tmp_path / "idx"
    idx = ExpertIndex(path)
    idx.rebuild(union(40))
    idx.close()
    return path


def current_shard(path: Path) -> Path:
    return path / (path / "CURRENT").read_text() / "shard-00"


def garble(files: list[Path]) -> None:
    for f in files:
        size = f.stat().st_size
        f.write_bytes(b"\x93NOT WHOOSH\x00" * (size // 12 + 1))


def assert_unavailable_then_repaired(path: Path) -> None:
    idx = ExpertIndex(path)
    with pytest.raises(IndexUnavailable):
        idx.search(SearchQuery(text="Nguyễn Văn An", facets=True))
    status = idx.status()
    assert status["ok"] is False and status["detail"]
    # The app's recovery path: rebuild from the database, then search again.
    idx.rebuild(union(40))
    assert idx.status()["ok"] is True
    assert idx.search(SearchQuery(text="Nguyễn Văn An")).hits[0]["id"] == 1
    idx.close()


def test_every_file_garbled(idx_path: Path) -> None:
    garble([f for f in current_shard(idx_path).iterdir() if f.is_file()])
    assert_unavailable_then_repaired(idx_path)


def test_table_of_contents_truncated(idx_path: Path) -> None:
    for toc in current_shard(idx_path).glob("*.toc"):
        toc.write_bytes(toc.read_bytes()[:10])
    assert_unavailable_then_repaired(idx_path)


def test_segment_files_garbled(idx_path: Path) -> None:
    shard = current_shard(idx_path)
    garble([f for f in shard.iterdir() if f.is_file() and f.suffix != ".toc"])
    assert_unavailable_then_repaired(idx_path)


def test_segment_files_deleted(idx_path: Path) -> None:
    shard = current_shard(idx_path)
    for f in shard.iterdir():
        if f.suffix != ".toc":
            f.unlink()
    assert_unavailable_then_repaired(idx_path)


def test_generation_folder_missing(idx_path: Path) -> None:
    shutil.rmtree(current_shard(idx_path).parent)
    assert_unavailable_then_repaired(idx_path)


def test_pointer_missing(idx_path: Path) -> None:
    (idx_path / "CURRENT").unlink()
    # The folder is not empty, so the constructor does not silently start a blank index.
    assert_unavailable_then_repaired(idx_path)


def test_pointer_garbled(idx_path: Path) -> None:
    (idx_path / "CURRENT").write_text("../../etc")
    assert_unavailable_then_repaired(idx_path)


def test_damage_under_a_running_instance(idx_path: Path) -> None:
    idx = ExpertIndex(idx_path)
    assert idx.search(SearchQuery(text="an")).total > 0
    shutil.rmtree(current_shard(idx_path).parent)
    (idx_path / "CURRENT").write_text("gen-gone")
    with pytest.raises(IndexUnavailable):
        idx.search(SearchQuery(text="an"))
    idx.rebuild(union(40))
    assert idx.search(SearchQuery(text="an")).total > 0
    idx.close()


def test_concurrent_searches_from_threads(idx_path: Path) -> None:
    idx = ExpertIndex(idx_path)
    expected = {
        q: [h["id"] for h in idx.search(SearchQuery(text=q, facets=True)).hits]
        for q in ("nguyen", "tri tue", "thuy san", "", "dang quoc")
    }
    idx.close()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            for _ in range(20):
                for q, ids in expected.items():
                    got = [h["id"] for h in idx.search(SearchQuery(text=q, facets=True)).hits]
                    assert got == ids
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    idx.close()


def test_index_of_an_older_format_is_unavailable_until_rebuilt(tmp_path: Path) -> None:
    # Written before the phrase column existed: phrase answers would be wrong, so the
    # index must be reported unusable (and rebuilt) rather than answer inexactly.
    from whoosh import index as windex

    from search_index.schema import make_schema, to_fields

    path = tmp_path / "idx"
    ExpertIndex(path).close()
    schema = make_schema()
    schema.remove("phrase_text")
    shard = current_shard(path)
    shutil.rmtree(shard)
    shard.mkdir()
    w = windex.create_in(str(shard), schema).writer()
    for doc in union(5):
        fields = to_fields(doc)
        fields.pop("phrase_text")
        w.add_document(**fields)
    w.commit()
    assert_unavailable_then_repaired(path)
