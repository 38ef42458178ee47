"""One expert graph per process, rebuilt only when the database says the data changed.

Writers bump ``graph_version`` in the same transaction as their change, just before it
commits (session hooks below), so the bump commits or rolls back with it. Readers
compare the row with the version of their cached snapshot: one primary-key SELECT per
use, never a rebuild per request. A transaction that has changed graph data and not yet
committed gets a private, uncached snapshot of what it sees.

Two counters: people and organisations (``version``) and requests and invitations
(``activity_version``: only the small consultation layer is rebuilt).

The directory part is built once per data version, not once per process: the build
(``refresh``: a job, a command or one background thread, under a file lock so that one
process of a node builds while the others wait) writes a ``panel.snapshot`` to the
instance folder, and every process maps it in milliseconds. A commit that changed only
some people records them in ``graph_change`` with its bump, and every process patches
its snapshot for those people (``panel.incremental``) instead of rebuilding; only
other changes (organisations, fields, publications, bulk imports) or more than
``MAX_PATCH`` patched people call for a new build.

Values are never reused: a bump sets the counter to at least the current time in
microseconds. A bump inside a transaction that is rolled back (a test, a failed request)
may have been seen by a reader in that transaction; with ``version + 1`` the next bump
would produce the same number for different data and alias that stale snapshot.
"""

from __future__ import annotations

import contextlib
import copy
import fcntl
import gc
import hashlib
import logging
import os
import threading
import time
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, delete, event, insert, inspect, select, update
from sqlalchemy.orm import ORMExecuteState, Session

from ..core.gcpause import gc_paused
from ..extensions import db
from .models import GraphChange, GraphVersion

if TYPE_CHECKING:
    from .graph import ExpertGraph

# The graph's modules (numpy, scipy, networkx: some 50 MB) are imported by the functions
# that read or build a graph, not here: every web process installs the session hooks
# below, and a process that never shows a graph never loads them
# (tests/test_lazy_imports.py).


def build_graph(conn: Any, version: tuple[int, int] = (0, 0)) -> ExpertGraph:
    """``panel.graph.build_graph``, imported when first called (tests count the calls)."""
    from .graph import build_graph as build

    with gc_paused():
        return build(conn, version)


def add_consultation_layer(eg: ExpertGraph, conn: Any) -> None:
    """``panel.graph.add_consultation_layer``, imported when first called."""
    from .graph import add_consultation_layer as add

    add(eg, conn)


#: More changed people than this since the snapshot: a full build is cheaper to keep.
MAX_PATCH = 5000

#: Tables whose changes alter people, organisations, memberships, fields or ties.
DIRECTORY_TABLES = frozenset(
    {"person", "organization", "membership", "person_field", "field", "person_relationship"}
    # The scholarly record: co-author edges and the text affinity reads.
    | {"publication", "publication_author", "research_project"}
)
#: Tables of the consultation layer (requests, their orgs and fields, invitations).
ACTIVITY_TABLES = frozenset(
    {"consultation_request", "request_field", "request_subject_organization", "invitation"}
    # Contest juries count in the workload (``expertnet.contest.workload``).
    | {"contest_judge", "contest_entry"}
)

log = logging.getLogger(__name__)

_lock = threading.Lock()
_graphs: dict[str, ExpertGraph] = {}


def _table_of(obj: Any) -> str | None:
    table = getattr(type(obj), "__table__", None)
    return table.name if table is not None else None


def _bump(session: Session, columns: set[str]) -> None:
    gv = GraphVersion.__table__
    floor = time.time_ns() // 1000
    values = {c: case((gv.c[c] + 1 > floor, gv.c[c] + 1), else_=floor) for c in sorted(columns)}
    session.connection().execute(update(gv).where(gv.c.id == 1).values(**values))


_DIRTY = "expertnet_graph_dirty"
#: Seconds a client is asked to wait while this process builds its first graph.
GRAPH_RETRY_AFTER = 5

#: The people a transaction's directory changes touched (None: not only people).
_PEOPLE = "expertnet_graph_people"


def _mark(session: Session, columns: set[str], people: Iterable[int | None] = (None,)) -> None:
    session.info.setdefault(_DIRTY, set()).update(columns)
    if "version" in columns:
        session.info.setdefault(_PEOPLE, set()).update(people)


