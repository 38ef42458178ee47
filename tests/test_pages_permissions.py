"""Who may open which page: a table over every role and route, with the one right answer
(200, 302 to sign in, 403 or 404) for each pair."""

from __future__ import annotations

import pytest
from helpers import csrf_from

ROLES = ["public", "admin", "coordinator", "approver", "expert", "agency", "liaison"]

STAFF = {"admin", "coordinator", "approver"}
LOGIN = 302  # a signed-out visitor is sent to sign in


def answers(ok: set[str], *, public: int, others: int, **per_role: int) -> dict[str, int]:
    """Each role's one right status: 200 for ``ok``; ``public`` for the signed-out visitor,
    ``per_role`` or ``others`` for the rest. 404 where the thing must not be revealed
    (a profile the role may not see); 403 where it is visible but the action is not theirs."""
    out = {role: per_role.get(role, others) for role in ROLES}
    out["public"] = public
    return out | dict.fromkeys(ok, 200)


EVERYONE = set(ROLES)

# route -> role -> the status that role gets, and no other.
TABLE = {
    "/": answers(EVERYONE, public=200, others=200),
    "/login": answers({"public"}, public=200, others=302),  # signed in already: go home
    "/organizations": answers(EVERYONE, public=200, others=200),
    "/organizations/{org}": answers(EVERYONE, public=200, others=200),
    "/experts": answers(EVERYONE, public=200, others=200),
    "/experts/{public_person}": answers(EVERYONE, public=200, others=200),
    # A profile without consent does not exist for those who may not see it.
    "/experts/{private_person}": answers(STAFF | {"liaison"}, public=404, others=404),
    "/experts/new": answers({"admin", "coordinator", "liaison"}, public=LOGIN, others=403),
    # The approver sees the profile but may not edit it; the others do not see it at all.
    "/experts/{private_person}/edit": answers(
        {"admin", "coordinator", "liaison"}, public=LOGIN, others=404, approver=403
    ),
    "/account": answers(EVERYONE - {"public"}, public=LOGIN, others=200),
    "/organizations/{org}/edit": answers({"admin", "liaison"}, public=LOGIN, others=403),
    "/admin/users": answers({"admin"}, public=LOGIN, others=403),
    "/admin/users/new": answers({"admin"}, public=LOGIN, others=403),
}


@pytest.fixture
def world(make_org, make_person, make_user):
    org = make_org(name="Hội Tin học thành phố")
    public_person = make_person(
        full_name="Lê Thị Công Khai", public_profile=True, organizations=[org]
    )
    private_person = make_person(full_name="Lê Văn Riêng", organizations=[org])
    users = {}
    for role in ROLES[1:]:
        users[role] = make_user(role, organization=org if role == "liaison" else None)[0]
    return {
        "org": org,
        "public_person": public_person,
        "private_person": private_person,
        "users": users,
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", list(TABLE))
def test_role_route_table(client, auth, world, role, route):
    if role != "public":
        assert auth.login(world["users"][role].email).status_code == 302
    url = route.format(
        org=world["org"].id,
        public_person=world["public_person"].id,
        private_person=world["private_person"].id,
    )
    res = client.get(url)
    assert res.status_code == TABLE[route][role], (role, url, res.status_code)
    if res.status_code == LOGIN and role == "public":
        assert "/login" in res.headers["Location"]


def test_contact_details_hidden_from_public_on_profile_page(client, make_person):
    p = make_person(
        full_name="Trịnh Văn Mật",
        public_profile=True,
        email="secret@example.org",
        phone="0987654321",
    )
    page = client.get(f"/experts/{p.id}").text
    assert "Trịnh Văn Mật" in page
    assert "secret@example.org" not in page and "0987654321" not in page


def test_roster_shown_to_liaison_of_that_organisation_only(
    client, auth, make_org, make_person, make_user
):
    org, other = make_org(), make_org()
    make_person(full_name="Hội Viên Kín", organizations=[org], email="kin2@example.org")
    liaison, _ = make_user("liaison", organization=org)
    stranger, _ = make_user("liaison", organization=other)
    auth.login(stranger.email)
    assert "Hội Viên Kín" not in client.get(f"/organizations/{org.id}").text
    auth.logout()
    auth.login(liaison.email)
    page = client.get(f"/organizations/{org.id}").text
    assert "Hội Viên Kín" in page and "kin2@example.org" in page


def test_output_is_escaped(client, make_person):
    p = make_person(
        full_name="<script>alert(1)</script>",
        public_profile=True,
        bio='<img src=x onerror="alert(2)">',
    )
    page = client.get(f"/experts/{p.id}").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
    assert "<img src=x" not in page


def test_expert_form_creates_and_edits_with_errors_named(client, auth, make_user, make_org):
    user, _ = make_user("coordinator")
    org = make_org()
    auth.login(user.email)
    page = client.get("/experts/new")
    token = csrf_from(page.text)
    bad = client.post("/experts/new", data={"csrf_token": token, "full_name": "", "email": "x@"})
    assert bad.status_code == 422
    assert 'id="full_name-err"' in bad.text and 'id="email-err"' in bad.text
    ok = client.post(
        "/experts/new",
        data={
            "csrf_token": token,
            "full_name": "Ngô Thị Form",
            "organizations": [str(org.id)],
            "fields": ["ENG-IT"],
            "expertise": "trí tuệ nhân tạo; học máy",
            "max_assignments": "3",
        },
    )
    assert ok.status_code == 302, ok.text
    profile = client.get(ok.headers["Location"]).text
    assert "Ngô Thị Form" in profile and "trí tuệ nhân tạo" in profile
