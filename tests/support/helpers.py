"""Small helpers the tests import."""

from __future__ import annotations

import re
from contextlib import contextmanager

_CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def csrf_from(html: str) -> str:
    """The CSRF token of the first form in ``html``."""
    match = _CSRF.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def worker_database_url(base_url: str, purpose: str = "") -> str:
    """A PostgreSQL database of this pytest worker's own, created when missing.

    Parallel workers (pytest-xdist) and parallel runs on one server must never share a
    database: each one resets its schema at the start.
    """
    import os

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(base_url)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = "_".join(part for part in (url.database, purpose, worker) if part)
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).scalar()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_database(base_url: str, scratch_url: str) -> None:
    """Drop a scratch database made by :func:`worker_database_url`."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = make_url(scratch_url).database
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


#: Tables any request may write to whatever it answers: when a token was last used, sign-in
#: attempts, and this node's search-index position. Everything else is what a refusal must
#: leave alone.
BOOKKEEPING = frozenset({"api_token", "sign_in_attempt", "index_node"})


def snapshot(session, ignore: frozenset[str] = BOOKKEEPING) -> dict[str, list[tuple]]:
    """Every row of every table of the app (but ``ignore``), in a stable order."""
    from expertnet.extensions import db

    out = {}
    for table in db.metadata.sorted_tables:
        if table.name not in ignore:
            rows = session.execute(table.select()).all()
            out[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return out


@contextmanager
def unchanged(session, ignore: frozenset[str] = BOOKKEEPING):
    """Assert that the block writes nothing: every table holds the same rows after it.

    For refusals: ``with unchanged(session): res = client.post(...)``, then check the status.
    What the test wrote before the block is committed first (as a request would), so that
    the hooks that run at a commit (search log, graph version) are not charged to the block.
    """
    session.commit()
    before = snapshot(session, ignore)
    yield
    after = snapshot(session, ignore)
    changed = {
        name: (len(before[name]), len(after[name]))
        for name in before
        if before[name] != after[name]
    }
    assert not changed, f"rows changed (table: rows before, after): {changed}"
