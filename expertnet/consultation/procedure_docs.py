"""The procedure's own documents, in DOCX and PDF, laid out as Nghị định 30/2020/NĐ-CP asks.

- the reply to the requesting body once the request is examined: accepted (*tiếp nhận*),
  not accepted (*không tiếp nhận*, with the reason) or returned for more documents;
- the decision establishing the council or the expert group (*Quyết định thành lập Hội
  đồng / Tổ chuyên gia*), with its members and their roles;
- the invitation letter to one expert (*Giấy mời*).

They are built from the request's data when downloaded. The number is left for the union's
register (văn thư): under NĐ 30/2020 a document takes its number when the văn thư registers
it after signing, so the file shows ``Số:      /QĐ-LHH`` for the clerk to complete. The
layout is :mod:`expertnet.core.admindoc`'s, the same as the published opinion's letter and the
contest's decision. The text is Vietnamese by nature (an administrative document is issued
in Vietnamese) and is not translated.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from search_index.collation import person_name_key
from workflows import Action, State

from ..core.admindoc import (
    DOCX_MEDIA_TYPE,
    PDF_MEDIA_TYPE,
    PLACE,
    UNION_NAME,
    UNION_NAME_SENTENCE,
    DocxDocument,
    PdfDocument,
)
from ..core.types import utcnow
from ..extensions import db
from .letter import KIND_VI, LOCAL_TZ, ROLE_ORDER, ROLE_VI, SIGNER_LINES, vietnamese_date
from .models import ConsultationForm, Invitation, InvitationState, Request, Signer

__all__ = [
    "DOCX_MEDIA_TYPE",
    "PDF_MEDIA_TYPE",
    "AdminDocument",
    "Paragraph",
    "filename",
    "invitation_letter",
    "panel_decision",
    "render_document_docx",
    "render_document_pdf",
    "reply_letter",
]

#: The register leaves the number blank for the văn thư: ``Số:      /QĐ-LHH``.
BLANK_NUMBER = "\u00a0" * 6
QD_14 = (
    "Quyết định số 14/2014/QĐ-TTg ngày 14 tháng 02 năm 2014 của Thủ tướng Chính phủ về "
    "hoạt động tư vấn, phản biện và giám định xã hội của Liên hiệp các Hội Khoa học và Kỹ "
    "thuật Việt Nam"
)
OFFICE = "Ban Tư vấn, phản biện và giám định xã hội"
#: How the panel gives its opinion, as the documents say it.
FORM_VI = {
    ConsultationForm.council.value: "họp Hội đồng",
    ConsultationForm.workshop.value: "hội thảo",
    ConsultationForm.written.value: "lấy ý kiến chuyên gia bằng văn bản",
}
#: Seats of an expert group (Tổ chuyên gia), which has a leader rather than a chair.
TEAM_ROLE_VI = {
    "chair": "Tổ trưởng",
    "secretary": "Thư ký",
    "reviewer": "Thành viên phản biện",
    "member": "Thành viên",
}


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of the body: ``lead`` is printed in bold before ``text``.

    ``style``: ``body`` (justified, first line indented), ``preamble`` (the same, italic),
    ``center`` (bold, centred: ``QUYẾT ĐỊNH:``), ``item`` (a list entry, indented).
    """

    text: str
    style: str = "body"
    lead: str = ""


@dataclass(frozen=True)
class AdminDocument:
    """Everything printed on one of the procedure's documents, in Vietnamese and NFC."""

    stem: str  # an ASCII file name stem
    number: str
    place_date: str
    issued_at: datetime
    kind: str  # tên loại: "QUYẾT ĐỊNH", "GIẤY MỜI"; "" for a công văn
    summary: str  # trích yếu: "V/v …" beside the number for a công văn, else under the kind
    recipient: str  # "Kính gửi: …" (a công văn), or ""
    authority: str  # the issuing authority above a decision's preamble, or ""
    paragraphs: tuple[Paragraph, ...]
    closing: str
    recipients: tuple[str, ...]
    signer_lines: tuple[str, ...]
    signer_name: str


def _nfc(text: Any) -> str:
    return unicodedata.normalize("NFC", str(text or "")).strip()


def _day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_TZ)
    return f"{value.day:02d}/{value.month:02d}/{value.year}"


