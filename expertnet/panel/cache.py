"""One expert graph per process, rebuilt only when the database says the data changed.

Writers bump ``graph_version`` in the same transaction as their change, just before it
commits (session hooks below), so the bump commits or rolls back with it. Readers
compare the row with the version of their cached snapshot: one primary-key SELECT per
use, never a rebuild per request. A transaction that has changed graph data and not yet
committed gets a private, uncached snapshot of what it sees.

Two counters: people and organisations (``version``: a full rebuild, seconds at 108,000
members) and requests and invitations (``activity_version``: only the small
consultation layer is rebuilt).

Values are never reused: a bump sets the counter to at least the current time in
microseconds. A bump inside a transaction that is rolled back (a test, a failed request)
may have been seen by a reader in that transaction; with ``version + 1`` the next bump
would produce the same number for different data and alias that stale snapshot.
"""

from __future__ import annotations

import copy
import gc
import logging
import threading
import time
from typing import Any

from sqlalchemy import case, event, select, update
from sqlalchemy.orm import ORMExecuteState, Session

from ..extensions import db
from .graph import ExpertGraph, add_consultation_layer, build_graph
from .models import GraphVersion

#: Tables whose changes alter people, organisations, memberships, fields or ties.
DIRECTORY_TABLES = frozenset(
    {"person", "organization", "membership", "person_field", "field", "person_relationship"}
    # The scholarly record: co-author edges and the text affinity reads.
    | {"publication", "publication_author", "research_project"}
)
#: Tables of the consultation layer (requests, their orgs and fields, invitations).
ACTIVITY_TABLES = frozenset(
    {"consultation_request", "request_field", "request_subject_organization", "invitation"}
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


def _mark(session: Session, columns: set[str]) -> None:
    session.info.setdefault(_DIRTY, set()).update(columns)


def _after_flush(session: Session, _ctx: Any) -> None:
    columns: set[str] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        name = _table_of(obj)
        if name in DIRECTORY_TABLES:
            columns.add("version")
        elif name in ACTIVITY_TABLES:
            columns.add("activity_version")
        if len(columns) == 2:
            break
    if columns:
        _mark(session, columns)


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
    if columns:
        _bump(session, columns)


def _after_transaction_end(session: Session, transaction: Any) -> None:
    # However the session's own transaction ends (rollback, close), its marks go with it;
    # a savepoint ending leaves the outer transaction's marks (at worst one extra bump).
    if transaction.parent is None:
        session.info.pop(_DIRTY, None)


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


def get_graph(session: Session | None = None, *, wait: bool = True) -> ExpertGraph:
    """The expert graph for the data this session sees; built or refreshed only on change.

    Built on the session's own connection, so a caller sees the graph of its own
    transaction (tests, and a request that just flushed a change, rely on that).

    When the directory changed since the cached snapshot (a profile edit, an import),
    the request is answered from the cached snapshot (with a fresh consultation layer)
    while one background thread builds the new one: no request waits for a full
    rebuild. Only a process without any graph builds one first; with ``wait=False`` it
    raises ``GraphNotReady`` instead (the anonymous network endpoint must never cost a
    full build).
    """
    session = session or db.session
    engine = session.get_bind().engine
    url = str(engine.url)
    version = current_version(session)  # autoflushes, so the marks below are complete
    cached = _graphs.get(url)
    dirty = session.info.get(_DIRTY)
    if dirty:
        # This transaction changed graph data it has not committed: it gets a private
        # snapshot of what it sees, which is never cached for others.
        if dirty == {"activity_version"} and cached is not None and cached.version == version:
            return _with_new_overlay(cached, version, session.connection())
        return build_graph(session.connection(), version)
    if cached is not None and cached.version == version:
        return cached
    background = _background()
    if cached is not None and cached.version[0] != version[0] and background:
        start_background_build(engine)
        if cached.version[1] == version[1]:
            return cached
        # Requests and panels changed too: those are cheap and must be current.
        return _install_overlay(url, cached, (cached.version[0], version[1]), session)
    if cached is None and background and not wait:
        start_background_build(engine)
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


def refresh(engine: Any = None) -> ExpertGraph:
    """Build the graph of the committed data and make it this process's current snapshot.

    A plain function: the background thread runs it, and a job queue or a command can
    too. Returns the snapshot now current (unchanged when it was already up to date).
    """
    engine = engine or db.engine
    url = str(engine.url)
    with _build_lock:
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
            fresh = build_graph(conn, version)
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


def start_background_build(engine: Any) -> bool:
    """Start one background build for this database unless one is running; True if started."""
    url = str(engine.url)
    with _lock:
        if url in _building:
            return False
        _building.add(url)

    def run() -> None:
        try:
            refresh(engine)
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


def settle() -> None:
    """Move the objects alive now (a fresh snapshot: a million dicts and ints) out of
    the cyclic garbage collector's sight.

    Otherwise every full collection walks the whole graph, and a suggestion that happens
    to trigger one takes 250 ms instead of 30. Safe because a snapshot holds no
    reference cycles: when it is replaced, reference counting frees it all the same.
    """
    gc.collect()
    gc.freeze()


def clear() -> None:
    """Forget every cached graph (tests and the benchmark)."""
    with _lock:
        _graphs.clear()
