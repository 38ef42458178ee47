"""The scientific CV (lý lịch khoa học) of an expert, as DOCX and PDF, from the record.

The form follows the one Vietnamese S&T bodies ask for with project proposals (the
*Lý lịch khoa học* annex of the Ministry of Science and Technology's forms): the national
heading, I. general information, II. work (position, employer, memberships), III.
scientific work (publications by kind, research projects with level and role, patents
and utility solutions), and the signature. The document is Vietnamese by nature and is
not translated. It reuses the official letter's fonts and page set-up
(``consultation.letter``): Liberation Serif embedded in the PDF, Times New Roman in DOCX.

Contact details (e-mail, phone, birth year) appear only when the reader may see them
(``Person.can_view_contact``); the public gets the consented profile and the record.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..consultation.letter import FONT, FONT_DIR, FONT_FILES, MOTTO, NATION
from ..core.localtime import LOCAL_TZ
from ..core.text import fold
from ..directory.models import Person
from .models import Patent, Publication, ResearchProject

TITLE = "LÝ LỊCH KHOA HỌC"
PUBLICATION_GROUPS_VI = (
    ("journal_article", "Bài báo khoa học đăng trên tạp chí"),
    ("conference_paper", "Báo cáo tại hội nghị, hội thảo khoa học"),
    ("book", "Sách chuyên khảo, giáo trình"),
    ("chapter", "Chương sách"),
    ("report", "Báo cáo khoa học"),
    ("thesis", "Luận án, luận văn"),
    ("standard", "Tiêu chuẩn, quy chuẩn"),
    ("other", "Công trình khác"),
)
LEVEL_VI = {
    "national": "Cấp quốc gia",
    "ministerial": "Cấp bộ",
    "city": "Cấp thành phố, tỉnh",
    "grassroots": "Cấp cơ sở",
    "international": "Quốc tế",
    "other": "Cấp khác",
}
ROLE_VI = {"lead": "Chủ nhiệm", "secretary": "Thư ký", "member": "Thành viên"}
STATUS_VI = {"ongoing": "Đang thực hiện", "completed": "Đã nghiệm thu", "stopped": "Dừng"}
PATENT_VI = {"patent": "Sáng chế", "utility_solution": "Giải pháp hữu ích"}
PATENT_STATUS_VI = {"filed": "Đã nộp đơn", "granted": "Đã cấp bằng", "expired": "Hết hiệu lực"}
GENDER_VI = {"male": "Nam", "female": "Nữ", "other": "Khác"}
TITLE_VI = {"GS": "Giáo sư", "PGS": "Phó Giáo sư"}
DEGREE_VI = {
    "TSKH": "Tiến sĩ khoa học",
    "TS": "Tiến sĩ",
    "ThS": "Thạc sĩ",
    "BSCKII": "Bác sĩ chuyên khoa II",
    "BSCKI": "Bác sĩ chuyên khoa I",
    "KTS": "Kiến trúc sư",
    "KS": "Kỹ sư",
    "BS": "Bác sĩ",
    "DS": "Dược sĩ",
    "LS": "Luật sư",
    "CN": "Cử nhân",
}
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_MEDIA_TYPE = "application/pdf"


def _nfc(value: Any) -> str:
    return unicodedata.normalize("NFC", str(value or "")).strip()


@dataclass(frozen=True)
class Section:
    heading: str
    lines: tuple[str, ...]
    numbered: bool = True


@dataclass(frozen=True)
class CV:
    name: str
    general: tuple[tuple[str, str], ...]
    sections: tuple[Section, ...]
    place_date: str
    generated_at: datetime


def citation(pub: Publication) -> str:
    """One publication as a reference line: authors (year). Title. Venue, vol(issue), pages."""
    names = [a.name for a in pub.authors[:10]]
    more = len(pub.authors) - len(names) + (pub.authors_truncated or 0)
    authors = ", ".join(names) + (" và cộng sự" if more > 0 else "")
    parts = [f"{authors} ({pub.year})." if authors else f"({pub.year})." if pub.year else ""]
    parts.append(f"{pub.title}.")
    where = pub.venue or pub.publisher or ""
    if pub.volume:
        where += f", {pub.volume}" + (f"({pub.issue})" if pub.issue else "")
    if pub.pages:
        where += f", tr. {pub.pages}"
    if where:
        parts.append(f"{where.strip(', ')}.")
    if pub.isbn:
        parts.append(f"ISBN {pub.isbn}.")
    if pub.doi:
        parts.append(f"DOI: {pub.doi}")
    return _nfc(" ".join(p for p in parts if p))


def _project_line(p: ResearchProject) -> str:
    years = "–".join(str(y) for y in (p.start_year, p.end_year) if y)
    bits = [p.title]
    if p.code:
        bits.append(f"mã số {p.code}")
    bits.append(LEVEL_VI.get(p.level, p.level))
    bits.append(f"vai trò: {ROLE_VI.get(p.role, p.role)}")
    if p.funder:
        bits.append(f"cơ quan tài trợ: {p.funder}")
    if years:
        bits.append(years)
    bits.append(STATUS_VI.get(p.status, p.status))
    line = "; ".join(bits) + "."
    if p.result:
        line += f" Kết quả: {p.result}"
    return _nfc(line)


def _patent_line(p: Patent) -> str:
    bits = [f"{PATENT_VI.get(p.kind, p.kind)}: {p.title}"]
    if p.number:
        bits.append(f"số {p.number}")
    if p.office:
        bits.append(p.office)
    if p.year:
        bits.append(str(p.year))
    bits.append(PATENT_STATUS_VI.get(p.status, p.status))
    if p.inventors:
        bits.append(f"tác giả: {p.inventors}")
    return _nfc("; ".join(bits) + ".")


def build_cv(
    person: Person,
    publications: list[Publication],
    projects: list[ResearchProject],
    patents: list[Patent],
    *,
    with_contact: bool,
    now: datetime,
) -> CV:
    local = now.astimezone(LOCAL_TZ)
    general: list[tuple[str, str]] = [("Họ và tên", person.full_name)]
    if person.gender:
        general.append(("Giới tính", GENDER_VI.get(person.gender, person.gender)))
    if with_contact and person.birth_year:
        general.append(("Năm sinh", str(person.birth_year)))
    if person.academic_title:
        general.append(("Học hàm", TITLE_VI.get(person.academic_title, person.academic_title)))
    if person.degree:
        general.append(("Học vị", DEGREE_VI.get(person.degree, person.degree)))
    if person.position:
        general.append(("Chức vụ", person.position))
    employer = person.employer.name if person.employer else person.employer_name
    if employer:
        general.append(("Cơ quan công tác", employer))
    if with_contact and person.email:
        general.append(("Thư điện tử", person.email))
    if with_contact and person.phone:
        general.append(("Điện thoại", person.phone))
    orgs = "; ".join(o.name for o in person.organizations)
    if orgs:
        general.append(("Hội viên của", orgs))
    if person.fields:
        general.append(("Lĩnh vực chuyên môn", "; ".join(f.name for f in person.fields)))
    if person.expertise:
        general.append(("Hướng nghiên cứu", "; ".join(person.expertise)))

    sections: list[Section] = []
    if person.bio:
        sections.append(Section("II. QUÁ TRÌNH CÔNG TÁC", (_nfc(person.bio),), numbered=False))
    pubs = sorted(publications, key=lambda p: (-(p.year or 0), fold(p.title)))
    for n, (kind, heading) in enumerate(
        [g for g in PUBLICATION_GROUPS_VI if any(p.type == g[0] for p in pubs)], start=1
    ):
        lines = tuple(citation(p) for p in pubs if p.type == kind)
        sections.append(Section(f"3.{n}. {heading}", lines))
    if projects:
        ordered = sorted(projects, key=lambda p: (-(p.start_year or 0), fold(p.title)))
        sections.append(
            Section(
                "IV. ĐỀ TÀI, DỰ ÁN KHOA HỌC VÀ CÔNG NGHỆ ĐÃ CHỦ TRÌ HOẶC THAM GIA",
                tuple(_project_line(p) for p in ordered),
            )
        )
    if patents:
        sections.append(
            Section(
                "V. SÁNG CHẾ, GIẢI PHÁP HỮU ÍCH",
                tuple(_patent_line(p) for p in sorted(patents, key=lambda p: -(p.year or 0))),
            )
        )
    from ..consultation.letter import vietnamese_date

    return CV(
        name=_nfc(person.display_name),
        general=tuple((k, _nfc(v)) for k, v in general),
        sections=tuple(sections),
        place_date=f"Hải Phòng, {vietnamese_date(local)}",
        generated_at=local,
    )


def has_publications(cv: CV) -> bool:
    return any(s.heading.startswith("3.") for s in cv.sections)


def filename(person: Person, extension: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9]+", "-", fold(person.full_name)).strip("-") or "chuyen-gia"
    return f"ly-lich-khoa-hoc-{stem}.{extension}"


def _ordered(cv: CV) -> list[tuple[str, Section | None]]:
    """Headings in order, with part III's heading before its sub-groups."""
    out: list[tuple[str, Section | None]] = []
    third = False
    for s in cv.sections:
        if s.heading.startswith("3.") and not third:
            out.append(("III. CÁC CÔNG TRÌNH KHOA HỌC ĐÃ CÔNG BỐ", None))
            third = True
        out.append((s.heading, s))
    if not third:
        out.insert(
            1 if out and out[0][0].startswith("II.") else 0,
            ("III. CÁC CÔNG TRÌNH KHOA HỌC ĐÃ CÔNG BỐ", Section("", ("Chưa có.",), False)),
        )
    return out


