"""The consultation pages' forms: the whole journey by form posts, CSRF, stale versions, errors."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from helpers import csrf_from
from sqlalchemy import select

from expertnet.consultation.models import (
    AgencyResponse,
    Consolidation,
    Document,
    Invitation,
    Opinion,
    Request,
    RequestHistory,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
STALE = "Someone else acted on this request meanwhile"


class Pages:
    """One signed-in test client per user, posting forms with the session's CSRF token."""

    def __init__(self, app):
        self.app = app
        self.clients: dict[int | None, tuple] = {}

    def client(self, who):
        key = who.id if who is not None else None
        if key not in self.clients:
            client = self.app.test_client()
            client.set_cookie("expertnet_lang", "en")  # assertions read the English texts
            if who is not None:
                page = client.get("/login")
                res = client.post(
                    "/login",
                    data={
                        "email": who.user.email,
                        "password": "correct horse battery",
                        "csrf_token": csrf_from(page.text),
                    },
                )
                assert res.status_code == 302, res.text
            token = csrf_from(client.get("/register").text) if who is not None else ""
            self.clients[key] = (client, token)
        return self.clients[key]

    def get(self, who, url, status=200):
        client, _token = self.client(who)
        res = client.get(url)
        assert res.status_code == status, (url, res.status_code, res.text[:2000])
        return res

    def post(self, who, url, data=None, status=303, csrf=True, **kw):
        client, token = self.client(who)
        body = dict(data or {})
        if csrf:
            body.setdefault("csrf_token", token)
        res = client.post(url, data=body, **kw)
        assert res.status_code == status, (url, res.status_code, res.text[:3000])
        return res


@pytest.fixture
def pages(app) -> Pages:
    return Pages(app)


def _version(session, rid: int) -> int:
    session.expire_all()
    return session.get(Request, rid).version


