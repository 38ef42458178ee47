"""Who writes where: a liaison only to its own organisation; an expert neither joins
organisations nor raises their own workload cap (API and pages); refusals change nothing."""

from __future__ import annotations

from helpers import bearer, csrf_from, unchanged
from sqlalchemy import func, select

from expertnet.directory.models import Membership, Person


def _people(session) -> int:
    return session.scalar(select(func.count(Person.id)))


def test_liaison_cannot_create_an_expert_in_another_organisation_api(
    client, session, make_user, make_org
):
    own, other = make_org(), make_org()
    _, token = make_user("liaison", organization=own)
    before = _people(session)
    body = {"full_name": "Injected By Liaison", "organizations": [other.id]}
    with unchanged(session):
        res = client.post("/api/v1/experts", json=body, headers=bearer(token))
    assert res.status_code == 422
    assert "organizations" in res.json["error"]["fields"]
    with unchanged(session):
        both = client.post(
            "/api/v1/experts",
            json={"full_name": "Injected Twice", "organizations": [own.id, other.id]},
            headers=bearer(token),
        )
    assert both.status_code == 422
    assert _people(session) == before
    assert not session.scalar(
        select(func.count()).select_from(Membership).where(Membership.organization_id == other.id)
    )
    ok = client.post("/api/v1/experts", json={"full_name": "Own Member"}, headers=bearer(token))
    assert ok.status_code == 201
    assert [o["id"] for o in ok.json["organizations"]] == [own.id]


def test_liaison_cannot_create_an_expert_in_another_organisation_page(
    client, auth, session, make_user, make_org
):
    own, other = make_org(), make_org()
    user, _ = make_user("liaison", organization=own)
    auth.login(user.email)
    page = client.get("/experts/new")
    assert (
        f'value="{other.id}"'
        not in page.text.split('name="organizations"', 1)[-1].split("</select>", 1)[0]
    )
    before = _people(session)
    with unchanged(session):
        res = client.post(
            "/experts/new",
            data={
                "csrf_token": csrf_from(page.text),
                "full_name": "Injected By Form",
                "organizations": [str(other.id)],
                "max_assignments": "3",
            },
        )
    assert res.status_code == 422
    assert _people(session) == before


def test_expert_cannot_change_own_memberships_or_raise_own_cap(
    client, session, make_user, make_org, make_person
):
    home, a, b = make_org(), make_org(), make_org()
    person = make_person(full_name="Phạm Văn Tự", organizations=[home], max_assignments=3)
    _, token = make_user("expert", person=person)
    url = f"/api/v1/experts/{person.id}"
    with unchanged(session):
        res = client.patch(
            url, json={"organizations": [home.id, a.id, b.id], "max_assignments": 50},
            headers=bearer(token),
        )  # fmt: skip
    assert res.status_code == 422
    assert set(res.json["error"]["fields"]) == {"organizations", "max_assignments"}
    session.expire_all()
    assert person.organization_ids() == {home.id} and person.max_assignments == 3
    with unchanged(session):
        leave = client.patch(url, json={"organizations": []}, headers=bearer(token))
    assert leave.status_code == 422
    lower = client.patch(url, json={"max_assignments": 1}, headers=bearer(token))
    assert lower.status_code == 200 and lower.json["max_assignments"] == 1
    same = client.patch(
        url, json={"organizations": [home.id], "bio": "Kỹ sư cầu đường."}, headers=bearer(token)
    )
    assert same.status_code == 200


def test_staff_may_raise_the_cap_and_change_memberships(client, make_user, make_org, make_person):
    home, other = make_org(), make_org()
    person = make_person(organizations=[home], max_assignments=3)
    _, token = make_user("coordinator")
    res = client.patch(
        f"/api/v1/experts/{person.id}",
        json={"organizations": [home.id, other.id], "max_assignments": 6},
        headers=bearer(token),
    )
    assert res.status_code == 200
    assert res.json["max_assignments"] == 6
    assert {o["id"] for o in res.json["organizations"]} == {home.id, other.id}


def test_liaison_may_lower_but_not_raise_a_members_cap(
    client, session, make_user, make_org, make_person
):
    org = make_org()
    person = make_person(organizations=[org], max_assignments=3)
    _, token = make_user("liaison", organization=org)
    url = f"/api/v1/experts/{person.id}"
    with unchanged(session):
        raised = client.patch(url, json={"max_assignments": 9}, headers=bearer(token))
    assert raised.status_code == 422 and "max_assignments" in raised.json["error"]["fields"]
    assert client.patch(url, json={"max_assignments": 2}, headers=bearer(token)).status_code == 200


def test_expert_edit_page_has_no_memberships_and_refuses_a_higher_cap(
    client, auth, session, make_user, make_org, make_person
):
    home = make_org()
    person = make_person(full_name="Đỗ Thị Trang", organizations=[home], max_assignments=3)
    user, _ = make_user("expert", person=person)
    auth.login(user.email)
    page = client.get(f"/experts/{person.id}/edit")
    assert page.status_code == 200
    assert 'name="organizations"' not in page.text
    form = {
        "csrf_token": csrf_from(page.text),
        "full_name": "Đỗ Thị Trang",
        "version": str(person.version),
        "max_assignments": "40",
    }
    with unchanged(session):
        res = client.post(f"/experts/{person.id}/edit", data=form)
    assert res.status_code == 422
    session.expire_all()
    assert person.max_assignments == 3 and person.organization_ids() == {home.id}
    form["max_assignments"] = "2"
    assert client.post(f"/experts/{person.id}/edit", data=form).status_code == 302
    session.expire_all()
    assert person.max_assignments == 2 and person.organization_ids() == {home.id}
