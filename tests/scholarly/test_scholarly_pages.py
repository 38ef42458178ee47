"""The scholarly-record pages: profile, forms, imports with preview, confirmations."""

from __future__ import annotations

import io
import re

import pytest
from helpers import csrf_from, unchanged
from sqlalchemy import func, select

from expertnet.scholarly.models import Publication, PublicationAuthor, ResearchProject


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("expertnet_lang", "en")


def _count(session, model=Publication):
    return session.scalar(select(func.count()).select_from(model))


def _add_pub(session, person, title="Nuôi tôm tuần hoàn", year=2022, **kw):
    from expertnet.scholarly.importers import title_key

    pub = Publication(person_id=person.id, title=title, title_key=title_key(title), year=year, **kw)
    pub.authors = [PublicationAuthor(position=1, name=person.full_name, person_id=person.id)]
    session.add(pub)
    session.flush()
    return pub


def test_profile_shows_the_record_and_cv_links_to_the_public(client, session, expert):
    _add_pub(session, expert["person"], title="Quản lý <b>ao</b> nuôi", doi="10.1234/x")
    page = client.get(f"/experts/{expert['person'].id}")
    assert page.status_code == 200
    assert "Scholarly record" in page.text
    assert "Quản lý &lt;b&gt;ao&lt;/b&gt; nuôi" in page.text  # escaped
    assert f"/experts/{expert['person'].id}/cv.pdf" in page.text
    assert "Import publications" not in page.text  # no editing for the public
    assert client.get(f"/experts/{expert['person'].id}/cv.pdf").status_code == 200


def test_expert_adds_a_publication_through_the_form(client, auth, session, expert):
    auth.login(expert["user"].email)
    url = f"/experts/{expert['person'].id}/publications/new"
    form = client.get(url)
    data = {
        "csrf_token": csrf_from(form.text),
        "type": "journal_article",
        "title": "Nuôi tôm thẻ chân trắng",
        "authors": "Nguyễn Văn An\nJohn Smith",
        "year": "2023",
        "doi": "doi:10.1234/ABC",
        "keywords": "tôm; nước",
    }
    r = client.post(url, data=data)
    assert r.status_code == 302, r.text
    pub = session.scalar(select(Publication))
    assert pub.doi == "10.1234/abc" and pub.keywords == ["tôm", "nước"]
    assert [a.person_id for a in pub.authors] == [expert["person"].id, None]
    record = client.get(f"/experts/{expert['person'].id}/record")
    assert "Nuôi tôm thẻ chân trắng" in record.text


def test_bad_doi_in_the_form_is_shown_and_nothing_saved(client, auth, session, expert):
    auth.login(expert["user"].email)
    url = f"/experts/{expert['person'].id}/publications/new"
    form = client.get(url)
    with unchanged(session):
        r = client.post(
            url,
            data={
                "csrf_token": csrf_from(form.text),
                "type": "journal_article",
                "title": "X",
                "doi": "not-a-doi",
            },
        )
    assert r.status_code == 422
    assert "Not a DOI" in r.text
    assert _count(session) == 0


def test_project_form_refuses_end_before_start(client, auth, session, expert):
    auth.login(expert["user"].email)
    url = f"/experts/{expert['person'].id}/projects/new"
    form = client.get(url)
    base = {
        "csrf_token": csrf_from(form.text),
        "title": "Đề tài",
        "level": "city",
        "role": "lead",
        "status": "ongoing",
    }
    with unchanged(session):
        r = client.post(url, data={**base, "start_year": "2024", "end_year": "2020"})
    assert r.status_code == 422 and _count(session, ResearchProject) == 0
    r = client.post(url, data={**base, "start_year": "2020", "end_year": "2024"})
    assert r.status_code == 302 and _count(session, ResearchProject) == 1


@pytest.mark.parametrize("who", ["public", "other_expert", "agency"])
def test_others_cannot_open_the_forms_or_delete(client, auth, session, expert, make_user, who):
    pub = _add_pub(session, expert["person"])
    if who != "public":
        user, _t = make_user("expert" if who == "other_expert" else "agency")
        auth.login(user.email)
    for url in (
        f"/experts/{expert['person'].id}/publications/new",
        f"/publications/{pub.id}/edit",
        f"/experts/{expert['person'].id}/publications/import",
    ):
        r = client.get(url)
        assert r.status_code == (302 if who == "public" else 403), url
    token = csrf_from(client.get("/account").text) if who != "public" else ""
    with unchanged(session):
        r = client.post(f"/publications/{pub.id}/delete", data={"csrf_token": token})
    assert r.status_code == (400 if who == "public" else 403)  # public: no CSRF token
    assert _count(session) == 1


