"""The migrations build exactly the schema the models describe, and undo cleanly."""

from __future__ import annotations

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from helpers import drop_database, worker_database_url
from sqlalchemy import inspect

from expertnet import create_app
from expertnet.extensions import db


@pytest.fixture
def scratch_url(tmp_path):
    """A database of its own: migrations must not touch the suite's shared one."""
    base = os.environ.get("EXPERTNET_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    url = worker_database_url(base, "migrations")
    drop_database(base, url)
    url = worker_database_url(base, "migrations")
    yield url
    drop_database(base, url)


@pytest.fixture
def scratch_app(tmp_path, scratch_url):
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path / "inst"),
            "SQLALCHEMY_DATABASE_URI": scratch_url,
            "TESTING": True,
            "SECRET_KEY": "x" * 32,
        }
    )
    yield app
    with app.app_context():
        db.engine.dispose()


def test_migrated_schema_equals_the_models(scratch_app):
    with scratch_app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, db.metadata)
        assert diff == [], diff


def test_every_migration_downgrades_cleanly(scratch_app):
    with scratch_app.app_context():
        upgrade()
        downgrade(revision="base")
        tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
        upgrade()  # and up again
        assert "person" in inspect(db.engine).get_table_names()


def test_rebuilding_a_table_keeps_the_rows_that_point_at_it(scratch_app):
    """0007 and 0025 rebuild ``person`` on SQLite (batch mode); with foreign keys on, the
    drop of the old table used to cascade and delete every membership and field row."""
    from sqlalchemy import func, select

    from expertnet.demo.loader import load_demo
    from expertnet.directory.models import Membership, Person, person_field

    def counts():
        return [
            db.session.scalar(select(func.count()).select_from(m))
            for m in (Person, Membership, person_field)
        ]

    with scratch_app.app_context():
        upgrade()
        load_demo(db.session, n_people=80, seed=3)
        db.session.commit()
        before = counts()
        assert before[1] > 0 and before[2] > 0
        db.session.remove()
        downgrade(revision="0012")  # below 0007: its downgrade rebuilds person too
        upgrade()
        assert counts() == before