def _local(moment: datetime) -> str:
    return (moment + timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M")


def _invitation(session, rid: int, person_id: int) -> Invitation:
    return session.scalar(
        select(Invitation).where(Invitation.request_id == rid, Invitation.person_id == person_id)
    )


def test_the_journey_through_the_pages(world, pages, session):
    w, e = world, world.experts
    # The agency files a request with a PDF, then submits it.
    form = pages.get(w.agency, "/requests/new")
    assert 'name="title"' in form.text and 'name="file"' in form.text
    res = pages.post(
        w.agency,
        "/requests/new",
        {
            "kind": "critique",
            "title": "Đề án cảng cạn Hải Dương",
            "summary": "Xin ý kiến phản biện.",
            "due_date": (datetime.now(UTC) + timedelta(days=40)).date().isoformat(),
            "file": (io.BytesIO(PDF), "Đề án.pdf"),
        },
        content_type="multipart/form-data",
    )
    rid = int(re.search(r"/requests/(\d+)$", res.headers["Location"]).group(1))
    req = session.get(Request, rid)
    assert req.state == "draft" and [d.filename for d in req.documents] == ["Đề án.pdf"]
    detail = pages.get(w.agency, f"/requests/{rid}")
    assert "Đề án.pdf" in detail.text
    assert f"/requests/{rid}/actions/submit" in detail.text
    assert f"/requests/{rid}/actions/accept" not in detail.text
    pages.post(w.agency, f"/requests/{rid}/actions/submit", {"submit-version": 1})
    assert _version(session, rid) == 2

    # The coordinator sees it in the triage queue, accepts with a comment, opens the panel.
    bench = pages.get(w.coordinator, "/workbench")
    assert "Đề án cảng cạn Hải Dương" in bench.text
    pages.post(
        w.coordinator,
        f"/requests/{rid}/actions/accept",
        {"accept-version": 2, "accept-comment": "Nhận."},
    )
    pages.post(w.coordinator, f"/requests/{rid}/actions/open_panel", {"open_panel-version": 3})
    panel = pages.get(w.coordinator, f"/requests/{rid}/panel")
    assert "Suggested panel" in panel.text or "Invite another expert" in panel.text
    respond_by = _local(datetime.now(UTC) + timedelta(days=5))
    for expert, role in zip(e[:3], ("chair", "secretary", "reviewer"), strict=True):
        pages.post(
            w.coordinator,
            f"/requests/{rid}/invitations?form=m",
            {
                "m-version": 4,
                "m-expert_id": expert.person_id,
                "m-role": role,
                "m-respond_by": respond_by,
            },
        )
    # The experts accept from their inbox; one declares a conflict, resolved by a note.
    for n, expert in enumerate(e[:3]):
        inv = _invitation(session, rid, expert.person_id)
        inbox = pages.get(expert, "/inbox")
        assert "Đề án cảng cạn Hải Dương" in inbox.text
        data = {f"a{inv.id}-version": 4}
        if n == 2:
            data |= {f"a{inv.id}-has_conflict": "y", f"a{inv.id}-details": "Từng làm tư vấn."}
        pages.post(expert, f"/invitations/{inv.id}/accept", data)
    blocked = pages.get(w.coordinator, f"/requests/{rid}")
    assert "must be resolved first" in blocked.text
    inv = _invitation(session, rid, e[2].person_id)
    pages.post(
        w.coordinator,
        f"/invitations/{inv.id}/resolve",
        {
            f"c{inv.id}-version": 4,
            f"c{inv.id}-resolution": "keep_with_note",
            f"c{inv.id}-note": "Đã hơn 5 năm.",
        },
    )
    pages.post(
        w.coordinator,
        f"/requests/{rid}/actions/start_review",
        {
            "start_review-version": 4,
            "start_review-opinion_due_at": _local(datetime.now(UTC) + timedelta(days=10)),
        },
    )
    assert session.get(Request, rid).opinion_due_at is not None

    # Each expert writes (Markdown, rendered sanitised) and submits.
    for expert in e[:3]:
        pages.get(expert, f"/requests/{rid}/opinion")
        pages.post(
            expert,
            f"/requests/{rid}/opinion",
            {
                "version": 5,
                "summary": "Cơ bản nhất trí.",
                "assessment": "**Cần** bổ sung <script>alert(1)</script>",
                "position": "support_with_changes",
                "recommendations": "Bổ sung đánh giá môi trường.\nLàm rõ nguồn vốn.",
                "intent": "submit",
            },
        )
    page = pages.get(e[0], f"/requests/{rid}/opinion")
    assert "<strong>Cần</strong>" in page.text and "<script>alert" not in page.text
    pages.post(w.coordinator, f"/requests/{rid}/actions/close_review", {"close_review-version": 5})

    # The coordinator consolidates: endorsements and a dissent.
    pages.get(w.coordinator, f"/requests/{rid}/consolidation")
    consolidation = {
        "version": 6,
        "text": "Liên hiệp Hội nhất trí với các kiến nghị sau.",
        "recommendations-0-text": "Bổ sung đánh giá tác động môi trường.",
        "recommendations-0-endorsed_by": [e[0].person_id, e[1].person_id],
        "recommendations-0-dissents-0-expert_id": str(e[2].person_id),
        "recommendations-0-dissents-0-text": "Chưa cần thiết.",
        "recommendations-1-text": "Làm rõ nguồn vốn.",
        "recommendations-1-endorsed_by": [x.person_id for x in e[:3]],
    }
    pages.post(w.coordinator, f"/requests/{rid}/consolidation", consolidation)
    pages.post(
        w.coordinator,
        f"/requests/{rid}/actions/submit_consolidation",
        {"submit_consolidation-version": 6},
    )
    # The author may not approve their own consolidation: the reason shows, no button.
    own = pages.get(w.coordinator, f"/requests/{rid}")
    assert f"/requests/{rid}/actions/approve" not in own.text

    # The approver sends back, the coordinator resubmits, the approver approves.
    queue = pages.get(w.approver, "/approvals")
    assert "Đề án cảng cạn Hải Dương" in queue.text
    # The queue's actions are links to each action's own card on the request page.
    assert f'href="/requests/{rid}#action-approve"' in queue.text
    cards = pages.get(w.approver, f"/requests/{rid}").text
    for action in ("approve", "send_back"):
        assert f'id="action-{action}" aria-labelledby="action-{action}-title"' in cards
    pages.post(
        w.approver,
        f"/requests/{rid}/actions/send_back",
        {"send_back-version": 7, "send_back-comment": "Nêu căn cứ pháp lý."},
    )
    editor = pages.get(w.coordinator, f"/requests/{rid}/consolidation")
    assert "Chưa cần thiết." in editor.text  # recorded dissent is shown and kept
    consolidation |= {"version": 8, "consolidation_version": 1}
    consolidation.pop("recommendations-0-dissents-0-expert_id")
    consolidation.pop("recommendations-0-dissents-0-text")
    pages.post(w.coordinator, f"/requests/{rid}/consolidation", consolidation)
    kept = session.scalar(select(Consolidation).where(Consolidation.request_id == rid))
    session.refresh(kept)
    assert kept.recommendations[0]["dissent"] == [
        {"expert_id": e[2].person_id, "text": "Chưa cần thiết."}
    ]
    pages.post(
        w.coordinator,
        f"/requests/{rid}/actions/submit_consolidation",
        {"submit_consolidation-version": 8},
    )
    pages.post(
        w.approver, f"/requests/{rid}/actions/approve", {"approve-version": 9}, status=422
    )  # publishing needs the approver's confirmation
    pages.post(
        w.approver,
        f"/requests/{rid}/actions/approve",
        {"approve-version": 9, "approve-confirm": "y"},
    )
    session.expire_all()
    req = session.get(Request, rid)
    assert req.state == "published"
    op_id = req.published_opinion.id

    # The public reads it in the register, with the panel, endorsements and dissent.
    listing = pages.get(None, "/register?kind=critique")
    assert "Đề án cảng cạn Hải Dương" in listing.text
    public = pages.get(None, f"/register/{op_id}")
    assert "Chưa cần thiết." in public.text and e[0].user.person.full_name in public.text

    # The agency records its response; the request closes; the register shows it.
    rec_ids = [r.id for r in req.published_opinion.recommendations]
    pages.get(w.agency, f"/requests/{rid}/response")
    pages.post(
        w.agency,
        f"/requests/{rid}/response",
        {
            "version": 10,
            "responses-0-status": "adopted",
            "responses-1-status": "partially_adopted",
            "responses-1-explanation": "Vốn ngân sách có hạn.",
        },
    )
    session.expire_all()
    assert session.get(Request, rid).state == "closed"
    assert len(session.scalars(select(AgencyResponse)).all()) == len(rec_ids)
    assert "Vốn ngân sách có hạn." in pages.get(None, f"/register/{op_id}").text
    # Every step is in the timeline.
    timeline = pages.get(w.agency, f"/requests/{rid}")
    assert timeline.text.count('class="tl-when"') == 1 + len(req.history)


# --- refusals ---------------------------------------------------------------------------------


def _submitted(world) -> int:
    rid = world.file()["id"]
    world.act(world.agency, rid, "submit")
    return rid


def test_an_action_without_csrf_token_is_refused_and_changes_nothing(world, pages, session):
    rid = _submitted(world)
    res = pages.post(
        world.coordinator,
        f"/requests/{rid}/actions/accept",
        {"accept-version": 2},
        status=400,
        csrf=False,
    )
    assert "The form expired or was not sent from this site" in res.text
    assert _version(session, rid) == 2 and session.get(Request, rid).state == "submitted"


def test_a_forged_csrf_token_is_refused_on_every_kind_of_form(world, pages, session):
    rid = world.to_in_review()
    inv = _invitation(session, rid, world.experts[0].person_id)
    for who, url in [
        (world.agency, "/requests/new"),
        (world.coordinator, f"/requests/{rid}/invitations?form=m"),
        (world.coordinator, f"/invitations/{inv.id}/revoke"),
        (world.experts[0], f"/requests/{rid}/opinion"),
    ]:
        pages.post(who, url, {"csrf_token": "forged", "version": 5}, status=400)
    assert _version(session, rid) == 5
    assert session.scalars(select(Opinion).where(Opinion.request_id == rid)).all() == []


def test_a_stale_version_shows_the_fresh_state_and_changes_nothing(world, pages, session):
    rid = _submitted(world)
    # The coordinator's page was loaded at version 2; another coordinator returns it first.
    world.act(world.coordinator2, rid, "return", comment="Thiếu hồ sơ.")
    history_before = len(session.scalars(select(RequestHistory)).all())
    res = pages.post(world.coordinator, f"/requests/{rid}/actions/accept", {"accept-version": 2})
    assert res.headers["Location"].endswith(f"/requests/{rid}")
    page = pages.get(world.coordinator, f"/requests/{rid}")
    assert STALE in page.text and "Returned for more information" in page.text
    session.expire_all()
    req = session.get(Request, rid)
    assert req.state == "returned" and req.version == 3
    assert len(session.scalars(select(RequestHistory)).all()) == history_before


def test_a_stale_version_on_a_panel_form_invites_nobody(world, pages, session):
    rid = world.to_panel_forming()
    world.act(world.agency, rid, "withdraw")
    res = pages.post(
        world.coordinator,
        f"/requests/{rid}/invitations?form=m",
        {"m-version": 4, "m-expert_id": world.experts[0].person_id, "m-role": "chair"},
    )
    assert STALE in pages.get(world.coordinator, res.headers["Location"]).text
    assert session.scalars(select(Invitation).where(Invitation.request_id == rid)).all() == []


def test_a_stale_opinion_version_keeps_the_newer_draft(world, pages, session):
    rid = world.to_in_review()
    expert = world.experts[0]
    body = {"version": 5, "summary": "Bản một.", "intent": "save"}
    pages.post(expert, f"/requests/{rid}/opinion", body)
    pages.post(expert, f"/requests/{rid}/opinion", body | {"opinion_version": 1, "summary": "Hai"})
    res = pages.post(
        expert, f"/requests/{rid}/opinion", body | {"opinion_version": 1, "summary": "Ba"}
    )
    assert STALE in pages.get(expert, res.headers["Location"]).text
    opinion = session.scalar(select(Opinion).where(Opinion.request_id == rid))
    session.refresh(opinion)
    assert opinion.summary == "Hai"


# --- validation errors, named per field, nothing changed --------------------------------------


def _field_error(html: str, field_id: str) -> str:
    match = re.search(rf'id="{re.escape(field_id)}-err">([^<]*)<', html)
    assert match, f"no error for {field_id}"
    return match.group(1).strip()


def test_new_request_errors_are_named_per_field_and_nothing_is_filed(world, pages, session):
    before = session.scalar(select(Request.id).order_by(Request.id.desc()))
    res = pages.post(
        world.agency,
        "/requests/new",
        {"kind": "gossip", "title": "x", "due_date": "2020-01-01", "fields": ["nope"]},
        status=422,
    )
    assert _field_error(res.text, "title")
    assert _field_error(res.text, "kind")
    assert _field_error(res.text, "fields")
    assert 'class="error-summary"' in res.text
    assert session.scalar(select(Request.id).order_by(Request.id.desc())) == before


def test_a_past_due_date_is_refused_by_the_operation_on_its_field(world, pages, session):
    res = pages.post(
        world.agency,
        "/requests/new",
        {"kind": "critique", "title": "Đề án thử", "due_date": "2020-01-01"},
        status=422,
    )
    assert "must not be in the past" in _field_error(res.text, "due_date")
    assert session.scalars(select(Request).where(Request.title == "Đề án thử")).all() == []


def test_a_document_of_the_wrong_type_refuses_the_whole_new_request(world, pages, session):
    res = pages.post(
        world.agency,
        "/requests/new",
        {"kind": "critique", "title": "Đề án có tệp lạ", "file": (io.BytesIO(b"MZ\x90"), "a.pdf")},
        status=422,
        content_type="multipart/form-data",
    )
    assert "checked by their content" in _field_error(res.text, "file")
    assert session.scalars(select(Request).where(Request.title == "Đề án có tệp lạ")).all() == []
    assert session.scalars(select(Document)).all() == []


def test_return_without_comment_names_the_comment_field(world, pages, session):
    rid = _submitted(world)
    res = pages.post(
        world.coordinator, f"/requests/{rid}/actions/return", {"return-version": 2}, status=422
    )
    assert "Please give a reason." in _field_error(res.text, "return-comment")
    # The note box is labelled as the reason of this one action, not a generic "Comment".
    assert '<label for="return-comment">Reason (required)' in res.text
    assert _version(session, rid) == 2


def test_invite_errors_are_named_per_field(world, pages, session):
    rid = world.to_panel_forming()
    res = pages.post(
        world.coordinator,
        f"/requests/{rid}/invitations?form=m",
        {"m-version": 4, "m-expert_id": "abc", "m-role": "boss"},
        status=422,
    )
    assert _field_error(res.text, "m-expert_id") and _field_error(res.text, "m-role")
    res = pages.post(
        world.coordinator,
        f"/requests/{rid}/invitations?form=m",
        {"m-version": 4, "m-expert_id": 999999, "m-role": "member"},
        status=422,
    )
    assert "No such expert." in _field_error(res.text, "m-expert_id")
    assert session.scalars(select(Invitation).where(Invitation.request_id == rid)).all() == []


def test_accepting_with_a_conflict_needs_its_details(world, pages, session):
    rid = world.to_panel_forming()
    inv_id = world.invite(rid, world.experts[0])["id"]
    res = pages.post(
        world.experts[0],
        f"/invitations/{inv_id}/accept",
        {f"a{inv_id}-version": 4, f"a{inv_id}-has_conflict": "y"},
        status=422,
    )
    assert "details of the conflict" in _field_error(res.text, f"a{inv_id}-details")
    res = pages.post(
        world.experts[0], f"/invitations/{inv_id}/decline", {f"d{inv_id}-version": 4}, status=422
    )
    assert _field_error(res.text, f"d{inv_id}-reason")
    session.expire_all()
    assert session.get(Invitation, inv_id).state == "invited"


def test_submitting_an_opinion_without_position_names_the_field(world, pages, session):
    rid = world.to_in_review()
    res = pages.post(
        world.experts[0],
        f"/requests/{rid}/opinion",
        {"version": 5, "summary": "Tóm tắt", "intent": "submit"},
        status=422,
    )
    assert "Choose a position" in _field_error(res.text, "position")
    assert session.scalars(select(Opinion).where(Opinion.request_id == rid)).all() == []


def test_a_dissent_without_its_text_is_refused(world, pages, session):
    rid = world.to_consolidation()
    res = pages.post(
        world.coordinator,
        f"/requests/{rid}/consolidation",
        {
            "version": 6,
            "text": "Văn bản",
            "recommendations-0-text": "Kiến nghị",
            "recommendations-0-dissents-0-expert_id": str(world.experts[0].person_id),
        },
        status=422,
    )
    assert _field_error(res.text, "recommendations-0-dissents-0-text")
    assert session.scalars(select(Consolidation)).all() == []


def test_a_partial_adoption_without_explanation_names_its_row(world, pages, session):
    rid, _op = world.to_published()
    res = pages.post(
        world.agency,
        f"/requests/{rid}/response",
        {"version": 8, "responses-0-status": "adopted", "responses-1-status": "not_adopted"},
        status=422,
    )
    assert "Explain why" in _field_error(res.text, "responses-1-explanation")
    assert session.scalars(select(AgencyResponse)).all() == []
    assert _version(session, rid) == 8


# --- more of the agency's and the coordinator's pages -----------------------------------------


def test_return_edit_and_resubmit_loop(world, pages, session):
    rid = _submitted(world)
    pages.post(
        world.coordinator,
        f"/requests/{rid}/actions/return",
        {"return-version": 2, "return-comment": "Xin bổ sung báo cáo ĐTM."},
    )
    page = pages.get(world.agency, f"/requests/{rid}")
    assert "Xin bổ sung báo cáo ĐTM." in page.text  # the question, in the timeline
    assert f"/requests/{rid}/edit" in page.text
    form = pages.get(world.agency, f"/requests/{rid}/edit")
    assert 'value="3"' in form.text
    pages.post(
        world.agency,
        f"/requests/{rid}/edit",
        {"version": 3, "kind": "critique", "title": "Đề án đã bổ sung ĐTM"},
    )
    pages.post(world.agency, f"/requests/{rid}/actions/resubmit", {"resubmit-version": 3})
    session.expire_all()
    req = session.get(Request, rid)
    assert (req.state, req.title, req.version) == ("submitted", "Đề án đã bổ sung ĐTM", 4)
    pages.get(world.agency, f"/requests/{rid}/edit", status=403)  # no longer editable


def test_upload_on_the_request_page_checks_the_content(world, pages, session):
    rid = world.file()["id"]
    res = pages.post(
        world.agency,
        f"/requests/{rid}/documents",
        {"version": 1, "file": (io.BytesIO(b"plain text"), "notes.pdf")},
        status=422,
        content_type="multipart/form-data",
    )
    assert "checked by their content" in _field_error(res.text, "file")
    assert session.scalars(select(Document)).all() == []
    pages.post(
        world.agency,
        f"/requests/{rid}/documents",
        {"version": 1, "file": (io.BytesIO(PDF), "../../etc/Tờ trình.pdf")},
        content_type="multipart/form-data",
    )
    docs = session.scalars(select(Document).where(Document.request_id == rid)).all()
    assert [d.filename for d in docs] == ["Tờ trình.pdf"]
    download = pages.get(world.agency, f"/documents/{docs[0].id}")
    assert download.data == PDF
    download.close()
    pages.get(world.other_agency, f"/documents/{docs[0].id}", status=404)


def test_meetings_are_scheduled_and_recorded(world, pages, session):
    from expertnet.consultation.models import Meeting

    rid = world.to_in_review()
    e = world.experts
    starts = _local(datetime.now(UTC) + timedelta(days=3))
    res = pages.post(
        world.coordinator,
        f"/requests/{rid}/meetings",
        {"version": 5, "kind": "workshop", "title": "Hội thảo phản biện", "starts_at": starts},
        status=422,
    )
    assert "place or an online link" in _field_error(res.text, "place")
    assert session.scalars(select(Meeting)).all() == []
    pages.post(
        world.coordinator,
        f"/requests/{rid}/meetings",
        {
            "version": 5,
            "kind": "workshop",
            "title": "Hội thảo phản biện",
            "starts_at": starts,
            "place": "Hội trường Liên hiệp Hội",
            "experts": [e[0].person_id, e[1].person_id],
        },
    )
    meeting = session.scalar(select(Meeting).where(Meeting.request_id == rid))
    assert "Hội thảo phản biện" in pages.get(e[0], f"/requests/{rid}/meetings").text
    pages.post(
        world.coordinator,
        f"/meetings/{meeting.id}",
        {
            f"m{meeting.id}-version": 5,
            f"m{meeting.id}-held": "y",
            f"m{meeting.id}-attended": [e[0].person_id],
            f"m{meeting.id}-minutes": "Thống nhất 3 kiến nghị.",
        },
    )
    session.refresh(meeting)
    assert meeting.held and meeting.minutes == "Thống nhất 3 kiến nghị."
    assert {p.person_id: p.attended for p in meeting.participants} == {
        e[0].person_id: True,
        e[1].person_id: False,
    }
    pages.post(e[0], f"/meetings/{meeting.id}", {f"m{meeting.id}-version": 5}, status=403)


def test_meeting_page_invites_only_the_panel(world, pages, session, make_person):
    rid = world.to_in_review()
    outsider = make_person(full_name="Người Ngoài Hội Đồng", public_profile=True)
    starts = _local(datetime.now(UTC) + timedelta(days=3))
    pages.post(
        world.coordinator,
        f"/requests/{rid}/meetings",
        {
            "version": 5,
            "kind": "workshop",
            "title": "Hội thảo phản biện",
            "starts_at": starts,
            "place": "Hội trường Liên hiệp Hội",
            "experts": [world.experts[0].person_id, outsider.id],
        },
        status=422,
    )
    from expertnet.consultation.models import Meeting

    assert session.scalars(select(Meeting)).all() == []


def test_notifications_inbox_lists_and_marks_read(world, pages, session):
    from expertnet.consultation.models import Notification

    rid = _submitted(world)
    world.act(world.coordinator, rid, "accept")
    inbox = pages.get(world.agency, "/notifications")
    note = session.scalar(
        select(Notification).where(
            Notification.user_id == world.agency.id, Notification.read_at.is_(None)
        )
    )
    assert note is not None and note.summary in inbox.text and note.body not in inbox.text
    res = pages.post(world.agency, f"/notifications/{note.id}/read")
    assert res.headers["Location"].endswith(f"/requests/{rid}")
    session.refresh(note)
    assert note.read_at is not None
    pages.post(world.other_agency, f"/notifications/{note.id}/read", status=404)


def test_the_coordinator_moves_the_opinion_deadline(world, pages, session):
    rid = world.to_in_review()
    new = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=20)
    page = pages.get(world.coordinator, f"/requests/{rid}")
    assert f"/requests/{rid}/deadline" in page.text
    assert f"/requests/{rid}/deadline" not in pages.get(world.experts[0], f"/requests/{rid}").text
    pages.post(
        world.coordinator,
        f"/requests/{rid}/deadline",
        {"version": 5, "opinion_due_at": _local(new)},
    )
    session.expire_all()
    assert session.get(Request, rid).opinion_due_at.replace(tzinfo=UTC) == new
    res = pages.post(world.coordinator, f"/requests/{rid}/deadline", {"version": 5}, status=422)
    assert _field_error(res.text, "opinion_due_at")
    pages.post(world.experts[0], f"/requests/{rid}/deadline", {"version": 5}, status=403)


