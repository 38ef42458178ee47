"""Experts without an account answer invitations and write opinions through mailed links."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from expertnet.access import tokens
from expertnet.access.models import AccessLink, LinkPurpose
from expertnet.auth.models import User
from expertnet.consultation.models import Invitation, Notification, Opinion, OutboxMail
from expertnet.core.types import utcnow

LINK = re.compile(r"(https?://\S+/(?:answer|write|join)/[\w.\-]+)")
CSRF = re.compile(r'csrf_token" (?:type="hidden" )?value="([^"]+)"')


def _csrf(html: str) -> str:
    return CSRF.search(html).group(1)


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


@pytest.fixture
def newcomer(make_person):
    """An expert with an e-mail address and no account."""
    return make_person(full_name="Trần Thị Bình", email="binh.tran@truong.edu.vn")


def _invite(world, rid, person, role="member"):
    from datetime import UTC, datetime

    body = {
        "expert_id": person.id,
        "role": role,
        "respond_by": (datetime.now(UTC) + timedelta(days=7)).isoformat(),
    }
    return world.call(world.coordinator, "POST", f"/api/v1/requests/{rid}/invitations", body)


def _mail_link(session, address: str, kind: str = "answer") -> str:
    mails = session.scalars(
        select(OutboxMail).where(OutboxMail.to_address == address).order_by(OutboxMail.id)
    ).all()
    links = [m for mail in mails for m in LINK.findall(mail.body) if f"/{kind}/" in m]
    assert links, [m.body for m in mails]
    return links[-1]


def test_expert_without_account_is_invited_by_mail_link(world, session, newcomer, app):
    app.config["EXPERTNET_BASE_URL"] = "https://expertnet.lienhiephoi.vn"
    rid = world.to_panel_forming()
    res = _invite(world, rid, newcomer)
    assert res.status_code == 201, res.json
    assert res.json["state"] == "invited"
    user = session.scalar(select(User).where(User.person_id == newcomer.id))
    assert user is not None and user.email == "binh.tran@truong.edu.vn"
    assert not user.has_password  # an account to be claimed, not one to sign in with
    url = _mail_link(session, "binh.tran@truong.edu.vn")
    assert url.startswith("https://expertnet.lienhiephoi.vn/answer/")
    # Only the hash of the link's secret is stored.
    token = url.rsplit("/", 1)[1]
    assert session.scalar(select(func.count()).where(AccessLink.token_hash.contains(token))) == 0


def test_expert_without_email_cannot_be_invited_and_is_told_why(world, session, make_person):
    person = make_person(full_name="Lê Văn Cường")
    rid = world.to_panel_forming()
    res = _invite(world, rid, person)
    assert res.status_code == 422
    assert "thư điện tử" in res.json["error"]["fields"]["expert_id"]
    assert session.scalar(select(func.count(Invitation.id))) == 0
    assert session.scalar(select(User).where(User.person_id == person.id)) is None


def test_accept_by_link_with_declaration_then_link_is_spent(world, session, newcomer, client):
    rid = world.to_panel_forming()
    inv_id = _invite(world, rid, newcomer).json["id"]
    path = _path(_mail_link(session, newcomer.email))
    page = client.get(path)
    assert page.status_code == 200
    assert "Đề án phát triển cảng biển Lạch Huyện" in page.text
    res = client.post(
        path,
        data={
            "intent": "accept",
            "a-csrf_token": _csrf(page.text),
            "a-version": re.search(r'name="a-version" type="hidden" value="(\d+)"', page.text)[1],
            "a-has_conflict": "y",
            "a-details": "Tôi từng làm tư vấn cho chủ đầu tư năm 2023.",
        },
    )
    assert res.status_code == 200, res.text
    assert 'id="answered"' in res.text and "/join/" in res.text
    inv = session.get(Invitation, inv_id)
    assert inv.state == "accepted"
    assert inv.conflict_declaration["details"].startswith("Tôi từng")
    # The coordinator was told, as when the expert answers signed in.
    assert session.scalar(
        select(func.count(Notification.id)).where(Notification.kind == "conflict_declared")
    )
    # Reused: refused with a clear page, nothing changes.
    again = client.get(path)
    assert again.status_code == 410 and 'data-reason="used"' in again.text
    post_again = client.post(
        path, data={"intent": "decline", "d-reason": "Bận", "d-csrf_token": _csrf(page.text)}
    )
    assert post_again.status_code == 410
    session.expire_all()
    assert session.get(Invitation, inv_id).state == "accepted"


def test_decline_by_link_needs_a_reason(world, session, newcomer, client):
    rid = world.to_panel_forming()
    inv_id = _invite(world, rid, newcomer).json["id"]
    path = _path(_mail_link(session, newcomer.email))
    page = client.get(path)
    version = re.search(r'name="d-version" type="hidden" value="(\d+)"', page.text)[1]
    data = {"intent": "decline", "d-csrf_token": _csrf(page.text), "d-version": version}
    empty = client.post(path, data={**data, "d-reason": ""})
    assert empty.status_code == 422
    assert session.get(Invitation, inv_id).state == "invited"
    done = client.post(path, data={**data, "d-reason": "Tôi đang công tác nước ngoài."})
    assert done.status_code == 200
    assert session.get(Invitation, inv_id).state == "declined"


def test_tampered_link_is_refused_and_changes_nothing(world, session, newcomer, client):
    rid = world.to_panel_forming()
    inv_id = _invite(world, rid, newcomer).json["id"]
    path = _path(_mail_link(session, newcomer.email))
    head, token = path.rsplit("/", 1)
    csrf = _csrf(client.get("/login").text)
    flipped = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    for bad in (flipped, token[:20], "x", token + "x"):
        res = client.get(f"{head}/{bad}")
        assert res.status_code == 404 and 'data-reason="invalid"' in res.text
        res = client.post(
            f"{head}/{bad}", data={"intent": "decline", "d-reason": "…", "d-csrf_token": csrf}
        )
        assert res.status_code == 404
    assert session.get(Invitation, inv_id).state == "invited"


def test_expired_link_is_refused(world, session, newcomer, client):
    rid = world.to_panel_forming()
    inv_id = _invite(world, rid, newcomer).json["id"]
    path = _path(_mail_link(session, newcomer.email))
    link = session.scalar(select(AccessLink).where(AccessLink.invitation_id == inv_id))
    link.created_at = utcnow() - timedelta(days=30)
    link.expires_at = utcnow() - timedelta(minutes=1)
    session.flush()
    res = client.get(path)
    assert res.status_code == 410 and 'data-reason="expired"' in res.text
    assert session.get(Invitation, inv_id).state == "invited"


def test_link_works_only_on_its_own_page(world, session, newcomer, client):
    """An invitation link cannot claim the account, reset a password or write an opinion."""
    rid = world.to_panel_forming()
    _invite(world, rid, newcomer)
    token = _mail_link(session, newcomer.email).rsplit("/", 1)[1]
    for page in ("/join/", "/password/reset/", "/write/", "/account/email/"):
        res = client.get(page + token)
        assert res.status_code == 404, page
    user = session.scalar(select(User).where(User.person_id == newcomer.id))
    assert not user.has_password


def test_link_answers_only_its_own_invitation(world, session, newcomer, make_person, client):
    """Another expert's invitation cannot be reached with this link (the link names its seat)."""
    other = make_person(full_name="Phạm Văn Đức", email="duc@hoi.vn")
    rid = world.to_panel_forming()
    _invite(world, rid, newcomer)
    other_inv = _invite(world, rid, other).json["id"]
    path = _path(_mail_link(session, newcomer.email))
    page = client.get(path)
    assert "Phạm Văn Đức" not in page.text
    version = re.search(r'name="d-version" type="hidden" value="(\d+)"', page.text)[1]
    client.post(
        path + f"?invitation={other_inv}",
        data={
            "intent": "decline",
            "d-csrf_token": _csrf(page.text),
            "d-version": version,
            "d-reason": "Không",
        },
    )
    assert session.get(Invitation, other_inv).state == "invited"


