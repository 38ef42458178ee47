"""Search as the app uses it: fresh after commit, never before; visibility; bad queries."""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import pytest
from helpers import bearer
from sqlalchemy import select

from expertnet.search.index import get_index, rebuild_index


@pytest.fixture
def people(session, make_org, make_person):
    org = make_org(name="Hội Tin học thành phố", former_province="hai_phong")
    aqua = make_org(name="Hội Nghề cá", former_province="hai_duong")
    an = make_person(
        full_name="Nguyễn Văn An",
        academic_title="GS",
        degree="TS",
        public_profile=True,
        organizations=[org],
        fields=["ENG-IT"],
        expertise=["trí tuệ nhân tạo", "học máy"],
        email="an@example.org",
    )
    dung = make_person(
        full_name="Đặng Thị Dung",
        degree="ThS",
        public_profile=True,
        organizations=[aqua],
        fields=["AGR-AQU"],
        expertise=["nuôi trồng thủy sản"],
    )
    secret = make_person(
        full_name="Nguyễn Văn Kín",
        degree="TS",
        public_profile=False,
        organizations=[org],
        fields=["ENG-IT"],
        expertise=["trí tuệ nhân tạo"],
    )
    session.commit()
    return {"an": an, "dung": dung, "secret": secret, "org": org, "aqua": aqua}


def ids(res) -> list[int]:
    assert res.status_code == 200, res.json
    return [item["id"] for item in res.json["items"]]


def test_search_finds_with_and_without_diacritics_and_nfd(client, people):
    an = people["an"].id
    assert an in ids(client.get("/api/v1/experts?q=trí tuệ nhân tạo"))
    assert an in ids(client.get("/api/v1/experts?q=tri tue nhan tao"))
    nfd = unicodedata.normalize("NFD", "Trí Tuệ")
    assert an in ids(client.get("/api/v1/experts", query_string={"q": nfd}))
    assert people["dung"].id in ids(client.get("/api/v1/experts?q=dang thi dung"))


def test_answer_has_the_contract_shape_and_facets(client, people):
    res = client.get("/api/v1/experts?q=nguyen")
    body = res.json
    assert {"items", "total", "page", "per_page", "facets"} <= set(body)
    item = body["items"][0]
    assert {
        "id",
        "full_name",
        "academic_title",
        "degree",
        "organizations",
        "fields",
        "score",
        "highlights",
    } <= set(item)
    assert set(body["facets"]) >= {"organization", "field", "degree"}


def test_public_search_never_shows_non_consenting_people(client, people, make_user):
    assert people["secret"].id not in ids(client.get("/api/v1/experts?q=nguyen"))
    _, token = make_user("coordinator")
    staff = ids(client.get("/api/v1/experts?q=nguyen", headers=bearer(token)))
    assert people["secret"].id in staff


def test_filters_by_organisation_field_and_degree(client, people):
    org = people["aqua"].id
    assert ids(client.get(f"/api/v1/experts?organization={org}")) == [people["dung"].id]
    assert ids(client.get("/api/v1/experts?field=AGR-AQU")) == [people["dung"].id]
    assert ids(client.get("/api/v1/experts?degree=ThS")) == [people["dung"].id]


def test_a_change_is_searchable_after_commit(client, people, session):
    an = people["an"]
    an.expertise = [*an.expertise, "an toàn thông tin"]
    session.flush()
    assert an.id not in ids(client.get("/api/v1/experts?q=an toan thong tin"))  # not before
    session.commit()
    assert an.id in ids(client.get("/api/v1/experts?q=an toan thong tin"))


def test_a_rolled_back_change_never_reaches_the_index(client, people, session):
    an = people["an"]
    an.expertise = [*an.expertise, "kinh tế biển"]
    session.flush()
    session.rollback()
    assert an.id not in ids(client.get("/api/v1/experts?q=kinh te bien"))


def test_renaming_an_organisation_updates_its_members(client, people, session):
    people["org"].name = "Hội Công nghệ Số"
    session.commit()
    assert people["an"].id in ids(client.get("/api/v1/experts?q=cong nghe so"))


@pytest.mark.parametrize(
    "q",
    [
        '"unbalanced',
        "AND",
        "-",
        "OR OR",
        "bio:x",
        "*",
        "x" * 5000,
        "\x00\x01ab\x1f",
        "((",
        "~2",
        "full_name:[a TO z]",
        "'; DROP TABLE person; --",
    ],
)
def test_malformed_queries_never_fail(client, people, q):
    res = client.get("/api/v1/experts", query_string={"q": q})
    assert res.status_code in (200, 422)
    if res.status_code == 422:
        assert res.json["error"]["fields"]