def test_revoke_and_give_the_seat_to_another_expert(world, pages, session):
    rid = world.to_panel_forming()
    e = world.experts
    first = world.invite(rid, e[0], "chair")["id"]
    declined = world.invite(rid, e[1], "secretary")["id"]
    world.ok(
        e[1], "POST", f"/api/v1/invitations/{declined}/decline", {"reason": "Đang đi công tác."}
    )
    panel = pages.get(world.coordinator, f"/requests/{rid}/panel")
    assert "Đang đi công tác." in panel.text
    assert f"/invitations/{declined}/replace" in panel.text
    assert f"/invitations/{first}/revoke" in panel.text
    pages.post(
        world.coordinator,
        f"/invitations/{declined}/replace",
        {f"p{declined}-version": 4, f"p{declined}-expert_id": e[2].person_id},
    )
    pages.post(
        world.coordinator,
        f"/invitations/{first}/revoke",
        {f"r{first}-version": 4, f"r{first}-reason": "Đổi chủ tịch."},
    )
    session.expire_all()
    states = {
        i.person_id: (i.state, i.role)
        for i in session.scalars(select(Invitation).where(Invitation.request_id == rid))
    }
    assert states == {
        e[0].person_id: ("revoked", "chair"),
        e[1].person_id: ("declined", "secretary"),
        e[2].person_id: ("invited", "secretary"),
    }
    # A seat given away cannot be given twice: the form is gone and a post is refused.
    assert (
        f"/invitations/{declined}/replace"
        not in pages.get(world.coordinator, f"/requests/{rid}/panel").text
    )
    res = pages.post(
        world.coordinator,
        f"/invitations/{declined}/replace",
        {f"p{declined}-version": 4, f"p{declined}-expert_id": e[3].person_id},
        status=409,
    )
    assert "already been given to another expert" in res.text


