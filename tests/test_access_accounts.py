"""Account invitations, recovery, the outbox page and the command line."""

from __future__ import annotations

import re

import pytest
from helpers import bearer, csrf_from, unchanged
from openapi_check import answer_problems
from sqlalchemy import func, select

from expertnet.access.models import AccessLink
from expertnet.auth.models import User
from expertnet.consultation.models import OutboxMail
from expertnet.directory.models import Membership

LINK = re.compile(r"https?://\S+/(?:join|password/reset|account/email)/[\w.\-]+")


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def _counts(session):
    return (
        session.scalar(select(func.count(User.id))),
        session.scalar(select(func.count(OutboxMail.id))),
        session.scalar(select(func.count(AccessLink.id))),
    )


def _last_link(session, address):
    mail = session.scalar(
        select(OutboxMail).where(OutboxMail.to_address == address).order_by(OutboxMail.id.desc())
    )
    assert mail is not None, address
    return _path(LINK.search(mail.body).group(0))


# --- account invitations -------------------------------------------------------------------


def test_coordinator_invites_expert_to_an_account_over_the_api(
    client, session, make_user, make_person, app
):
    _coord, token = make_user("coordinator")
    person = make_person(full_name="Đỗ Thị Hoa", email="hoa@vien.vn")
    res = client.post(f"/api/v1/experts/{person.id}/account-invitation", headers=bearer(token))
    assert res.status_code == 202 and res.json["outcome"] == "invited"
    user = session.scalar(select(User).where(User.person_id == person.id))
    assert user.email == "hoa@vien.vn" and not user.has_password
    join = _last_link(session, "hoa@vien.vn")
    page = client.get(join)
    assert page.status_code == 200
    done = client.post(
        join,
        data={
            "csrf_token": csrf_from(page.text),
            "password": "một mật khẩu dài",
            "confirm": "một mật khẩu dài",
        },
    )
    assert done.status_code == 303
    session.expire_all()
    assert session.get(User, user.id).check_password("một mật khẩu dài")
    # A second invitation within the day is not sent; a joined expert is not invited again.
    api = app.test_client()  # the first client is now signed in as the expert
    again = api.post(f"/api/v1/experts/{person.id}/account-invitation", headers=bearer(token))
    assert again.status_code == 202 and again.json["outcome"] == "joined"
    spec = client.get("/api/v1/openapi.json").json
    url = f"/api/v1/experts/{person.id}/account-invitation"
    assert answer_problems(spec, url, "post", res) + answer_problems(spec, url, "post", again) == []


def test_invitation_without_email_is_refused_and_writes_nothing(
    client, session, make_user, make_person
):
    _coord, token = make_user("coordinator")
    person = make_person(full_name="Vũ Văn Long")
    before = _counts(session)
    with unchanged(session):
        res = client.post(f"/api/v1/experts/{person.id}/account-invitation", headers=bearer(token))
    assert res.status_code == 422 and "expert_id" in res.json["error"]["fields"]
    assert _counts(session) == before


def test_liaison_invites_only_own_organisation(client, session, make_user, make_person, make_org):
    org, other = make_org(), make_org()
    _liaison, token = make_user("liaison", organization=org)
    mine = make_person(full_name="Người của hội", email="a@hoi.vn", organizations=[org])
    theirs = make_person(full_name="Người hội khác", email="b@hoi.vn", organizations=[other])
    before = _counts(session)
    with unchanged(session):
        res = client.post(f"/api/v1/experts/{theirs.id}/account-invitation", headers=bearer(token))
    assert res.status_code in (403, 404)
    with unchanged(session):
        res = client.post(
            f"/api/v1/organizations/{other.id}/account-invitations", headers=bearer(token)
        )
    assert res.status_code == 403
    assert _counts(session) == before
    res = client.post(f"/api/v1/experts/{mine.id}/account-invitation", headers=bearer(token))
    assert res.status_code == 202


@pytest.mark.parametrize("role", ["expert", "agency", "approver"])
def test_other_roles_cannot_send_account_invitations(client, session, make_user, make_person, role):
    _user, token = make_user(role)
    person = make_person(full_name="Ai đó", email="ai@do.vn", public_profile=True)
    before = _counts(session)
    with unchanged(session):
        res = client.post(f"/api/v1/experts/{person.id}/account-invitation", headers=bearer(token))
    assert res.status_code in (403, 404)
    assert _counts(session) == before


