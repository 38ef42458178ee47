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
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from search_index.collation import person_name_key

from ..core.localtime import LOCAL_TZ
from .models import PublishedOpinion
from .operations import content_hash

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
#: The signature block's office lines (NĐ 30/2020, Phụ lục I): the President signs for the
#: Standing Board; a Vice-president signs "KT." (for) the President.
SIGNER_LINES = {
    "president": (SIGNER_ON_BEHALF, SIGNER_TITLE),
    "vice_president": (SIGNER_ON_BEHALF, "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"),
}
#: Rules under the issuer's name (1/3 to 1/2 of its line) and under the motto (its length).
ISSUER_RULE_MM = 25.0

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


@lru_cache(maxsize=1)
def motto_width_mm() -> float:
    """The Tiêu ngữ's printed width (bold 13 pt Times metrics), which its rule must match."""
    from fontTools.ttLib import TTFont

    with TTFont(str(FONT_DIR / FONT_FILES["B"])) as font:
        cmap, metrics = font.getBestCmap(), font["hmtx"].metrics
        units = sum(metrics[cmap[ord(ch)]][0] for ch in unicodedata.normalize("NFC", MOTTO))
        return units / font["head"].unitsPerEm * 13 * 25.4 / 72


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
    footnote: str  # the hash note: in the file's properties, never on the printed page
    title: str
    published_at: datetime
    kind: str = field(default="")
    signer_lines: tuple[str, ...] = (SIGNER_ON_BEHALF, SIGNER_TITLE)


def _bare_name(display_name: str) -> str:
    """ "PGS.TS. Nguyễn Văn A" → "Nguyễn Văn A": titles do not decide the order."""
    return re.sub(r"^(?:[A-Za-zĐđ]+\.\s*)+", "", display_name)