def test_the_workbench_puts_overdue_work_first(world, pages, session):
    late = _submitted(world)
    soon = _submitted(world)
    session.get(Request, late).due_date = datetime.now(UTC).date() - timedelta(days=2)
    session.get(Request, soon).due_date = datetime.now(UTC).date() + timedelta(days=2)
    session.flush()
    page = pages.get(world.coordinator, "/workbench").text
    overdue = page[page.index('id="overdue"') : page.index('id="q-submitted"')]
    assert f"/requests/{late}" in overdue and f"/requests/{soon}" not in overdue
    queue = page[page.index('id="q-submitted"') : page.index('id="q-returned"')]
    assert queue.index(f"/requests/{late}") < queue.index(f"/requests/{soon}")


def test_the_panel_page_searches_experts_to_invite(world, pages, session):
    from expertnet.search.index import rebuild_index

    rid = world.to_panel_forming()
    expert = world.experts[0]
    rebuild_index()
    name = expert.user.person.full_name
    page = pages.get(world.coordinator, f"/requests/{rid}/panel?q={name}")
    assert name in page.text
    assert f'action="/requests/{rid}/invitations?form=q{expert.person_id}"' in page.text


def test_suggestions_show_reasons_and_the_path_of_a_conflict(
    world, pages, session, make_person, make_user
):
    agency_org = world.agency.user.organization
    topic = ["cảng biển Lạch Huyện", "logistics hàng hải"]
    clean = make_person(full_name="Phạm Thị Độc Lập", expertise=topic)
    make_user("expert", person=clean)
    make_person(full_name="Trần Văn Nhân Viên", expertise=topic, employer_id=agency_org.id)
    rid = world.to_panel_forming(title="Đề án cảng biển Lạch Huyện và logistics hàng hải")
    page = pages.get(world.coordinator, f"/requests/{rid}/panel").text
    suggested = page[page.index('class="suggestions"') : page.index('class="invite-other"')]
    assert "Phạm Thị Độc Lập" in suggested and 'class="reasons"' in suggested
    assert f'form=s{clean.id}"' in suggested  # invitable from the suggestion
    left_out = suggested[suggested.index("Left out") :]
    assert "Trần Văn Nhân Viên" in left_out and "Employed by" in left_out
    assert f"Trần Văn Nhân Viên → {agency_org.name}" in left_out