def test_roster_of_500_invited_in_one_request_through_the_outbox(
    client, session, make_user, make_org, app
):
    """The request only writes outbox rows; no mail is handed to SMTP inside it."""
    from expertnet.directory.models import Person

    org = make_org()
    people = [
        Person(full_name=f"Hội viên {i}", email=f"hv{i}@hoi.vn", expertise=[]) for i in range(500)
    ]
    session.add_all(people)
    session.flush()
    session.add_all(Membership(person_id=p.id, organization_id=org.id) for p in people)
    _coord, token = make_user("coordinator")
    session.commit()  # the roster exists before the request (and is indexed by then)
    # An SMTP address where nothing listens: sending inside the request would record failures.
    app.config["EXPERTNET_SMTP_URL"] = "smtp://127.0.0.1:9"
    try:
        res = client.post(
            f"/api/v1/organizations/{org.id}/account-invitations", headers=bearer(token)
        )
    finally:
        app.config["EXPERTNET_SMTP_URL"] = None
    assert res.status_code == 202 and res.json["invited"] == 500
    mails = session.scalars(
        select(OutboxMail).where(OutboxMail.to_address.like("hv%@hoi.vn"))
    ).all()
    assert len(mails) == 500
    assert all(m.sent_at is None and m.attempts == 0 and m.last_error is None for m in mails)
    # The status page lists them, waiting in the outbox; nobody has joined yet.
    page = client.get(f"/account-invitations?organization={org.id}", headers=bearer(token))
    assert page.status_code == 200 and "hv499@hoi.vn" in page.text
    # Sending again the same day sends nothing more (throttle per person).
    res = client.post(f"/api/v1/organizations/{org.id}/account-invitations", headers=bearer(token))
    assert res.json.get("invited", 0) == 0 and res.json["recent"] == 500
    url = f"/api/v1/organizations/{org.id}/account-invitations"
    assert answer_problems(client.get("/api/v1/openapi.json").json, url, "post", res) == []


# --- recovery ----------------------------------------------------------------------------------


def test_forgot_password_answers_the_same_for_known_and_unknown_addresses(
    client, session, make_user
):
    make_user("coordinator", email="known@lienhiephoi.vn")
    answers = []
    for address in ("known@lienhiephoi.vn", "nobody@lienhiephoi.vn"):
        page = client.get("/password/forgot")
        res = client.post(
            "/password/forgot",
            data={"csrf_token": csrf_from(page.text), "email": address},
            follow_redirects=True,
        )
        answers.append((res.status_code, res.text.replace(address, "")))
    assert answers[0] == answers[1]
    assert (
        session.scalar(
            select(func.count(OutboxMail.id)).where(
                OutboxMail.to_address == "nobody@lienhiephoi.vn"
            )
        )
        == 0
    )


def test_reset_password_journey_from_the_mail(client, session, make_user):
    user, _token = make_user("approver", email="chutich@lienhiephoi.vn")
    page = client.get("/login")
    assert "/password/forgot" in page.text
    page = client.get("/password/forgot")
    client.post(
        "/password/forgot",
        data={"csrf_token": csrf_from(page.text), "email": "ChuTich@LienHiepHoi.vn"},
    )
    reset = _last_link(session, "chutich@lienhiephoi.vn")
    page = client.get(reset)
    with unchanged(session):
        res = client.post(
            reset,
            data={
                "csrf_token": csrf_from(page.text),
                "password": "mật khẩu mới rất dài",
                "confirm": "khác",
            },
        )
    assert res.status_code == 422
    assert session.get(User, user.id).check_password("correct horse battery")
    res = client.post(
        reset,
        data={
            "csrf_token": csrf_from(page.text),
            "password": "mật khẩu mới rất dài",
            "confirm": "mật khẩu mới rất dài",
        },
    )
    assert res.status_code == 303
    session.expire_all()
    assert session.get(User, user.id).check_password("mật khẩu mới rất dài")
    assert client.get(reset).status_code == 410  # single use


def test_reset_mails_are_limited_per_account(client, session, make_user):
    make_user("coordinator", email="busy@lienhiephoi.vn")
    for _ in range(6):
        page = client.get("/password/forgot")
        client.post(
            "/password/forgot",
            data={"csrf_token": csrf_from(page.text), "email": "busy@lienhiephoi.vn"},
        )
    sent = session.scalar(
        select(func.count(OutboxMail.id)).where(OutboxMail.to_address == "busy@lienhiephoi.vn")
    )
    assert sent == 3


def test_forgot_password_is_rate_limited_per_client(client, app):
    app.config["EXPERTNET_RESET_LIMIT"] = "2 per minute"
    try:
        statuses = []
        for i in range(3):
            page = client.get("/password/forgot")
            res = client.post(
                "/password/forgot",
                data={"csrf_token": csrf_from(page.text), "email": f"x{i}@example.org"},
            )
            statuses.append(res.status_code)
    finally:
        app.config["EXPERTNET_RESET_LIMIT"] = "5 per 15 minutes"
    assert statuses[-1] == 429


