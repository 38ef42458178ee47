"""Who may open which page: a table over every role and route."""

from __future__ import annotations

import pytest
from helpers import csrf_from

ROLES = ["public", "admin", "coordinator", "approver", "expert", "agency", "liaison"]

# route -> the set of roles that get the page (200); others: login redirect (public) or 403/404.
TABLE = {
    "/": set(ROLES),
    "/login": {"public"},
    "/organizations": set(ROLES),
    "/organizations/{org}": set(ROLES),
    "/experts": set(ROLES),
    "/experts/{public_person}": set(ROLES),
    "/experts/{private_person}": {"admin", "coordinator", "approver", "liaison"},
    "/experts/new": {"admin", "coordinator", "liaison"},
    "/experts/{private_person}/edit": {"admin", "coordinator", "liaison"},
    "/account": set(ROLES) - {"public"},
    "/organizations/{org}/edit": {"admin", "liaison"},
    "/admin/users": {"admin"},
    "/admin/users/new": {"admin"},
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
    if role in TABLE[route]:
        assert res.status_code == 200, (role, url, res.status_code)
    elif route == "/login":
        assert res.status_code == 302  # already signed in: go home
    elif role == "public":
        # Signed-out visitors are sent to sign in, or told nothing exists.
        assert res.status_code in (302, 404), (url, res.status_code)
        if res.status_code == 302:
            assert "/login" in res.headers["Location"]
    else:
        assert res.status_code in (403, 404), (role, url, res.status_code)


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