def _moment(value: datetime) -> str:
    """ "17 giờ 00 ngày 07/12/2026", in Hà Nội time."""
    local = value.astimezone(LOCAL_TZ)
    return f"{local.hour:02d} giờ {local.minute:02d} ngày {_day(local)}"


def _place_date(when: datetime) -> str:
    return f"{PLACE}, {vietnamese_date(when.astimezone(LOCAL_TZ))}"


def _signer() -> tuple[tuple[str, ...], str]:
    """The union's president as configured (``expertnet signer``), else a blank name line."""
    signer = db.session.scalar(
        select(Signer).where(Signer.office == "president").order_by(Signer.user_id).limit(1)
    )
    return SIGNER_LINES["president"], _nfc(signer.name) if signer else ""


def _agency(req: Request) -> str:
    return _nfc(req.agency.name) if req.agency is not None else ""


def _cited_letter(req: Request) -> str:
    """ "Công văn số 125/SGTVT-KH ngày 05/03/2026", or "" when the request records none."""
    if not req.agency_letter_number:
        return ""
    text = f"Công văn số {_nfc(req.agency_letter_number)}"
    return text + (f" ngày {_day(req.agency_letter_date)}" if req.agency_letter_date else "")


def _team(req: Request) -> tuple[str, dict[str, str]]:
    """ "Hội đồng" with its seats for a council meeting; "Tổ chuyên gia" otherwise."""
    if req.consultation_form == ConsultationForm.council.value:
        return "Hội đồng", ROLE_VI
    return "Tổ chuyên gia", TEAM_ROLE_VI


def _kind(req: Request) -> str:
    return KIND_VI.get(req.kind, "tư vấn, phản biện")


def _number(symbol: str) -> str:
    return f"{BLANK_NUMBER}/{symbol}"


# --- the reply to the request -------------------------------------------------------------------

_TRIAGE = (Action.ACCEPT.value, Action.DECLINE.value, Action.RETURN.value)


def reply_letter(req: Request) -> AdminDocument | None:
    """The union's reply after examining the request (the last accept, decline or return);
    None before it is examined, and for the union's own requests (there is nobody to reply to)."""
    agency = _agency(req)
    answered = [h for h in req.history if h.action in _TRIAGE]
    if not agency or not answered:
        return None
    entry = answered[-1]
    kind, title = _kind(req), _nfc(req.title)
    cited = _cited_letter(req)
    if cited:
        received = (
            f"{UNION_NAME_SENTENCE} nhận được {cited} của {agency} đề nghị {kind} "
            f"đối với “{title}”."
        )
    else:
        sent = _day(req.submitted_at)
        received = (
            f"{UNION_NAME_SENTENCE} nhận được hồ sơ đề nghị {kind} đối với “{title}” của "
            f"{agency}" + (f" gửi ngày {sent}" if sent else "") + "."
        )
    comment = _nfc(entry.comment)
    paragraphs = [Paragraph(received)]
    if entry.action == Action.ACCEPT.value:
        subject = f"V/v tiếp nhận đề nghị {kind} {title}"
        text = (
            f"Sau khi xem xét hồ sơ, Liên hiệp Hội tiếp nhận đề nghị và tổ chức {kind} theo "
            f"{QD_14}."
        )
        if req.due_date:
            text += f" Văn bản {kind} sẽ được gửi {agency} trước ngày {_day(req.due_date)}."
        paragraphs.append(Paragraph(text))
        if comment:
            paragraphs.append(Paragraph(comment))
        if req.coordinator is not None:
            paragraphs.append(
                Paragraph(
                    f"Cán bộ đầu mối của Liên hiệp Hội: {_nfc(req.coordinator.name)}"
                    + (f", thư điện tử: {req.coordinator.email}" if req.coordinator.email else "")
                    + "."
                )
            )
        closing = f"Liên hiệp Hội trân trọng thông báo để {agency} biết và phối hợp./."
    elif entry.action == Action.DECLINE.value:
        subject = f"V/v không tiếp nhận đề nghị {kind} {title}"
        paragraphs.append(
            Paragraph(
                "Sau khi xem xét hồ sơ, Liên hiệp Hội không tiếp nhận đề nghị, vì lý do sau: "
                + (comment.rstrip(".") + "." if comment else "")
            )
        )
        closing = f"Liên hiệp Hội trân trọng thông báo để {agency} biết./."
    else:
        subject = f"V/v đề nghị bổ sung hồ sơ {kind} {title}"
        paragraphs.append(
            Paragraph(
                f"Để có cơ sở tổ chức {kind}, Liên hiệp Hội đề nghị {agency} bổ sung hồ sơ "
                "như sau: " + (comment.rstrip(".") + "." if comment else "")
            )
        )
        closing = (
            f"Liên hiệp Hội trân trọng đề nghị {agency} bổ sung hồ sơ để Liên hiệp Hội xem "
            "xét, tiếp nhận./."
        )
    lines, name = _signer()
    return AdminDocument(
        stem=f"CV-tra-loi-de-nghi-{req.id}",
        number=_number("LHH-TVPB"),
        place_date=_place_date(entry.at),
        issued_at=entry.at,
        kind="",
        summary=subject,
        recipient=agency,
        authority="",
        paragraphs=tuple(paragraphs),
        closing=closing,
        recipients=("Như trên;", "Lưu: VT, TVPB."),
        signer_lines=lines,
        signer_name=name,
    )


