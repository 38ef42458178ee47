"""A long publication list of an organisation is imported by a job; its page follows it."""

from __future__ import annotations

import io
import re

import pytest
from helpers import csrf_from
from sqlalchemy import func, select

from expertnet.scholarly import views
from expertnet.scholarly.jobs import import_organization_list
from expertnet.scholarly.models import Publication

CSV = (
    "expert,title,year,authors\n"
    "an@example.org,Nuôi tôm sú,2020,Nguyễn Văn An\n"
    "an@example.org,Nuôi cá tra,2021,Nguyễn Văn An\n"
).encode()


@pytest.fixture
def queued(app, client, monkeypatch):
    """Lists of more than one work are long; the jobs they queue are kept here, not run."""
    client.set_cookie("expertnet_lang", "en")
    monkeypatch.setitem(app.config, "EXPERTNET_IMPORT_JOB_ROWS", 1)
    jobs: list[tuple] = []
    monkeypatch.setattr(views, "enqueue", lambda fn, *args: jobs.append((fn, args)))
    return jobs


def _count(session) -> int:
    return session.scalar(select(func.count(Publication.id)))


def _preview(client, auth, make_user, org):
    liaison, _t = make_user("liaison", organization=org)
    auth.login(liaison.email)
    url = f"/organizations/{org.id}/publications/import"
    page = client.get(url)
    r = client.post(
        url,
        data={"csrf_token": csrf_from(page.text), "file": (io.BytesIO(CSV), "list.csv")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 200, r.text
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', r.text).group(1)
    return url, csrf_from(page.text), token


def test_a_long_list_is_imported_by_a_job_and_its_state_shown(
    client, auth, session, expert, make_user, queued
):
    url, csrf, token = _preview(client, auth, make_user, expert["org"])
    r = client.post(f"{url}/confirm", data={"csrf_token": csrf, "token": token})
    status_url = f"{url}/{token}"
    assert r.status_code == 302 and r.headers["Location"].endswith(status_url)
    ((fn, args),) = queued
    assert fn is import_organization_list
    assert _count(session) == 0  # nothing imported on the request
    running = client.get(status_url)
    assert running.status_code == 200 and "Import running" in running.text
    # Confirming again queues nothing more.
    again = client.post(f"{url}/confirm", data={"csrf_token": csrf, "token": token})
    assert again.headers["Location"].endswith(status_url) and len(queued) == 1

    assert fn(*args) == {"created": 2, "merged": 0, "rejected": 0}  # what the worker runs
    assert _count(session) == 2
    done = client.get(status_url)
    assert "Import finished" in done.text and "Imported: 2 new, 0 merged" in done.text
    assert fn(*args) == {"skipped": True}  # delivered twice: imported once
    assert _count(session) == 2


def test_the_state_is_only_for_the_one_who_uploaded(
    client, auth, session, expert, make_user, queued
):
    url, csrf, token = _preview(client, auth, make_user, expert["org"])
    client.post(f"{url}/confirm", data={"csrf_token": csrf, "token": token})
    auth.logout()
    admin, _t = make_user("admin")
    auth.login(admin.email)
    assert client.get(f"{url}/{token}").status_code == 404
    assert client.get(f"{url}/not-a-token-at-all-x").status_code == 404


def test_a_short_list_is_still_imported_on_the_request(
    app, client, auth, session, expert, make_user, queued, monkeypatch
):
    monkeypatch.setitem(app.config, "EXPERTNET_IMPORT_JOB_ROWS", 2)
    url, csrf, token = _preview(client, auth, make_user, expert["org"])
    r = client.post(f"{url}/confirm", data={"csrf_token": csrf, "token": token})
    assert r.status_code == 302 and queued == []
    assert _count(session) == 2
