"""The scholarly record through the API: who may change it, imports, dedupe, audit."""

from __future__ import annotations

import io
import unicodedata
from contextlib import nullcontext

import pytest
from helpers import bearer, unchanged
from openapi_check import answer_problems
from sqlalchemy import func, select

from expertnet.audit.models import AuditEntry
from expertnet.scholarly.models import Publication, PublicationAuthor, ResearchProject


def _count(session, model, **where):
    stmt = select(func.count()).select_from(model)
    for k, v in where.items():
        stmt = stmt.where(getattr(model, k) == v)
    return session.scalar(stmt)


def _upload(client, person_id, token, data: bytes, name: str, dry_run=False):
    url = f"/api/v1/experts/{person_id}/publications/import" + ("?dry_run=1" if dry_run else "")
    return client.post(
        url,
        data={"file": (io.BytesIO(data), name)},
        headers=bearer(token),
        content_type="multipart/form-data",
    )


PUB = {
    "type": "journal_article",
    "title": "Nuôi tôm thẻ chân trắng",
    "authors": [{"name": "Nguyễn Văn An"}, {"name": "John Smith"}],
    "year": 2023,
    "venue": "Tạp chí Thủy sản",
    "doi": "https://doi.org/10.1234/ABC",
    "abstract": "Tóm tắt.",
    "language": "vi",
    "keywords": ["tôm"],
}


def test_expert_adds_a_publication_and_is_linked_as_its_author(client, session, expert):
    r = client.post(
        f"/api/v1/experts/{expert['person'].id}/publications",
        json=PUB,
        headers=bearer(expert["token"]),
    )
    assert r.status_code == 201, r.json
    body = r.json
    assert {"id", "type", "title", "authors", "year", "venue", "doi", "abstract", "language"} <= (
        set(body)
    )
    assert body["doi"] == "10.1234/abc"
    assert body["authors"][0] == {
        "name": "Nguyễn Văn An",
        "person_id": expert["person"].id,
        "position": 1,
        "orcid": None,
        "suggested_person_id": None,
    }
    assert body["authors"][1]["person_id"] is None  # a name alone links nobody
    listed = client.get(f"/api/v1/experts/{expert['person'].id}/publications").json
    assert listed["total"] == 1 and listed["items"][0]["id"] == body["id"]


def test_text_is_stored_nfc(client, session, expert):
    nfd = unicodedata.normalize("NFD", "Quản lý nước ao nuôi")
    r = client.post(
        f"/api/v1/experts/{expert['person'].id}/publications",
        json={"title": nfd, "authors": [{"name": unicodedata.normalize("NFD", "Trần Bình")}]},
        headers=bearer(expert["token"]),
    )
    assert r.status_code == 201
    pub = session.get(Publication, r.json["id"])
    assert pub.title == unicodedata.normalize("NFC", nfd)
    assert pub.authors[0].name == "Trần Bình"


def test_every_change_is_audited(client, session, expert):
    token = expert["token"]
    pid = client.post(
        f"/api/v1/experts/{expert['person'].id}/publications", json=PUB, headers=bearer(token)
    ).json["id"]
    client.patch(f"/api/v1/publications/{pid}", json={"year": 2024}, headers=bearer(token))
    client.delete(f"/api/v1/publications/{pid}", headers=bearer(token))
    actions = session.execute(
        select(AuditEntry.action, AuditEntry.changes, AuditEntry.actor_user_id)
        .where(AuditEntry.entity_type == "publication", AuditEntry.entity_id == pid)
        .order_by(AuditEntry.id)
    ).all()
    assert [a.action for a in actions] == ["create", "update", "delete"]
    assert actions[1].changes["year"] == [2023, 2024]
    assert all(a.actor_user_id == expert["user"].id for a in actions)


@pytest.mark.parametrize(
    ("role", "same_org", "allowed"),
    [
        ("coordinator", False, True),
        ("admin", False, True),
        ("liaison", True, True),
        ("liaison", False, False),
        ("approver", False, False),
        ("agency", False, False),
        ("expert", False, False),  # another expert
    ],
)
def test_who_may_change_a_record(
    client, session, expert, make_user, make_org, role, same_org, allowed
):
    org = expert["org"] if same_org else (make_org() if role == "liaison" else None)
    _user, token = make_user(role, organization=org)
    before = _count(session, Publication)
    with nullcontext() if allowed else unchanged(session):
        r = client.post(
            f"/api/v1/experts/{expert['person'].id}/publications", json=PUB, headers=bearer(token)
        )
    assert r.status_code == (201 if allowed else 403), r.json
    assert _count(session, Publication) == before + (1 if allowed else 0)
    with nullcontext() if allowed else unchanged(session):
        r = client.post(
            f"/api/v1/experts/{expert['person'].id}/projects",
            json={"title": "Đề tài", "level": "city", "role": "lead"},
            headers=bearer(token),
        )
    assert r.status_code == (201 if allowed else 403)