def test_opinion_written_and_submitted_by_link_then_account_claimed(
    world, session, newcomer, client
):
    rid = world.to_panel_forming()
    for expert, role in zip(world.experts[:2], ("chair", "secretary"), strict=True):
        world.accept(expert, world.invite(rid, expert, role)["id"])
    inv_id = _invite(world, rid, newcomer, "reviewer").json["id"]
    user = session.scalar(select(User).where(User.person_id == newcomer.id))
    # The expert accepts by link (as above) ...
    _link, token = tokens.issue(
        LinkPurpose.invitation, user, invitation=session.get(Invitation, inv_id)
    )
    page = client.get(f"/answer/{token}")
    version = re.search(r'name="a-version" type="hidden" value="(\d+)"', page.text)[1]
    client.post(
        f"/answer/{token}",
        data={"intent": "accept", "a-csrf_token": _csrf(page.text), "a-version": version},
    )
    world.act(world.coordinator, rid, "start_review")
    # ... and the "review started" mail carries a link to write the opinion.
    write = _path(_mail_link(session, newcomer.email, "write"))
    page = client.get(write)
    assert page.status_code == 200 and 'name="summary"' in page.text
    form = {
        "csrf_token": _csrf(page.text),
        "version": re.search(r'name="version" type="hidden" value="(\d+)"', page.text)[1],
        "opinion_version": "",
        "summary": "Đề án khả thi nếu bổ sung nguồn vốn.",
        "position": "support_with_changes",
        "assessment": "",
        "recommendations": "Làm rõ nguồn vốn.",
    }
    saved = client.post(write, data={**form, "intent": "save"})
    assert saved.status_code == 303  # a draft keeps the link usable
    page = client.get(write)
    form["opinion_version"] = re.search(
        r'name="opinion_version" type="hidden" value="(\d+)"', page.text
    )[1]
    done = client.post(write, data={**form, "intent": "submit"})
    assert done.status_code == 200 and 'id="submitted"' in done.text
    opinion = session.scalar(select(Opinion).where(Opinion.person_id == newcomer.id))
    assert opinion.submitted_at is not None
    assert client.get(write).status_code == 410
    # Claiming the account from the offer on the thank-you page.
    join = re.search(r'href="(/join/[^"]+)"', done.text)[1]
    page = client.get(join)
    bad = client.post(
        join, data={"csrf_token": _csrf(page.text), "password": "short", "confirm": "short"}
    )
    assert bad.status_code == 422
    assert not session.get(User, user.id).has_password
    ok = client.post(
        join,
        data={
            "csrf_token": _csrf(page.text),
            "password": "mật khẩu dài đủ",
            "confirm": "mật khẩu dài đủ",
        },
    )
    assert ok.status_code == 303
    session.expire_all()
    assert session.get(User, user.id).check_password("mật khẩu dài đủ")
    assert client.get("/inbox").status_code == 200  # signed in as the expert
    assert client.get(join).status_code == 410


def test_expert_with_an_account_may_also_answer_by_link(world, session, client):
    """The invitation mail's link works for everyone; an account holder is then sent to sign in."""
    rid = world.to_panel_forming()
    expert = world.experts[0]
    inv_id = world.invite(rid, expert)["id"]
    path = _path(_mail_link(session, expert.user.email))
    page = client.get(path)
    version = re.search(r'name="a-version" type="hidden" value="(\d+)"', page.text)[1]
    res = client.post(
        path, data={"intent": "accept", "a-csrf_token": _csrf(page.text), "a-version": version}
    )
    assert res.status_code == 200 and "/join/" not in res.text and "/login" in res.text
    assert session.get(Invitation, inv_id).state == "accepted"