def padded_number(number: str) -> str:
    """ "1/LHH-TVPB" → "01/LHH-TVPB": numbers below 10 take a leading zero (NĐ 30/2020)."""
    return re.sub(r"^(\d)(?=/)", r"0\1", number)


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
    experts = {str(k): _nfc(v) for k, v in (content.get("experts") or {}).items()}

    def name(pid: Any) -> str:
        return experts.get(str(pid)) or f"Chuyên gia #{pid}"

    kind = req.get("kind") or ""
    kind_vi = KIND_VI.get(kind, "tư vấn, phản biện")
    title = _nfc(req.get("title"))
    agency = _nfc(req.get("agency"))
    published = datetime.fromisoformat((content.get("dates") or {})["published_at"])
    published = published.astimezone(LOCAL_TZ)
    number = padded_number(_nfc(content.get("number") or number_))
    signer = content.get("signer") or {"name": content.get("approved_by"), "office": "president"}
    sent_to = content.get("recipients") or {}
    cited = req.get("agency_letter") or {}

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
            content.get("panel") or [],
            # By seat, then in Vietnamese alphabetical order of the name (given name first).
            key=lambda p: (
                ROLE_ORDER.get(p.get("role"), 9),
                person_name_key(_bare_name(_nfc(p.get("name")))),
            ),
        )
    )
    recipient = agency or "Các cơ quan, đơn vị có liên quan"
    subjects = [_nfc(s) for s in req.get("subject_organizations") or [] if _nfc(s) != agency]
    if agency and cited.get("number"):
        # A reply cites the request letter it answers.
        citation = f"Thực hiện đề nghị của {agency} tại Công văn số {_nfc(cited['number'])}"
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
        *(f"{_nfc(r)} (để b/c);" for r in sent_to.get("report_to") or []),
        *(f"{_nfc(r).rstrip(';')};" for r in sent_to.get("added") or [] if _nfc(r)),
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
        signer_name=_nfc(signer.get("name")),
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
    # Every run is Vietnamese, so Word checks the spelling as Vietnamese, not English.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = run_defaults.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        run_defaults.append(lang)
    for attr in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(attr), "vi-VN")

    props = doc.core_properties
    props.title = letter.subject
    props.author = UNION_NAME
    props.subject = letter.number
    props.language = "vi-VN"
    props.created = props.modified = letter.published_at.astimezone(UTC).replace(tzinfo=None)
    props.comments = letter.footnote

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

    def rule(length_mm: float, column_mm: float, before: float = 2) -> None:
        """A solid rule of ``length_mm``, centred in its column: a bordered empty paragraph."""
        p = para(before=before, after=2)
        fmt = p.paragraph_format
        fmt.left_indent = fmt.right_indent = Mm(max(column_mm - length_mm, 0) / 2)
        fmt.line_spacing = Pt(1)
        borders = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1")):
            bottom.set(qn(key), value)
        bottom.set(qn("w:color"), "000000")
        borders.append(bottom)
        p._p.get_or_add_pPr().append(borders)

    def page_numbers() -> None:
        """Arabic page numbers centred in the top margin, from the second page on."""
        first = doc.sections[0]
        first.different_first_page_header_footer = True
        p = first.header.paragraphs[0]
        p.alignment = center
        run = p.add_run()
        run.font.size = Pt(13)
        for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
            if kind:
                el = OxmlElement("w:fldChar")
                el.set(qn("w:fldCharType"), kind)
            else:
                el = OxmlElement("w:instrText")
                el.set(qn("xml:space"), "preserve")
                el.text = text
            run._r.append(el)

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
    rule(ISSUER_RULE_MM, 68)
    para(f"Số: {letter.number}", align=center, before=4)
    para(letter.subject, align=center, size=12, before=2)
    # The column break opens the national heading's paragraph, so the Quốc hiệu stands on
    # the first line of the right column, level with the issuer's name.
    p = para(align=center)
    column_break(p)
    run = p.add_run(NATION)
    run.bold, run.font.size = True, Pt(12)
    para(MOTTO, bold=True, align=center, size=13)
    rule(motto_width_mm(), 97, before=0)
    para(letter.place_date, italic=True, align=center, before=4)
    two_columns(68, 97)

    p = para(align=center, after=12, before=18)
    p.add_run(f"Kính gửi: {letter.recipient}")  # upright, not bold (NĐ 30/2020 model)
    for run in p.runs:
        run.font.size = Pt(14)

    # NĐ 30/2020: at least 6 pt between paragraphs.
    para(letter.opening, align=justify, after=6, first_line=10)
    if letter.general:
        para("I. Ý KIẾN CHUNG", bold=True, after=6, before=4)
        for text in letter.general:
            para(text, align=justify, after=6, first_line=10)
    para("II. CÁC KIẾN NGHỊ", bold=True, after=6, before=4)
    for rec in letter.recommendations:
        p = para(align=justify, after=6, first_line=10)
        p.add_run(f"{rec.number}. ").bold = True
        p.add_run(rec.text)
        if rec.endorsers:
            para(
                "Chuyên gia tán thành: " + "; ".join(rec.endorsers) + ".",
                italic=True,
                align=justify,
                after=6,
                first_line=10,
            )
        for d in rec.dissent:
            p = para(align=justify, after=6, first_line=10)
            r = p.add_run(f"Ý kiến khác của {d.name}: ")
            r.italic = r.bold = True
            p.add_run(f"“{d.text}”").italic = True
    if letter.panel:
        para("III. HỘI ĐỒNG CHUYÊN GIA", bold=True, after=6, before=4)
        for role, name in letter.panel:
            para(f"- {name}, {role.lower()}.", after=6, first_line=10)
    closing = para(letter.closing, align=justify, before=6, after=10, first_line=10)
    # Never a page holding only the signature: the closing paragraph goes with it.
    closing.paragraph_format.keep_with_next = True

    # Signature block: "Nơi nhận" on the left, the approver's signature on the right.
    doc.add_section(WD_SECTION.CONTINUOUS)  # the body above stays one column
    p = para()
    r = p.add_run("Nơi nhận:")
    r.bold, r.italic, r.font.size = True, True, Pt(12)
    for n, line in enumerate(letter.recipients):
        p = para(f"- {line}", size=11)
        if n == len(letter.recipients) - 1:
            column_break(p)
    for line in letter.signer_lines:
        para(line, bold=True, align=center, size=13)
    para(align=center, after=48)  # room for the signature and the seal
    para(letter.signer_name, bold=True, align=center, size=14)
    signature = doc.paragraphs[-(len(letter.recipients) + len(letter.signer_lines) + 3) :]
    for p in signature[:-1]:
        p.paragraph_format.keep_with_next = True  # the block moves to a new page whole
    two_columns(80, 85)
    page_numbers()
    for later in doc.sections[1:]:
        later.different_first_page_header_footer = False

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# The PDF drawing lives in its own module; it is part of this module's interface.
from .letter_pdf import render_pdf  # noqa: E402

__all__ = ["Letter", "LetterError", "letter_from", "render_docx", "render_pdf"]
