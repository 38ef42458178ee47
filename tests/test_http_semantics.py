"""HTTP answers say what they mean: 405 lists the allowed methods."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("method", "url", "allowed"),
    [
        ("DELETE", "/api/v1/opinions", {"GET"}),
        ("PUT", "/api/v1/experts", {"GET", "POST"}),
        ("POST", "/register", {"GET"}),
        ("DELETE", "/healthz", {"GET"}),
    ],
)
def test_405_answers_carry_allow(client, method, url, allowed):
    res = client.open(url, method=method)
    assert res.status_code == 405
    methods = {m.strip() for m in res.headers["Allow"].split(",")}
    assert allowed <= methods
    if url.startswith("/api/"):
        assert res.json["error"]["code"] == "method_not_allowed"
