"""With the database unreachable, pages answer 503 with Retry-After and a page that says
so, the API a 503 JSON error; nothing half-done, no traceback page."""

from __future__ import annotations

import pytest

from expertnet import create_app
from expertnet.search.syncer import stop_syncers


@pytest.fixture(scope="module")
def down_client(tmp_path_factory):
    instance = tmp_path_factory.mktemp("down")
    # Port 1 on this machine: nothing listens, so every connection is refused at once,
    # as when PostgreSQL is stopped.
    app = create_app(
        {
            "INSTANCE_PATH": str(instance),
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-not-for-production",
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://postgres@127.0.0.1:1/absent",
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 2}},
            "EXPERTNET_INDEX_DIR": str(instance / "index"),
            "EXPERTNET_INDEX_AUTOREBUILD": False,
            "EXPERTNET_INDEX_WARM": False,
        }
    )
    yield app.test_client()
    # The index syncer the first request started keeps retrying the absent server; stop
    # it with the module, not at interpreter exit (its log lines would then go nowhere).
    stop_syncers(app)


@pytest.mark.parametrize("url", ["/", "/register", "/experts", "/organizations"])
def test_pages_answer_503_with_retry_after_when_the_database_is_down(down_client, url):
    res = down_client.get(url, headers={"Accept": "text/html"})
    assert res.status_code == 503
    assert int(res.headers["Retry-After"]) > 0
    assert res.mimetype == "text/html"
    assert "Dịch vụ tạm thời gián đoạn" in res.text


@pytest.mark.parametrize("url", ["/api/v1/opinions", "/api/v1/experts", "/api/v1/opinions/1"])
def test_api_answers_503_json_when_the_database_is_down(down_client, url):
    res = down_client.get(url)
    assert res.status_code == 503
    assert res.headers["Retry-After"]
    assert res.json["error"]["code"] == "unavailable"


def test_a_write_during_the_outage_is_refused_with_503(down_client):
    res = down_client.post(
        "/api/v1/requests",
        json={"kind": "critique", "title": "Đề án"},
        headers={"Authorization": "Bearer whatever"},
    )
    assert res.status_code == 503 and res.json["error"]["code"] == "unavailable"
