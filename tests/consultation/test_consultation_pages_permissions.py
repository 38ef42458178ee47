"""Who may open which consultation page, and who may post to it: tables over every role."""

from __future__ import annotations

import pytest
from helpers import csrf_from

from expertnet.consultation.models import Invitation, Request

ROLES = [
    "public",
    "admin",
    "coordinator",
    "coordinator2",
    "approver",
    "agency",
    "other_agency",
    "expert_in",
    "expert_out",
    "liaison",
]
STAFF = {"admin", "coordinator", "coordinator2", "approver"}
SIGNED_IN = set(ROLES) - {"public"}
# May see the request under review: staff, the filing agency, the invited experts.
VIEWERS = STAFF | {"agency", "expert_in"}

# route -> roles that get the page (200). Everyone else: the public is sent to sign in
# where a page needs an account; a user who may not see the request gets 404 (its
# existence is not revealed); a user who sees it but may not use this page gets 403.
TABLE: dict[str, set[str]] = {
    "/register": set(ROLES),
    "/register/{public_opinion}": set(ROLES),
    "/register/{confidential_opinion}": STAFF | {"agency"},
    "/requests": SIGNED_IN,
    "/requests/new": {"coordinator", "coordinator2", "agency", "other_agency"},
    "/workbench": {"admin", "coordinator", "coordinator2"},
    "/approvals": {"admin", "approver"},
    "/inbox": {"expert_in", "expert_out"},
    "/notifications": SIGNED_IN,
    "/requests/{rid}": VIEWERS,
    "/requests/{rid}/panel": STAFF,
    "/requests/{rid}/opinion": {"expert_in"},
    "/requests/{rid}/consolidation": STAFF | {"expert_in"},
    "/requests/{rid}/meetings": STAFF | {"expert_in"},
    "/requests/{rid}/edit": set(),
    "/requests/{rid}/response": set(),
    "/requests/{confidential_rid}/response": {"agency"},
    "/documents/{doc}": VIEWERS,
}
PUBLIC_PAGES = {"/register", "/register/{public_opinion}", "/register/{confidential_opinion}"}
# Pages about one request: a user who may not see the request gets 404.
REQUEST_PAGES = {r for r in TABLE if "{rid}" in r or "{doc}" in r or "{confidential_rid}" in r}


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def cast(world, app, session):
    """A request in review (three experts seated) and two published opinions."""
    import io

    w = world
    rid = w.to_in_review()
    doc = w.call(
        w.coordinator,
        "POST",
        f"/api/v1/requests/{rid}/documents",
        data={"file": (io.BytesIO(PDF), "ho-so.pdf")},
        content_type="multipart/form-data",
    ).json["id"]
    public_rid, public_opinion = w.to_published(title="Quy hoạch công khai thành phố")
    confidential_rid, confidential_opinion = w.to_published(
        title="Đề án mật của Sở", confidential=True
    )
    users = {
        "admin": w.admin,
        "coordinator": w.coordinator,
        "coordinator2": w.coordinator2,
        "approver": w.approver,
        "agency": w.agency,
        "other_agency": w.other_agency,
        "expert_in": w.experts[0],
        "expert_out": w.experts[4],
        "liaison": w.liaison,
    }
    ids = {
        "rid": rid,
        "doc": doc,
        "public_opinion": public_opinion,
        "confidential_opinion": confidential_opinion,
        "confidential_rid": confidential_rid,
        "public_rid": public_rid,
    }
    return users, ids


def _client(app, users, role):
    client = app.test_client()
    client.set_cookie("expertnet_lang", "en")
    if role != "public":
        page = client.get("/login")
        res = client.post(
            "/login",
            data={
                "email": users[role].user.email,
                "password": "correct horse battery",
                "csrf_token": csrf_from(page.text),
            },
        )
        assert res.status_code == 302
    return client


def _expected(role: str, route: str) -> int:
    if role in TABLE[route]:
        return 200
    if route in PUBLIC_PAGES:
        return 404
    if role == "public":
        return 302
    if route in REQUEST_PAGES and role not in VIEWERS:
        return 404
    return 403


@pytest.mark.parametrize("role", ROLES)
def test_page_permission_table(app, cast, role):
    users, ids = cast
    client = _client(app, users, role)
    for route in TABLE:
        url = route.format(**ids)
        res = client.get(url)
        res.close()  # a download streams from a file
        expected = _expected(role, route)
        assert res.status_code == expected, (role, url, res.status_code, expected)
        if expected == 302:
            assert "/login" in res.headers["Location"]