# --- the decision establishing the council or expert group ------------------------------------


def _seated(req: Request) -> list[Invitation]:
    return sorted(
        req.accepted_invitations,
        key=lambda i: (ROLE_ORDER.get(i.role, 9), person_name_key(i.person.full_name)),
    )


def _whereabouts(person) -> str:
    """ "Phó Giám đốc, Sở Xây dựng": the office and workplace, as far as they are known."""
    employer = person.employer.name if person.employer is not None else person.employer_name
    return ", ".join(_nfc(p) for p in (person.position, employer) if _nfc(p))


def panel_decision(req: Request) -> AdminDocument | None:
    """The decision establishing the panel from its accepted seats; None without any."""
    seated = _seated(req)
    if not seated or req.state in (State.DECLINED.value, State.WITHDRAWN.value):
        return None
    team, roles = _team(req)
    kind, title, agency = _kind(req), _nfc(req.title), _agency(req)
    started = [h for h in req.history if h.action == Action.START_REVIEW.value]
    issued = started[-1].at if started else utcnow()
    preamble = [f"Căn cứ {QD_14};", f"Căn cứ Điều lệ {UNION_NAME_SENTENCE};"]
    cited = _cited_letter(req)
    if agency and cited:
        preamble.append(f"Căn cứ {cited} của {agency} về việc đề nghị {kind} “{title}”;")
    elif agency:
        preamble.append(f"Xét đề nghị của {agency} về việc {kind} “{title}”;")
    preamble.append(f"Theo đề nghị của Trưởng {OFFICE}.")
    paragraphs = [Paragraph(p, "preamble") for p in preamble]
    paragraphs.append(Paragraph("QUYẾT ĐỊNH:", "center"))
    paragraphs.append(
        Paragraph(
            f"Thành lập {team} {kind} “{title}”, gồm các ông, bà có tên sau đây:",
            lead="Điều 1. ",
        )
    )
    for n, inv in enumerate(seated, start=1):
        where = _whereabouts(inv.person)
        paragraphs.append(
            Paragraph(
                f"{n}. {_nfc(inv.person.display_name)}"
                + (f", {where}" if where else "")
                + f" – {roles.get(inv.role, 'Ủy viên')}"
                + (";" if n < len(seated) else "."),
                "item",
            )
        )
    due = f" trước {_moment(req.opinion_due_at)}" if req.opinion_due_at else ""
    form = req.consultation_form
    if form == ConsultationForm.council.value:
        duty = (
            f"{team} có nhiệm vụ nghiên cứu hồ sơ, viết bản nhận xét, họp Hội đồng thảo luận "
            f"và gửi ý kiến {kind} cho Liên hiệp Hội{due}."
        )
    elif form == ConsultationForm.workshop.value:
        duty = (
            f"{team} có nhiệm vụ nghiên cứu hồ sơ, viết bản nhận xét, trình bày tham luận tại "
            f"hội thảo và gửi ý kiến {kind} cho Liên hiệp Hội{due}."
        )
    else:
        duty = (
            f"{team} có nhiệm vụ nghiên cứu hồ sơ và gửi ý kiến {kind} bằng văn bản cho Liên "
            f"hiệp Hội{due}."
        )
    paragraphs.append(
        Paragraph(
            f"{duty} {team} làm việc theo chế độ kiêm nhiệm và tự giải thể sau khi hoàn "
            "thành nhiệm vụ.",
            lead="Điều 2. ",
        )
    )
    closing = (
        f"Quyết định này có hiệu lực kể từ ngày ký. Chánh Văn phòng, Trưởng {OFFICE} Liên "
        "hiệp Hội và các ông, bà có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định "
        "này./."
    )
    lines, name = _signer()
    return AdminDocument(
        stem=f"QD-thanh-lap-{'hoi-dong' if team == 'Hội đồng' else 'to-chuyen-gia'}-{req.id}",
        number=_number("QĐ-LHH"),
        place_date=_place_date(issued),
        issued_at=issued,
        kind="QUYẾT ĐỊNH",
        summary=f"Về việc thành lập {team} {kind} {title}",
        recipient="",
        authority=f"BAN THƯỜNG VỤ {UNION_NAME}",
        paragraphs=tuple(paragraphs),
        closing=closing,
        recipients=(
            "Như Điều 3;",
            *((f"{agency} (để biết);",) if agency else ()),
            "Lưu: VT, TVPB.",
        ),
        signer_lines=lines,
        signer_name=name,
    )


