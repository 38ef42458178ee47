"""Keeps the Whoosh index in step with the database, after each commit and never before."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterable, Iterator

from flask import current_app
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, selectinload

from search_index import ExpertIndex, IndexUnavailable

from ..directory.models import Membership, Organization, Person
from ..extensions import db

log = logging.getLogger(__name__)

_indexes: dict[str, ExpertIndex] = {}
_lock = threading.Lock()
_rebuilding: set[str] = set()


def get_index(app=None) -> ExpertIndex:
    """The process-wide index object for the app's index folder (searchers are reused)."""
    app = app or current_app
    path = app.config["EXPERTNET_INDEX_DIR"]
    with _lock:
        idx = _indexes.get(path)
        if idx is None:
            idx = _indexes[path] = ExpertIndex(path)
            if app.config.get("EXPERTNET_INDEX_WARM", True):
                # Loading the term caches takes about a second; do it off the request path,
                # once per process (this runs lazily, so after gunicorn has forked).
                threading.Thread(target=_warm, args=(idx,), name="index-warm", daemon=True).start()
        return idx


def _warm(idx: ExpertIndex) -> None:
    try:
        idx.warm()
    except Exception:  # a cold index still answers, only slower
        log.warning("warming the search index failed", exc_info=True)


def person_doc(person: Person) -> dict:
    """What the index knows of a person."""
    orgs = [m.organization for m in person.memberships if m.ended_on is None]
    employer = person.employer
    provinces = {o.former_province for o in orgs if o.former_province}
    if employer is not None and employer.former_province:
        provinces.add(employer.former_province)
    return {
        "id": person.id,
        "full_name": person.full_name,
        "academic_title": person.academic_title,
        "degree": person.degree,
        "position": person.position,
        "bio": person.bio,
        "expertise": list(person.expertise or []),
        "fields": [f.code for f in person.fields],
        "field_names": [n for f in person.fields for n in (f.name, f.name_en)],
        "organization_ids": [o.id for o in orgs],
        "organization_names": [o.name for o in orgs],
        "employer_id": person.employer_id,
        "employer_name": employer.name if employer is not None else person.employer_name,
        "former_provinces": sorted(provinces),
        "available": bool(person.available),
        "public": bool(person.public_profile),
    }


def _load_options() -> tuple:
    # Built on use: at import time the mappers may not all be configured yet.
    return (
        selectinload(Person.memberships).selectinload(Membership.organization),
        selectinload(Person.fields),
        selectinload(Person.employer),
    )


def iter_docs(session, ids: Iterable[int] | None = None, batch: int = 2000) -> Iterator[dict]:
    """Documents for the given people (all when ``ids`` is None), loaded in batches."""
    if ids is None:
        last = 0
        while True:
            people = session.scalars(
                select(Person)
                .options(*_load_options())
                .where(Person.id > last)
                .order_by(Person.id)
                .limit(batch)
            ).all()
            if not people:
                return
            for p in people:
                yield person_doc(p)
            last = people[-1].id
            session.expunge_all()
    else:
        ids = sorted(set(ids))
        for i in range(0, len(ids), batch):
            for p in session.scalars(
                select(Person).options(*_load_options()).where(Person.id.in_(ids[i : i + batch]))
            ):
                yield person_doc(p)


def rebuild_index(progress_label: str | None = None, app=None) -> int:
    """Rebuild the whole index from the database; returns the number of people indexed."""
    app = app or current_app._get_current_object()
    total = db.session.scalar(select(db.func.count(Person.id))) or 0
    # A separate session (so batches can be expunged) on the caller's connection: it sees
    # exactly what the caller's transaction sees.
    with Session(bind=db.session.connection()) as session:
        docs = iter_docs(session)
        if progress_label:
            import click

            with click.progressbar(length=total, label=progress_label, file=sys.stderr) as bar:
                # The index reports a running total; click's bar wants increments.
                get_index(app).rebuild(docs, progress=lambda done: bar.update(done - bar.pos))
        else:
            get_index(app).rebuild(docs)
    return total


#: Above this many people one rebuild is faster than replacing their documents one by one.
BULK_REINDEX_THRESHOLD = 5000


def index_people(
    ids: Iterable[int], progress_label: str | None = None, app=None, wait: bool = True
) -> int:
    """Index people changed by bulk Core statements, which the flush hooks do not see.

    Call after the commit. Many people at once cause one rebuild instead (in the
    background unless ``wait``); returns how many people were (re)indexed or queued.
    """
    ids = set(ids)
    if not ids:
        return 0
    app = app or current_app._get_current_object()
    if len(ids) > BULK_REINDEX_THRESHOLD:
        if wait:
            return rebuild_index(progress_label=progress_label, app=app)
        rebuild_in_background(app)
        return len(ids)
    with Session(bind=db.session.connection()) as session:
        docs = list(iter_docs(session, ids))
    idx = get_index(app)
    try:
        idx.upsert(docs)
        gone = ids - {d["id"] for d in docs}
        if gone:
            idx.remove(gone)
    except Exception:
        log.exception("search index update failed; rebuilding")
        if wait:
            rebuild_index(app=app)
        else:
            rebuild_in_background(app)
    return len(ids)


def ensure_index() -> str:
    """Create the index if it is missing or unreadable (``expertnet init``)."""
    status = get_index().status()
    if status["ok"]:
        return f"ok ({status['doc_count']} people)"
    n = rebuild_index(progress_label="index")
    return f"rebuilt ({n} people)"


def index_status() -> dict:
    try:
        return get_index().status()
    except Exception as exc:  # health checks report, they do not raise
        return {"ok": False, "doc_count": 0, "detail": f"{type(exc).__name__}: {exc}"}


def rebuild_in_background(app) -> bool:
    """Start one rebuild thread per index folder; False when one is already running."""
    if not app.config.get("EXPERTNET_INDEX_AUTOREBUILD", True):
        return False
    path = app.config["EXPERTNET_INDEX_DIR"]
    with _lock:
        if path in _rebuilding:
            return False
        _rebuilding.add(path)

    def run():
        try:
            with app.app_context():
                rebuild_index(app=app)
        except Exception:
            log.exception("background index rebuild failed")
        finally:
            with _lock:
                _rebuilding.discard(path)

    threading.Thread(target=run, name="expertnet-index-rebuild", daemon=True).start()
    return True


def is_rebuilding(app) -> bool:
    return app.config["EXPERTNET_INDEX_DIR"] in _rebuilding


# --- after-commit freshness -------------------------------------------------------------

_PENDING = "expertnet_search_pending"
_READY = "expertnet_search_ready"


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
    if not session.info.get(_PENDING) and not (session.new or session.dirty or session.deleted):
        return
    session.flush()
    pending = session.info.pop(_PENDING, set())
    if not pending:
        return
    docs = list(iter_docs(session, pending))
    found = {d["id"] for d in docs}
    session.info[_READY] = (docs, sorted(pending - found))


def _after_commit(session) -> None:
    ready = session.info.pop(_READY, None)
    if not ready:
        return
    docs, removed = ready
    try:
        app = current_app._get_current_object()
    except RuntimeError:
        return  # no app: nothing to keep fresh (plain scripts)
    try:
        idx = get_index(app)
        if docs:
            idx.upsert(docs)
        if removed:
            idx.remove(removed)
    except IndexUnavailable:
        # The next search notices and rebuilds from the database, which already has this.
        rebuild_in_background(app)
    except Exception:
        log.exception("search index update failed; rebuilding")
        rebuild_in_background(app)


def _after_rollback(session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_READY, None)


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
