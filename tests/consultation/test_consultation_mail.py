"""Mail through a real SMTP server (aiosmtpd, in process), and idempotent reminders."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from expertnet.consultation.models import Invitation, Notification, OutboxMail, Request
from expertnet.consultation.reminders import run_reminders


class _Collect:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(app, monkeypatch):
    handler = _Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    monkeypatch.setitem(app.config, "EXPERTNET_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
    try:
        yield handler
    finally:
        controller.stop()


def _subjects(smtp) -> list[str]:
    return sorted(str(m["Subject"]) for _to, m in smtp.messages)


def test_mail_leaves_only_after_the_commit(world, smtp, session):
    rid = world.file()["id"]
    world.act(world.agency, rid, "submit")
    # Both coordinators are told (none is assigned yet); the mail went out after the commit.
    recipients = sorted(to[0] for to, _m in smtp.messages)
    assert recipients == sorted([world.coordinator.user.email, world.coordinator2.user.email])
    assert all("Hội" not in str(m["Subject"]) for _to, m in smtp.messages)
    unsent = session.scalar(select(func.count()).where(OutboxMail.sent_at.is_(None)))
    assert unsent == 0
    body = smtp.messages[0][1].get_content()
    assert f"/requests/{rid}" in body


def test_a_refused_action_sends_nothing(world, smtp):
    rid = world.file()["id"]
    res = world.call(world.coordinator, "POST", f"/api/v1/requests/{rid}/actions/accept", {})
    assert res.status_code == 409
    assert smtp.messages == []


def test_reminders_and_escalations_go_out_once(world, smtp, session, runner):
    rid = world.to_in_review()
    req = session.get(Request, rid)
    # The opinion deadline is tomorrow: every member who has not submitted gets a reminder.
    req.opinion_due_at = datetime.now(UTC) + timedelta(days=1)
    world.write_opinion(world.experts[0], rid)
    # An unanswered invitation whose answer was due yesterday: escalated to the coordinator.
    late = world.invite(rid, world.experts[3], "member")
    session.get(Invitation, late["id"]).respond_by = datetime.now(UTC) - timedelta(days=1)
    session.flush()
    smtp.messages.clear()

    first = runner.invoke(args=["remind"])
    assert first.exit_code == 0, first.output
    assert "reminders: 2, escalations: 1" in first.output
    to = sorted(t[0] for t, _m in smtp.messages)
    assert to == sorted(
        [world.experts[1].user.email, world.experts[2].user.email, world.coordinator.user.email]
    )

    second = runner.invoke(args=["remind"])
    assert second.exit_code == 0, second.output
    assert "reminders: 0, escalations: 0" in second.output
    assert len(smtp.messages) == 3  # nothing twice
    inbox = session.scalar(
        select(func.count()).where(
            Notification.user_id == world.coordinator.id,
            Notification.kind == "escalation_invitation",
        )
    )
    assert inbox == 1


def test_unsent_mail_is_retried_by_remind(world, app, session, runner, monkeypatch):
    rid = world.file()["id"]
    world.act(world.agency, rid, "submit")  # no SMTP configured: kept in the outbox
    waiting = session.scalar(select(func.count()).where(OutboxMail.sent_at.is_(None)))
    assert waiting == 2

    handler = _Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        monkeypatch.setitem(app.config, "EXPERTNET_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
        result = runner.invoke(args=["remind"])
        assert result.exit_code == 0, result.output
        assert "mail sent on retry: 2" in result.output
        again = runner.invoke(args=["remind"])
        assert "mail sent on retry: 0" in again.output
    finally:
        controller.stop()
    assert len(handler.messages) == 2


def test_a_broken_smtp_server_leaves_the_mail_for_later(
    world, app, session, monkeypatch, caplog, runner
):
    monkeypatch.setitem(app.config, "EXPERTNET_SMTP_URL", f"smtp://127.0.0.1:{_free_port()}")
    rid = world.file()["id"]
    with caplog.at_level("WARNING", logger="expertnet.consultation.notify"):
        world.act(world.agency, rid, "submit")
    session.expire_all()
    first, second = session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()
    # The first mail found the server down: its error is kept and logged, and it waits
    # out a back-off; the run stopped there instead of failing every other mail too.
    assert first.sent_at is None and first.attempts == 1 and "Refused" in first.last_error
    assert first.next_attempt_at > datetime.now(UTC) + timedelta(seconds=50)
    assert (second.attempts, second.last_error) == (0, None)
    assert any(f"mail {first.id} to" in r.getMessage() for r in caplog.records)

    # Once the server is back, a run sends what is due, and the rest after its back-off.
    handler = _Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        monkeypatch.setitem(app.config, "EXPERTNET_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
        assert "mail sent on retry: 1" in runner.invoke(args=["remind"]).output
        session.expire_all()
        assert first.sent_at is None  # still waiting
        first.next_attempt_at = datetime.now(UTC) - timedelta(seconds=1)
        session.flush()
        assert "mail sent on retry: 1" in runner.invoke(args=["remind"]).output
    finally:
        controller.stop()
    session.expire_all()
    assert first.sent_at is not None and first.last_error is None and first.attempts == 2
    assert sorted(str(m["Message-ID"]) for _t, m in handler.messages) == sorted(
        [f"<outbox-{first.id}@expertnet>", f"<outbox-{second.id}@expertnet>"]
    )


def test_mail_is_given_up_after_the_last_attempt(world, app, session, monkeypatch, runner):
    from expertnet.consultation.notify import MAX_ATTEMPTS

    rid = world.file()["id"]
    world.act(world.agency, rid, "submit")
    mail = session.scalars(select(OutboxMail)).first()
    mail.attempts = MAX_ATTEMPTS
    mail.last_error = "SMTPServerDisconnected: gone"
    session.flush()
    handler = _Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        monkeypatch.setitem(app.config, "EXPERTNET_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
        runner.invoke(args=["remind"])
    finally:
        controller.stop()
    assert f"<outbox-{mail.id}@expertnet>" not in [
        str(m["Message-ID"]) for _t, m in handler.messages
    ]
    assert len(handler.messages) == 1


def test_backoff_doubles_up_to_six_hours():
    from expertnet.consultation.notify import backoff

    assert [backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert backoff(12) == timedelta(hours=6)


def test_reminders_are_computed_at_a_given_time(world, session):
    rid = world.to_panel_forming(
        due_date=(datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    )
    inv = world.invite(rid, world.experts[0])
    respond_by = session.get(Invitation, inv["id"]).respond_by
    assert run_reminders(now=respond_by - timedelta(days=5)) == {}
    assert run_reminders(now=respond_by - timedelta(days=1))["reminder"] == 1
    assert run_reminders(now=respond_by - timedelta(hours=1)) == {}
    assert run_reminders(now=respond_by + timedelta(minutes=1))["escalation"] == 1


def test_mail_is_vietnamese_unless_the_recipient_chose_english(world, session):
    world.coordinator2.user.locale = "en"
    session.flush()
    rid = world.file()["id"]
    world.act(world.agency, rid, "submit")
    subjects = {
        m.to_address: m.subject
        for m in session.scalars(
            select(OutboxMail).where(OutboxMail.dedupe_key.like("request_submitted:%"))
        )
    }
    english = subjects[world.coordinator2.user.email]
    assert english.startswith("New request: ")
    default = subjects[world.coordinator.user.email]
    assert default != english and "Lạch Huyện" in default


def test_staff_see_failing_mail_and_can_send_it_again(
    world, app, session, monkeypatch, make_user, auth, client
):
    from helpers import csrf_from

    monkeypatch.setitem(app.config, "EXPERTNET_SMTP_URL", f"smtp://127.0.0.1:{_free_port()}")
    rid = world.file()["id"]
    world.act(world.agency, rid, "submit")
    failing = session.scalars(select(OutboxMail).where(OutboxMail.attempts == 1)).one()
    admin, _token = make_user("admin")
    coordinator, _token = make_user("coordinator")

    auth.login(coordinator.email)
    assert client.get("/admin/outbox").status_code == 403
    auth.logout()

    auth.login(admin.email)
    client.set_cookie("expertnet_lang", "en")
    page = client.get("/admin/outbox")
    assert page.status_code == 200
    assert failing.to_address in page.text and "ConnectionRefusedError" in page.text
    assert f"/admin/outbox/{failing.id}/retry" in page.text

    handler = _Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        monkeypatch.setitem(app.config, "EXPERTNET_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
        # Without the CSRF token: refused, nothing sent.
        assert client.post(f"/admin/outbox/{failing.id}/retry").status_code == 400
        assert handler.messages == []
        res = client.post(
            f"/admin/outbox/{failing.id}/retry", data={"csrf_token": csrf_from(page.text)}
        )
        assert res.status_code == 303
    finally:
        controller.stop()
    assert [str(m["Message-ID"]) for _t, m in handler.messages] == [
        f"<outbox-{failing.id}@expertnet>"
    ]
    session.expire_all()
    assert failing.sent_at is not None
    again = client.post(
        f"/admin/outbox/{failing.id}/retry", data={"csrf_token": csrf_from(page.text)}
    )
    assert again.status_code == 409