def _ids(obj: Any, attr: str) -> Iterator[int | None]:
    """The attribute's value and any value it had before this flush."""
    yield getattr(obj, attr)
    yield from inspect(obj).attrs[attr].history.deleted or ()


def _people_of(obj: Any, name: str) -> Iterator[int | None]:
    if name == "person":
        yield obj.id
    elif name == "membership":
        yield from _ids(obj, "person_id")
    elif name == "person_relationship":
        yield from _ids(obj, "person_a_id")
        yield from _ids(obj, "person_b_id")
    else:
        yield None  # an organisation, a field, the scholarly record: rebuild


def _after_flush(session: Session, _ctx: Any) -> None:
    columns: set[str] = set()
    people: set[int | None] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        name = _table_of(obj)
        if name in DIRECTORY_TABLES:
            columns.add("version")
            people.update(_people_of(obj, name))
        elif name in ACTIVITY_TABLES:
            columns.add("activity_version")
    if columns:
        _mark(session, columns, people)


def _do_orm_execute(state: ORMExecuteState) -> None:
    """Catch bulk Core writes (the demo loader, imports) that bypass the unit of work."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    name = getattr(getattr(state.statement, "table", None), "name", None)
    if name in DIRECTORY_TABLES:
        _mark(state.session, {"version"})
    elif name in ACTIVITY_TABLES:
        _mark(state.session, {"activity_version"})


def _before_commit(session: Session) -> None:
    # The bump waits for the commit: the row stays locked only while the commit runs,
    # so writers (an import, experts accepting invitations) do not queue behind each
    # other's whole transactions.
    if session.new or session.dirty or session.deleted:
        session.flush()  # commit flushes after this hook; marks must be complete now
    columns = session.info.pop(_DIRTY, None)
    people = session.info.pop(_PEOPLE, None)
    if columns:
        _bump(session, columns)
        if "version" in columns:
            _record(session, people)


def _record(session: Session, people: set[int | None] | None) -> None:
    """Write who this commit changed, under the version it just bumped to."""
    conn = session.connection()
    gv = GraphVersion.__table__
    version = conn.execute(select(gv.c.version).where(gv.c.id == 1)).scalar()
    if version is None:
        return
    known = people is not None and None not in people and bool(people)
    if not known or len(people) > MAX_PATCH:  # type: ignore[arg-type]
        rows = [{"version": version, "person_id": None}]
    else:
        rows = [{"version": version, "person_id": p} for p in sorted(people)]  # type: ignore[arg-type,type-var]
    conn.execute(insert(GraphChange.__table__), rows)


def _after_transaction_end(session: Session, transaction: Any) -> None:
    # However the session's own transaction ends (rollback, close), its marks go with it;
    # a savepoint ending leaves the outer transaction's marks (at worst one extra bump).
    if transaction.parent is None:
        session.info.pop(_DIRTY, None)
        session.info.pop(_PEOPLE, None)


def install() -> None:
    """Listen on every session (idempotent)."""
    for name, fn in (
        ("after_flush", _after_flush),
        ("do_orm_execute", _do_orm_execute),
        ("before_commit", _before_commit),
        ("after_transaction_end", _after_transaction_end),
    ):
        if not event.contains(Session, name, fn):
            event.listen(Session, name, fn)


def current_version(session: Session | None = None) -> tuple[int, int]:
    """The data version as this session's transaction sees it."""
    session = session or db.session
    row = session.execute(
        select(GraphVersion.version, GraphVersion.activity_version).where(GraphVersion.id == 1)
    ).first()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def _background() -> bool:
    """Whether a stale graph is served while a fresh one is built off the request path."""
    from flask import current_app

    try:
        return bool(current_app.config.get("EXPERTNET_GRAPH_BACKGROUND", True))
    except RuntimeError:  # no app: a script or the benchmark, which wants the fresh graph
        return False


class GraphNotReady(Exception):
    """This process has no expert graph yet; one is being built in the background."""