# --- the invitation letter ----------------------------------------------------------------------


def _addressed(person) -> str:
    """ "PGS.TS. Nguyễn Văn A", else "Ông Nguyễn Văn A" / "Bà …" / "Ông/Bà …"."""
    if person.academic_title or person.degree:
        return _nfc(person.display_name)
    prefix = {"male": "Ông", "female": "Bà"}.get(person.gender or "", "Ông/Bà")
    return f"{prefix} {_nfc(person.full_name)}"


def invitation_letter(inv: Invitation) -> AdminDocument | None:
    """The invitation letter to one expert; None once the invitation is revoked."""
    if inv.state == InvitationState.revoked.value:
        return None
    req = inv.request
    team, roles = _team(req)
    kind, title, agency = _kind(req), _nfc(req.title), _agency(req)
    person = inv.person
    honorific = {"male": "Ông", "female": "Bà"}.get(person.gender or "", "Ông/Bà")
    paragraphs = [
        Paragraph(f"{UNION_NAME_SENTENCE} trân trọng kính mời:"),
        Paragraph(_addressed(person), "center"),
    ]
    where = _whereabouts(person)
    if where:
        paragraphs.append(Paragraph(where, "centered-plain"))
    paragraphs.append(
        Paragraph(
            f"Tham gia {team} {kind} “{title}”"
            + (f" theo đề nghị của {agency}" if agency else "")
            + f", với vai trò {roles.get(inv.role, 'Ủy viên').lower()}."
        )
    )
    paragraphs.append(
        Paragraph(FORM_VI.get(req.consultation_form, "") + ".", lead="Hình thức làm việc: ")
    )
    if req.opinion_due_at:
        paragraphs.append(
            Paragraph(f"{_moment(req.opinion_due_at)}.", lead="Thời hạn gửi bản nhận xét: ")
        )
    if inv.respond_by:
        paragraphs.append(
            Paragraph(
                f"Đề nghị {honorific} trả lời lời mời trên hệ thống expertnet trước "
                f"{_moment(inv.respond_by)}, kèm theo bản kê khai xung đột lợi ích (nếu có)."
            )
        )
    lines, name = _signer()
    return AdminDocument(
        stem=f"GM-{req.id}-{inv.id}",
        number=_number("GM-LHH"),
        place_date=_place_date(inv.invited_at),
        issued_at=inv.invited_at,
        kind="GIẤY MỜI",
        summary=f"Về việc tham gia {team} {kind} {title}",
        recipient="",
        authority="",
        paragraphs=tuple(paragraphs),
        closing=f"Rất mong {honorific} dành thời gian tham gia./.",
        recipients=("Như trên;", "Lưu: VT, TVPB."),
        signer_lines=lines,
        signer_name=name,
    )


def filename(document: AdminDocument, extension: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9]+", "-", document.stem).strip("-")
    return f"{stem}-{document.issued_at.astimezone(LOCAL_TZ).year}.{extension}"


