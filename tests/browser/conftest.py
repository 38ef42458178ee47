"""A live server on a database of its own, and a real Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from browsing import PASSWORD
from sqlalchemy import select
from werkzeug.serving import make_server

from expertnet import create_app
from expertnet.extensions import db

CHROMIUM = os.environ.get("EXPERTNET_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).exists()):
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is required in CI and was not found at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The app on a file SQLite database with a small demo union and one user per role."""
    instance = tmp_path_factory.mktemp("live")
    app = create_app(
        {
            "INSTANCE_PATH": str(instance),
            "SECRET_KEY": "browser-tests-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'live.db'}",
            "EXPERTNET_INDEX_DIR": str(instance / "index"),
            "EXPERTNET_PASSWORD_METHOD": "pbkdf2:sha256:1000",
            "EXPERTNET_LOGIN_LIMIT": "1000 per minute",
            # The journey edits profiles and asks for suggestions right after: it needs the
            # new graph at once (background builds: tests/panel/test_panel_background.py).
            "EXPERTNET_GRAPH_BACKGROUND": False,
        }
    )
    with app.app_context():
        from flask_migrate import upgrade

        from expertnet.demo.loader import load_demo
        from expertnet.search.index import rebuild_index

        upgrade()
        load_demo(db.session, n_people=400, seed=7)
        db.session.commit()
        rebuild_index()
    yield app
    from expertnet.search.syncer import stop_syncers

    stop_syncers(app)  # the live server's first request started this node's index syncer
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app):
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


class Shots:
    """Keeps screenshots of a journey as test artifacts."""

    def __init__(self, page, name: str):
        self.page = page
        self.dir = ARTIFACTS / name
        self.dir.mkdir(parents=True, exist_ok=True)
        self.n = 0

    def take(self, label: str) -> Path:
        self.n += 1
        path = self.dir / f"{self.n:02d}-{label}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture(scope="session")
def shots_dir() -> Path:
    """Where the phone-size screenshots are kept as test artifacts."""
    path = ARTIFACTS / "mobile-390"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def shots(page, request):
    return Shots(page, request.node.name)


@pytest.fixture(scope="session")
def users(live_app):
    """One sign-in per role on the live database: {role: email}."""
    from sqlalchemy import select

    from expertnet.auth.operations import create_user
    from expertnet.directory.models import Organization, Person

    out = {}
    with live_app.app_context():
        agency = db.session.scalar(select(Organization).where(Organization.kind == "agency"))
        assoc = db.session.scalar(
            select(Organization).where(Organization.kind == "member_association")
        )
        experts = db.session.scalars(
            select(Person).where(Person.degree.in_(["TS", "ThS"])).order_by(Person.id).limit(5)
        ).all()
        plan = [
            ("admin", {}),
            ("coordinator", {}),
            ("approver", {}),
            ("agency", {"organization_id": agency.id}),
            ("liaison", {"organization_id": assoc.id}),
        ] + [(f"expert{i}", {"person_id": p.id}) for i, p in enumerate(experts)]
        for key, links in plan:
            role = "expert" if key.startswith("expert") else key
            email = f"{key}@browser.expertnet.vn"
            create_user(email=email, name=key.title(), role=role, password=PASSWORD, **links)
            out[key] = email
        db.session.commit()
    return out


@pytest.fixture(scope="session")
def targets(live_app, users) -> dict[str, int]:
    """Ids the page list needs: a request per state, an organisation, a published opinion."""
    from expertnet.auth.models import User
    from expertnet.consultation.models import PublishedOpinion, Request
    from expertnet.demo.requests import load_demo_requests

    out: dict[str, int] = {}
    with live_app.app_context():
        if db.session.scalar(select(Request.id).where(Request.state == "approval")) is None:
            load_demo_requests(db.session, seed=7)
            db.session.commit()
        for req in db.session.scalars(select(Request).order_by(Request.id)):
            out.setdefault(req.state, req.id)
        liaison = db.session.scalar(select(User).where(User.email == users["liaison"]))
        out["org"] = liaison.organization_id
        out["published"] = db.session.scalar(select(PublishedOpinion.id).limit(1))
    return out