def test_email_change_is_confirmed_from_the_new_address(client, session, make_user, auth):
    user, _token = make_user("coordinator", email="old@lienhiephoi.vn")
    auth.login("old@lienhiephoi.vn")
    page = client.get("/account/email")
    res = client.post(
        "/account/email",
        data={
            "csrf_token": csrf_from(page.text),
            "new_email": "new@lienhiephoi.vn",
            "current_password": "correct horse battery",
        },
    )
    assert res.status_code == 303
    assert session.get(User, user.id).email == "old@lienhiephoi.vn"  # not before confirming
    confirm = _last_link(session, "new@lienhiephoi.vn")
    page = client.get(confirm)
    assert session.get(User, user.id).email == "old@lienhiephoi.vn"  # a GET changes nothing
    res = client.post(confirm, data={"csrf_token": csrf_from(page.text)})
    assert res.status_code == 303
    session.expire_all()
    assert session.get(User, user.id).email == "new@lienhiephoi.vn"
    with unchanged(session):
        used = client.post(confirm, data={"csrf_token": csrf_from(page.text)})
    assert used.status_code == 410


def test_email_change_to_a_taken_address_sends_nothing_and_says_the_same(
    client, session, make_user, auth
):
    make_user("coordinator", email="me@lienhiephoi.vn")
    make_user("approver", email="taken@lienhiephoi.vn")
    auth.login("me@lienhiephoi.vn")
    page = client.get("/account/email")
    res = client.post(
        "/account/email",
        data={
            "csrf_token": csrf_from(page.text),
            "new_email": "taken@lienhiephoi.vn",
            "current_password": "correct horse battery",
        },
    )
    assert res.status_code == 303
    assert (
        session.scalar(
            select(func.count(OutboxMail.id)).where(OutboxMail.to_address == "taken@lienhiephoi.vn")
        )
        == 0
    )


# --- outbox page -------------------------------------------------------------------------------


def test_outbox_page_shows_mail_with_clickable_links(client, session, make_user, make_person, auth):
    make_user("coordinator", email="dp@lienhiephoi.vn")
    coord = session.scalar(select(User).where(User.email == "dp@lienhiephoi.vn"))
    person = make_person(full_name="Hoàng Minh", email="minh@vien.vn")
    from expertnet.access.operations import invite_to_accounts

    invite_to_accounts([person], coord)
    session.flush()
    auth.login("dp@lienhiephoi.vn")
    page = client.get("/outbox")
    assert page.status_code == 200
    assert "minh@vien.vn" in page.text
    assert re.search(r'<a href="http[^"]+/join/[^"]+"', page.text)


@pytest.mark.parametrize("role", ["expert", "agency", "approver", "liaison"])
def test_outbox_is_for_coordinators_and_admins_only(client, make_user, auth, role):
    user, _token = make_user(role)
    auth.login(user.email)
    assert client.get("/outbox").status_code == 403


# --- command line -----------------------------------------------------------------------------


def test_cli_reset_password_prints_a_one_time_link_last(runner, session, make_user, client):
    make_user("admin", email="admin@lienhiephoi.vn")
    result = runner.invoke(args=["users", "reset-password", "--email", "Admin@LienHiepHoi.vn"])
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert re.fullmatch(r"https?://\S+/password/reset/\S+", last)
    assert client.get(_path(last)).status_code == 200


def test_cli_reset_password_from_stdin(runner, session, make_user):
    user, _token = make_user("admin", email="admin2@lienhiephoi.vn")
    result = runner.invoke(
        args=["users", "reset-password", "--email", "admin2@lienhiephoi.vn", "--stdin"],
        input="một mật khẩu mới dài\n",
    )
    assert result.exit_code == 0, result.output
    session.expire_all()
    assert session.get(User, user.id).check_password("một mật khẩu mới dài")
    short = runner.invoke(
        args=["users", "reset-password", "--email", "admin2@lienhiephoi.vn", "--stdin"],
        input="ngắn\n",
    )
    assert short.exit_code != 0 and "10" in short.output
    unknown = runner.invoke(args=["users", "reset-password", "--email", "ai@khong.vn"])
    assert unknown.exit_code != 0 and "no user" in unknown.output


