"""A large roster file is imported by a job; the preview page shows it running, then done."""

from __future__ import annotations

import io

import pytest
from helpers import csrf_from
from roster_helpers import count_people, csv_text, members_of

from expertnet.roster import views
from expertnet.roster.jobs import confirm_roster_import
from expertnet.roster.models import RosterImportClaim

ROWS = [
    ["full_name", "email", "birth_year"],
    ["Nguyễn Văn An", "an@example.org", "1970"],
    ["Lê Thị Bình", "binh@example.org", "1975"],
    ["Phạm Quốc Cường", "", "1980"],
]


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("expertnet_lang", "en")


@pytest.fixture
def queued(app, monkeypatch):
    """Files of more than 2 rows are large; the jobs they queue are kept here, not run."""
    monkeypatch.setitem(app.config, "EXPERTNET_IMPORT_JOB_ROWS", 2)
    jobs: list[tuple] = []
    monkeypatch.setattr(views, "enqueue", lambda fn, *args: jobs.append((fn, args)))
    return jobs


def _preview(client, auth, make_user, org) -> str:
    liaison, _token = make_user("liaison", organization=org)
    auth.login(liaison.email)
    page = client.get(f"/organizations/{org.id}/roster/import")
    res = client.post(
        f"/organizations/{org.id}/roster/import",
        data={
            "csrf_token": csrf_from(page.text),
            "file": (io.BytesIO(csv_text(ROWS).encode()), "large.csv"),
        },
        content_type="multipart/form-data",
    )
    assert res.status_code == 302, res.text
    return res.headers["Location"]


def test_a_large_import_runs_as_a_job_and_its_state_is_shown(
    client, auth, make_user, org, session, queued
):
    before = count_people(session)
    preview_url = _preview(client, auth, make_user, org)
    page = client.get(preview_url)
    res = client.post(preview_url, data={"csrf_token": csrf_from(page.text)})
    assert res.status_code == 302
    ((fn, args),) = queued
    assert fn is confirm_roster_import
    assert count_people(session) == before  # nothing imported on the request
    running = client.get(preview_url)
    assert "Import running" in running.text and "running in the background" in running.text
    assert 'action="' + preview_url not in running.text  # no second confirmation offered
    # A second confirmation meanwhile queues nothing and imports nothing.
    client.post(preview_url, data={"csrf_token": csrf_from(running.text)})
    assert len(queued) == 1

    outcome = fn(*args)  # what the worker runs
    assert outcome == {"created": 3, "updated": 0, "merged": 0}
    session.expire_all()
    assert count_people(session) == before + 3
    assert sorted(p.full_name for p in members_of(session, org)) == sorted(r[0] for r in ROWS[1:])
    done = client.get(preview_url)
    assert "Import finished" in done.text and "Import running" not in done.text
    assert fn(*args) == {"skipped": True}  # delivered again: nothing done twice
    assert count_people(session) == before + 3


def test_a_small_import_still_runs_on_the_request(
    app, client, auth, make_user, org, session, queued, monkeypatch
):
    monkeypatch.setitem(app.config, "EXPERTNET_IMPORT_JOB_ROWS", len(ROWS) - 1)
    preview_url = _preview(client, auth, make_user, org)
    before = count_people(session)
    page = client.get(preview_url)
    client.post(preview_url, data={"csrf_token": csrf_from(page.text)})
    assert queued == []
    assert count_people(session) == before + 3


def test_a_job_whose_file_is_gone_reports_it(client, auth, make_user, org, session, queued):
    preview_url = _preview(client, auth, make_user, org)
    page = client.get(preview_url)
    client.post(preview_url, data={"csrf_token": csrf_from(page.text)})
    ((fn, args),) = queued
    token = preview_url.rsplit("/", 1)[1]
    views.load_upload(token, org.id, args[2]).discard_file()
    before = count_people(session)
    fn(*args)
    assert "gone" in session.get(RosterImportClaim, token).result["error"]
    failed = client.get(preview_url)
    assert "Import failed" in failed.text and "upload it again" in failed.text
    assert count_people(session) == before