def test_search_page_works_without_javascript(client, people):
    page = client.get("/experts?q=nuoi trong thuy san").text
    assert "Đặng Thị Dung" in page
    assert "<mark>" in page


def test_corrupt_index_answers_from_the_database_with_a_notice(app, client, people):
    index_dir = Path(app.config["EXPERTNET_INDEX_DIR"])
    get_index(app).close()
    for child in index_dir.iterdir():
        if child.is_dir():
            shutil.rmtree(child)
    res = client.get("/api/v1/experts?q=Nguyễn Văn An")
    assert res.status_code == 200
    assert res.json["notice"]
    assert people["an"].id in ids(res)
    page = client.get("/experts?q=Nguyễn")
    assert page.status_code == 200
    health = client.get("/healthz").json
    assert health["index"]["ok"] is False
    rebuild_index()
    assert client.get("/healthz").json["index"]["ok"] is True
    assert "notice" not in client.get("/api/v1/experts?q=nguyen").json or not client.get(
        "/api/v1/experts?q=nguyen"
    ).json.get("notice")


def test_index_rebuild_command(runner, people):
    res = runner.invoke(args=["index", "rebuild"])
    assert res.exit_code == 0, res.output
    assert "indexed" in res.output


def test_search_page_filters_by_title_province_and_availability(client, people):
    page = client.get("/experts?q=nguyen&academic_title=GS").text
    assert "Nguyễn Văn An" in page
    page = client.get("/experts?former_province=hai_duong").text
    assert "Đặng Thị Dung" in page and "Nguyễn Văn An" not in page
    page = client.get("/experts?sort=name&available=1").text
    # Vietnamese lists sort by the given name: An before Dung.
    assert page.index("Nguyễn Văn An") < page.index("Đặng Thị Dung")
    assert client.get("/experts?sort=sideways").status_code == 200  # told, not broken


def test_submitted_search_matches_whole_words_type_ahead_matches_prefixes(client, people):
    an = people["an"].id
    assert an not in ids(client.get("/api/v1/experts?q=Nguyễn Văn A"))
    assert an in ids(client.get("/api/v1/experts?q=Nguyễn Văn A&typeahead=1"))
    res = client.get("/api/v1/experts?q=nguyen&typeahead=maybe")
    assert res.status_code == 422 and "typeahead" in res.json["error"]["fields"]


def test_quoted_phrase_matches_only_as_a_phrase(client, people):
    an = people["an"].id
    assert an in ids(client.get('/api/v1/experts?q="trí tuệ nhân tạo"'))
    # Every word is in An's profile, but not in this order inside one field.
    assert ids(client.get('/api/v1/experts?q="nhân tạo trí tuệ"')) == []
    assert an in ids(client.get("/api/v1/experts?q=nhân tạo trí tuệ"))


def test_facets_can_be_left_out(client, people):
    body = client.get("/api/v1/experts?q=nguyen&facets=0").json
    assert body["facets"] == {} and body["total"] >= 1
    assert client.get("/api/v1/experts?q=nguyen").json["facets"]["organization"]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_search_items_are_the_profile_summary(client, app, people, session, make_org, lang):
    """The list reads plain columns; each item is what ``person_json(summary=True)`` says
    of the person, in either language (current memberships only, fields by code)."""
    from datetime import date

    from expertnet.directory.models import Field, Membership
    from expertnet.directory.serialize import person_json

    an = people["an"]
    an.memberships.append(Membership(organization=people["aqua"], role="chair"))
    an.memberships.append(
        Membership(organization=make_org(name="Hội Cũ"), role="member", ended_on=date(2020, 1, 1))
    )
    an.fields = [*an.fields, session.scalar(select(Field).where(Field.code == "AGR-AQU"))]
    session.commit()
    res = client.get(f"/api/v1/experts?q=nguyen&lang={lang}")
    assert res.status_code == 200, res.json
    items = {item["id"]: item for item in res.json["items"]}
    assert an.id in items and people["dung"].id not in items
    session.expire_all()
    with app.test_request_context(f"/?lang={lang}"):
        for person_id, item in items.items():
            person = session.get(type(an), person_id)
            expected = person_json(person, None, summary=True)
            assert {k: item[k] for k in expected} == expected
    assert len(items[an.id]["organizations"]) == 2
    assert [f["code"] for f in items[an.id]["fields"]] == ["AGR-AQU", "ENG-IT"]
