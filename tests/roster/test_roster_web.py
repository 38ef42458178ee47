"""The import pages: who may use them, preview, confirmation, decisions, report."""

from __future__ import annotations

import io
from datetime import date

import pytest
from helpers import csrf_from, unchanged
from roster_helpers import count_people, csv_text, members_of

ROLES = [
    "public",
    "admin",
    "coordinator",
    "approver",
    "expert",
    "agency",
    "liaison",
    "liaison_other",
]
ALLOWED = {"admin", "liaison"}

ROWS = [
    ["full_name", "email", "birth_year"],
    ["Nguyễn Văn An", "an@example.org", "1970"],
    ["Vũ Văn Hải", "", ""],
    ["", "no-name@example.org", ""],
]


@pytest.fixture(autouse=True)
def english(client):
    """The pages in English, the language the assertions are written in."""
    client.set_cookie("expertnet_lang", "en")


@pytest.fixture
def users(make_user, make_org, org):
    other = make_org(name="Hội Luật gia")
    out = {}
    for role in ROLES[1:]:
        if role == "liaison":
            out[role] = make_user("liaison", organization=org)[0]
        elif role == "liaison_other":
            out[role] = make_user("liaison", organization=other)[0]
        else:
            out[role] = make_user(role)[0]
    return out


@pytest.mark.parametrize("role", ROLES)
def test_who_may_open_the_import_page(client, auth, users, org, role):
    if role != "public":
        auth.login(users[role].email)
    res = client.get(f"/organizations/{org.id}/roster/import")
    if role == "public":
        assert res.status_code == 302 and "/login" in res.headers["Location"]
    else:
        assert res.status_code == (200 if role in ALLOWED else 403)


@pytest.mark.parametrize("role", ["coordinator", "liaison_other", "expert"])
def test_others_cannot_upload(client, auth, users, org, role, session):
    before = count_people(session)
    auth.login(users[role].email)
    token = csrf_from(client.get("/account").text)
    with unchanged(session):
        res = client.post(
            f"/organizations/{org.id}/roster/import",
            data={"csrf_token": token, "file": (io.BytesIO(csv_text(ROWS).encode()), "r.csv")},
            content_type="multipart/form-data",
        )
    assert res.status_code == 403
    assert count_people(session) == before