def snapshot_root(engine: Any = None) -> Path | None:
    """Where this database's graph snapshots live: ``EXPERTNET_GRAPH_DIR`` or the instance
    folder's ``graph``, one subfolder per database; None without an app or when
    ``EXPERTNET_GRAPH_SNAPSHOTS`` is off (each process then builds its own graph)."""
    from flask import current_app, has_app_context

    if not has_app_context() or not current_app.config.get("EXPERTNET_GRAPH_SNAPSHOTS", True):
        return None
    engine = engine or db.engine
    url = engine.url.render_as_string(hide_password=True)
    if engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:"):
        return None  # an in-memory database lives in this process only
    base = current_app.config.get("EXPERTNET_GRAPH_DIR") or os.path.join(
        current_app.instance_path, "graph"
    )
    return Path(base) / hashlib.sha256(url.encode()).hexdigest()[:16]


def get_graph(session: Session | None = None, *, wait: bool = True) -> ExpertGraph:
    """The expert graph for the data this session sees; built or refreshed only on change.

    Read on the session's own connection, so a caller sees the graph of its own
    transaction (tests, and a request that just flushed a change, rely on that).

    When the directory changed since the cached snapshot, the process first patches it
    for the people changed (milliseconds), else maps the newest snapshot file. Only when
    neither gives the current version is a full build needed: the request is then
    answered from what the process has (with a fresh consultation layer: panels and
    workload are never stale) while one build runs in the background. A process with
    nothing at all builds first; with ``wait=False`` it raises ``GraphNotReady`` instead
    (the anonymous network endpoint must never cost a full build).
    """
    from . import incremental

    session = session or db.session
    engine = session.get_bind().engine
    url = str(engine.url)
    version = current_version(session)  # autoflushes, so the marks below are complete
    cached = _graphs.get(url)
    dirty = session.info.get(_DIRTY)
    if dirty:
        # This transaction changed graph data it has not committed: it gets a private
        # snapshot of what it sees, which is never cached for others.
        conn = session.connection()
        base = cached
        if base is not None and base.version[0] < version[0]:
            # Savepoints released earlier in this transaction (or commits since the
            # snapshot) bumped the version and recorded whom they changed: patch those
            # first, as for a commit (this transaction's own records are visible here).
            base = _patched(base, conn, version[0])
        if base is not None and base.version[0] == version[0]:
            if dirty == {"activity_version"}:
                return _with_new_overlay(base, version, conn)
            people = session.info.get(_PEOPLE) or {None}
            if None not in people and len(people) <= MAX_PATCH:
                patched = incremental.patch(base, conn, people, version)  # type: ignore[arg-type]
                return _with_new_overlay(patched, version, conn)
        return build_graph(conn, version)
    if cached is not None and cached.version == version:
        return cached
    background = _background()
    root = snapshot_root(engine)
    if cached is None or cached.version[0] < version[0]:
        caught_up = _catch_up(url, cached, version, session, root)
        if caught_up is not None:
            if caught_up.version[0] == version[0]:
                return caught_up
            if background:
                start_background_build(engine, root)
                return caught_up  # stale directory, current consultation layer
        cached = _graphs.get(url)
    if cached is not None and cached.version[0] != version[0] and background:
        start_background_build(engine, root)
        if cached.version[1] == version[1]:
            return cached
        # Requests and panels changed too: those are cheap and must be current.
        return _install_overlay(url, cached, (cached.version[0], version[1]), session)
    if cached is None and background and not wait:
        start_background_build(engine, root)
        raise GraphNotReady
    if cached is not None and cached.version[0] == version[0]:
        return _install_overlay(url, cached, version, session)
    with _build_lock:  # one full build per process at a time
        cached = _graphs.get(url)
        if cached is not None and (cached.version == version or background):
            return cached  # built by another thread meanwhile
        fresh = build_graph(session.connection(), version)
        settle()
        with _lock:
            _graphs[url] = fresh
        return fresh


