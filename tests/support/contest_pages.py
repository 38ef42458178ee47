"""Signed-in test clients posting the contest's forms with the session's CSRF token."""

from __future__ import annotations

from helpers import csrf_from


class Pages:
    """One signed-in test client per user, posting forms with the session's CSRF token."""

    def __init__(self, app):
        self.app = app
        self.clients: dict = {}

    def client(self, user):
        key = user.id if user is not None else None
        if key not in self.clients:
            client = self.app.test_client()
            client.set_cookie("expertnet_lang", "en")
            token = ""
            if user is not None:
                page = client.get("/login")
                res = client.post(
                    "/login",
                    data={
                        "email": user.email,
                        "password": "correct horse battery",
                        "csrf_token": csrf_from(page.text),
                    },
                )
                assert res.status_code == 302, res.text
                token = csrf_from(client.get("/contests/").text)
            self.clients[key] = (client, token)
        return self.clients[key]

    def get(self, user, url, status=200):
        client, _token = self.client(user)
        res = client.get(url)
        assert res.status_code == status, (url, res.status_code, res.text[:2000])
        return res

    def post(self, user, url, data=None, status=303, csrf=True, **kw):
        client, token = self.client(user)
        body = dict(data or {})
        if csrf:
            body.setdefault("csrf_token", token)
        res = client.post(url, data=body, **kw)
        assert res.status_code == status, (url, res.status_code, res.text[:3000])
        return res
