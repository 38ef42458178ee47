"""The change log in the database that every node's search index replays.

A writer appends entries just before its transaction commits (``append``), in the same
transaction as the change: a rolled-back change leaves no entry, a committed one always
has one. Ids come from the single head row, which the writer locks with an UPDATE until
it commits; so ids are gapless and become visible in id order, and a reader that has
seen entry *n* can never later find a new entry below *n*. (A sequence would hand out
ids in start order, not commit order, and a slow transaction could commit an id below
one a node had already passed.) On PostgreSQL the append also sends a NOTIFY, which the
server delivers only at commit.

These functions take a SQLAlchemy ``Session`` or ``Connection`` and never commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select, text, update

from ..core.types import utcnow
from .models import IndexChange, IndexLogHead, IndexNode

#: PostgreSQL channel that wakes the nodes when entries commit.
CHANNEL = "expertnet_index"

_change = IndexChange.__table__
_head = IndexLogHead.__table__
_node = IndexNode.__table__


@dataclass(frozen=True)
class Head:
    last_id: int
    epoch: str


@dataclass(frozen=True)
class Appended:
    """What one commit added to the log: entries ``first``..``last`` of log ``epoch``."""

    first: int
    last: int
    epoch: str


def _conn(db):
    # A Session hands out its connection; a Connection is one already.
    return db.connection() if hasattr(db, "connection") and callable(db.connection) else db


def append(db, kind: str, ids: Iterable[int] | None) -> Appended:
    """Log that entities of ``kind`` changed (``ids`` None: all of them); call before commit.

    Locks the head row until the transaction ends: call it as late as possible.
    """
    conn = _conn(db)
    entity_ids: list[int | None] = [None] if ids is None else sorted({int(i) for i in ids})
    if not entity_ids:
        raise ValueError("nothing to append")
    n = len(entity_ids)
    row = conn.execute(
        update(_head)
        .where(_head.c.id == 1)
        .values(last_id=_head.c.last_id + n)
        .returning(_head.c.last_id, _head.c.epoch)
    ).first()
    if row is None:
        raise RuntimeError("the search change log has no head row; run `expertnet init`")
    last, epoch = int(row[0]), row[1]
    first = last - n + 1
    now = utcnow()
    conn.execute(
        insert(_change),
        [
            {"id": first + i, "kind": kind, "entity_id": eid, "created_at": now}
            for i, eid in enumerate(entity_ids)
        ],
    )
    if conn.dialect.name == "postgresql":
        # Delivered by the server when (and only if) this transaction commits.
        conn.execute(
            text("SELECT pg_notify(:channel, :payload)"), {"channel": CHANNEL, "payload": str(last)}
        )
    return Appended(first, last, epoch)


def head(db) -> Head | None:
    """The last entry id handed out and the log's epoch (None before the migration)."""
    row = _conn(db).execute(select(_head.c.last_id, _head.c.epoch).where(_head.c.id == 1)).first()
    return Head(int(row[0]), row[1]) if row else None


def first_after(db, after: int) -> int | None:
    """The smallest entry id above ``after`` still in the log."""
    return _conn(db).execute(select(func.min(_change.c.id)).where(_change.c.id > after)).scalar()


def entries(db, after: int, upto: int, limit: int = 2000) -> list[tuple[int, str, int | None]]:
    """Entries with ``after < id <= upto``, in id order, at most ``limit``."""
    rows = _conn(db).execute(
        select(_change.c.id, _change.c.kind, _change.c.entity_id)
        .where(_change.c.id > after, _change.c.id <= upto)
        .order_by(_change.c.id)
        .limit(limit)
    )
    return [(int(i), k, None if e is None else int(e)) for i, k, e in rows]


def pending_since(db, after: int) -> datetime | None:
    """When the oldest entry above ``after`` was written (None when there is none)."""
    return (
        _conn(db)
        .execute(select(func.min(_change.c.created_at)).where(_change.c.id > after))
        .scalar()
    )


def report_node(db, node_id: str, host: str, index_dir: str, applied: int) -> None:
    """Record how far a node's index has got (pruning keeps what live nodes still need)."""
    conn = _conn(db)
    now = utcnow()
    values = {"host": host[:255], "index_dir": index_dir[:1000], "applied_id": applied}
    values["seen_at"] = now
    done = conn.execute(update(_node).where(_node.c.node_id == node_id).values(**values))
    if done.rowcount == 0:
        conn.execute(insert(_node).values(node_id=node_id, **values))


def nodes(db) -> list[dict]:
    rows = _conn(db).execute(select(_node).order_by(_node.c.host, _node.c.index_dir))
    return [dict(r._mapping) for r in rows]


def prune(db, retention: timedelta, now: datetime | None = None) -> int:
    """Delete entries that every live node has applied, and any older than ``retention``.

    A node counts as live when it reported within ``retention``. Pruning is safe for
    every node, live or not: ids are gapless, so a node that finds the entry after its
    position gone knows it missed something and rebuilds from the database instead.
    Returns the number of entries deleted.
    """
    conn = _conn(db)
    now = now or utcnow()
    cutoff = now - retention
    conn.execute(delete(_node).where(_node.c.seen_at < cutoff))
    live_min = conn.execute(select(func.min(_node.c.applied_id))).scalar()
    cond = _change.c.created_at < cutoff
    if live_min is not None:
        cond = cond | (_change.c.id <= live_min)
    return conn.execute(delete(_change).where(cond)).rowcount or 0
