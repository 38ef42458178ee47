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


def get_graph(session: Session | None = None) -> ExpertGraph:
    """The expert graph for the data this session sees; built or refreshed only on change.

    Built on the session's own connection, so a caller sees the graph of its own
    transaction (tests, and a request that just flushed a change, rely on that).
    """
    session = session or db.session
    url = str(session.get_bind().engine.url)
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
    with _lock:
        cached = _graphs.get(url)
        if cached is not None and cached.version == version:
            return cached
        conn = session.connection()
        if cached is not None and cached.version[0] == version[0]:
            fresh = _with_new_overlay(cached, version, conn)
        else:
            fresh = build_graph(conn, version)
            settle()
        _graphs[url] = fresh
        return fresh


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