def test_delete_needs_csrf(client, auth, session, expert):
    pub = _add_pub(session, expert["person"])
    auth.login(expert["user"].email)
    with unchanged(session):
        r = client.post(f"/publications/{pub.id}/delete", data={})
    assert r.status_code == 400
    assert _count(session) == 1
    page = client.get(f"/experts/{expert['person'].id}/record")
    r = client.post(f"/publications/{pub.id}/delete", data={"csrf_token": csrf_from(page.text)})
    assert r.status_code == 302 and _count(session) == 0


def test_import_preview_then_confirm(client, auth, session, expert, fixture_bytes, make_user):
    _add_pub(
        session, expert["person"], title="Mangrove restoration along the Hai Phong coast", year=2021
    )
    auth.login(expert["user"].email)
    url = f"/experts/{expert['person'].id}/publications/import"
    page = client.get(url)
    r = client.post(
        url,
        data={
            "csrf_token": csrf_from(page.text),
            "file": (io.BytesIO(fixture_bytes("publications.ris")), "list.ris"),
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 200
    assert "Preview of the import" in r.text
    assert "Works to merge" in r.text and "title and year" in r.text
    assert "The work has no title." in r.text
    assert _count(session) == 1  # the preview wrote nothing
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', r.text).group(1)
    # Another editor cannot confirm someone else's upload.
    coordinator, _t = make_user("coordinator")
    auth.logout()
    auth.login(coordinator.email)
    page = client.get(f"/experts/{expert['person'].id}/record")
    with unchanged(session):
        r2 = client.post(
            f"{url}/confirm", data={"csrf_token": csrf_from(page.text), "token": token}
        )
    assert r2.status_code == 302 and _count(session) == 1
    auth.logout()
    auth.login(expert["user"].email)
    page = client.get(f"/experts/{expert['person'].id}/record")
    r3 = client.post(f"{url}/confirm", data={"csrf_token": csrf_from(page.text), "token": token})
    assert r3.status_code == 302
    assert _count(session) == 2  # one new, one merged into the existing work
    merged = session.scalar(select(Publication).where(Publication.year == 2021))
    assert merged.doi == "10.2112/jcoastres-d-20-00001.1"


def test_liaison_imports_the_organisation_list(
    client, auth, session, expert, make_user, make_person
):
    other = make_person(full_name="Người Ngoài", email="out@example.org")
    liaison, _t = make_user("liaison", organization=expert["org"])
    auth.login(liaison.email)
    url = f"/organizations/{expert['org'].id}/publications/import"
    page = client.get(url)
    csv = (
        "expert,title,year,authors\n"
        "an@example.org,Nuôi tôm sú,2020,Nguyễn Văn An\n"
        f"{other.email},Bài của người ngoài,2020,\n"
        ",Không có chuyên gia,2020,\n"
    ).encode()
    r = client.post(
        url,
        data={"csrf_token": csrf_from(page.text), "file": (io.BytesIO(csv), "list.csv")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 200, r.text
    assert "is not a person of this organisation" in r.text
    assert "The expert column is empty." in r.text
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', r.text).group(1)
    r = client.post(f"{url}/confirm", data={"csrf_token": csrf_from(page.text), "token": token})
    assert r.status_code == 302
    pubs = session.scalars(select(Publication)).all()
    assert [(p.person_id, p.title) for p in pubs] == [(expert["person"].id, "Nuôi tôm sú")]


def test_liaison_of_another_organisation_may_not_import(client, auth, session, expert, make_user):
    liaison, _t = make_user("liaison")
    auth.login(liaison.email)
    assert client.get(f"/organizations/{expert['org'].id}/publications/import").status_code == 403


def test_suggested_author_confirms_on_their_page(
    client, auth, session, expert, make_person, make_user
):
    colleague = make_person(full_name="Trần Thị Bình", organizations=[expert["org"]])
    user, _t = make_user("expert", person=colleague)
    pub = _add_pub(session, expert["person"])
    pub.authors.append(
        PublicationAuthor(position=2, name="Tran Thi Binh", candidate_person_id=colleague.id)
    )
    session.flush()
    author = pub.authors[1]
    auth.login(expert["user"].email)  # the record's owner cannot answer for her
    page = client.get(f"/experts/{expert['person'].id}/record")
    with unchanged(session):
        r = client.post(
            f"/me/authorships/{author.id}/accept", data={"csrf_token": csrf_from(page.text)}
        )
    assert r.status_code == 403 and author.person_id is None
    auth.logout()
    auth.login(user.email)
    page = client.get("/me/authorships")
    assert "Nuôi tôm tuần hoàn" in page.text
    r = client.post(
        f"/me/authorships/{author.id}/accept", data={"csrf_token": csrf_from(page.text)}
    )
    assert r.status_code == 302
    session.refresh(author)
    assert author.person_id == colleague.id and author.candidate_person_id is None


def test_own_profile_links_to_the_works_to_confirm(client, auth, expert):
    auth.login(expert["user"].email)
    page = client.get(f"/experts/{expert['person'].id}")
    assert "/me/authorships" in page.text
    auth.logout()
    assert "/me/authorships" not in client.get(f"/experts/{expert['person'].id}").text
