"""Fixtures: one migrated database per run, one rolled-back transaction per test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import csrf_from, worker_database_url
from sqlalchemy import create_engine, text
from sqlalchemy.orm import scoped_session

from expertnet import create_app
from expertnet.extensions import Session, db, limiter

PG_URL_ENV = "EXPERTNET_TEST_DATABASE_URL"


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    base = os.environ.get(PG_URL_ENV)
    if base:
        url = worker_database_url(base)
        _reset_postgres(url)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def base_app(tmp_path_factory, database_url):
    instance = tmp_path_factory.mktemp("instance")
    app = create_app(
        {
            "INSTANCE_PATH": str(instance),
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-not-for-production",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "EXPERTNET_INDEX_DIR": str(instance / "index"),
            "EXPERTNET_LOGIN_LIMIT": "1000 per minute",
            "EXPERTNET_PASSWORD_METHOD": "pbkdf2:sha256:1000",
            # A rebuild thread would share the test's connection; tests rebuild explicitly.
            "EXPERTNET_INDEX_AUTOREBUILD": False,
            "EXPERTNET_INDEX_SYNC": False,
            "EXPERTNET_INDEX_WARM": False,
            # Background jobs (mail) run at once, on the test's connection; the in-process
            # thread and the real broker have tests of their own (tests/test_jobs.py).
            "EXPERTNET_JOBS_EAGER": True,
            # Tests see the graph of their own transaction; background builds are
            # tested on their own (tests/panel/test_panel_background.py).
            "EXPERTNET_GRAPH_BACKGROUND": False,
            "SERVER_NAME": "localhost",
        }
    )

    def _fresh_request_globals():
        # Tests keep one app context open around their requests, so Flask reuses it and
        # its ``g`` (where Flask-Login and Flask-Babel cache the user and the locale).
        # A real server has a fresh ``g`` per request; so must the tests.
        from flask import g

        for key in list(g.__dict__):
            g.pop(key)

    app.before_request_funcs.setdefault(None, []).insert(0, _fresh_request_globals)

    with app.app_context():
        from flask_migrate import upgrade

        from expertnet.directory.taxonomy import ensure_fields

        upgrade()
        ensure_fields(db.session)
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(base_app, tmp_path):
    """The app inside one outer transaction that is rolled back after the test."""
    base_app.config["EXPERTNET_INDEX_DIR"] = str(tmp_path / "index")
    base_app.config["EXPERTNET_UPLOAD_DIR"] = str(tmp_path / "uploads")
    with base_app.app_context():
        conn = db.engine.connect()
        outer = conn.begin()
        original = db.session
        db.session = db._make_scoped_session(
            {"class_": Session, "bind": conn, "join_transaction_mode": "create_savepoint"}
        )
        limiter.reset()
        try:
            yield base_app
        finally:
            db.session.remove()
            db.session = original
            if outer.is_active:
                outer.rollback()
            conn.close()


@pytest.fixture
def session(app) -> scoped_session:
    return db.session


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Auth:
    """Signs the test client in through the real form."""

    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = "correct horse battery"):
        page = self.client.get("/login")
        return self.client.post(
            "/login",
            data={"email": email, "password": password, "csrf_token": csrf_from(page.text)},
        )

    def logout(self):
        page = self.client.get("/account")
        return self.client.post("/logout", data={"csrf_token": csrf_from(page.text)})


@pytest.fixture
def auth(client) -> Auth:
    return Auth(client)


# --- factories ----------------------------------------------------------------------------


@pytest.fixture
def make_org(session):
    from expertnet.directory.models import Organization

    counter = {"n": 0}

    def make(kind="member_association", name=None, former_province=None, **kw):
        counter["n"] += 1
        org = Organization(
            code=kw.pop("code", f"T{counter['n']:03d}"),
            name=name or f"Hội thử nghiệm {counter['n']}",
            kind=kind,
            former_province=former_province,
            **kw,
        )
        session.add(org)
        session.flush()
        return org

    return make


@pytest.fixture
def make_person(session):
    from sqlalchemy import select

    from expertnet.directory.models import Field, Membership, Person

    def make(full_name="Nguyễn Văn An", organizations=(), fields=(), **kw):
        person = Person(full_name=full_name, expertise=kw.pop("expertise", []), **kw)
        session.add(person)
        with session.no_autoflush:
            for org in organizations:
                person.memberships.append(Membership(organization=org))
            if fields:
                person.fields = list(session.scalars(select(Field).where(Field.code.in_(fields))))
        session.flush()
        return person

    return make


@pytest.fixture
def make_user(session, make_org, make_person):
    """Create a user of a role; returns (user, api_token)."""
    from expertnet.auth.models import ApiToken
    from expertnet.auth.operations import create_user

    counter = {"n": 0}

    def make(role="coordinator", organization=None, person=None, email=None, **kw):
        counter["n"] += 1
        if role in ("agency", "liaison") and organization is None:
            organization = make_org(kind="agency" if role == "agency" else "member_association")
        if role == "expert" and person is None:
            person = make_person(full_name=f"Chuyên gia {counter['n']}")
        user = create_user(
            email=email or f"{role}{counter['n']}@example.org",
            name=kw.pop("name", f"{role.title()} {counter['n']}"),
            role=role,
            password=kw.pop("password", "correct horse battery"),
            organization_id=organization.id if organization else None,
            person_id=person.id if person else None,
        )
        _, token = ApiToken.issue(user)
        session.flush()
        return user, token

    return make


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
