"""This node's search index: open it, bring it up to date with the change log, report on it.

Every node (machine) keeps its own Whoosh index folder. The database holds the change log
(``search.changelog``): each commit that changes indexed data appends entries in the same
transaction (``search.hooks``). ``sync_index`` applies the entries this node has not
applied yet, remembering the last one in the index folder (``search.node``), or rebuilds
from the database when the index is missing, unreadable or too far behind. A background
thread per node (``search.syncer``) calls it when PostgreSQL notifies a commit, or when
its poll finds new entries. ``sync_index`` and ``rebuild_index`` are plain functions, for
the command line and for background jobs alike.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
import threading
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from search_index import ExpertIndex, IndexUnavailable
from search_index.build import PARALLEL_MIN_DOCS, PartitionedDocs

from ..core.types import utcnow
from ..directory.models import Person
from ..extensions import db
from . import changelog
from .documents import (  # noqa: F401 - person_doc re-exported
    KIND_PERSON,
    id_ranges,
    iter_docs,
    iter_docs_sql,
    person_doc,
)
from .hooks import CommittedBatch
from .node import NodeFolder, NodeState, SyncBusy

log = logging.getLogger(__name__)

_indexes: dict[str, ExpertIndex] = {}
_lock = threading.Lock()
_running: set[str] = set()

#: How long a commit waits for this node's sync lock to apply its own change at once.
LOCAL_LOCK_WAIT = 0.5
#: How long the command line and jobs wait for another process's sync (a rebuild).
SYNC_LOCK_WAIT = 3600.0
#: Entries older than this and not applied yet make the node report itself degraded.
STALE_AFTER_SECONDS = 10.0
#: How many entries are read from the log at a time.
READ_BATCH = 2000


class SyncError(Exception):
    """The index cannot be brought up to date (one clear line for the command line)."""


@dataclass
class SyncReport:
    """What one ``sync_index`` call did."""

    position: int  # the last log entry this node's index now reflects
    applied: int = 0  # entries replayed
    rebuilt: int | None = None  # people indexed by a rebuild (None: no rebuild)
    reason: str | None = None  # why it rebuilt

    def describe(self) -> str:
        if self.rebuilt is not None:
            return f"rebuilt ({self.rebuilt} people; {self.reason}), at change {self.position}"
        if self.applied:
            return f"applied {self.applied} changes, at change {self.position}"
        return f"up to date, at change {self.position}"


def get_index(app=None, warm: bool = True) -> ExpertIndex:
    """The process-wide index object for the app's index folder (searchers are reused).

    ``warm=False``: a process made to rebuild the index does not warm the one it replaces
    (~4 CPU-s at 108,000 people, taken from the rebuild's workers).
    """
    app = app or current_app
    path = app.config["EXPERTNET_INDEX_DIR"]
    with _lock:
        idx = _indexes.get(path)
        if idx is None:
            idx = _indexes[path] = ExpertIndex(path)
            if warm and app.config.get("EXPERTNET_INDEX_WARM", True):
                # Loading the term caches takes about a second; do it off the request path,
                # once per process (this runs lazily, so after gunicorn has forked).
                threading.Thread(target=_warm, args=(idx,), name="index-warm", daemon=True).start()
        return idx


def _warm(idx: ExpertIndex) -> None:
    try:
        idx.warm()
    except Exception:  # a cold index still answers, only slower
        log.warning("warming the search index failed", exc_info=True)


def node_folder(app=None) -> NodeFolder:
    app = app or current_app
    return NodeFolder(app.config["EXPERTNET_INDEX_DIR"])


def _head(session) -> changelog.Head:
    head = changelog.head(session)
    if head is None:
        raise SyncError("the database has no search change log; run `expertnet init`")
    return head


# --- rebuilding and replaying ---------------------------------------------------------------


def _read_part(engine, lo: int | None, hi: int | None):
    """One id range's documents, read in a forked index worker on its own connection."""
    engine.dispose(close=False)  # the parent's pooled connections are not this process's
    with engine.connect() as conn:
        yield from iter_docs_sql(conn, lo, hi)


def _procs(app) -> int:
    """Index workers of a large rebuild: ``EXPERTNET_INDEX_PROCS``, else one per core (≤ 2)."""
    return int(app.config.get("EXPERTNET_INDEX_PROCS") or min(2, os.cpu_count() or 1))


def _documents(app, session, total: int) -> PartitionedDocs:
    """Every person's document: read by the index workers themselves, an id range each,
    when the build runs in parallel; otherwise on the caller's connection."""
    conn = session.connection()
    procs = _procs(app)
    engine = conn.engine
    memory = engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:")
    parts = []
    if procs > 1 and total >= PARALLEL_MIN_DOCS and not memory:
        parts = [functools.partial(_read_part, engine, lo, hi) for lo, hi in id_ranges(conn, procs)]
    return PartitionedDocs(parts, lambda: iter_docs_sql(conn), total)


def _rebuild_locked(app, session, node: NodeFolder, head, progress_label: str | None) -> int:
    """Rebuild from the database; the caller holds the sync lock.

    ``head`` was read before any person: everything up to it is in what the rebuild
    reads, and entries after it are replayed by the next sync (replaying is idempotent).
    A large rebuild reads in its index workers, each on its own connection (committed
    data, at least as new as ``head``); a small one reads on the caller's connection.
    """
    # The folder may have been deleted under us: the index's lock files live in it.
    node.path.mkdir(parents=True, exist_ok=True)
    idx = get_index(app, warm=False)
    total = session.scalar(select(func.count(Person.id))) or 0
    docs = _documents(app, session, total)
    if progress_label:
        import click

        with click.progressbar(length=total, label=progress_label, file=sys.stderr) as bar:
            # The index reports a running total; click's bar wants increments.
            idx.rebuild(docs, progress=lambda done: bar.update(done - bar.pos), procs=_procs(app))
    else:
        idx.rebuild(docs, procs=_procs(app))
    node.write_state(NodeState(head.epoch, head.last_id))
    return total


def rebuild_index(progress_label: str | None = None, app=None) -> int:
    """Rebuild this node's index from the database; returns the number of people indexed."""
    app = app or current_app._get_current_object()
    node = node_folder(app)
    with node.lock(SYNC_LOCK_WAIT):
        return _rebuild_locked(app, db.session, node, _head(db.session), progress_label)


class BackgroundRebuild:
    """A rebuild of this node's index running in a forked process (``start_rebuild``)."""

    def __init__(self, app, process, total: int) -> None:
        self.app, self.process, self.total = app, process, total

    def wait(self) -> SyncReport:
        """Wait for the rebuild, then replay what was committed since it started."""
        self.process.join()
        if self.process.exitcode != 0:
            raise SyncError(
                f"the index rebuild failed (exit code {self.process.exitcode}); "
                "run `expertnet index rebuild`"
            )
        return sync_index(self.app)


def _rebuild_child(app, head, ranges: list[tuple[int | None, int | None]], total: int) -> None:
    """The forked process of ``start_rebuild``: builds and swaps in the index.

    It opens no database connection itself (its index workers, forked from it, each open
    their own), so no SQLite connection is ever open in a process that forks.
    """
    with app.app_context():
        engine = db.engine
        node = node_folder(app)
        parts = [functools.partial(_read_part, engine, lo, hi) for lo, hi in ranges]
        docs = PartitionedDocs(parts, functools.partial(_read_part, engine, None, None), total)
        with node.lock(SYNC_LOCK_WAIT):
            node.path.mkdir(parents=True, exist_ok=True)
            # Not get_index(): no warming thread in a process that is about to fork.
            ExpertIndex(app.config["EXPERTNET_INDEX_DIR"]).rebuild(docs, procs=len(parts))
            node.write_state(NodeState(head.epoch, head.last_id))


def start_rebuild(app=None) -> BackgroundRebuild | None:
    """Start rebuilding this node's index from what is committed now, in a forked process
    whose index workers read an id range each; ``wait()`` on the result finishes the job.

    The caller keeps writing meanwhile (on SQLite, in WAL mode, so that the workers'
    reads and its writes do not wait for each other). The workers each read one
    snapshot, taken after the change log's head read here; ``wait()`` replays whatever
    was committed after that head (``sync_index``), so the index ends up current.

    Returns None, having started nothing, when the rebuild would not run in parallel
    workers reading on their own connections (one worker, a small directory, an
    in-memory database): the caller rebuilds in its own process instead.

    Closes ``db.session`` and disposes the engine's pooled connections before forking:
    SQLite's locks are per process and its state is copied by ``fork``, so a connection
    must not be open in a process that forks one that uses the database.
    """
    import multiprocessing

    app = app or current_app._get_current_object()
    session = db.session
    conn = session.connection()
    engine = conn.engine
    procs = _procs(app)
    memory = engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:")
    total = session.scalar(select(func.count(Person.id))) or 0
    if procs <= 1 or total < PARALLEL_MIN_DOCS or memory:
        return None
    head = _head(session)
    ranges = id_ranges(conn, procs)
    session.close()
    engine.dispose()
    process = multiprocessing.get_context("fork").Process(
        target=_rebuild_child, args=(app, head, ranges, total), name="expertnet-index-rebuild"
    )
    process.start()
    return BackgroundRebuild(app, process, total)


def _needs_rebuild(app, session, node, state, head) -> str | None:
    """Why replaying the log cannot bring this index up to date, or None when it can."""
    if state is None:
        return "no record of the changes this index has applied"
    if state.epoch != head.epoch:
        return "the index was built from another database"
    if state.applied > head.last_id:
        return "the index is ahead of the change log (was the database restored?)"
    status = get_index(app).status()
    if not status["ok"]:
        return status["detail"]
    if head.last_id - state.applied > int(app.config.get("EXPERTNET_INDEX_MAX_LAG", 5000)):
        return f"{head.last_id - state.applied} changes behind"
    if state.applied < head.last_id and changelog.first_after(session, state.applied) != (
        state.applied + 1
    ):
        return "the changes it missed were pruned from the log"
    return None


def _replay(app, session, after: int, upto: int) -> tuple[int, str | None]:
    """Apply entries ``after+1..upto``; returns (entries read, reason to rebuild instead)."""
    people: set[int] = set()
    expected = after + 1
    while expected <= upto:
        batch = changelog.entries(session, expected - 1, upto, READ_BATCH)
        if not batch or batch[0][0] != expected:
            return 0, "the changes it missed were pruned from the log"
        for entry_id, kind, entity_id in batch:
            if entry_id != expected:
                return 0, "the change log has a gap"
            expected += 1
            if kind != KIND_PERSON:
                continue  # a kind this index does not hold (a newer node may index more)
            if entity_id is None:
                return 0, "all people changed (a bulk load)"
            people.add(entity_id)
    if people:
        docs = list(iter_docs(session, people))
        idx = get_index(app)
        idx.upsert(docs)
        gone = people - {d["id"] for d in docs}
        if gone:
            idx.remove(gone)
    return upto - after, None


def sync_index(
    app=None,
    *,
    rebuild: bool = False,
    progress_label: str | None = None,
    wait: float = SYNC_LOCK_WAIT,
    session=None,
) -> SyncReport:
    """Bring this node's index up to date with the change log; safe to call at any time.

    Replays the entries not applied yet, or rebuilds when asked to, when the index is
    missing or unreadable, or when it is too far behind. Only reads the database (through
    ``session``, by default ``db.session``); ``record_position`` then tells the others.
    Raises ``SyncBusy`` when another process of this node holds the sync lock longer
    than ``wait`` seconds.
    """
    app = app or current_app._get_current_object()
    session = session if session is not None else db.session
    node = node_folder(app)
    with node.lock(wait):
        head = _head(session)
        state = node.read_state()
        reason = "requested" if rebuild else _needs_rebuild(app, session, node, state, head)
        report = SyncReport(position=state.applied if state else 0)
        if reason is None and state is not None and state.applied < head.last_id:
            try:
                report.applied, reason = _replay(app, session, state.applied, head.last_id)
            except (IndexUnavailable, OSError) as exc:
                log.warning("applying index changes failed; rebuilding", exc_info=True)
                reason = f"the index could not be updated ({type(exc).__name__})"
            if reason is None:
                node.write_state(NodeState(head.epoch, head.last_id))
                report.position = head.last_id
        if reason is not None:
            log.info("rebuilding the search index in %s: %s", node.path, reason)
            report.applied = 0
            report.rebuilt = _rebuild_locked(app, session, node, head, progress_label)
            report.reason = reason
            report.position = head.last_id
    return report


def record_position(
    app=None, position: int | None = None, *, prune: bool = False, session=None
) -> int:
    """Record in the database how far this node's index has got, and with ``prune``
    delete the log entries no live node needs; returns how many were deleted.

    A write: on SQLite, call it in a transaction of its own, after the sync's read one
    has ended (a reader upgrading to a writer gives up at once when another writes).
    The caller commits.
    """
    app = app or current_app._get_current_object()
    session = session if session is not None else db.session
    node = node_folder(app)
    if position is None:
        state = node.read_state()
        position = state.applied if state else 0
    changelog.report_node(session, node.node_id, node.host, str(node.path), position)
    return changelog.prune(session, _retention(app)) if prune else 0


def _retention(app) -> timedelta:
    return timedelta(days=float(app.config.get("EXPERTNET_INDEX_LOG_RETENTION_DAYS", 7)))


def apply_committed(app, batch: CommittedBatch) -> None:
    """Apply one commit's changes to this node's index right after the commit.

    Runs in the committing process, so a user sees their own change on the next page.
    The documents were read inside the committed transaction; they are written only if
    no sync has applied these entries since (a sync re-reads fresher ones), and the
    node's position moves only when every earlier entry is applied already. Anything
    else is left to a sync, which is woken.
    """
    if batch.docs is None:
        request_sync(app)
        return
    node = node_folder(app)
    settled = False
    try:
        with node.lock(LOCAL_LOCK_WAIT):
            state = node.read_state()
            current = state is not None and state.epoch == batch.epoch
            if current and state.applied >= batch.last:
                return
            idx = get_index(app)
            if batch.docs:
                idx.upsert(batch.docs)
            if batch.removed:
                idx.remove(batch.removed)
            if current and state.applied == batch.first - 1:
                node.write_state(NodeState(batch.epoch, batch.last))
                settled = True
    except SyncBusy:
        pass  # a sync is running here; it (or the next one) applies these entries
    except Exception:
        log.warning("search index update failed; syncing", exc_info=True)
    if not settled:
        request_sync(app)


# --- background work -----------------------------------------------------------------------


def request_sync(app) -> bool:
    """Have this node's index brought up to date off the request path.

    Wakes this process's syncer when it runs; otherwise, serving a request, starts one
    sync thread per index folder (when ``EXPERTNET_INDEX_AUTOREBUILD`` allows). Commands
    and scripts sync explicitly instead: a thread would die with them. False when
    nothing was started.
    """
    from flask import has_request_context

    from .syncer import wake

    if wake(app):
        return True
    if not app.config.get("EXPERTNET_INDEX_AUTOREBUILD", True) or not has_request_context():
        return False
    path = app.config["EXPERTNET_INDEX_DIR"]
    with _lock:
        if path in _running:
            return False
        _running.add(path)

    def run():
        try:
            sync_in_own_session(app)
        except Exception:
            log.exception("background index sync failed")
        finally:
            with _lock:
                _running.discard(path)

    threading.Thread(target=run, name="expertnet-index-sync-once", daemon=True).start()
    return True


def sync_in_own_session(
    app,
    *,
    rebuild: bool = False,
    wait: float = SYNC_LOCK_WAIT,
    record: bool = True,
    prune: bool = False,
    recorded: int | None = None,
) -> SyncReport:
    """``sync_index`` then ``record_position``, each committed, on a session of its own.

    Records the position with ``record``, with ``prune``, or when it moved from
    ``recorded`` (what the caller recorded last).

    For background threads and jobs (``rebuild=True`` for a rebuild job): never
    ``db.session``, whose registry belongs to requests (and which tests rebind to their
    own connection).
    """
    with app.app_context(), Session(db.engine) as session:
        try:
            report = sync_index(app, rebuild=rebuild, wait=wait, session=session)
            session.commit()  # end the read before writing (SQLite)
            if record or prune or report.position != recorded:
                record_position(app, report.position, prune=prune, session=session)
                session.commit()
            return report
        except BaseException:
            session.rollback()
            raise


#: The name the search fallback has always used.
rebuild_in_background = request_sync


def is_rebuilding(app) -> bool:
    """Whether this process is repairing its index in the background right now."""
    return app.config["EXPERTNET_INDEX_DIR"] in _running


# --- health ---------------------------------------------------------------------------------


def index_status(app=None) -> dict:
    """The index and how far behind the change log it is, with the reasons it is degraded.

    Never raises: the health check reports, it does not fail.
    """
    app = app or current_app._get_current_object()
    try:
        out = dict(get_index(app).status())
    except Exception as exc:
        out = {"ok": False, "doc_count": 0, "detail": f"{type(exc).__name__}: {exc}"}
    problems: list[str] = []
    if not out["ok"]:
        problems.append(f"search runs on the database fallback: {out['detail']}")
        request_sync(app)  # a load balancer's health checks also start the repair
    state = node_folder(app).read_state()
    out.update(applied=state.applied if state else None, head=None, behind=None)
    out["behind_seconds"] = None
    try:
        head = changelog.head(db.session)
    except Exception as exc:
        db.session.rollback()
        head = None
        problems.append(f"the change log cannot be read ({type(exc).__name__})")
    if head is not None:
        out["head"] = head.last_id
        if state is None:
            problems.append("this node's index has not been synced with the change log yet")
        elif state.epoch != head.epoch:
            problems.append("this node's index was built from another database")
        else:
            out["behind"] = max(0, head.last_id - state.applied)
            since = changelog.pending_since(db.session, state.applied) if out["behind"] else None
            lag = (utcnow() - since).total_seconds() if since else 0.0
            out["behind_seconds"] = round(max(0.0, lag), 3)
            if out["behind"] and lag > STALE_AFTER_SECONDS:
                problems.append(
                    f"this node's index is {out['behind']} changes behind, "
                    f"the oldest for {lag:.0f} s"
                )
    from .syncer import syncer_mode

    out["syncer"] = syncer_mode(app)
    out["problems"] = problems
    return out