def _catch_up(
    url: str,
    cached: ExpertGraph | None,
    version: tuple[int, int],
    session: Session,
    root: Path | None,
) -> ExpertGraph | None:
    """Bring the directory part to ``version[0]`` without building: patch the cached
    graph, or map the newest snapshot file (and patch it). Installs and returns the
    result — which may still be older than ``version`` when the changes since the newest
    snapshot cannot be patched — or None when there is nothing newer than ``cached``."""
    from . import snapshot

    conn = session.connection()
    fresh: ExpertGraph | None = None
    mapped = False
    if cached is not None:
        fresh = _patched(cached, conn, version[0])
    if fresh is None and root is not None:
        path = snapshot.latest(root, version[0])
        if path is not None:
            started = time.perf_counter()
            try:
                loaded = snapshot.load(path)
            except (OSError, ValueError, EOFError):
                log.exception("graph snapshot %s is unreadable", path)
                loaded = None
            if loaded is not None and (cached is None or loaded.version[0] > cached.version[0]):
                log.info("graph snapshot %s mapped in %.3fs", path, time.perf_counter() - started)
                with _lock:
                    _asked.pop(url, None)  # a build job (if one was asked) delivered
                fresh = _patched(loaded, conn, version[0]) or loaded
                mapped = True
    if fresh is None:
        return None
    fresh = _with_new_overlay(fresh, (fresh.version[0], version[1]), conn)
    with _lock:
        current = _graphs.get(url)
        if current is not None and current.version[0] > fresh.version[0]:
            return current  # a newer one landed meanwhile
        _graphs[url] = fresh
    if mapped:
        # As after a build: a process that maps its snapshot (every web process at
        # 1,000,000 members) otherwise had each full collection walk all it holds, and
        # one suggestion in 15 took 180 ms more (docs/performance.md).
        settle()
    return fresh


def _patched(eg: ExpertGraph, conn: Any, target: int) -> ExpertGraph | None:
    """``eg`` patched up to directory version ``target``; None when that takes a build."""
    from . import incremental

    if eg.version[0] == target:
        return eg
    try:
        people = incremental.changed_people(conn, eg.version[0], target)
    except incremental.NeedsRebuild:
        return None
    if eg.patched_people + len(people) > MAX_PATCH:
        return None  # the overlay has grown: time for a new snapshot
    started = time.perf_counter()
    out = incremental.patch(eg, conn, people, (target, eg.version[1]))
    release_memory()
    took = time.perf_counter() - started
    log.info("expert graph patched for %d people in %.3fs", len(people), took)
    return out


def _install_overlay(
    url: str, cached: ExpertGraph, version: tuple[int, int], session: Session
) -> ExpertGraph:
    with _lock:
        current = _graphs.get(url)
        if current is not None and current.version == version:
            return current
        if current is not None and current is not cached and current.version >= version:
            return current  # a newer snapshot landed meanwhile
        try:
            fresh = _with_new_overlay(cached, version, session.connection())
        except KeyError:
            # The overlay names a field or organisation the stale directory graph does
            # not have yet; the background build will bring both.
            return cached
        _graphs[url] = fresh
        return fresh


#: One full build per process at a time (the background thread or a queued job).
_build_lock = threading.Lock()
_building: set[str] = set()


@contextlib.contextmanager
def _file_lock(root: Path | None) -> Iterator[None]:
    """One build per node at a time: the other processes wait, then map its snapshot."""
    if root is None:
        yield
        return
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".build.lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def refresh(engine: Any = None, root: Path | bool | None = True) -> ExpertGraph:
    """Make the graph of the committed data this process's current one, building it only
    when no snapshot file (patched for the people changed since) gives it.

    A plain function: the background thread runs it, and so do the ``graph_snapshot``
    job and ``expertnet graph snapshot``. A build writes its snapshot under ``root``
    (default: ``snapshot_root``; False: no file) and the process then maps that file, so
    the memory of the build is not kept. Returns the snapshot now current.
    """
    from . import snapshot

    engine = engine or db.engine
    url = str(engine.url)
    if root is True:
        root = snapshot_root(engine)
    root = root or None
    with _build_lock, _file_lock(root), gc_paused():
        with engine.connect() as conn:
            row = conn.execute(
                select(GraphVersion.version, GraphVersion.activity_version).where(
                    GraphVersion.id == 1
                )
            ).first()
            version = (int(row[0]), int(row[1])) if row else (0, 0)
            cached = _graphs.get(url)
            if cached is not None and cached.version == version:
                return cached
            fresh = None
            if root is not None:
                path = snapshot.snapshot_dir(root, version[0])
                if path.is_dir():  # another process built it while this one waited
                    fresh = snapshot.load(path)
            if fresh is None:
                fresh = build_graph(conn, version)
                if root is not None:
                    path = snapshot.save(fresh, root)
                    snapshot.prune(root)
                    conn.rollback()  # end the long read before writing
                    _prune_after_snapshot(engine, version[0])
                    built_in = fresh.build_seconds
                    fresh = snapshot.load(path)  # map the file: the built arrays are freed
                    fresh.build_seconds = built_in
            if not fresh.activity.number_of_nodes() or fresh.version != version:
                fresh = _with_new_overlay(fresh, version, conn)  # a mapped file has none
        settle()
        with _lock:
            current = _graphs.get(url)
            if (
                current is None
                or current.version[0] < fresh.version[0]
                or (
                    current.version[0] == fresh.version[0]
                    and current.version[1] <= fresh.version[1]
                )
            ):
                _graphs[url] = fresh
            return _graphs[url]


