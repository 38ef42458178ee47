"""Live DOI/ORCID lookup against a local HTTP server serving recorded answers."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from helpers import bearer
from sqlalchemy import func, select

from expertnet.scholarly.lookup import (
    LookupConfig,
    LookupDisabled,
    LookupFailed,
    lookup_doi,
    lookup_orcid,
)
from expertnet.scholarly.models import Publication

FIXTURES = Path(__file__).parent / "fixtures"

ORCID = "0000-0002-1825-0097"
DOI = "10.1371/journal.pone.0033693"


@pytest.fixture
def server():
    """Serves the recorded answers; /hang never answers until the test ends."""
    release = threading.Event()
    seen: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep test output clean
            pass

        def do_GET(self):
            seen.append({"path": self.path, "headers": dict(self.headers)})
            routes = {
                f"/works/{DOI}": "crossref_work.json",
                f"/orcid/{ORCID}/works": "orcid_works.json",
            }
            if self.path.startswith("/hang"):
                release.wait(10)
                return
            if self.path == "/broken/works/10.1000/x":
                body, status = b"<html>oops</html>", 200
            elif self.path in routes:
                body, status = (FIXTURES / routes[self.path]).read_bytes(), 200
            elif self.path.startswith("/error"):
                body, status = b"{}", 500
            else:
                body, status = b'{"status":"error"}', 404
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield {"base": base, "seen": seen}
    release.set()
    httpd.shutdown()
    httpd.server_close()


def _cfg(base, *, crossref="", orcid="/orcid", timeout=5.0, enabled=True):
    return LookupConfig(enabled, base + crossref, base + orcid, timeout, "office@example.org")


def test_doi_lookup_parses_the_recorded_crossref_answer(server):
    parsed = lookup_doi(f"https://doi.org/{DOI.upper()}", _cfg(server["base"]))
    (work,) = parsed.works
    assert work.doi == DOI and work.venue == "PLoS ONE" and work.year == 2012
    request = server["seen"][-1]
    assert request["path"] == f"/works/{DOI}"
    assert "mailto:office@example.org" in request["headers"]["User-Agent"]


def test_orcid_lookup_parses_the_recorded_works(server):
    parsed = lookup_orcid(f"https://orcid.org/{ORCID}", _cfg(server["base"]))
    assert [w.doi for w in parsed.works] == ["10.3354/meps09890", None]


def test_lookup_is_off_unless_configured(server):
    with pytest.raises(LookupDisabled):
        lookup_doi(DOI, _cfg(server["base"], enabled=False))
    assert server["seen"] == []


def test_unknown_doi_timeout_error_and_unreachable_give_clear_messages(server):
    with pytest.raises(LookupFailed, match="does not know"):
        lookup_doi("10.9999/nothing", _cfg(server["base"]))
    with pytest.raises(LookupFailed, match="did not answer within"):
        lookup_doi("10.1000/x", _cfg(server["base"], crossref="/hang", timeout=0.3))
    with pytest.raises(LookupFailed, match="HTTP 500"):
        lookup_doi("10.1000/x", _cfg(server["base"], crossref="/error"))
    with pytest.raises(LookupFailed, match="unreadable"):
        lookup_doi("10.1000/x", _cfg(server["base"], crossref="/broken"))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    with pytest.raises(LookupFailed, match="cannot be reached"):
        lookup_doi(DOI, _cfg(f"http://127.0.0.1:{port}"))


def test_api_lookup_is_refused_when_disabled(client, session, expert):
    r = client.post(
        f"/api/v1/experts/{expert['person'].id}/publications/lookup",
        json={"doi": DOI},
        headers=bearer(expert["token"]),
    )
    assert r.status_code == 503 and r.json["error"]["code"] == "lookup_disabled"
    assert session.scalar(select(func.count()).select_from(Publication)) == 0


def test_api_lookup_imports_the_work_when_enabled(app, client, session, expert, server):
    app.config.update(
        EXPERTNET_SCHOLARLY_LOOKUP=True,
        EXPERTNET_CROSSREF_URL=server["base"],
        EXPERTNET_ORCID_URL=server["base"] + "/orcid",
    )
    try:
        url = f"/api/v1/experts/{expert['person'].id}/publications/lookup"
        r = client.post(url, json={"doi": DOI}, headers=bearer(expert["token"]))
        assert r.status_code == 200, r.json
        assert r.json["created"] == 1
        r = client.post(url, json={"doi": DOI}, headers=bearer(expert["token"]))
        assert r.json["created"] == 0 and r.json["merged"] == 1
        r = client.post(url, json={"orcid": "0000-0002-1825-0098"}, headers=bearer(expert["token"]))
        assert r.status_code == 422 and "orcid" in r.json["error"]["fields"]
    finally:
        for key in ("EXPERTNET_SCHOLARLY_LOOKUP", "EXPERTNET_CROSSREF_URL", "EXPERTNET_ORCID_URL"):
            app.config.pop(key, None)
    assert session.scalar(select(func.count()).select_from(Publication)) == 1