def _upload(client, org, data: bytes, name="roster.csv"):
    page = client.get(f"/organizations/{org.id}/roster/import")
    return client.post(
        f"/organizations/{org.id}/roster/import",
        data={"csrf_token": csrf_from(page.text), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_upload_preview_confirm(client, auth, users, org, session, make_person):
    existing = make_person(full_name="Vũ Văn Hải", birth_year=1960, organizations=[org])
    existing.memberships[0].ended_on = date(2020, 1, 1)  # a former member
    session.flush()
    before = count_people(session)
    auth.login(users["liaison"].email)
    res = _upload(client, org, csv_text(ROWS).encode())
    assert res.status_code == 302, res.text
    preview_url = res.headers["Location"]
    page = client.get(preview_url)
    assert page.status_code == 200
    assert "Vũ Văn Hải" in page.text and f'value="p{existing.id}"' in page.text
    assert "name is missing" in page.text
    assert count_people(session) == before  # the preview wrote nothing

    # Another user cannot see or confirm this upload.
    token = preview_url.rsplit("/", 1)[1]
    auth.logout()
    auth.login(users["admin"].email)
    assert client.get(preview_url).status_code == 404
    auth.logout()
    auth.login(users["liaison"].email)

    # Confirm without a CSRF token: refused, nothing written.
    with unchanged(session):
        refused = client.post(preview_url, data={})
    assert refused.status_code == 400
    assert count_people(session) == before

    page = client.get(preview_url)
    res = client.post(
        preview_url,
        data={"csrf_token": csrf_from(page.text), "decision-3": f"p{existing.id}"},
    )
    assert res.status_code == 302
    session.expire_all()
    names = sorted(p.full_name for p in members_of(session, org))
    assert names == ["Nguyễn Văn An", "Vũ Văn Hải"]
    assert count_people(session) == before + 1  # merged, not duplicated
    session.refresh(existing)
    assert existing.memberships[0].ended_on is None  # a member again
    done = client.get(preview_url)
    assert "Import finished" in done.text
    # A second confirmation does nothing.
    with unchanged(session):
        client.post(preview_url, data={"csrf_token": csrf_from(done.text)})
    assert count_people(session) == before + 1
    assert token


def test_undecided_uncertain_rows_are_not_imported(client, auth, users, org, session, make_person):
    existing = make_person(full_name="Vũ Văn Hải", birth_year=1960, organizations=[org])
    existing.memberships[0].ended_on = date(2020, 1, 1)  # a former member
    session.flush()
    auth.login(users["admin"].email)
    preview_url = _upload(client, org, csv_text(ROWS).encode()).headers["Location"]
    page = client.get(preview_url)
    client.post(preview_url, data={"csrf_token": csrf_from(page.text)})
    session.expire_all()
    assert [p.full_name for p in members_of(session, org)] == ["Nguyễn Văn An", "Vũ Văn Hải"]
    assert existing.version == 1 and existing.memberships[0].ended_on == date(
        2020, 1, 1
    )  # the undecided row did not touch them


def test_a_decision_outside_the_offered_choices_is_ignored(
    client, auth, users, org, session, make_person
):
    make_person(full_name="Vũ Văn Hải", birth_year=1960)
    stranger = make_person(full_name="Người Khác")
    auth.login(users["admin"].email)
    preview_url = _upload(client, org, csv_text(ROWS).encode()).headers["Location"]
    page = client.get(preview_url)
    client.post(
        preview_url, data={"csrf_token": csrf_from(page.text), "decision-3": f"p{stranger.id}"}
    )
    session.expire_all()
    assert org.id not in stranger.organization_ids()


def test_bad_file_shows_the_message_and_imports_nothing(client, auth, users, org, session):
    before = count_people(session)
    auth.login(users["liaison"].email)
    with unchanged(session):
        res = _upload(client, org, b"=1+2,x\n")
    assert res.status_code == 422
    assert "No known column" in res.text or "formula" in res.text
    with unchanged(session):
        res = _upload(client, org, b"")
    assert res.status_code == 422
    assert count_people(session) == before


def test_report_download_is_for_the_organisation_only(client, auth, users, org, session):
    auth.login(users["liaison"].email)
    preview_url = _upload(client, org, csv_text(ROWS).encode()).headers["Location"]
    page = client.get(preview_url)
    link = next(
        part.split('"')[0]
        for part in page.text.split('href="')[1:]
        if "/roster/reports/" in part.split('"')[0]
    )
    res = client.get(link)
    assert res.status_code == 200 and res.mimetype == "text/csv"
    assert "name is missing" in res.data.decode("utf-8-sig")
    auth.logout()
    auth.login(users["liaison_other"].email)
    assert client.get(link).status_code == 403
    assert client.get(
        f"/organizations/{org.id}/roster/reports/..%2F..%2Fsecret.csv"
    ).status_code in (
        403,
        404,
    )


def test_upload_over_the_size_limit_is_413(app, client, auth, users, org, session, monkeypatch):
    before = count_people(session)
    auth.login(users["admin"].email)
    token = csrf_from(client.get(f"/organizations/{org.id}/roster/import").text)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    big = csv_text(ROWS[:2] * 400).encode()
    with unchanged(session):
        res = client.post(
            f"/organizations/{org.id}/roster/import",
            data={"csrf_token": token, "file": (io.BytesIO(big), "big.csv")},
            content_type="multipart/form-data",
        )
    assert res.status_code == 413
    assert count_people(session) == before