def test_the_public_sees_only_the_register_and_never_a_confidential_opinion(app, cast):
    users, ids = cast
    client = _client(app, users, "public")
    listing = client.get("/register")
    assert "Quy hoạch công khai thành phố" in listing.text
    assert "Đề án mật của Sở" not in listing.text
    assert client.get(f"/register/{ids['confidential_opinion']}").status_code == 404
    agency = _client(app, users, "agency")
    assert "Đề án mật của Sở" in agency.get("/register").text
    other = _client(app, users, "other_agency")
    assert "Đề án mật của Sở" not in other.get("/register").text


def test_register_filters_by_kind_year_field_and_agency(app, cast, session):
    users, ids = cast
    client = _client(app, users, "public")
    req = session.get(Request, ids["public_rid"])
    year = req.published_opinion.year
    assert "Quy hoạch công khai" in client.get(f"/register?kind=critique&year={year}").text
    assert "Quy hoạch công khai" not in client.get("/register?kind=consultation").text
    assert "Quy hoạch công khai" in client.get(f"/register?agency={req.agency_id}").text
    assert "Quy hoạch công khai" in client.get("/register?q=công+khai").text
    assert "Quy hoạch công khai" not in client.get("/register?q=không+có").text
    bad = client.get("/register?kind=gossip&year=1800")
    assert bad.status_code == 422
    assert 'id="kind-err"' in bad.text and 'id="year-err"' in bad.text


ACTIONS = [
    # (who, url template, form data, expected status)
    ("other_agency", "/requests/{rid}/actions/withdraw", {"withdraw-version": 5}, 404),
    ("expert_out", "/requests/{rid}/actions/close_review", {"close_review-version": 5}, 404),
    ("agency", "/requests/{rid}/actions/close_review", {"close_review-version": 5}, 403),
    ("expert_in", "/requests/{rid}/actions/close_review", {"close_review-version": 5}, 403),
    ("approver", "/requests/{rid}/actions/close_review", {"close_review-version": 5}, 403),
    ("agency", "/requests/{rid}/invitations?form=m", {"m-version": 5, "m-role": "member"}, 403),
    ("expert_in", "/requests/{rid}/opinion", {"version": 5, "summary": "x"}, 303),
    ("coordinator", "/requests/{rid}/opinion", {"version": 5, "summary": "x"}, 403),
    ("agency", "/requests/{rid}/consolidation", {"version": 5, "text": "x"}, 403),
    ("liaison", "/requests/{rid}/documents", {"version": 5}, 404),
    ("expert_in", "/requests/{rid}/documents", {"version": 5}, 403),
]


@pytest.mark.parametrize(("role", "route", "data", "status"), ACTIONS)
def test_posts_are_checked_on_the_server(app, cast, session, role, route, data, status):
    users, ids = cast
    client = _client(app, users, role)
    token = csrf_from(client.get("/register").text)
    before = session.get(Request, ids["rid"]).version
    res = client.post(route.format(**ids), data={**data, "csrf_token": token})
    assert res.status_code == status, (role, route, res.status_code)
    session.expire_all()
    assert session.get(Request, ids["rid"]).version == before


def test_an_expert_cannot_answer_another_experts_invitation(app, cast, session, world):
    users, _ids = cast
    rid = world.to_panel_forming()
    inv = world.invite(rid, world.experts[0])
    for role in ("expert_out", "agency"):
        client = _client(app, users, role)
        token = csrf_from(client.get("/register").text)
        res = client.post(
            f"/invitations/{inv['id']}/accept",
            data={f"a{inv['id']}-version": 4, "csrf_token": token},
        )
        assert res.status_code == 404
    session.expire_all()
    assert session.get(Invitation, inv["id"]).state == "invited"


def test_only_an_approver_is_offered_approve_and_send_back(app, cast, world):
    users, _ids = cast
    rid = world.to_consolidation()
    world.consolidate(rid, who=world.admin)
    world.act(world.admin, rid, "submit_consolidation")
    admin = _client(app, users, "admin")
    page = admin.get(f"/requests/{rid}")
    assert f"/requests/{rid}/approval" not in page.text
    assert f"/requests/{rid}/actions/approve" not in admin.get(f"/requests/{rid}/approval").text
    approver = _client(app, users, "approver")
    page = approver.get(f"/requests/{rid}")
    assert f"/requests/{rid}/approval" in page.text
    approval = approver.get(f"/requests/{rid}/approval").text
    assert f"/requests/{rid}/actions/approve" in approval
    assert f"/requests/{rid}/actions/send_back" in page.text


def test_each_role_gets_its_own_navigation(app, cast):
    users, _ids = cast
    expected = {
        "public": "/register",
        "agency": "/requests",
        "coordinator": "/workbench",
        "approver": "/approvals",
        "expert_in": "/inbox",
    }
    for role, href in expected.items():
        home = _client(app, users, role).get("/")
        assert f'href="{href}"' in home.text, role