def test_anonymous_reads_a_consenting_expert_but_cannot_write(client, session, expert):
    assert client.get(f"/api/v1/experts/{expert['person'].id}/publications").status_code == 200
    with unchanged(session):
        r = client.post(f"/api/v1/experts/{expert['person'].id}/publications", json=PUB)
    assert r.status_code == 401
    assert _count(session, Publication) == 0


def test_record_of_a_non_consenting_person_is_hidden_from_the_public(client, make_person):
    hidden = make_person(full_name="Ẩn Danh", public_profile=False)
    assert client.get(f"/api/v1/experts/{hidden.id}/publications").status_code == 404
    assert client.get(f"/api/v1/experts/{hidden.id}/projects").status_code == 404
    assert client.get(f"/api/v1/experts/{hidden.id}/cv.pdf").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x", "doi": "not a doi"}, "doi"),
        ({"title": "x", "year": 1700}, "year"),
        ({"title": "x", "type": "poem"}, "type"),
        ({"title": "x", "url": "javascript:alert(1)"}, "url"),
        ({"title": "x", "authors": [{"name": "A", "orcid": "0000-0002-1825-0098"}]}, "authors"),
        ({"title": "x", "authors": [{"name": "A", "person_id": 999999}]}, "authors"),
        ({"title": "x", "bogus": 1}, "bogus"),
    ],
)
def test_bad_publication_is_refused_naming_the_field(client, session, expert, body, field):
    with unchanged(session):
        r = client.post(
            f"/api/v1/experts/{expert['person'].id}/publications",
            json=body,
            headers=bearer(expert["token"]),
        )
    assert r.status_code == 422, r.json
    assert any(k.startswith(field) for k in r.json["error"]["fields"])
    assert _count(session, Publication) == 0


def test_adding_the_same_doi_twice_is_refused(client, session, expert):
    url = f"/api/v1/experts/{expert['person'].id}/publications"
    assert client.post(url, json=PUB, headers=bearer(expert["token"])).status_code == 201
    again = dict(PUB, title="Another title", doi="10.1234/abc")
    with unchanged(session):
        r = client.post(url, json=again, headers=bearer(expert["token"]))
    assert r.status_code == 422 and "doi" in r.json["error"]["fields"]
    assert _count(session, Publication) == 1


def test_import_then_reimport_creates_no_duplicates(client, session, expert, fixture_bytes):
    pid, token = expert["person"].id, expert["token"]
    r = _upload(client, pid, token, fixture_bytes("publications.bib"), "a.bib")
    assert r.status_code == 201, r.json
    assert r.json["created"] == 3 and r.json["merged"] == 0
    assert {x["entry"].split(":")[0] for x in r.json["rejected"]} >= {"noyear"}
    r = _upload(client, pid, token, fixture_bytes("publications.bib"), "a.bib")
    assert r.json["created"] == 0 and r.json["merged"] == 3
    assert _count(session, Publication, person_id=pid) == 3


def test_ris_merges_into_the_bibtex_work_by_title_and_year_and_fills_the_doi(
    client, session, expert, fixture_bytes
):
    pid, token = expert["person"].id, expert["token"]
    _upload(client, pid, token, fixture_bytes("publications.bib"), "a.bib")
    preview = _upload(client, pid, token, fixture_bytes("publications.ris"), "a.ris", dry_run=True)
    assert preview.status_code == 200
    merge = next(m for m in preview.json["merges"] if m["title"].startswith("Mangrove"))
    assert merge["by"] == "title_year"
    assert "doi" in merge["fills"]
    mangrove = session.get(Publication, merge["into"])
    assert mangrove.doi is None  # the preview wrote nothing
    r = _upload(client, pid, token, fixture_bytes("publications.ris"), "a.ris")
    assert r.json["merged"] == 1 and r.json["created"] == 1
    session.expire_all()
    assert session.get(Publication, merge["into"]).doi == "10.2112/jcoastres-d-20-00001.1"
    assert _count(session, Publication, person_id=pid) == 4


def test_dry_run_import_changes_nothing(client, session, expert, fixture_bytes):
    before = session.scalar(select(func.count()).select_from(AuditEntry))
    with unchanged(session):
        r = _upload(
            client,
            expert["person"].id,
            expert["token"],
            fixture_bytes("publications.bib"),
            "a.bib",
            dry_run=True,
        )
    assert r.status_code == 200 and r.json["created"] == 3 and r.json["dry_run"] is True
    assert len(r.json["new"]) == 3
    assert _count(session, Publication) == 0
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == before


def test_unreadable_upload_is_422_and_changes_nothing(client, session, expert):
    with unchanged(session):
        r = _upload(client, expert["person"].id, expert["token"], b"\x00\x01garbage", "x.bin")
    assert r.status_code == 422 and "file" in r.json["error"]["fields"]
    assert _count(session, Publication) == 0


