"""The published opinion as a Vietnamese administrative letter, in DOCX and PDF.

The letter is built from the frozen published version only: ``PublishedOpinion.content``
(checked against its ``content_hash`` first) and the opinion's number. Nothing is read
from the live request, panel or directory, so a renamed expert or an edited request can
never change a letter that was sent. The layout follows the government's rules for
administrative documents (Nghị định 30/2020/NĐ-CP): the issuing body and the national
heading side by side, number and place/date, recipient, subject ("V/v"), body, the
signature block and "Nơi nhận". The text is Vietnamese by nature and is not translated.

The PDF is drawn with fpdf2 in Liberation Serif (metric-compatible with Times New Roman,
SIL Open Font License), shipped in ``expertnet/static/fonts`` so no system font is needed.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from .models import PublishedOpinion
from .operations import content_hash

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
FONT_FILES = {
    "": "LiberationSerif-Regular.ttf",
    "B": "LiberationSerif-Bold.ttf",
    "I": "LiberationSerif-Italic.ttf",
    "BI": "LiberationSerif-BoldItalic.ttf",
}
FONT = "LiberationSerif"

UNION_NAME = "LIÊN HIỆP CÁC HỘI KHOA HỌC VÀ KỸ THUẬT THÀNH PHỐ HẢI PHÒNG"
UNION_NAME_LINES = ("LIÊN HIỆP CÁC HỘI", "KHOA HỌC VÀ KỸ THUẬT", "THÀNH PHỐ HẢI PHÒNG")
UNION_NAME_SENTENCE = "Liên hiệp các Hội Khoa học và Kỹ thuật thành phố Hải Phòng"
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
PLACE = "Hải Phòng"
SIGNER_ON_BEHALF = "TM. BAN THƯỜNG VỤ"
SIGNER_TITLE = "CHỦ TỊCH"

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

DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_MEDIA_TYPE = "application/pdf"


class LetterError(RuntimeError):
    """The published version cannot be turned into a letter (its content was altered)."""


def _nfc(text: Any) -> str:
    return unicodedata.normalize("NFC", str(text or "")).strip()


def vietnamese_date(when: datetime) -> str:
    """ "ngày 05 tháng 3 năm 2026": days below 10 and the months 1 and 2 take a leading zero."""
    month = f"{when.month:02d}" if when.month < 3 else str(when.month)
    return f"ngày {when.day:02d} tháng {month} năm {when.year}"


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
    return [_nfc(p) for p in paragraphs if p.strip()]


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
    footnote: str
    title: str
    published_at: datetime
    kind: str = field(default="")


def letter_from(opinion: PublishedOpinion) -> Letter:
    """The letter of ``opinion``, read from its frozen content after checking the hash."""
    content = opinion.content or {}
    if content_hash(content) != opinion.content_hash:
        raise LetterError("The published opinion's content does not match its hash.")
    req = content.get("request") or {}
    experts = {str(k): _nfc(v) for k, v in (content.get("experts") or {}).items()}

    def name(pid: Any) -> str:
        return experts.get(str(pid)) or f"Chuyên gia #{pid}"

    kind = req.get("kind") or ""
    kind_vi = KIND_VI.get(kind, "tư vấn, phản biện")
    title = _nfc(req.get("title"))
    agency = _nfc(req.get("agency"))
    published = datetime.fromisoformat((content.get("dates") or {})["published_at"])
    published = published.astimezone(LOCAL_TZ)
    number = _nfc(content.get("number") or opinion.number)

    recommendations = tuple(
        Recommendation(
            number=int(rec.get("position") or n),
            text=_nfc(rec.get("text")),
            endorsers=tuple(name(pid) for pid in rec.get("endorsed_by") or []),
            dissent=tuple(
                Dissent(name(d.get("expert_id")), _nfc(d.get("text")))
                for d in rec.get("dissent") or []
            ),
        )
        for n, rec in enumerate(content.get("recommendations") or [], start=1)
    )
    panel = tuple(
        (ROLE_VI.get(p.get("role"), "Ủy viên"), _nfc(p.get("name")) or name(p.get("expert_id")))
        for p in sorted(
            content.get("panel") or [], key=lambda p: (ROLE_ORDER.get(p.get("role"), 9),)
        )
    )
    recipient = agency or "Các cơ quan, đơn vị có liên quan"
    subjects = [_nfc(s) for s in req.get("subject_organizations") or [] if _nfc(s) != agency]
    opening = (
        "Thực hiện chức năng tư vấn, phản biện và giám định xã hội theo Quyết định số "
        "14/2014/QĐ-TTg của Thủ tướng Chính phủ"
        + (f", theo đề nghị của {agency}" if agency else "")
        + f", {UNION_NAME_SENTENCE} đã tổ chức hội đồng chuyên gia {kind_vi} đối với “{title}”. "
        "Trên cơ sở ý kiến của các chuyên gia, Liên hiệp Hội có ý kiến như sau:"
    )
    closing = (
        f"Trên đây là ý kiến {kind_vi} của {UNION_NAME_SENTENCE} đối với “{title}”"
        + (f", kính gửi {agency} nghiên cứu, tiếp thu" if agency else "")
        + "./."
    )
    recipients = (
        "Như trên;",
        *(f"{s};" for s in subjects),
        "Các thành viên Hội đồng chuyên gia;",
        "Lưu: VT, TVPB.",
    )
    return Letter(
        number=number,
        place_date=f"{PLACE}, {vietnamese_date(published)}",
        recipient=recipient,
        subject=f"V/v {kind_vi} {title}",
        opening=_nfc(opening),
        general=tuple(plain_paragraphs(content.get("text") or "")),
        recommendations=recommendations,
        panel=panel,
        closing=_nfc(closing),
        signer_name=_nfc(content.get("approved_by")),
        recipients=recipients,
        footnote=(
            f"Văn bản số {number} được tạo từ bản đã công bố trên hệ thống expertnet; "
            f"mã nội dung (SHA-256): {opinion.content_hash}"
        ),
        title=title,
        published_at=published,
        kind=kind,
    )


def filename(letter: Letter, extension: str) -> str:
    """An ASCII file name such as ``LHH-TVPB-12-2026.pdf``."""
    stem = re.sub(r"[^A-Za-z0-9]+", "-", letter.number).strip("-")
    return f"{stem}-{letter.published_at.year}.{extension}"


# --- DOCX --------------------------------------------------------------------------------------


def render_docx(letter: Letter) -> bytes:
    """The letter as a Word document (python-docx), A4, Times New Roman 13–14 pt.

    The two-column parts (heading; recipients and signature) are continuous sections with
    two columns rather than tables, so every line is a body paragraph in reading order.
    """
    from docx import Document
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)

    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(13)
    rfonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        rfonts.set(qn(attr), "Times New Roman")
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)

    props = doc.core_properties
    props.title = letter.subject
    props.author = UNION_NAME
    props.subject = letter.number
    props.language = "vi-VN"
    props.created = props.modified = letter.published_at.replace(tzinfo=None)

    center, justify = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY

    def para(
        text: str = "",
        *,
        bold: bool = False,
        italic: bool = False,
        size: float | None = None,
        align=None,
        after: float = 0,
        before: float = 0,
        first_line: float | None = None,
    ):
        p = doc.add_paragraph()
        if text:
            run = p.add_run(text)
            run.bold, run.italic = bold, italic
            if size:
                run.font.size = Pt(size)
        if align is not None:
            p.alignment = align
        p.paragraph_format.space_after = Pt(after)
        p.paragraph_format.space_before = Pt(before)
        if first_line is not None:
            p.paragraph_format.first_line_indent = Mm(first_line)
        return p

    def column_break(p) -> None:
        p.add_run().add_break(WD_BREAK.COLUMN)

    def two_columns(left_mm: float, right_mm: float) -> None:
        """Close the current section as two columns; what follows is one column again."""
        doc.add_section(WD_SECTION.CONTINUOUS)
        # The break paragraph now holds the closed section's properties; the body's own
        # ``w:sectPr`` belongs to the new, last section.
        closed = doc.sections[-2]
        cols = closed._sectPr.find(qn("w:cols"))
        if cols is None:
            cols = OxmlElement("w:cols")
            closed._sectPr.append(cols)
        for child in list(cols):
            cols.remove(child)
        cols.set(qn("w:num"), "2")
        cols.set(qn("w:space"), "0")
        cols.set(qn("w:equalWidth"), "0")
        for width in (left_mm, right_mm):
            col = OxmlElement("w:col")
            col.set(qn("w:w"), str(round(width * 1440 / 25.4)))
            col.set(qn("w:space"), "0")
            cols.append(col)

    # Heading: the union (number, subject) on the left, the nation (place, date) on the right.
    p = doc.paragraphs[0] if doc.paragraphs else para()
    p.alignment = center
    for n, line in enumerate(UNION_NAME_LINES):
        run = p.add_run(line)
        run.bold, run.font.size = True, Pt(12)
        if n < len(UNION_NAME_LINES) - 1:
            run.add_break()
    para("———", align=center, size=8)
    para(f"Số: {letter.number}", align=center, before=4)
    column_break(para(letter.subject, align=center, size=12, before=2))
    para(NATION, bold=True, align=center, size=12)
    para(MOTTO, bold=True, align=center, size=13)
    para("———————————", align=center, size=8)
    para(letter.place_date, italic=True, align=center, before=4)
    two_columns(68, 97)

    p = para(align=center, after=12, before=18)
    p.add_run("Kính gửi: ")
    p.add_run(letter.recipient).bold = True
    for run in p.runs:
        run.font.size = Pt(14)

    para(letter.opening, align=justify, after=6, first_line=10)
    if letter.general:
        para("I. Ý KIẾN CHUNG", bold=True, after=4, before=4)
        for text in letter.general:
            para(text, align=justify, after=4, first_line=10)
    para("II. CÁC KIẾN NGHỊ", bold=True, after=4, before=4)
    for rec in letter.recommendations:
        p = para(align=justify, after=2, first_line=10)
        p.add_run(f"{rec.number}. ").bold = True
        p.add_run(rec.text)
        if rec.endorsers:
            para(
                "Chuyên gia tán thành: " + "; ".join(rec.endorsers) + ".",
                italic=True,
                align=justify,
                after=2,
                first_line=10,
            )
        for d in rec.dissent:
            p = para(align=justify, after=2, first_line=10)
            r = p.add_run(f"Ý kiến khác của {d.name}: ")
            r.italic = r.bold = True
            p.add_run(f"“{d.text}”").italic = True
        p.paragraph_format.space_after = Pt(6)
    if letter.panel:
        para("III. HỘI ĐỒNG CHUYÊN GIA", bold=True, after=4, before=4)
        for role, name in letter.panel:
            para(f"- {name}, {role.lower()}.", after=1, first_line=10)
    para(letter.closing, align=justify, before=6, after=10, first_line=10)

    # Signature block: "Nơi nhận" on the left, the approver's signature on the right.
    doc.add_section(WD_SECTION.CONTINUOUS)  # the body above stays one column
    p = para()
    r = p.add_run("Nơi nhận:")
    r.bold, r.italic, r.font.size = True, True, Pt(12)
    for n, line in enumerate(letter.recipients):
        p = para(f"- {line}", size=11)
        if n == len(letter.recipients) - 1:
            column_break(p)
    para(SIGNER_ON_BEHALF, bold=True, align=center, size=13)
    para(SIGNER_TITLE, bold=True, align=center, size=13)
    para(align=center, after=48)  # room for the signature and the seal
    para(letter.signer_name, bold=True, align=center, size=14)
    signature = doc.paragraphs[-(len(letter.recipients) + 5) :]
    for p in signature[:-1]:
        p.paragraph_format.keep_with_next = True  # the block moves to a new page whole
    two_columns(80, 85)

    para(letter.footnote, italic=True, size=9, before=6)

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- PDF ---------------------------------------------------------------------------------------


def render_pdf(letter: Letter) -> bytes:
    """The letter as PDF/A4 drawn by fpdf2 with the embedded Liberation Serif font."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_margins(left=30, top=20, right=15)
    pdf.set_auto_page_break(auto=True, margin=20)
    for style, file in FONT_FILES.items():
        pdf.add_font(FONT, style, str(FONT_DIR / file))
    pdf.set_title(letter.subject)
    pdf.set_author(UNION_NAME)
    pdf.set_subject(letter.number)
    pdf.set_creator("expertnet")
    pdf.set_lang("vi-VN")
    pdf.set_creation_date(letter.published_at)
    pdf.add_page()

    width = pdf.w - pdf.l_margin - pdf.r_margin  # 165 mm
    left_w, right_w = 68.0, width - 68.0
    left_x, right_x = pdf.l_margin, pdf.l_margin + left_w
    top = pdf.get_y()

    def block(x: float, w: float, text: str, style: str, size: float, h: float, align="C"):
        pdf.set_font(FONT, style, size)
        pdf.set_x(x)
        pdf.multi_cell(w, h, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def rule(x_center: float, length: float, gap: float = 1.0) -> None:
        y = pdf.get_y() + gap
        pdf.set_line_width(0.3)
        pdf.line(x_center - length / 2, y, x_center + length / 2, y)
        pdf.set_y(y + gap + 1)

    # Left: the union, the number and the subject.
    pdf.set_y(top)
    block(left_x, left_w, "\n".join(UNION_NAME_LINES), "B", 12, 5.5)
    rule(left_x + left_w / 2, 25)
    block(left_x, left_w, f"Số: {letter.number}", "", 13, 6.5)
    block(left_x, left_w, letter.subject, "", 12, 5.5)
    left_bottom = pdf.get_y()
    # Right: the national heading, the motto, place and date.
    pdf.set_y(top)
    block(right_x, right_w, NATION, "B", 12, 5.5)
    block(right_x, right_w, MOTTO, "B", 13, 6)
    pdf.set_font(FONT, "B", 13)
    rule(right_x + right_w / 2, pdf.get_string_width(MOTTO))
    block(right_x, right_w, letter.place_date, "I", 13, 6.5)
    pdf.set_y(max(left_bottom, pdf.get_y()) + 8)

    pdf.set_font(FONT, "", 14)
    pdf.multi_cell(
        width,
        7,
        f"Kính gửi: **{letter.recipient}**",
        align="C",
        markdown=True,
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(4)

    def body(text: str, style: str = "", size: float = 13, after: float = 1.5) -> None:
        pdf.set_font(FONT, style, size)
        # Left-aligned: justified lines come back from text extraction with doubled spaces.
        pdf.multi_cell(width, 6, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(after)

    body(letter.opening, after=3)
    if letter.general:
        body("I. Ý KIẾN CHUNG", "B")
        for text in letter.general:
            body(text)
    body("II. CÁC KIẾN NGHỊ", "B")
    for rec in letter.recommendations:
        body(f"{rec.number}. {rec.text}", after=0.5)
        if rec.endorsers:
            body("Chuyên gia tán thành: " + "; ".join(rec.endorsers) + ".", "I", after=0.5)
        for d in rec.dissent:
            body(f"Ý kiến khác của {d.name}: “{d.text}”", "I", after=0.5)
        pdf.ln(2)
    if letter.panel:
        body("III. HỘI ĐỒNG CHUYÊN GIA", "B")
        for role, name in letter.panel:
            body(f"- {name}, {role.lower()}.", after=0)
        pdf.ln(2)
    body(letter.closing, after=6)

    # Signature and recipients stay together on one page.
    needed = max(5.5 + 5 * len(letter.recipients), 6 + 6 + 20 + 7)
    if pdf.get_y() + needed > pdf.h - pdf.b_margin:
        pdf.add_page()
    top = pdf.get_y()
    sign_x, sign_w = pdf.l_margin + 75, width - 75
    pdf.set_y(top)
    block(pdf.l_margin, 75, "Nơi nhận:", "BI", 12, 5.5, align="L")
    for line in letter.recipients:
        block(pdf.l_margin, 75, f"- {line}", "", 11, 5, align="L")
    bottom = pdf.get_y()
    pdf.set_y(top)
    block(sign_x, sign_w, SIGNER_ON_BEHALF, "B", 13, 6)
    block(sign_x, sign_w, SIGNER_TITLE, "B", 13, 6)
    pdf.set_y(pdf.get_y() + 20)
    block(sign_x, sign_w, letter.signer_name, "B", 14, 7)
    pdf.set_y(max(bottom, pdf.get_y()) + 10)
    block(pdf.l_margin, width, letter.footnote, "I", 8.5, 4, align="L")
    return bytes(pdf.output())
