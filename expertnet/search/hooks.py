"""Session hooks: log each committed change to what is indexed, then apply it on this node.

Just before a transaction commits, the people it changed are appended to the change log
in that same transaction (so every node learns of the change if and only if it
commits); after the commit, this node's own index takes the new documents at once, so a
user finds their edit on the next page. Other nodes replay the log (``search.syncer``).
Nothing reaches any index before the commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from ..directory.models import Membership, Organization, Person
from . import changelog
from .documents import KIND_PERSON, iter_docs

log = logging.getLogger(__name__)

#: Above this many people one "all changed" entry replaces one entry per person, and
#: every node rebuilds instead of replacing their documents one by one.
BULK_REINDEX_THRESHOLD = 5000
#: Up to this many people the committing process reads their documents before the
#: commit and applies them right after; more are left to a sync (off the request path).
LOCAL_APPLY_LIMIT = 500

_PENDING = "expertnet_search_pending"
_ALL = "expertnet_search_all"
_READY = "expertnet_search_ready"


@dataclass(frozen=True)
class CommittedBatch:
    """Log entries ``first``..``last`` of one commit, with their documents when read."""

    first: int
    last: int
    epoch: str
    docs: list[dict] | None  # None: too many (or all) people; a sync applies them
    removed: list[int]


def mark_people_changed(session: Session, ids) -> None:
    """Tell the index that these people changed through bulk statements the hooks miss.

    Call before the commit (the importer does); the commit logs and indexes them.
    """
    session.info.setdefault(_PENDING, set()).update(int(i) for i in ids)


def mark_all_people_changed(session: Session) -> None:
    """Every person may have changed (a bulk load): each node rebuilds after the commit."""
    session.info[_ALL] = True


def _touched_people(session) -> set[int]:
    ids: set[int] = set()
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if isinstance(obj, Person):
            if obj.id is not None:
                ids.add(obj.id)
        elif isinstance(obj, Membership):
            ids.add(obj.person_id or (obj.person.id if obj.person else None))
        elif isinstance(obj, Organization) and obj in session.dirty:
            state = inspect(obj)
            if (
                state.attrs.name.history.has_changes()
                or state.attrs.former_province.history.has_changes()
            ):
                ids.update(
                    session.scalars(
                        select(Membership.person_id).where(Membership.organization_id == obj.id)
                    )
                )
                ids.update(session.scalars(select(Person.id).where(Person.employer_id == obj.id)))
    ids.discard(None)
    return ids


def _after_flush(session, _ctx) -> None:
    touched = _touched_people(session)
    if touched:
        session.info.setdefault(_PENDING, set()).update(touched)


def _before_commit(session) -> None:
    if not (session.info.get(_PENDING) or session.info.get(_ALL)) and not (
        session.new or session.dirty or session.deleted
    ):
        return
    session.flush()
    pending = session.info.pop(_PENDING, set())
    everyone = session.info.pop(_ALL, False)
    if not pending and not everyone:
        return
    # Last thing before the commit: the append locks the log's head row until then.
    if everyone or len(pending) > BULK_REINDEX_THRESHOLD:
        added = changelog.append(session, KIND_PERSON, None)
        session.info[_READY] = CommittedBatch(added.first, added.last, added.epoch, None, [])
        return
    docs = removed = None
    if len(pending) <= LOCAL_APPLY_LIMIT:
        docs = list(iter_docs(session, pending))
        removed = sorted(pending - {d["id"] for d in docs})
    added = changelog.append(session, KIND_PERSON, pending)
    session.info[_READY] = CommittedBatch(added.first, added.last, added.epoch, docs, removed or [])


def _after_commit(session) -> None:
    batch = session.info.pop(_READY, None)
    if batch is None:
        return
    try:
        app = current_app._get_current_object()
    except RuntimeError:
        return  # no app (a plain script): the nodes' syncers pick the entries up
    from .index import apply_committed

    apply_committed(app, batch)


def _after_rollback(session) -> None:
    for key in (_PENDING, _ALL, _READY):
        session.info.pop(key, None)


def _after_soft_rollback(session, previous_transaction) -> None:
    # A rolled-back savepoint leaves the outer transaction's pending work in place.
    if previous_transaction.parent is None:
        _after_rollback(session)


def install() -> None:
    """Listen on every session (idempotent)."""
    for name, fn in (
        ("after_flush", _after_flush),
        ("before_commit", _before_commit),
        ("after_commit", _after_commit),
        ("after_soft_rollback", _after_soft_rollback),
    ):
        if not event.contains(Session, name, fn):
            event.listen(Session, name, fn)
