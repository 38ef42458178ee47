"""Writes an audit entry for every insert, update and delete of an audited model."""

from __future__ import annotations

import contextvars
import datetime as dt
import enum
from contextlib import contextmanager

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import get_history

from ..core.types import utcnow
from .models import AuditEntry

#: The user on whose behalf the current code runs; set per request and by CLI commands.
current_actor: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "expertnet_actor", default=None
)


@contextmanager
def acting_as(user_id: int | None):
    """Attribute the audit entries written inside the block to ``user_id``."""
    token = current_actor.set(user_id)
    try:
        yield
    finally:
        current_actor.reset(token)


def _jsonable(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool | type(None) | dict):
        return value
    # Related objects (collections such as fields) are recorded by their id.
    ident = getattr(value, "code", None) or getattr(value, "id", None)
    return ident if ident is not None else str(value)


def _changes(obj, *, created: bool) -> dict:
    state = inspect(obj)
    changes: dict = {}
    for attr in state.mapper.attrs:
        key = attr.key
        if key in ("version", "updated_at", "created_at", "name_key", "name_words"):  # derived
            continue
        if not hasattr(attr, "columns") and key not in ("fields",):
            continue
        hist = get_history(obj, key)
        if created:
            if hist.added and hist.added != [None] and hist.added != [[]]:
                added = hist.added if key == "fields" else hist.added[0]
                changes[key] = [None, _jsonable(added)]
        elif hist.has_changes():
            old = hist.deleted if key == "fields" else (hist.deleted[0] if hist.deleted else None)
            new = hist.added if key == "fields" else (hist.added[0] if hist.added else None)
            if key == "fields":
                old = sorted(_jsonable(list(hist.unchanged) + list(hist.deleted)))
                new = sorted(_jsonable(list(hist.unchanged) + list(hist.added)))
            if old != new:
                changes[key] = [_jsonable(old), _jsonable(new)]
    return changes


def _audited(obj) -> bool:
    return getattr(type(obj), "__audited__", False)


def _record(session: Session, flush_context) -> None:
    rows = []
    now = utcnow()
    actor = current_actor.get()
    for action, objs in (
        ("create", session.new),
        ("update", session.dirty),
        ("delete", session.deleted),
    ):
        for obj in objs:
            if not _audited(obj):
                continue
            if action == "update" and not session.is_modified(obj, include_collections=True):
                continue
            changes = {} if action == "delete" else _changes(obj, created=action == "create")
            if action == "update" and not changes:
                continue
            rows.append(
                {
                    "at": now,
                    "actor_user_id": actor,
                    "entity_type": type(obj).__tablename__,
                    "entity_id": inspect(obj).identity[0] if inspect(obj).identity else obj.id,
                    "action": action,
                    "changes": changes,
                }
            )
    if rows:
        session.connection().execute(insert(AuditEntry.__table__), rows)


def install() -> None:
    """Listen on every session (idempotent)."""
    if not event.contains(Session, "after_flush", _record):
        event.listen(Session, "after_flush", _record)