def test_cli_create_on_existing_address_suggests_the_reset(runner, make_user):
    make_user("admin", email="dup@lienhiephoi.vn")
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "dup@lienhiephoi.vn",
            "--name",
            "X",
            "--role",
            "admin",
            "--password",
            "mật khẩu đủ dài",
        ]
    )
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert "expertnet users reset-password --email dup@lienhiephoi.vn" in result.output


# --- base URL -----------------------------------------------------------------------------------


def test_server_database_without_base_url_refuses_to_start(tmp_path, monkeypatch):
    from expertnet import create_app
    from expertnet.config import ConfigError

    with pytest.raises(ConfigError, match="EXPERTNET_BASE_URL"):
        create_app(
            {
                "INSTANCE_PATH": str(tmp_path),
                "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u@127.0.0.1:1/x",
                "SECRET_KEY": "a-shared-key-of-the-cluster",
            }
        )


def test_cli_without_base_url_on_server_database_prints_one_line(tmp_path):
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "EXPERTNET_INSTANCE": str(tmp_path),
        "EXPERTNET_DATABASE_URL": "postgresql://u@127.0.0.1:1/x",
        "EXPERTNET_SECRET_KEY": "a-shared-key-of-the-cluster",
    }
    env.pop("EXPERTNET_BASE_URL", None)
    out = subprocess.run(
        [sys.executable, "-c", "from expertnet.cli import main; main()", "index", "rebuild"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode != 0
    assert out.stderr.strip().splitlines()[-1].startswith("error: EXPERTNET_BASE_URL is not set")


def test_mail_links_use_the_configured_base_url(app, session, make_user, make_person):
    app.config["EXPERTNET_BASE_URL"] = "https://chuyengia.example.vn/"
    coord, _t = make_user("coordinator")
    person = make_person(full_name="Mai Anh", email="mai@vien.vn")
    from expertnet.access.operations import invite_to_accounts

    invite_to_accounts([person], coord)
    body = session.scalar(select(OutboxMail.body).where(OutboxMail.to_address == "mai@vien.vn"))
    assert "https://chuyengia.example.vn/join/" in body and "localhost" not in body


def test_selection_of_search_results_gets_account_invitations(
    client, session, make_user, make_person, auth
):
    make_user("coordinator", email="dp2@lienhiephoi.vn")
    a = make_person(full_name="Chọn Một", email="mot@vien.vn")
    b = make_person(full_name="Chọn Hai", email="hai@vien.vn")
    c = make_person(full_name="Không Chọn", email="khong@vien.vn")
    auth.login("dp2@lienhiephoi.vn")
    page = client.get("/account")
    res = client.post(
        "/account-invitations",
        data={"csrf_token": csrf_from(page.text), "person_id": [str(a.id), str(b.id)]},
    )
    assert res.status_code == 303
    invited = set(
        session.scalars(select(OutboxMail.to_address).where(OutboxMail.subject.like("%expertnet%")))
    )
    assert {"mot@vien.vn", "hai@vien.vn"} <= invited and "khong@vien.vn" not in invited
    status = client.get("/account-invitations")
    assert "mot@vien.vn" in status.text and "khong@vien.vn" not in status.text
    assert c.user is None


def test_admin_picks_the_person_by_name_without_typing_an_id(
    client, session, make_user, make_person, auth
):
    make_user("admin", email="qt@lienhiephoi.vn")
    person = make_person(full_name="Đinh Thị Thu Hà", email="ha@vien.vn")
    auth.login("qt@lienhiephoi.vn")
    page = client.get("/admin/users/new")
    assert 'name="person_q"' in page.text
    base = {
        "csrf_token": csrf_from(page.text),
        "email": "ha.dinh@vien.vn",
        "name": "Đinh Thị Thu Hà",
        "role": "expert",
        "organization": "",
        "password": "mật khẩu đủ dài",
        "active": "y",
    }
    found = client.post("/admin/users/new", data={**base, "person_q": "thu hà", "find": "1"})
    assert found.status_code == 200
    assert f'value="{person.id}"' in found.text and "Đinh Thị Thu Hà" in found.text
    assert session.scalar(select(User).where(User.email == "ha.dinh@vien.vn")) is None
    # An id that the search did not offer is refused.
    with unchanged(session):
        forged = client.post("/admin/users/new", data={**base, "person_q": "", "person": "999999"})
    assert forged.status_code == 422
    assert session.scalar(select(User).where(User.email == "ha.dinh@vien.vn")) is None
    saved = client.post(
        "/admin/users/new", data={**base, "person_q": "thu hà", "person": str(person.id)}
    )
    assert saved.status_code == 302
    user = session.scalar(select(User).where(User.email == "ha.dinh@vien.vn"))
    assert user.person_id == person.id
