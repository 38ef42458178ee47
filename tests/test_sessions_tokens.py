"""Everything that signs a caller in can be ended: sessions, remember-me cookies, API tokens."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from flask_login.utils import encode_cookie
from helpers import bearer, csrf_from
from sqlalchemy import select

from expertnet.auth.models import ApiToken, User
from expertnet.core.types import utcnow

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a much longer new password"


def _login(client, email: str, remember: bool = False, password: str = PASSWORD):
    page = client.get("/login")
    data = {"email": email, "password": password, "csrf_token": csrf_from(page.text)}
    if remember:
        data["remember"] = "y"
    res = client.post("/login", data=data)
    assert res.status_code == 302, res.text
    return res


def _signed_in(client) -> bool:
    res = client.get("/account")
    assert res.status_code in (200, 302)
    return res.status_code == 200


def _copy(app, client, cookie: str):
    """A second browser holding a copy of ``client``'s cookie (a stolen cookie)."""
    value = client.get_cookie(cookie).value
    other = app.test_client()
    other.set_cookie(cookie, value, domain="localhost")
    return other


def _change_password(client) -> None:
    page = client.get("/account")
    res = client.post(
        "/account",
        data={
            "csrf_token": csrf_from(page.text),
            "name": "Điều phối viên",
            "locale": "vi",
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert res.status_code == 302, res.text


# --- sessions ---------------------------------------------------------------------------------


def test_a_copied_session_cookie_stops_working_after_logout(app, client, auth, make_user):
    user, _ = make_user("coordinator")
    _login(client, user.email)
    thief = _copy(app, client, "session")
    assert _signed_in(thief)

    auth.logout()

    assert not _signed_in(client)
    assert not _signed_in(thief)


def test_a_copied_session_cookie_stops_working_after_a_password_change(app, client, make_user):
    user, _ = make_user("coordinator")
    _login(client, user.email)
    thief = _copy(app, client, "session")
    assert _signed_in(thief)

    _change_password(client)

    assert not _signed_in(thief)
    assert _signed_in(client)  # the browser that changed it goes on, under a fresh sign-in
    assert user.check_password(NEW_PASSWORD)


def test_an_admin_resetting_a_password_ends_that_users_sessions(app, client, make_user):
    user, _ = make_user("expert")
    admin, _ = make_user("admin")
    _login(client, user.email)
    admin_browser = app.test_client()
    _login(admin_browser, admin.email)
    page = admin_browser.get(f"/admin/users/{user.id}")
    res = admin_browser.post(
        f"/admin/users/{user.id}",
        data={
            "csrf_token": csrf_from(page.text),
            "email": user.email,
            "name": user.name,
            "role": "expert",
            "organization": "",
            "person": str(user.person_id),
            "password": NEW_PASSWORD,
            "active": "y",
        },
    )
    assert res.status_code == 302, res.text
    assert not _signed_in(client)
    assert _signed_in(admin_browser)


def test_each_sign_in_gets_a_fresh_session_id(app, make_user):
    user, _ = make_user("coordinator")
    first, second = app.test_client(), app.test_client()
    _login(first, user.email, remember=True)
    _login(second, user.email, remember=True)
    assert first.get_cookie("remember_token").value != second.get_cookie("remember_token").value
    assert first.get_cookie("session").value != second.get_cookie("session").value


def test_sessions_from_before_generations_are_not_accepted(app, session, make_user):
    user, _ = make_user("coordinator")
    with app.test_request_context():
        assert User.from_session_id(str(user.id), timedelta(days=30)) is None
        assert User.from_session_id(f"{user.id}:x:1:n", timedelta(days=30)) is None
        sid = user.get_id()
        assert User.from_session_id(sid, timedelta(days=30)) is user


# --- remember-me ------------------------------------------------------------------------------


def _remember_only(app, client):
    """A fresh browser with only the remember-me cookie (the session cookie has expired)."""
    return _copy(app, client, "remember_token")


def test_the_remember_cookie_signs_in_until_logout_then_never_again(app, client, auth, make_user):
    user, _ = make_user("coordinator")
    res = _login(client, user.email, remember=True)
    cookie = next(h for h in res.headers.getlist("Set-Cookie") if h.startswith("remember_token="))
    # Bounded: thirty days at most, not Flask-Login's default of a year.
    assert "Max-Age=2592000" in cookie or "Expires=" in cookie
    expires = client.get_cookie("remember_token").expires
    assert expires is not None and expires.timestamp() <= time.time() + 30 * 86400 + 5
    old = _remember_only(app, client)
    assert _signed_in(old)

    auth.logout()

    assert not _signed_in(_remember_only(app, old))
    assert client.get_cookie("remember_token") is None


def test_an_old_remember_cookie_stops_working_after_a_password_change(app, client, make_user):
    user, _ = make_user("coordinator")
    _login(client, user.email, remember=True)
    stolen = _remember_only(app, client)

    _change_password(client)

    assert not _signed_in(stolen)
    # The browser that changed the password got a fresh remember-me cookie that works.
    assert _signed_in(_remember_only(app, client))


def test_a_remember_cookie_older_than_the_limit_is_refused(app, make_user):
    user, _ = make_user("coordinator")
    issued = int(time.time()) - 31 * 86400
    with app.test_request_context():
        cookie = encode_cookie(f"{user.id}:{user.session_generation}:{issued}:nonce")
        fresh = encode_cookie(f"{user.id}:{user.session_generation}:{int(time.time())}:nonce")
    browser = app.test_client()
    browser.set_cookie("remember_token", fresh, domain="localhost")
    assert _signed_in(browser)  # the same cookie, but recent: the test can tell them apart
    browser = app.test_client()
    browser.set_cookie("remember_token", cookie, domain="localhost")
    assert not _signed_in(browser)


# --- API tokens -------------------------------------------------------------------------------


def test_an_expired_token_answers_401(client, session, make_user):
    user, token = make_user("coordinator")
    row = session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    row.created_at = utcnow() - timedelta(days=90)
    row.expires_at = utcnow() - timedelta(seconds=1)
    session.flush()

    res = client.get("/api/v1/requests", headers=bearer(token))

    assert res.status_code == 401
    assert res.json["error"]["code"] == "token_expired"


def test_a_revoked_token_answers_401(client, runner, session, make_user):
    user, token = make_user("coordinator")
    assert client.get("/api/v1/requests", headers=bearer(token)).status_code == 200
    row = session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))

    res = runner.invoke(args=["users", "revoke-token", "--id", str(row.id)])

    assert res.exit_code == 0, res.output
    assert res.stdout.startswith(f"revoked token {row.id} ")
    answer = client.get("/api/v1/requests", headers=bearer(token))
    assert answer.status_code == 401
    assert answer.json["error"]["code"] == "invalid_token"