#: ``graph_change`` rows younger than this (seconds) are kept even when a snapshot holds
#: their changes: a process that mapped an older snapshot a moment ago still patches.
CHANGE_KEEP_SECONDS = 3600


def prune_changes(engine: Any, upto: int) -> int:
    """Delete the ``graph_change`` rows of versions ≤ ``upto``; returns how many.

    In their place one row without a person at version ``upto`` says "these changes are
    gone": a process whose graph is older than ``upto`` reads it as "rebuild"
    (``incremental.changed_people``), so instead of patching from an incomplete list it
    maps the newest snapshot (which holds them) and patches from there, or builds. A
    process at ``upto`` or later never reads it. Versions commit in order (the bump
    locks the ``graph_version`` row), so no row ≤ ``upto`` can commit after this.
    """
    t = GraphChange.__table__
    with engine.begin() as conn:
        gone = conn.execute(delete(t).where(t.c.version <= upto)).rowcount or 0
        if gone:
            conn.execute(insert(t), [{"version": upto, "person_id": None}])
    if gone:
        log.info("pruned %d graph_change rows up to version %d", gone, upto)
    return gone


def prune_horizon(
    engine: Any, keep_seconds: float, snapshot_version: int | None = None, root: Any = True
) -> int:
    """The version up to which ``graph_change`` rows may go: older than ``keep_seconds``
    (versions are at least their commit time in microseconds) and, when this node keeps
    snapshots, not newer than the newest one (so that a lagging process finds a snapshot
    that holds the pruned changes and patches from it instead of building)."""
    from . import snapshot

    horizon = time.time_ns() // 1000 - int(keep_seconds * 1_000_000)
    if snapshot_version is None:
        if root is True:
            root = snapshot_root(engine)
        newest = snapshot.latest(root, 2**62) if root is not None else None
        if newest is not None:
            snapshot_version = snapshot.version_of(newest)
    if snapshot_version is not None:
        horizon = min(horizon, snapshot_version)
    return horizon


def _keep_seconds() -> float:
    from flask import current_app, has_app_context

    if has_app_context():
        return float(current_app.config.get("EXPERTNET_GRAPH_CHANGE_KEEP", CHANGE_KEEP_SECONDS))
    return CHANGE_KEEP_SECONDS


def _prune_after_snapshot(engine: Any, version: int) -> None:
    """A new snapshot holds every change up to ``version``: prune what is old enough."""
    try:
        prune_changes(engine, prune_horizon(engine, _keep_seconds(), version))
    except Exception:  # housekeeping: the next snapshot or the command prunes them
        log.exception("pruning graph_change failed")


#: Seconds a web process waits for the build job it enqueued before building itself
#: (the worker may be down, or on a node that does not share the snapshot folder).
JOB_PATIENCE_SECONDS = 300
_asked: dict[str, float] = {}


