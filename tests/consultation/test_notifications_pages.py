"""Notifications read as one line with a link; "mark all as read"; meetings come with a calendar."""

from __future__ import annotations

import re
import socket
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from helpers import csrf_from
from sqlalchemy import func, select

from expertnet.consultation.models import Meeting, Notification


class _Collect:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
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


def _signed_in(app, who, lang="en"):
    client = app.test_client()
    client.set_cookie("expertnet_lang", lang)
    page = client.get("/login")
    client.post(
        "/login",
        data={
            "email": who.user.email,
            "password": "correct horse battery",
            "csrf_token": csrf_from(page.text),
        },
    )
    return client


def _unread(session, user_id: int) -> int:
    return session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user_id, Notification.read_at.is_(None)
        )
    )


def test_notifications_are_one_line_with_a_link_not_the_mail(app, world):
    w = world
    rid = w.to_panel_forming(title="Đề án cảng cạn")
    w.invite(rid, w.experts[0], "chair")
    client = _signed_in(app, w.experts[0])
    page = client.get("/notifications").text
    # The message in the reader's language (Vietnamese), one sentence with the seat and date.
    assert "tham gia Hội đồng chuyên gia về “Đề án cảng cạn” với vai trò Chủ tịch" in page
    # No greeting, raw link or signature of the mail.
    assert "Kính gửi" not in page and "không cần mật khẩu" not in page and "\n--" not in page
    # Unread: a button that marks it read and opens the inbox.
    res = client.post(
        re.search(r'action="(/notifications/\d+/read)"', page).group(1),
        data={"csrf_token": csrf_from(page)},
    )
    assert res.status_code == 303 and res.headers["Location"] == "/inbox#invitations"
    # Read: a plain link to the same place.
    assert 'href="/inbox#invitations"' in client.get("/notifications").text


def test_a_send_back_notification_carries_its_reason(app, world):
    w = world
    rid = w.to_approval(title="Đề án vành đai")
    w.act(w.approver, rid, "send_back", comment="Kiến nghị 2 chưa rõ nguồn vốn.")
    page = _signed_in(app, w.coordinator).get("/notifications").text
    assert "Ý kiến: Kiến nghị 2 chưa rõ nguồn vốn." in page


def test_mark_all_as_read_needs_csrf_and_touches_only_ones_own(app, world, session):
    w = world
    w.to_in_review()  # the coordinator hears of the filing and of three acceptances
    others = _unread(session, w.coordinator2.id)
    client = _signed_in(app, w.coordinator)
    page = client.get("/notifications").text
    before = _unread(session, w.coordinator.id)
    assert before >= 2 and others >= 1
    assert f'<span class="badge">{before}</span>' in page  # the count in the header
    assert client.post("/notifications/read", data={}).status_code == 400
    assert _unread(session, w.coordinator.id) == before
    res = client.post("/notifications/read", data={"csrf_token": csrf_from(page)})
    assert res.status_code == 303
    assert _unread(session, w.coordinator.id) == 0
    assert _unread(session, w.coordinator2.id) == others
    after = client.get("/notifications").text
    assert f"{before} notifications marked as read." in after
    assert "Mark all as read" not in after and 'class="badge"' not in after


def _schedule(app, world, rid, place="Hội trường Liên hiệp Hội, 12 Lê Lợi"):
    client = _signed_in(app, world.coordinator)
    page = client.get(f"/requests/{rid}/meetings").text
    starts = datetime(2030, 5, 12, 7, 30, tzinfo=UTC)  # 14:30 in Hanoi
    res = client.post(
        f"/requests/{rid}/meetings",
        data={
            "csrf_token": csrf_from(page),
            "version": re.search(r'name="version"[^>]*value="(\d+)"', page).group(1),
            "kind": "workshop",
            "title": "Hội thảo phản biện, lần 1",
            "starts_at": (starts + timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M"),
            "place": place,
            "agenda": "Trình bày đề án; thảo luận",
            "experts": [world.experts[0].person_id, world.experts[1].person_id],
        },
    )
    assert res.status_code == 303, res.text[:2000]


def test_meeting_invitation_has_time_place_and_a_calendar_file(app, world, session, smtp):
    w = world
    rid = w.to_in_review(title="Đề án cảng Lạch Huyện")
    _schedule(app, w, rid)
    meeting = session.scalar(select(Meeting).where(Meeting.request_id == rid))
    mails = [
        m
        for m in smtp.messages
        if str(m["To"]) == w.experts[0].user.email and m.get_content_type() == "multipart/mixed"
    ]
    assert len(mails) == 1  # only the meeting's mail carries an attachment
    mail = mails[0]
    assert "Hội trường Liên hiệp Hội, 12 Lê Lợi" in mail.get_body(("plain",)).get_content()
    (ics_part,) = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert ics_part.get_filename() == f"cuoc-hop-{meeting.id}.ics"
    ics = ics_part.get_content()
    unfolded = ics.replace("\r\n ", "")
    assert ics.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and ics.endswith(
        "END:VCALENDAR\r\n"
    )
    assert "DTSTART:20300512T073000Z" in unfolded and "DTEND:20300512T093000Z" in unfolded
    assert "SUMMARY:Hội thảo phản biện\\, lần 1" in unfolded
    assert "LOCATION:Hội trường Liên hiệp Hội\\, 12 Lê Lợi" in unfolded
    assert "Trình bày đề án\\; thảo luận" in unfolded
    assert all(len(line.encode()) <= 75 for line in ics.split("\r\n"))
    # The inbox line says when and where.
    note = session.scalar(
        select(Notification).where(
            Notification.user_id == w.experts[0].id, Notification.kind == "meeting_scheduled"
        )
    )
    assert "Hội trường Liên hiệp Hội, 12 Lê Lợi" in note.summary and "14:30" in note.summary


def test_meeting_calendar_download_for_the_panel_only(app, world, session):
    w = world
    rid = w.to_in_review()
    _schedule(app, w, rid)
    meeting = session.scalar(select(Meeting).where(Meeting.request_id == rid))
    expert = _signed_in(app, w.experts[0])
    page = expert.get(f"/requests/{rid}/meetings").text
    assert f'href="/meetings/{meeting.id}.ics"' in page
    res = expert.get(f"/meetings/{meeting.id}.ics")
    assert res.status_code == 200 and res.mimetype == "text/calendar"
    assert "attachment" in res.headers["Content-Disposition"]
    assert f"UID:meeting-{meeting.id}@expertnet" in res.text
    assert _signed_in(app, w.other_agency).get(f"/meetings/{meeting.id}.ics").status_code == 404
    assert _signed_in(app, w.experts[4]).get(f"/meetings/{meeting.id}.ics").status_code == 404
    assert _signed_in(app, w.agency).get(f"/meetings/{meeting.id}.ics").status_code == 403