# --- DOCX --------------------------------------------------------------------------------


def render_docx(cv: CV) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(13)
    rfonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        rfonts.set(qn(attr), "Times New Roman")
    normal.paragraph_format.space_after = Pt(2)
    props = doc.core_properties
    props.title = f"{TITLE} - {cv.name}"
    props.language = "vi-VN"
    props.created = props.modified = cv.generated_at.replace(tzinfo=None)
    center = WD_ALIGN_PARAGRAPH.CENTER

    def para(text="", *, bold=False, italic=False, size=None, align=None, before=0):
        p = doc.add_paragraph()
        if text:
            run = p.add_run(text)
            run.bold, run.italic = bold, italic
            if size:
                run.font.size = Pt(size)
        if align is not None:
            p.alignment = align
        p.paragraph_format.space_before = Pt(before)
        return p

    para(NATION, bold=True, align=center, size=12)
    para(MOTTO, bold=True, align=center)
    para("———————————", align=center, size=8)
    para(TITLE, bold=True, align=center, size=16, before=12)
    para("I. THÔNG TIN CHUNG", bold=True, before=10)
    for n, (label, value) in enumerate(cv.general, start=1):
        p = para()
        p.add_run(f"{n}. {label}: ").bold = True
        p.add_run(value)
    for heading, sec in _ordered(cv):
        if heading:
            para(heading, bold=True, before=8)
        if sec is None:
            continue
        for n, line in enumerate(sec.lines, start=1):
            para(f"{n}. {line}" if sec.numbered else line)
    para(cv.place_date, italic=True, align=WD_ALIGN_PARAGRAPH.RIGHT, before=16)
    para("NGƯỜI KHAI", bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    para("(Ký và ghi rõ họ tên)", italic=True, size=11, align=WD_ALIGN_PARAGRAPH.RIGHT)
    para(cv.name, bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT, before=40)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- PDF ---------------------------------------------------------------------------------


def render_pdf(cv: CV) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_margins(left=30, top=20, right=15)
    pdf.set_auto_page_break(auto=True, margin=20)
    for style, file in FONT_FILES.items():
        pdf.add_font(FONT, style, str(FONT_DIR / file))
    pdf.set_title(f"{TITLE} - {cv.name}")
    pdf.set_creator("expertnet")
    pdf.set_lang("vi-VN")
    pdf.set_creation_date(cv.generated_at)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def line(text: str, style: str = "", size: float = 13, align: str = "L", after=1.0):
        pdf.set_font(FONT, style, size)
        pdf.multi_cell(width, 6, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(after)

    line(NATION, "B", 12, "C", 0)
    line(MOTTO, "B", 13, "C", 0)
    pdf.set_font(FONT, "B", 13)
    y = pdf.get_y() + 1
    half = pdf.get_string_width(MOTTO) / 2
    mid = pdf.l_margin + width / 2
    pdf.line(mid - half, y, mid + half, y)
    pdf.set_y(y + 6)
    line(TITLE, "B", 16, "C", 4)
    line("I. THÔNG TIN CHUNG", "B")
    for n, (label, value) in enumerate(cv.general, start=1):
        pdf.set_font(FONT, "B", 13)
        pdf.write(6, f"{n}. {label}: ")
        pdf.set_font(FONT, "", 13)
        pdf.write(6, value)
        pdf.ln(7)
    pdf.ln(2)
    for heading, sec in _ordered(cv):
        if heading:
            line(heading, "B", after=1)
        if sec is None:
            continue
        for n, text in enumerate(sec.lines, start=1):
            line(f"{n}. {text}" if sec.numbered else text, after=0.5)
        pdf.ln(2)
    if pdf.get_y() + 45 > pdf.h - pdf.b_margin:
        pdf.add_page()
    right = pdf.l_margin + width / 2
    for text, style, size, gap in (
        (cv.place_date, "I", 13, 0),
        ("NGƯỜI KHAI", "B", 13, 0),
        ("(Ký và ghi rõ họ tên)", "I", 11, 18),
        (cv.name, "B", 13, 0),
    ):
        pdf.set_font(FONT, style, size)
        pdf.set_x(right)
        pdf.multi_cell(width / 2, 6, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(gap)
    return bytes(pdf.output())