def _ask_worker(url: str, root: Path | None) -> bool:
    """With a job broker, enqueue ``build_graph_snapshot`` instead of building here.

    One message per process until a snapshot newer than its graph lands (``_catch_up``
    maps it and forgets the request), and at most one per ``EXPERTNET_GRAPH_JOB_PATIENCE``
    seconds; the job itself builds once per node (file lock, and an existing snapshot of
    the version is mapped, not rebuilt). False when this process should build itself: no
    broker, no shared snapshot folder, or the job did not deliver in time.
    """
    from flask import current_app, has_app_context

    if root is None or not has_app_context() or not current_app.config.get("EXPERTNET_BROKER_URL"):
        return False
    patience = float(current_app.config.get("EXPERTNET_GRAPH_JOB_PATIENCE", JOB_PATIENCE_SECONDS))
    now = time.monotonic()
    with _lock:
        asked = _asked.get(url)
        _asked[url] = now if asked is None or now - asked >= patience else asked
        if asked is not None:
            return now - asked < patience  # still waiting; else build here, ask later
    from ..jobs import enqueue
    from .jobs import build_graph_snapshot

    try:
        enqueue(build_graph_snapshot)
    except Exception:  # the broker is down: build here as without one
        log.exception("could not enqueue the build of the expert graph")
        return False
    return True


def start_background_build(engine: Any, root: Path | None = None) -> bool:
    """Start one background build for this database unless one is running; True if started
    (or, with a job broker, asked of a worker: ``_ask_worker``)."""
    url = str(engine.url)
    if _ask_worker(url, root):
        return True
    with _lock:
        if url in _building:
            return False
        _building.add(url)

    def run() -> None:
        try:
            refresh(engine, root or False)
        except Exception:  # the next request starts another; the stale graph still serves
            log.exception("background build of the expert graph failed")
        finally:
            with _lock:
                _building.discard(url)

    thread = threading.Thread(target=run, name="expertnet-graph-build", daemon=True)
    _threads[url] = thread
    thread.start()
    return True


_threads: dict[str, threading.Thread] = {}


def is_building(engine: Any = None) -> bool:
    return str((engine or db.engine).url) in _building


def wait_for_build(engine: Any = None, timeout: float | None = None) -> None:
    """Wait until the background build of this database (if any) has finished."""
    thread = _threads.get(str((engine or db.engine).url))
    if thread is not None:
        thread.join(timeout)


def _with_new_overlay(cached: ExpertGraph, version: tuple[int, int], conn: Any) -> ExpertGraph:
    """Only requests or invitations changed: a shallow copy shares the big directory
    graph (never mutated) and gets a new overlay; readers in other threads keep the old
    snapshot intact."""
    fresh = copy.copy(cached)
    fresh.memo = {}
    fresh.version = version
    started = time.perf_counter()
    add_consultation_layer(fresh, conn)
    fresh.build_seconds = time.perf_counter() - started
    return fresh


_libc: Any = None


def release_memory() -> None:
    """Hand the heap pages freed by a patch back to the system (glibc's ``malloc_trim``).

    A patch allocates the new rows and copies of a few megabytes and frees the ones it
    replaces; glibc keeps such freed pages in its arenas, so without this a process grew
    by 20–30 MB over its first edits and stayed there (docs/performance.md). A no-op
    where the C library has no ``malloc_trim``.
    """
    global _libc
    if _libc is None:
        import ctypes

        try:
            lib = ctypes.CDLL(None)  # the process's own symbols: the C library's among them
            _libc = lib if hasattr(lib, "malloc_trim") else False
        except OSError:
            _libc = False
    if _libc:
        _libc.malloc_trim(0)


def settle() -> None:
    """Move the objects alive now (a fresh snapshot: a million dicts and ints) out of
    the cyclic garbage collector's sight.

    Otherwise every full collection walks the whole graph, and a suggestion that happens
    to trigger one takes 250 ms instead of 30. Safe because a snapshot holds no
    reference cycles: when it is replaced, reference counting frees it all the same.

    The forced collection finalises whatever garbage other code left behind: a
    ``ResourceWarning`` from such an object's finaliser (an unclosed connection dropped
    elsewhere) is not this caller's, so it is not raised here. Python's default filters
    ignore it anyway; a test run that turns warnings into errors still sees it wherever
    the interpreter collects such garbage on its own.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
    gc.freeze()
    release_memory()


def clear() -> None:
    """Forget every cached graph (tests and the benchmark)."""
    with _lock:
        _graphs.clear()
        _asked.clear()
