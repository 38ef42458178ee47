"""Approval shows what will be published, asks for confirmation; a send-back reason stands out."""

from __future__ import annotations

import re

from helpers import csrf_from
from sqlalchemy import select

from expertnet.consultation.letter import letter_from
from expertnet.consultation.models import PublishedOpinion, Request


def _signed_in(app, who):
    client = app.test_client()
    client.set_cookie("expertnet_lang", "en")
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


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_approver_reads_the_letter_then_confirms(app, world, session):
    w = world
    rid = w.to_approval(title="Đề án đường vành đai 2")
    client = _signed_in(app, w.approver)
    detail = client.get(f"/requests/{rid}").text
    # The request page leads to the preview; it no longer publishes in one click.
    assert f'href="/requests/{rid}/approval"' in detail
    assert f'action="/requests/{rid}/actions/approve"' not in detail
    page = client.get(f"/requests/{rid}/approval").text
    preview = page[page.index('<article class="letter-preview"') : page.index("</article>")]
    words = _text(preview)
    assert "Số: …/LHH-TVPB" in words
    assert "V/v phản biện Đề án đường vành đai 2" in words
    assert "1. Bổ sung đánh giá tác động môi trường." in words
    assert "Ý kiến khác của Chuyên gia" in words and "“Chưa cần thiết.”" in words
    assert "2. Làm rõ nguồn vốn." in words
    assert w.approver.user.name in words  # who signs
    # Without the confirmation nothing is published.
    token = csrf_from(page)
    version = session.get(Request, rid).version
    refused = client.post(
        f"/requests/{rid}/actions/approve",
        data={"csrf_token": token, "approve-version": version},
    )
    assert refused.status_code == 422
    assert "tick to confirm its publication" in refused.text
    assert 'class="letter-preview"' in refused.text
    session.expire_all()
    assert session.get(Request, rid).state == "approval"
    assert (
        session.scalar(select(PublishedOpinion).where(PublishedOpinion.request_id == rid)) is None
    )
    res = client.post(
        f"/requests/{rid}/actions/approve",
        data={"csrf_token": token, "approve-version": version, "approve-confirm": "y"},
    )
    assert res.status_code == 303
    published = session.scalar(select(PublishedOpinion).where(PublishedOpinion.request_id == rid))
    letter = letter_from(published)
    # What was previewed is what was published (the number aside).
    assert letter.subject in words and letter.opening in words and letter.closing in words
    for rec in letter.recommendations:
        assert f"{rec.number}. {rec.text}" in words


def test_only_approvers_open_the_preview(app, world):
    w = world
    rid = w.to_approval()
    assert _signed_in(app, w.coordinator).get(f"/requests/{rid}/approval").status_code == 403
    assert _signed_in(app, w.other_agency).get(f"/requests/{rid}/approval").status_code == 404
    assert _signed_in(app, w.agency).get(f"/requests/{rid}/approval").status_code == 403
    other = w.to_consolidation()
    assert _signed_in(app, w.approver).get(f"/requests/{other}/approval").status_code == 404


def test_the_send_back_reason_stands_out_for_the_coordinator(app, world):
    w = world
    rid = w.to_approval()
    w.act(w.approver, rid, "send_back", comment="Nêu rõ căn cứ pháp lý của kiến nghị 2.")
    client = _signed_in(app, w.coordinator)
    for url in (f"/requests/{rid}", f"/requests/{rid}/consolidation"):
        page = client.get(url).text
        note = re.search(r'<section class="sent-back".*?</section>', page, re.S)
        assert note, url
        assert "Sent back by the approver for revision" in note.group(0)
        assert "Nêu rõ căn cứ pháp lý của kiến nghị 2." in note.group(0)
        assert w.approver.user.name in note.group(0)
    # The agency is not shown the union's internal exchange as a banner.
    assert 'class="sent-back"' not in _signed_in(app, w.agency).get(f"/requests/{rid}").text
    # Once resubmitted, the note is gone.
    w.act(w.coordinator, rid, "submit_consolidation")
    assert 'class="sent-back"' not in client.get(f"/requests/{rid}").text


def test_a_return_reason_stands_out_for_the_agency(app, world):
    w = world
    rid = w.file()["id"]
    w.act(w.agency, rid, "submit")
    w.act(w.coordinator, rid, "return", comment="Xin bổ sung báo cáo ĐTM.")
    page = _signed_in(app, w.agency).get(f"/requests/{rid}").text
    note = re.search(r'<section class="sent-back".*?</section>', page, re.S)
    assert note and "Xin bổ sung báo cáo ĐTM." in note.group(0)