def test_using_a_token_writes_last_used_at(client, session, make_user):
    user, token = make_user("coordinator")
    row = session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert row.last_used_at is None
    before = utcnow()

    assert client.get("/api/v1/requests", headers=bearer(token)).status_code == 200

    session.refresh(row)
    assert row.last_used_at is not None and row.last_used_at >= before - timedelta(seconds=1)


def test_last_used_at_is_written_at_most_once_a_minute(client, session, make_user):
    user, token = make_user("coordinator")
    row = session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    recent = utcnow() - timedelta(seconds=20)
    row.last_used_at = recent
    session.flush()

    client.get("/api/v1/requests", headers=bearer(token))

    session.refresh(row)
    assert row.last_used_at == recent


# --- the command line -------------------------------------------------------------------------


def test_users_token_takes_a_name_and_an_expiry_and_prints_only_the_token(
    runner, session, make_user
):
    user, _ = make_user("agency")
    res = runner.invoke(
        args=[
            "users",
            "token",
            "--email",
            user.email,
            "--name",
            "Cổng dịch vụ công",
            "--expires-days",
            "7",
        ]
    )
    assert res.exit_code == 0, res.output
    plain = res.stdout.strip()
    assert plain.startswith("exn_") and "\n" not in plain
    row = session.scalar(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.name == "Cổng dịch vụ công")
    )
    assert timedelta(days=6, hours=23) < row.expires_at - row.created_at <= timedelta(days=7)


@pytest.mark.parametrize("days", ["0", "3651", "-1"])
def test_users_token_refuses_an_expiry_out_of_range(runner, session, make_user, days):
    user, _ = make_user("agency")
    before = len(user.tokens)
    res = runner.invoke(args=["users", "token", "--email", user.email, "--expires-days", days])
    assert res.exit_code != 0
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and "days" in lines[0]
    session.expire_all()
    assert len(user.tokens) == before