# --- rendering ----------------------------------------------------------------------------------


def _closing_text(document: AdminDocument) -> tuple[str, str]:
    """A decision's closing paragraph is its last article (Điều 3)."""
    return (
        ("Điều 3. ", document.closing) if document.kind == "QUYẾT ĐỊNH" else ("", document.closing)
    )


def render_document_docx(document: AdminDocument) -> bytes:
    page = DocxDocument(
        title=document.summary, subject=document.number.strip(), created=document.issued_at
    )
    page.masthead(document.number, document.place_date, None if document.kind else document.summary)
    if document.kind:
        page.title(document.kind, document.summary)
    if document.recipient:
        page.addressee(document.recipient)
    if document.authority:
        page.para(document.authority, bold=True, align="center", size=13, before=6, after=6)
    for par in document.paragraphs:
        if par.style == "center":
            page.para(par.text, bold=True, align="center", after=6, before=2)
        elif par.style == "centered-plain":
            page.para(par.text, align="center", after=6)
        elif par.style == "item":
            p = page.para(par.text, align="justify", after=6)
            p.paragraph_format.left_indent = _mm(10)
        else:
            p = page.body(italic=par.style == "preamble")
            if par.lead:
                p.add_run(par.lead).bold = True
            run = p.add_run(par.text)
            run.italic = par.style == "preamble"
    lead, text = _closing_text(document)
    p = page.closing("")
    if lead:
        p.add_run(lead).bold = True
    p.add_run(text)
    page.signature(document.recipients, document.signer_lines, document.signer_name)
    return page.render()


def _mm(value: float):
    from docx.shared import Mm

    return Mm(value)


def render_document_pdf(document: AdminDocument) -> bytes:
    page = PdfDocument(
        title=document.summary, subject=document.number.strip(), created=document.issued_at
    )
    page.masthead(document.number, document.place_date, None if document.kind else document.summary)
    if document.kind:
        page.title(document.kind, document.summary)
    if document.recipient:
        page.addressee(document.recipient)
    if document.authority:
        page.centered(document.authority, "B", 13)
    for par in document.paragraphs:
        if par.style == "center":
            page.centered(par.text, "B", 13)
        elif par.style == "centered-plain":
            page.centered(par.text, "", 13)
        elif par.style == "item":
            page.body(par.text, indent=True)
        else:
            page.body(par.text, "I" if par.style == "preamble" else "", lead=par.lead)
    lead, text = _closing_text(document)
    page.closing_and_signature(
        text, document.recipients, document.signer_lines, document.signer_name, lead=lead
    )
    return page.render()


# --- access and download ------------------------------------------------------------------------

FORMATS = ("pdf", "docx")


def staff_may_download(req: Request, user) -> bool:
    """The reply and the decision are the union's working papers: staff only."""
    from .models import STAFF

    return getattr(user, "is_authenticated", False) and getattr(user, "role", None) in STAFF


def invitation_letter_visible(inv: Invitation, user) -> bool:
    """The invitation letter: staff, and the invited expert."""
    return staff_may_download(inv.request, user) or inv.is_invitee(user)


def available(req: Request, user, invitation: Invitation | None = None) -> dict[str, bool]:
    """Which of the procedure's documents ``user`` can download from the request's page."""
    staff = staff_may_download(req, user)
    return {
        "reply": staff
        and req.agency_id is not None
        and any(h.action in _TRIAGE for h in req.history),
        "decision": staff
        and bool(req.accepted_invitations)
        and req.state not in (State.DECLINED.value, State.WITHDRAWN.value),
        "invitation": invitation is not None
        and invitation.state != InvitationState.revoked.value
        and invitation_letter_visible(invitation, user),
    }


def document_response(document: AdminDocument, fmt: str):
    """The DOCX or PDF of ``document`` as an attachment, never kept in shared caches."""
    import io

    from flask import send_file

    if fmt == "docx":
        data, mimetype = render_document_docx(document), DOCX_MEDIA_TYPE
    else:
        data, mimetype = render_document_pdf(document), PDF_MEDIA_TYPE
    response = send_file(
        io.BytesIO(data),
        mimetype=mimetype,
        as_attachment=True,
        download_name=filename(document, fmt),
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
