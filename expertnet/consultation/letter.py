"""The published opinion as a Vietnamese administrative letter, in DOCX and PDF.

The letter is built from the frozen published version only: ``PublishedOpinion.content``
(checked against its ``content_hash`` first) and the opinion's number. Nothing is read
from the live request, panel or directory, so a renamed expert or an edited request can
never change a letter that was sent. The layout follows the government's rules for
administrative documents (Nghị định 30/2020/NĐ-CP): the issuing body and the national
heading side by side, number and place/date, recipient, subject ("V/v"), body, the
signature block and "Nơi nhận". The text is Vietnamese by nature and is not translated.

The layout shared with the union's other documents is :mod:`expertnet.core.admindoc`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from search_index.collation import person_name_key

from ..core.admindoc import (  # noqa: F401  (the media types are re-exported for downloads)
    DOCX_MEDIA_TYPE,
    LOCAL_TZ,
    PDF_MEDIA_TYPE,
    PLACE,
    UNION_NAME_SENTENCE,
    DocxDocument,
    nfc,
    padded_number,
    vietnamese_date,
)
from .models import PublishedOpinion
from .operations import content_hash

SIGNER_ON_BEHALF = "TM. BAN THƯỜNG VỤ"
SIGNER_TITLE = "CHỦ TỊCH"
#: The signature block's office lines (NĐ 30/2020, Phụ lục I): the President signs for the
#: Standing Board; a Vice-president signs "KT." (for) the President.
SIGNER_LINES = {
    "president": (SIGNER_ON_BEHALF, SIGNER_TITLE),
    "vice_president": (SIGNER_ON_BEHALF, "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"),
}

KIND_VI = {
    "consultation": "tư vấn",
    "critique": "phản biện",
    "assessment": "giám định xã hội",
}
ROLE_VI = {
    "chair": "Chủ tịch Hội đồng",
    "secretary": "Thư ký Hội đồng",
    "reviewer": "Ủy viên phản biện",
    "member": "Ủy viên",
}
ROLE_ORDER = {"chair": 0, "secretary": 1, "reviewer": 2, "member": 3}


class LetterError(RuntimeError):
    """The published version cannot be turned into a letter (its content was altered)."""


_EMPHASIS = re.compile(r"(\*\*|__|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])|`)")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*")
_BULLET = re.compile(r"^\s*[-*+]\s+")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")


def plain_paragraphs(text: str) -> list[str]:
    """The consolidated text (Markdown) as plain paragraphs: emphasis, headings, links undone."""
    paragraphs: list[str] = []
    for block in re.split(r"\n\s*\n", text or ""):
        lines = []
        for raw in block.splitlines():
            line = _LINK.sub(r"\1", raw)
            line = _HEADING.sub("", line)
            bullet = bool(_BULLET.match(line))
            line = _BULLET.sub("", line)
            line = _EMPHASIS.sub("", line).strip()
            if not line:
                continue
            if bullet:
                paragraphs.extend([" ".join(lines)] if lines else [])
                lines = []
                paragraphs.append(f"- {line}")
            else:
                lines.append(line)
        if lines:
            paragraphs.append(" ".join(lines))
    return [nfc(p) for p in paragraphs if p.strip()]


@dataclass(frozen=True)
class Dissent:
    name: str
    text: str


@dataclass(frozen=True)
class Recommendation:
    number: int
    text: str
    endorsers: tuple[str, ...]
    dissent: tuple[Dissent, ...]


@dataclass(frozen=True)
class Letter:
    """Everything printed on the letter, already in Vietnamese and NFC."""

    number: str
    place_date: str
    recipient: str
    subject: str
    opening: str
    general: tuple[str, ...]
    recommendations: tuple[Recommendation, ...]
    panel: tuple[tuple[str, str], ...]
    closing: str
    signer_name: str
    recipients: tuple[str, ...]
    footnote: str  # the hash note: in the file's properties, never on the printed page
    title: str
    published_at: datetime
    kind: str = field(default="")
    signer_lines: tuple[str, ...] = (SIGNER_ON_BEHALF, SIGNER_TITLE)


def _bare_name(display_name: str) -> str:
    """ "PGS.TS. Nguyễn Văn A" → "Nguyễn Văn A": titles do not decide the order."""
    return re.sub(r"^(?:[A-Za-zĐđ]+\.\s*)+", "", display_name)


def _short_date(value: str | None) -> str:
    if not value:
        return ""
    day = datetime.fromisoformat(value)
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def letter_from(opinion: PublishedOpinion) -> Letter:
    """The letter of ``opinion``, read from its frozen content after checking the hash."""
    content = opinion.content or {}
    if content_hash(content) != opinion.content_hash:
        raise LetterError("The published opinion's content does not match its hash.")
    return letter_from_content(content, opinion.number, opinion.content_hash)


def letter_from_content(content: dict[str, Any], number_: str, hash_: str) -> Letter:
    """The letter printed from a published content (or from the preview of one)."""
    req = content.get("request") or {}
    experts = {str(k): nfc(v) for k, v in (content.get("experts") or {}).items()}

    def name(pid: Any) -> str:
        return experts.get(str(pid)) or f"Chuyên gia #{pid}"

    kind = req.get("kind") or ""
    kind_vi = KIND_VI.get(kind, "tư vấn, phản biện")
    title = nfc(req.get("title"))
    agency = nfc(req.get("agency"))
    published = datetime.fromisoformat((content.get("dates") or {})["published_at"])
    published = published.astimezone(LOCAL_TZ)
    number = padded_number(nfc(content.get("number") or number_))
    signer = content.get("signer") or {"name": content.get("approved_by"), "office": "president"}
    sent_to = content.get("recipients") or {}
    cited = req.get("agency_letter") or {}

    recommendations = tuple(
        Recommendation(
            number=int(rec.get("position") or n),
            text=nfc(rec.get("text")),
            endorsers=tuple(name(pid) for pid in rec.get("endorsed_by") or []),
            dissent=tuple(
                Dissent(name(d.get("expert_id")), nfc(d.get("text")))
                for d in rec.get("dissent") or []
            ),
        )
        for n, rec in enumerate(content.get("recommendations") or [], start=1)
    )
    panel = tuple(
        (ROLE_VI.get(p.get("role"), "Ủy viên"), nfc(p.get("name")) or name(p.get("expert_id")))
        for p in sorted(
            content.get("panel") or [],
            # By seat, then in Vietnamese alphabetical order of the name (given name first).
            key=lambda p: (
                ROLE_ORDER.get(p.get("role"), 9),
                person_name_key(_bare_name(nfc(p.get("name")))),
            ),
        )
    )
    recipient = agency or "Các cơ quan, đơn vị có liên quan"
    subjects = [nfc(s) for s in req.get("subject_organizations") or [] if nfc(s) != agency]
    if agency and cited.get("number"):
        # A reply cites the request letter it answers.
        citation = f"Thực hiện đề nghị của {agency} tại Công văn số {nfc(cited['number'])}"
        citation += f" ngày {_short_date(cited.get('date'))}" if cited.get("date") else ""
        opening = (
            f"{citation}, {UNION_NAME_SENTENCE} đã tổ chức hội đồng chuyên gia {kind_vi} "
            f"đối với “{title}” theo Quyết định số 14/2014/QĐ-TTg của Thủ tướng Chính phủ. "
            "Trên cơ sở ý kiến của các chuyên gia, Liên hiệp Hội có ý kiến như sau:"
        )
    else:
        opening = (
            "Thực hiện chức năng tư vấn, phản biện và giám định xã hội theo Quyết định số "
            "14/2014/QĐ-TTg của Thủ tướng Chính phủ"
            + (f", theo đề nghị của {agency}" if agency else "")
            + f", {UNION_NAME_SENTENCE} đã tổ chức hội đồng chuyên gia {kind_vi} đối với "
            f"“{title}”. Trên cơ sở ý kiến của các chuyên gia, Liên hiệp Hội có ý kiến như sau:"
        )
    closing = (
        f"Trên đây là ý kiến {kind_vi} của {UNION_NAME_SENTENCE} đối với “{title}”"
        + (f", kính gửi {agency} nghiên cứu, tiếp thu" if agency else "")
        + "./."
    )
    recipients = (
        "Như trên;",
        *(f"{s};" for s in subjects),
        *(f"{nfc(r)} (để b/c);" for r in sent_to.get("report_to") or []),
        *(f"{nfc(r).rstrip(';')};" for r in sent_to.get("added") or [] if nfc(r)),
        "Các thành viên Hội đồng chuyên gia;",
        "Lưu: VT, TVPB.",
    )
    return Letter(
        number=number,
        place_date=f"{PLACE}, {vietnamese_date(published)}",
        recipient=recipient,
        subject=f"V/v {kind_vi} {title}",
        opening=nfc(opening),
        general=tuple(plain_paragraphs(content.get("text") or "")),
        recommendations=recommendations,
        panel=panel,
        closing=nfc(closing),
        signer_name=nfc(signer.get("name")),
        recipients=recipients,
        footnote=(
            f"Văn bản số {number} được tạo từ bản đã công bố trên hệ thống expertnet; "
            f"mã nội dung (SHA-256): {hash_}"
        ),
        title=title,
        published_at=published,
        kind=kind,
        signer_lines=SIGNER_LINES.get(signer.get("office") or "", SIGNER_LINES["president"]),
    )


def filename(letter: Letter, extension: str) -> str:
    """An ASCII file name such as ``LHH-TVPB-12-2026.pdf``."""
    stem = re.sub(r"[^A-Za-z0-9]+", "-", letter.number).strip("-")
    return f"{stem}-{letter.published_at.year}.{extension}"


# --- DOCX --------------------------------------------------------------------------------------


def render_docx(letter: Letter) -> bytes:
    """The letter as a Word document (python-docx), A4, Times New Roman 13–14 pt."""
    page = DocxDocument(
        title=letter.subject,
        subject=letter.number,
        created=letter.published_at,
        comments=letter.footnote,
    )
    page.masthead(letter.number, letter.place_date, letter.subject)
    page.addressee(letter.recipient)
    page.body(letter.opening)
    if letter.general:
        page.heading("I. Ý KIẾN CHUNG")
        for text in letter.general:
            page.body(text)
    page.heading("II. CÁC KIẾN NGHỊ")
    for rec in letter.recommendations:
        p = page.body()
        p.add_run(f"{rec.number}. ").bold = True
        p.add_run(rec.text)
        if rec.endorsers:
            page.body("Chuyên gia tán thành: " + "; ".join(rec.endorsers) + ".", italic=True)
        for d in rec.dissent:
            p = page.body()
            r = p.add_run(f"Ý kiến khác của {d.name}: ")
            r.italic = r.bold = True
            p.add_run(f"“{d.text}”").italic = True
    if letter.panel:
        page.heading("III. HỘI ĐỒNG CHUYÊN GIA")
        for role, name in letter.panel:
            page.para(f"- {name}, {role.lower()}.", after=6, first_line=10)
    # Never a page holding only the signature: the closing paragraph goes with it.
    page.closing(letter.closing)
    page.signature(letter.recipients, letter.signer_lines, letter.signer_name)
    return page.render()


# The PDF drawing lives in its own module; it is part of this module's interface.
from .letter_pdf import render_pdf  # noqa: E402

__all__ = ["Letter", "LetterError", "letter_from", "render_docx", "render_pdf"]