def test_author_matched_by_orcid_and_a_colleague_only_suggested(
    client, session, expert, make_person, fixture_bytes
):
    from expertnet.scholarly.models import ScholarProfile

    holder = make_person(full_name="Nguyễn Văn Ba")
    session.add(ScholarProfile(person_id=holder.id, orcid="0000-0002-1825-0097"))
    colleague = make_person(full_name="Trần Thị Bình", organizations=[expert["org"]])
    namesake = make_person(full_name="Phạm Thị Dung")  # not a colleague: never suggested
    session.flush()
    pid, token = expert["person"].id, expert["token"]
    _upload(client, pid, token, fixture_bytes("openalex_works.json"), "oa.json")
    pub = session.scalar(select(Publication).where(Publication.person_id == pid))
    first, second = pub.authors
    assert first.person_id == holder.id  # ORCID beats the name
    assert second.person_id is None and second.candidate_person_id == colleague.id
    _upload(client, pid, token, fixture_bytes("publications.bib"), "a.bib")
    linked = session.scalars(
        select(PublicationAuthor.person_id).where(PublicationAuthor.person_id.is_not(None))
    ).all()
    assert namesake.id not in linked


def test_only_the_suggested_person_confirms_a_match(
    client, session, expert, make_person, make_user, fixture_bytes
):
    colleague = make_person(full_name="Trần Thị Bình", organizations=[expert["org"]])
    _u, colleague_token = make_user("expert", person=colleague)
    pid = expert["person"].id
    _upload(client, pid, expert["token"], fixture_bytes("openalex_works.json"), "oa.json")
    pub = session.scalar(select(Publication).where(Publication.person_id == pid))
    url = f"/api/v1/publications/{pub.id}/authors/2/confirm"
    with unchanged(session):
        r = client.post(url, json={"accept": True}, headers=bearer(expert["token"]))
    assert r.status_code == 403
    assert pub.authors[1].person_id is None
    r = client.post(url, json={"accept": True}, headers=bearer(colleague_token))
    assert r.status_code == 200, r.json
    assert r.json["authors"][1]["person_id"] == colleague.id


def test_projects_with_bad_years_are_refused(client, session, expert):
    url = f"/api/v1/experts/{expert['person'].id}/projects"
    with unchanged(session):
        r = client.post(
            url,
            json={"title": "Đề tài cấp thành phố", "start_year": 2022, "end_year": 2020},
            headers=bearer(expert["token"]),
        )
    assert r.status_code == 422 and "end_year" in r.json["error"]["fields"]
    with unchanged(session):
        r = client.post(
            url, json={"title": "X", "level": "galactic"}, headers=bearer(expert["token"])
        )
    assert r.status_code == 422 and "level" in r.json["error"]["fields"]
    assert _count(session, ResearchProject) == 0
    r = client.post(
        url,
        json={
            "code": "ĐT.2023.05",
            "title": "Nghiên cứu quy trình nuôi tôm tuần hoàn",
            "level": "city",
            "role": "lead",
            "funder": "Sở Khoa học và Công nghệ Hải Phòng",
            "start_year": 2023,
            "end_year": 2025,
            "status": "ongoing",
        },
        headers=bearer(expert["token"]),
    )
    assert r.status_code == 201
    listed = client.get(url).json
    assert listed["items"][0]["code"] == "ĐT.2023.05"


def test_patents_and_orcid(client, session, expert):
    pid, token = expert["person"].id, expert["token"]
    r = client.post(
        f"/api/v1/experts/{pid}/patents",
        json={
            "kind": "utility_solution",
            "title": "Máy sục khí",
            "year": 2021,
            "status": "granted",
        },
        headers=bearer(token),
    )
    assert r.status_code == 201
    with unchanged(session):
        r = client.put(f"/api/v1/experts/{pid}/orcid", json={"orcid": "bad"}, headers=bearer(token))
    assert r.status_code == 422
    r = client.put(
        f"/api/v1/experts/{pid}/orcid",
        json={"orcid": "https://orcid.org/0000-0002-1825-0097"},
        headers=bearer(token),
    )
    assert r.json["orcid"] == "0000-0002-1825-0097"


def test_import_answers_match_their_documented_bodies(client, expert, fixture_bytes):
    """A dry run answers 200 and an import 201, both with the import summary described
    key by key; the merges and rejections are filled in."""
    pid, token = expert["person"].id, expert["token"]
    spec = client.get("/api/v1/openapi.json").json
    url = f"/api/v1/experts/{pid}/publications/import"
    ops = spec["paths"]["/api/v1/experts/{person_id}/publications/import"]["post"]
    assert {"200", "201"} <= set(ops["responses"])
    first = _upload(client, pid, token, fixture_bytes("publications.bib"), "a.bib")
    assert first.status_code == 201 and first.json["rejected"] and first.json["new"]
    preview = _upload(client, pid, token, fixture_bytes("publications.ris"), "a.ris", dry_run=True)
    assert preview.status_code == 200 and preview.json["merges"]
    problems = answer_problems(spec, url, "post", first)
    problems += answer_problems(spec, url, "post", preview)
    assert problems == []
