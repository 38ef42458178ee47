"""Sign-in, CSRF, rate limits, headers and tokens."""

from __future__ import annotations

from helpers import bearer, csrf_from

from expertnet.auth.models import ApiToken, hash_token


def test_passwords_are_hashed(make_user):
    user, _ = make_user("coordinator")
    assert "correct horse battery" not in user.password_hash
    assert user.check_password("correct horse battery")
    assert not user.check_password("wrong")


def test_api_tokens_are_stored_hashed(make_user, session):
    user, token = make_user("coordinator")
    stored = session.query(ApiToken).filter_by(user_id=user.id).one()
    assert stored.token_hash == hash_token(token)
    assert token not in stored.token_hash


def test_login_with_wrong_password_fails_with_message(client, make_user):
    user, _ = make_user("coordinator")
    page = client.get("/login")
    res = client.post(
        "/login",
        data={
            "email": user.email,
            "password": "nope-nope-nope",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert res.status_code == 422
    assert "/account" not in res.text


def test_form_post_without_csrf_token_is_refused(client, make_user):
    user, _ = make_user("coordinator")
    res = client.post("/login", data={"email": user.email, "password": "correct horse battery"})
    assert res.status_code == 400
    assert client.get("/account").status_code == 302  # still signed out


def test_session_writes_to_api_need_csrf(client, auth, make_user):
    user, _ = make_user("coordinator")
    auth.login(user.email)
    res = client.post("/api/v1/experts", json={"full_name": "Không Có Token"})
    assert res.status_code == 400
    assert res.json["error"]["code"] == "csrf"
    token = csrf_from(client.get("/account").text)
    ok = client.post(
        "/api/v1/experts", json={"full_name": "Có Token"}, headers={"X-CSRFToken": token}
    )
    assert ok.status_code == 201


def test_bearer_writes_need_no_csrf(client, make_user):
    _, token = make_user("coordinator")
    res = client.post("/api/v1/experts", json={"full_name": "Bearer Văn A"}, headers=bearer(token))
    assert res.status_code == 201


def test_login_attempts_are_rate_limited(app, client, make_user):
    app.config["EXPERTNET_LOGIN_LIMIT"] = "3 per minute"
    try:
        user, _ = make_user("coordinator")
        statuses = []
        for _ in range(5):
            page = client.get("/login")
            res = client.post(
                "/login",
                data={
                    "email": user.email,
                    "password": "wrong-password",
                    "csrf_token": csrf_from(page.text),
                },
            )
            statuses.append(res.status_code)
        assert statuses[:3] == [422, 422, 422]
        assert statuses[3:] == [429, 429]
    finally:
        app.config["EXPERTNET_LOGIN_LIMIT"] = "1000 per minute"


def test_security_headers_on_pages_and_api(client):
    for url in ("/", "/api/v1/fields"):
        h = client.get(url).headers
        csp = h["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert h["X-Content-Type-Options"] == "nosniff"
        assert h["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_script(client):
    page = client.get("/").text
    assert "<script>" not in page and "onclick=" not in page


def test_open_redirect_after_login_is_refused(client, make_user):
    user, _ = make_user("coordinator")
    page = client.get("/login?next=https://evil.example/")
    res = client.post(
        "/login?next=https://evil.example/",
        data={
            "email": user.email,
            "password": "correct horse battery",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert res.status_code == 302
    assert "evil.example" not in res.headers["Location"]


def test_inactive_user_cannot_sign_in_or_use_tokens(client, make_user, session):
    user, token = make_user("coordinator")
    user.active = False
    session.flush()
    assert client.get("/api/v1/fields", headers=bearer(token)).status_code == 401
