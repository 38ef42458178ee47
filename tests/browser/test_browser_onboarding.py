"""An expert without an account joins a panel from the invitation mail, in a real browser.

The mail is received by an in-process SMTP server (aiosmtpd); its link is the only way in.
"""

from __future__ import annotations

import re
import socket
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from browsing import sign_in
from sqlalchemy import select

from expertnet.auth.models import User
from expertnet.extensions import db

NAME = "Khổng Minh Triết"
ADDRESS = "trietkm@vienkhcn.vn"
NEW_PASSWORD = "mật khẩu riêng của tôi"


class _Collect:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def bodies_to(self, address: str) -> list[str]:
        return [m.get_content() for rcpt, m in self.messages if address in rcpt]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(live_app, live_server):
    handler = _Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    saved = {k: live_app.config.get(k) for k in ("EXPERTNET_SMTP_URL", "EXPERTNET_BASE_URL")}
    live_app.config["EXPERTNET_SMTP_URL"] = f"smtp://127.0.0.1:{controller.port}"
    live_app.config["EXPERTNET_BASE_URL"] = live_server
    try:
        yield handler
    finally:
        live_app.config.update(saved)
        controller.stop()


@pytest.fixture
def forming_request(live_app, users):
    """A request whose panel has its chair and secretary; the newcomer is on no list yet."""
    from expertnet.consultation import operations as ops
    from expertnet.directory.models import Person

    with live_app.app_context():
        coordinator = db.session.scalar(select(User).where(User.email == users["coordinator"]))
        newcomer = Person(full_name=NAME, email=ADDRESS, expertise=["cảng cạn", "logistics"])
        db.session.add(newcomer)
        req = ops.create_request(
            coordinator,
            {"kind": "consultation", "title": "Đề án trung tâm logistics hàng không Tiên Lãng",
             "summary": "Xin ý kiến tư vấn về quy mô và vị trí.", "fields": [],
             "subject_organizations": [], "due_date": None, "confidential": False},
        )  # fmt: skip
        for action in ("submit", "accept", "open_panel"):
            ops.perform_action(req, action, coordinator, None)
        respond_by = datetime.now(UTC) + timedelta(days=7)
        for key, role in (("expert0", "chair"), ("expert1", "secretary")):
            user = db.session.scalar(select(User).where(User.email == users[key]))
            user.person.max_assignments = 20
            inv = ops.invite(req, user.person, role, respond_by, coordinator)
            ops.accept_invitation(inv, user, {"has_conflict": False})
        db.session.commit()
        ids = req.id, newcomer.id
    return ids


def test_expert_without_account_answers_from_the_mail_and_submits_the_opinion(
    page, live_app, live_server, users, smtp, shots, forming_request
):
    from expertnet.consultation import operations as ops
    from expertnet.consultation.models import Invitation, Opinion, Request

    rid, pid = forming_request
    # 1. The coordinator finds the expert by name on the panel page and invites them.
    sign_in(page, live_server, users["coordinator"])
    page.goto(f"{live_server}/requests/{rid}/panel?q={NAME}")
    form = page.locator(f'form[action$="form=q{pid}"]')
    assert form.count() == 1, page.content()[:4000]
    form.locator("select").select_option("reviewer")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"**/requests/{rid}/panel**")
    assert page.locator(".flash-success").count() == 1
    shots.take("coordinator-invited-newcomer")

    # 2. The mail arrives; its link opens the request with no sign-in.
    bodies = smtp.bodies_to(ADDRESS)
    assert len(bodies) == 1, smtp.messages
    link = re.search(r"(http://\S+/answer/\S+)", bodies[0]).group(1)
    assert link.startswith(live_server)
    page.context.clear_cookies()
    page.goto(link)
    assert "logistics hàng không Tiên Lãng" in page.locator("h1").inner_text()
    shots.take("expert-opens-link")

    # 3. The expert accepts, declaring a conflict of interest.
    page.check("#a-has_conflict")
    page.fill("#a-details", "Tôi là cố vấn của một doanh nghiệp logistics tại Tiên Lãng.")
    page.click("button[value=accept]")
    page.wait_for_selector("#answered")
    shots.take("expert-accepted")

    # 4. ... and claims an account from the offer.
    page.click("#join a")
    page.fill("#password", NEW_PASSWORD)
    page.fill("#confirm", NEW_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/inbox")
    shots.take("expert-joined")
    with live_app.app_context():
        user = db.session.scalar(select(User).where(User.person_id == pid))
        assert user.check_password(NEW_PASSWORD)
        inv = db.session.scalar(select(Invitation).where(Invitation.person_id == pid))
        assert inv.state == "accepted" and inv.has_conflict
        # The coordinator keeps the expert (with a note) and starts the review.
        coordinator = db.session.scalar(select(User).where(User.email == users["coordinator"]))
        ops.resolve_conflict(inv, coordinator, "keep_with_note", "Không ảnh hưởng đến tư vấn.")
        req = db.session.get(Request, rid)
        due = (datetime.now(UTC) + timedelta(days=10)).isoformat()
        ops.perform_action(req, "start_review", coordinator, {"opinion_due_at": due})
        db.session.commit()

    # 5. Signed in with the new password, the expert writes and submits the opinion.
    page.goto(f"{live_server}/inbox")
    page.locator("#opinions-due a", has_text=re.compile("opinion|nhận xét", re.I)).first.click()
    page.fill("#summary", "Vị trí phù hợp; cần đánh giá lại quy mô giai đoạn 1.")
    page.select_option("#position", "support_with_changes")
    page.fill("#recommendations", "Đánh giá lại quy mô giai đoạn 1.")
    page.click("button[value=submit]")
    page.wait_for_load_state()
    shots.take("expert-submitted")
    with live_app.app_context():
        opinion = db.session.scalar(
            select(Opinion).where(Opinion.request_id == rid, Opinion.person_id == pid)
        )
        assert opinion is not None and opinion.submitted_at is not None
