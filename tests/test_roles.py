"""A user may hold several roles: an expert who is also their association's liaison."""

from __future__ import annotations

from helpers import bearer

from expertnet.auth.operations import AccountError, create_user


def _expert_liaison(session, make_org, make_person):
    org = make_org()
    person = make_person(full_name="Nguyễn Thị Lan", email="lan@hoi.vn", organizations=[org])
    user = create_user(
        email="lan@hoi.vn",
        name="Nguyễn Thị Lan",
        role="expert",
        password="correct horse battery",
        organization_id=org.id,
        person_id=person.id,
        extra_roles=("liaison",),
    )
    session.flush()
    return user, org, person


def test_expert_who_is_also_liaison_holds_both_roles(session, make_org, make_person, client, auth):
    user, org, _person = _expert_liaison(session, make_org, make_person)
    assert user.roles == {"expert", "liaison"}
    auth.login("lan@hoi.vn")
    assert client.get("/inbox").status_code == 200  # as the expert
    assert client.get(f"/organizations/{org.id}/roster/import").status_code == 200  # as liaison
    home = client.get("/").text
    assert "/inbox" in home and f"/organizations/{org.id}" in home


def test_liaison_role_of_an_expert_is_limited_to_their_organisation(
    session, make_org, make_person, client, auth
):
    _user, _org, _person = _expert_liaison(session, make_org, make_person)
    other = make_org()
    auth.login("lan@hoi.vn")
    assert client.get(f"/organizations/{other.id}/roster/import").status_code == 403


def test_extra_roles_are_checked(session, make_org, make_person):
    person = make_person(full_name="Trần Văn Minh", email="minh@hoi.vn")
    for extra, kw in ((("admin",), {}), (("liaison",), {}), (("expert",), {})):
        try:
            create_user(
                email=f"x{extra[0]}@hoi.vn",
                name="X",
                role="coordinator",
                password="correct horse battery",
                extra_roles=extra,
                **kw,
            )
        except AccountError:
            continue
        raise AssertionError(f"{extra} accepted without what it needs")
    user = create_user(
        email="minh@hoi.vn",
        name="Minh",
        role="liaison",
        password="correct horse battery",
        organization_id=make_org().id,
        person_id=person.id,
        extra_roles=("expert",),
    )
    assert user.has_role("expert") and user.has_role("liaison") and not user.has_role("admin")


def test_cli_create_with_an_extra_role(runner, session, make_org, make_person):
    org = make_org()
    person = make_person(full_name="Hà Văn Sơn", email="son@hoi.vn", organizations=[org])
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "son@hoi.vn",
            "--name",
            "Sơn",
            "--role",
            "liaison",
            "--organization",
            str(org.id),
            "--expert",
            str(person.id),
            "--also",
            "expert",
            "--password",
            "correct horse battery",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "expert, liaison" in result.output


def test_expert_liaison_answers_invitations_over_the_api(
    session, make_org, make_person, client, make_user
):
    from datetime import UTC, datetime, timedelta

    from expertnet.auth.models import ApiToken

    user, _org, person = _expert_liaison(session, make_org, make_person)
    _tok, token = ApiToken.issue(user)
    _coord, ctoken = make_user("coordinator")
    _agency, atoken = make_user("agency")
    body = {
        "kind": "consultation",
        "title": "Đề án thử",
        "summary": "",
        "fields": [],
        "subject_organizations": [],
        "due_date": None,
        "confidential": False,
    }
    rid = client.post("/api/v1/requests", json=body, headers=bearer(atoken)).json["id"]
    client.post(f"/api/v1/requests/{rid}/actions/submit", json={}, headers=bearer(atoken))
    for action in ("accept", "open_panel"):
        client.post(f"/api/v1/requests/{rid}/actions/{action}", json={}, headers=bearer(ctoken))
    due = (datetime.now(UTC) + timedelta(days=5)).isoformat()
    inv = client.post(
        f"/api/v1/requests/{rid}/invitations",
        headers=bearer(ctoken),
        json={"expert_id": person.id, "role": "member", "respond_by": due},
    )
    assert inv.status_code == 201, inv.json
    mine = client.get("/api/v1/me/invitations", headers=bearer(token))
    assert [i["id"] for i in mine.json["items"]] == [inv.json["id"]]
    ok = client.post(
        f"/api/v1/invitations/{inv.json['id']}/accept",
        headers=bearer(token),
        json={"conflict_declaration": {"has_conflict": False}},
    )
    assert ok.status_code == 200, ok.json