def test_users_tokens_lists_one_line_per_live_token(runner, session, make_user):
    user, _ = make_user("agency")  # has one token already, named by its date
    runner.invoke(args=["users", "token", "--email", user.email, "--name", "nightly\texport"])
    revoked = runner.invoke(args=["users", "token", "--email", user.email, "--name", "old"])
    assert revoked.exit_code == 0
    old = session.scalar(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.name == "old")
    )
    runner.invoke(args=["users", "revoke-token", "--id", str(old.id)])

    res = runner.invoke(args=["users", "tokens", "--email", user.email])

    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert len(lines) == 2
    rows = [line.split("\t") for line in lines]
    assert all(len(r) == 5 for r in rows)
    names = {r[1] for r in rows}
    assert "nightly export" in names and "old" not in names
    newest = rows[0]
    assert newest[3] == "never"  # not used yet
    assert newest[2].endswith("Z") and newest[4].endswith("Z")


def test_revoke_token_of_an_unknown_id_fails_with_one_line(runner):
    res = runner.invoke(args=["users", "revoke-token", "--id", "999999"])
    assert res.exit_code != 0
    assert res.stderr.strip() == "error: no API token with id 999999"


def test_users_tokens_of_an_unknown_user_fails(runner):
    res = runner.invoke(args=["users", "tokens", "--email", "nobody@example.org"])
    assert res.exit_code != 0 and res.stderr.startswith("error: no user")


# --- the pages --------------------------------------------------------------------------------


def test_the_account_page_lists_own_tokens_and_revokes_one(app, client, session, make_user):
    user, token = make_user("coordinator")
    other, other_token = make_user("coordinator")
    _login(client, user.email)
    page = client.get("/account")
    row = session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert row.name in page.text
    theirs = session.scalar(select(ApiToken).where(ApiToken.user_id == other.id))
    assert theirs.name not in page.text or f"/account/tokens/{theirs.id}/" not in page.text

    csrf = csrf_from(page.text)
    refused = client.post(f"/account/tokens/{theirs.id}/revoke", data={"csrf_token": csrf})
    assert refused.status_code == 404
    session.refresh(theirs)
    assert theirs.revoked_at is None

    res = client.post(f"/account/tokens/{row.id}/revoke", data={"csrf_token": csrf})
    assert res.status_code == 303
    session.refresh(row)
    assert row.revoked_at is not None
    program = app.test_client()  # a program holds no session, only its token
    assert program.get("/api/v1/requests", headers=bearer(token)).status_code == 401
    assert program.get("/api/v1/requests", headers=bearer(other_token)).status_code == 200


def test_revoking_a_token_needs_the_csrf_token(client, session, make_user):
    user, _ = make_user("coordinator")
    _login(client, user.email)
    row = session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert client.post(f"/account/tokens/{row.id}/revoke").status_code == 400
    session.refresh(row)
    assert row.revoked_at is None


def test_an_admin_sees_and_revokes_anyones_tokens(app, client, session, make_user):
    user, token = make_user("expert")
    admin, _ = make_user("admin")
    coordinator, _ = make_user("coordinator")
    row = session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    url = f"/admin/users/{user.id}/tokens/{row.id}/revoke"

    _login(client, coordinator.email)
    csrf = csrf_from(client.get("/account").text)
    assert client.post(url, data={"csrf_token": csrf}).status_code == 403
    session.refresh(row)
    assert row.revoked_at is None

    admin_browser = app.test_client()
    _login(admin_browser, admin.email)
    page = admin_browser.get(f"/admin/users/{user.id}")
    assert row.name in page.text and url in page.text
    res = admin_browser.post(url, data={"csrf_token": csrf_from(page.text)})
    assert res.status_code == 303
    session.refresh(row)
    assert row.revoked_at is not None
    program = app.test_client()
    assert program.get("/api/v1/requests", headers=bearer(token)).status_code == 401
    # A token id under another user's address is not found, and nothing changes.
    make_user("agency")
    other = session.scalar(select(ApiToken).order_by(ApiToken.id.desc()).limit(1))
    res = admin_browser.post(
        f"/admin/users/{user.id}/tokens/{other.id}/revoke",
        data={"csrf_token": csrf_from(page.text)},
    )
    assert res.status_code == 404
    session.refresh(other)
    assert other.revoked_at is None


def test_deactivating_an_account_ends_its_sessions_for_good(app, client, session, make_user):
    from expertnet.auth.operations import update_user

    user, _ = make_user("coordinator")
    _login(client, user.email, remember=True)
    stolen = _remember_only(app, client)

    def set_active(active: bool) -> None:
        update_user(user, email=user.email, name=user.name, role=user.role,
                    organization_id=None, person_id=None, active=active)  # fmt: skip

    set_active(False)
    assert not _signed_in(client)
    set_active(True)

    assert not _signed_in(client)
    assert not _signed_in(stolen)
