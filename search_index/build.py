"""Bulk index builds: in-process for small sets, one forked worker per shard for large ones.

Two ways to feed the workers: a plain iterable of documents (the parent reads them and
hands batches over a queue: the parent's reading is then serial), or a
``PartitionedDocs`` whose parts each worker reads itself (from its own database
connection, an id range each), so reading and indexing both run on every core.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import queue
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from whoosh import index as windex

from .bulkwriter import BulkWriter
from .schema import make_schema, to_fields

# Below this many documents a rebuild runs in-process; above it, one shard per worker.
PARALLEL_MIN_DOCS = 5000
BATCH_SIZE = 1000


class PartitionedDocs:
    """Documents in ``parts``: callables each returning an iterable of its documents.

    In a parallel build each forked worker calls one part and indexes what it yields
    (the callable must open its own connections); ``serial()`` is what an in-process
    build reads instead. ``total`` is the expected count, for the progress bar.
    """

    def __init__(
        self,
        parts: list[Callable[[], Iterable[Mapping[str, Any]]]],
        serial: Callable[[], Iterable[Mapping[str, Any]]],
        total: int,
    ) -> None:
        self.parts, self.serial, self.total = parts, serial, total

    def __iter__(self) -> Iterator[Mapping[str, Any]]:
        return iter(self.serial())


def shard_name(i: int) -> str:
    return f"shard-{i:02d}"


def create_shard(path: Path) -> windex.Index:
    path.mkdir(parents=True, exist_ok=True)
    return windex.create_in(str(path), make_schema())


def _write_shard(path: Path, docs: Iterable[Mapping[str, Any]], limitmb: int) -> int:
    """Build one shard with a single Whoosh writer; returns its document count."""
    # BulkWriter: the segment Whoosh's own writer would write, without its per-posting
    # work (see bulkwriter.py); a fresh shard is all it is used for.
    w = BulkWriter(create_shard(path), limitmb=limitmb)
    n = 0
    try:
        for d in docs:
            w.add_document(**to_fields(d))
            n += 1
    except BaseException:
        w.cancel()
        raise
    w.commit()
    return n


def _shard_worker(path: str, jobs: Any, results: Any, limitmb: int) -> None:
    """Worker process: index batches from the job queue into its own shard."""

    def batches() -> Iterator[Mapping[str, Any]]:
        while True:
            batch = jobs.get()
            if batch is None:
                return
            yield from batch

    try:
        n = _write_shard(Path(path), batches(), limitmb)
        results.put(("ok", n))
    except BaseException as e:  # the parent turns this into an exception
        results.put(("error", repr(e)))


def _part_worker(path: str, part: Any, results: Any, limitmb: int) -> None:
    """Worker process: read one part of the documents and index it into its own shard."""

    def counted() -> Iterator[Mapping[str, Any]]:
        n = 0
        for d in part():
            yield d
            n += 1
            if n % BATCH_SIZE == 0:
                results.put(("progress", BATCH_SIZE))
        results.put(("progress", n % BATCH_SIZE))

    try:
        n = _write_shard(Path(path), counted(), limitmb)
        results.put(("ok", n))
    except BaseException as e:  # the parent turns this into an exception
        results.put(("error", repr(e)))


def _build_parts(
    gen_dir: Path,
    parts: list[Callable[[], Iterable[Mapping[str, Any]]]],
    progress: Callable[[int], None] | None,
    limitmb: int,
) -> int:
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    workers = [
        ctx.Process(
            target=_part_worker,
            args=(str(gen_dir / shard_name(i)), part, results, limitmb),
            daemon=True,
        )
        for i, part in enumerate(parts)
    ]
    for p in workers:
        p.start()
    total = done = finished = 0
    try:
        while finished < len(workers):
            status, value = _get(results, workers)
            if status == "progress":
                done += int(value)
                if progress is not None:
                    progress(done)
            elif status == "ok":
                total += int(value)
                finished += 1
            else:
                raise RuntimeError(f"index worker failed: {value}")
    finally:
        for p in workers:
            p.join(timeout=60)
            if p.is_alive():
                p.kill()
                p.join()
        results.close()
        results.join_thread()
    return total


def bulk_build(
    gen_dir: Path,
    docs: Iterable[Mapping[str, Any]],
    progress: Callable[[int], None] | None,
    procs: int | None,
    limitmb: int,
) -> int:
    """Index docs into gen_dir, in parallel shards when there are many of them."""
    procs = procs or min(2, os.cpu_count() or 1)
    if (
        isinstance(docs, PartitionedDocs)
        and procs > 1
        and len(docs.parts) > 1
        and docs.total >= PARALLEL_MIN_DOCS
    ):
        return _build_parts(gen_dir, docs.parts, progress, limitmb)
    it = iter(docs)
    head = [dict(d) for d in itertools.islice(it, PARALLEL_MIN_DOCS)]
    if procs <= 1 or len(head) < PARALLEL_MIN_DOCS:
        # Whoosh's own MpWriter measured no faster than one process here, so parallel
        # builds use independent shards instead; small builds stay in-process.
        count = 0

        def counted() -> Iterator[Mapping[str, Any]]:
            nonlocal count
            for d in itertools.chain(head, it):
                yield d
                count += 1
                if progress is not None and count % BATCH_SIZE == 0:
                    progress(count)

        n = _write_shard(gen_dir / shard_name(0), counted(), limitmb)
        if progress is not None:
            progress(n)
        return n

    # Forked workers start instantly and need no importable __main__; they only run
    # _shard_worker, which takes none of the parent's locks.
    ctx = multiprocessing.get_context("fork")
    jobs = ctx.Queue(maxsize=procs * 2)
    results = ctx.Queue()
    workers = [
        ctx.Process(
            target=_shard_worker,
            args=(str(gen_dir / shard_name(i)), jobs, results, limitmb),
            daemon=True,
        )
        for i in range(procs)
    ]
    for p in workers:
        p.start()
    sent = 0
    try:
        source = itertools.chain(head, (dict(d) for d in it))
        while True:
            batch = list(itertools.islice(source, BATCH_SIZE))
            if not batch:
                break
            _put(jobs, batch, workers)
            sent += len(batch)
            if progress is not None:
                progress(sent)
        for _ in workers:
            _put(jobs, None, workers)
        total = 0
        for _ in workers:
            status, value = _get(results, workers)
            if status != "ok":
                raise RuntimeError(f"index worker failed: {value}")
            total += int(value)
    finally:
        for p in workers:
            p.join(timeout=60)
            if p.is_alive():
                p.kill()
                p.join()
        jobs.close()
        results.close()
        jobs.join_thread()
        results.join_thread()
    if total != sent:
        raise RuntimeError(f"index workers wrote {total} of {sent} documents")
    return total


def _put(q: Any, item: Any, workers: list[Any]) -> None:
    while True:
        try:
            q.put(item, timeout=1)
            return
        except queue.Full:
            if not all(p.is_alive() for p in workers):
                raise RuntimeError("an index worker died") from None


def _get(q: Any, workers: list[Any]) -> Any:
    while True:
        try:
            return q.get(timeout=1)
        except queue.Empty:
            if not any(p.is_alive() for p in workers):
                # One last look: a worker may have reported just before exiting.
                try:
                    return q.get(timeout=1)
                except queue.Empty:
                    raise RuntimeError("index workers exited without reporting") from None
