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


def test_a_broken_smtp_server_leaves_the_mail_for_later(world, app, session, monkeypatch):
    monkeypatch.setitem(app.config, "EXPERTNET_SMTP_URL", f"smtp://127.0.0.1:{_free_port()}")
    rid = world.file()["id"]
    world.act(world.agency, rid, "submit")
    session.expire_all()
    mails = session.scalars(select(OutboxMail)).all()
    assert mails and all(m.sent_at is None and m.attempts == 1 for m in mails)
    assert all(m.last_error for m in mails)


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
