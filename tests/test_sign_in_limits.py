"""Sign-in limits shared by every worker and node: per address and per account (issue 9.11)."""

from __future__ import annotations

import socket
import threading
import uuid

import pytest
from helpers import csrf_from
from sqlalchemy import delete, func, select

from expertnet import create_app
from expertnet.auth.models import ApiToken, User
from expertnet.auth.operations import create_user
from expertnet.auth.throttle_models import SignInAttempt
from expertnet.extensions import db

WRONG = "wrong-password-1"
RIGHT = "correct horse battery"


def _attempt(client, email: str, password: str, address: str = "198.51.100.7"):
    page = client.get("/login", environ_base={"REMOTE_ADDR": address})
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_from(page.text)},
        environ_base={"REMOTE_ADDR": address},
    )


@pytest.fixture
def limits(app, monkeypatch):
    monkeypatch.setitem(app.config, "EXPERTNET_LOGIN_LIMIT", "5 per minute")
    monkeypatch.setitem(app.config, "EXPERTNET_LOGIN_ACCOUNT_LIMIT", "3 per 15 minutes")


def test_an_account_is_limited_whatever_address_the_attempts_come_from(
    client, make_user, limits, session
):
    user, _ = make_user("coordinator")
    statuses = [
        _attempt(client, user.email, WRONG, f"198.51.100.{n}").status_code for n in range(1, 5)
    ]
    assert statuses == [422, 422, 422, 429]
    # While it is locked, even the right password does not sign in, and says why (in Vietnamese).
    locked = _attempt(client, user.email.upper(), RIGHT, "203.0.113.9")
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) == 15 * 60
    assert "Quá nhiều lần đăng nhập" in locked.text and "15 phút" in locked.text
    assert client.get("/account").status_code == 302  # not signed in
    # Another account from the same addresses is not affected.
    other, _ = make_user("coordinator")
    ok = _attempt(client, other.email, RIGHT, "198.51.100.1")
    assert ok.status_code == 302


def test_an_address_is_limited_across_accounts(client, make_user, limits):
    emails = [make_user("expert")[0].email for _ in range(7)]
    statuses = [_attempt(client, e, WRONG).status_code for e in emails]
    assert statuses == [422] * 5 + [429, 429]
    # An address that is locked says so in English too, for those who chose it.
    client.set_cookie("expertnet_lang", "en")
    assert "Too many sign-in attempts" in _attempt(client, emails[0], WRONG).text


def test_unknown_accounts_are_limited_like_real_ones(client, limits):
    statuses = [
        _attempt(client, "nobody@example.org", WRONG, f"198.51.100.{n}").status_code
        for n in range(1, 5)
    ]
    assert statuses == [422, 422, 422, 429]


def test_signing_in_does_not_use_up_the_allowance(client, auth, make_user, limits, session):
    user, _ = make_user("coordinator")
    for _ in range(5):
        assert _attempt(client, user.email, RIGHT).status_code == 302
        auth.logout()
    assert _attempt(client, user.email, WRONG).status_code == 422
    left = session.scalar(select(func.count()).select_from(SignInAttempt))
    assert left == 2  # the one failure, per address and per account


def test_attempts_are_counted_in_redis_when_configured(client, make_user, limits, app, monkeypatch):
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    import redis

    monkeypatch.setitem(app.config, "RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    email = f"redis-{uuid.uuid4().hex[:8]}@example.org"
    address = f"198.51.100.{uuid.uuid4().int % 250 + 1}-{uuid.uuid4().hex[:6]}"
    keys = [f"expertnet:sign-in:account:{email}", f"expertnet:sign-in:address:{address}"]
    r = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    try:
        statuses = [_attempt(client, email, WRONG, address).status_code for _ in range(4)]
        assert statuses == [422, 422, 422, 429]
        assert r.zcard(keys[0]) == 3 and 0 < r.ttl(keys[0]) <= 15 * 60
        assert db.session.scalar(select(func.count()).select_from(SignInAttempt)) == 0
    finally:
        r.delete(*keys)
        r.close()


# --- two app instances sharing the database, as two nodes would --------------------------


@pytest.fixture
def two_nodes(base_app, tmp_path, database_url):
    """Two apps built separately over the same database, with one committed account."""
    node_b = create_app(
        {
            "INSTANCE_PATH": str(tmp_path / "node-b"),
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-not-for-production",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "EXPERTNET_PASSWORD_METHOD": "pbkdf2:sha256:1000",
            "EXPERTNET_INDEX_AUTOREBUILD": False,
            "EXPERTNET_INDEX_WARM": False,
        }
    )
    nodes = [base_app, node_b]
    saved = [dict(n.config) for n in nodes]
    for node in nodes:
        node.config["EXPERTNET_LOGIN_LIMIT"] = "4 per minute"
        node.config["EXPERTNET_LOGIN_ACCOUNT_LIMIT"] = "3 per 15 minutes"
    email = f"nodes-{uuid.uuid4().hex[:8]}@example.org"
    with base_app.app_context():
        user = create_user(email=email, name="Hai nút", role="coordinator", password=RIGHT)
        db.session.commit()
        user_id = user.id
    try:
        yield nodes, email
    finally:
        for node, config in zip(nodes, saved, strict=True):
            node.config.update(config)
        with base_app.app_context(), db.engine.begin() as conn:
            conn.execute(delete(SignInAttempt))
            conn.execute(delete(ApiToken).where(ApiToken.user_id == user_id))
            conn.execute(delete(User).where(User.id == user_id))
        with node_b.app_context():
            db.engine.dispose()


def test_two_nodes_count_the_same_attempts(two_nodes):
    (node_a, node_b), email = two_nodes
    clients = [node_a.test_client(), node_b.test_client()]
    statuses = [
        _attempt(clients[n % 2], email, WRONG, f"198.51.100.{n + 1}").status_code for n in range(5)
    ]
    assert statuses == [422, 422, 422, 429, 429]
    assert _attempt(clients[1], email, RIGHT, "203.0.113.5").status_code == 429


def test_concurrent_attempts_on_two_nodes_never_exceed_the_limit(two_nodes, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite admits one writer at a time; set EXPERTNET_TEST_DATABASE_URL")
    (node_a, node_b), email = two_nodes
    clients = [node_a.test_client(), node_b.test_client()]
    tokens = [csrf_from(c.get("/login").text) for c in clients]
    barrier = threading.Barrier(10)
    statuses: list[int] = []

    def run(n: int) -> None:
        client = clients[n % 2]
        barrier.wait(timeout=30)
        res = client.post(
            "/login",
            data={"email": email, "password": WRONG, "csrf_token": tokens[n % 2]},
            environ_base={"REMOTE_ADDR": f"198.51.100.{n + 1}"},
        )
        statuses.append(res.status_code)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(statuses) == 10
    assert set(statuses) <= {422, 429}
    assert statuses.count(422) <= 3  # the account limit holds however the attempts interleave
