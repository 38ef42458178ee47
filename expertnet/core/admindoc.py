"""The layout of the union's administrative documents (Nghị định 30/2020/NĐ-CP, Phụ lục I).

Shared by every document the union issues from expertnet: the published opinion's letter
(:mod:`expertnet.consultation.letter`), the procedure's own documents
(:mod:`expertnet.consultation.procedure_docs`: the reply to a request, the decision
establishing the council or expert group, the invitation letter), the contest's decision
on the awards and its certificates (:mod:`expertnet.contest.decision`); the scientific CV
(:mod:`expertnet.scholarly.cv`) takes its names and fonts. Each document supplies its
words; :class:`DocxDocument` (python-docx) and :class:`PdfDocument` (fpdf2) draw them with
the same rules: A4 with margins 20/20/30/15 mm (landscape 15/15/20/20 for a certificate);
the issuer's name and the Quốc hiệu side by side, with their rules; number and
place/date; the tên loại and trích yếu; "Kính gửi"; justified body with a first-line
indent and at least 6 pt between paragraphs; page numbers from page 2; "Nơi nhận" beside
the signature block, which never stands alone on a page; fonts and document properties.

The PDF is drawn with fpdf2 in Liberation Serif (metric-compatible with Times New Roman,
SIL Open Font License), shipped in ``expertnet/static/fonts`` so no system font is needed.
The text is Vietnamese by nature and is not translated.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from .localtime import LOCAL_TZ  # noqa: F401  (re-exported for the documents)

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
#: Rules under the issuer's name (1/3 to 1/2 of its line) and under the motto (its length).
ISSUER_RULE_MM = 25.0

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


def nfc(text: Any) -> str:
    return unicodedata.normalize("NFC", str(text or "")).strip()


def vietnamese_date(when: datetime) -> str:
    """ "ngày 05 tháng 3 năm 2026": days below 10 and the months 1 and 2 take a leading zero."""
    month = f"{when.month:02d}" if when.month < 3 else str(when.month)
    return f"ngày {when.day:02d} tháng {month} năm {when.year}"


def padded_number(number: str) -> str:
    """ "1/LHH-TVPB" → "01/LHH-TVPB": numbers below 10 take a leading zero (NĐ 30/2020)."""
    return re.sub(r"^(\d)(?=/)", r"0\1", number)


def ascii_stem(text: str) -> str:
    """An ASCII file-name stem: "Quyết định 5/QĐ" → "Quyet-dinh-5-QD"."""
    plain = unicodedata.normalize("NFKD", text.replace("Đ", "D").replace("đ", "d"))
    plain = plain.encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-")


#: Widths of the heading's columns and of the signature part's columns (165 mm in all).
HEADING_COLUMNS_MM = (68.0, 97.0)
SIGNATURE_COLUMNS_MM = (80.0, 85.0)
#: NĐ 30/2020: at least 6 pt between paragraphs (2.2 mm in the PDF).
PARAGRAPH_GAP_PT = 6
PARAGRAPH_GAP_MM = 2.2
FIRST_LINE_INDENT_MM = 10


# --- DOCX --------------------------------------------------------------------------------------


class DocxDocument:
    """A Word document (python-docx) in the administrative format: A4, Times New Roman 13 pt,
    Vietnamese, with the NĐ 30 margins.

    The two-column parts (heading; recipients and signature) are continuous sections with
    two columns rather than tables, so every line is a body paragraph in reading order.
    """

    def __init__(
        self,
        *,
        title: str,
        subject: str,
        created: datetime,
        comments: str = "",
        landscape: bool = False,
    ) -> None:
        from docx import Document
        from docx.enum.section import WD_ORIENT
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Mm, Pt

        self.doc = doc = Document()
        section = doc.sections[0]
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = Mm(297), Mm(210)
            section.top_margin = section.bottom_margin = Mm(15)
            section.left_margin = section.right_margin = Mm(20)
        else:
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
        props.title = title
        props.author = UNION_NAME
        props.subject = subject
        props.language = "vi-VN"
        props.created = props.modified = created.astimezone(UTC).replace(tzinfo=None)
        props.comments = comments
        self._first_used = False

    # -- building blocks --

    def para(
        self,
        text: str = "",
        *,
        bold: bool = False,
        italic: bool = False,
        size: float | None = None,
        align: str | None = None,
        after: float = 0,
        before: float = 0,
        first_line: float | None = None,
    ):
        """A paragraph; ``align`` is "center", "justify", "left", "right" or None."""
        from docx.shared import Mm, Pt

        if not self._first_used and self.doc.paragraphs:
            p = self.doc.paragraphs[0]
        else:
            p = self.doc.add_paragraph()
        self._first_used = True
        if text:
            run = p.add_run(text)
            run.bold, run.italic = bold, italic
            if size:
                run.font.size = Pt(size)
        if align is not None:
            p.alignment = _align(align)
        p.paragraph_format.space_after = Pt(after)
        p.paragraph_format.space_before = Pt(before)
        if first_line is not None:
            p.paragraph_format.first_line_indent = Mm(first_line)
        return p

    def body(self, text: str = "", *, bold: bool = False, italic: bool = False):
        """A body paragraph: justified, first line indented, 6 pt after."""
        return self.para(
            text,
            bold=bold,
            italic=italic,
            align="justify",
            after=PARAGRAPH_GAP_PT,
            first_line=FIRST_LINE_INDENT_MM,
        )

    def heading(self, text: str):
        """A section heading inside the body (``I. Ý KIẾN CHUNG``)."""
        return self.para(text, bold=True, after=PARAGRAPH_GAP_PT, before=4)

    @staticmethod
    def column_break(p) -> None:
        from docx.enum.text import WD_BREAK

        p.add_run().add_break(WD_BREAK.COLUMN)

    def rule(self, length_mm: float, column_mm: float, before: float = 2) -> None:
        """A solid rule of ``length_mm``, centred in its column: a bordered empty paragraph."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Mm, Pt

        p = self.para(before=before, after=2)
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

    def two_columns(self, left_mm: float, right_mm: float) -> None:
        """Close the current section as two columns; what follows is one column again."""
        from docx.enum.section import WD_SECTION
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        self.doc.add_section(WD_SECTION.CONTINUOUS)
        # The break paragraph now holds the closed section's properties; the body's own
        # ``w:sectPr`` belongs to the new, last section.
        closed = self.doc.sections[-2]
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

    def one_column(self) -> None:
        """End the current (one-column) section so that the next part can be two columns."""
        from docx.enum.section import WD_SECTION

        self.doc.add_section(WD_SECTION.CONTINUOUS)

    # -- the document's parts --

    def masthead(
        self,
        number: str,
        place_date: str,
        subject: str | None = None,
        *,
        columns: tuple[float, float] = HEADING_COLUMNS_MM,
    ) -> None:
        """The issuer, number (and a letter's "V/v" subject) beside the Quốc hiệu, Tiêu ngữ,
        place and date."""
        from docx.shared import Pt

        left, right = columns
        p = self.para(align="center")
        for n, line in enumerate(UNION_NAME_LINES):
            run = p.add_run(line)
            run.bold, run.font.size = True, Pt(12)
            if n < len(UNION_NAME_LINES) - 1:
                run.add_break()
        self.rule(ISSUER_RULE_MM, left)
        self.para(f"Số: {number}", align="center", before=4)
        if subject:
            self.para(subject, align="center", size=12, before=2)
        # The column break opens the national heading's paragraph, so the Quốc hiệu stands
        # on the first line of the right column, level with the issuer's name.
        p = self.para(align="center")
        self.column_break(p)
        run = p.add_run(NATION)
        run.bold, run.font.size = True, Pt(12)
        self.para(MOTTO, bold=True, align="center", size=13)
        self.rule(motto_width_mm(), right, before=0)
        self.para(place_date, italic=True, align="center", before=4)
        self.two_columns(left, right)

    def title(self, kind: str, summary: str) -> None:
        """Tên loại (``QUYẾT ĐỊNH``, ``GIẤY MỜI``) and its trích yếu, centred, with a rule."""
        self.para(kind, bold=True, align="center", size=14, before=18)
        if summary:
            self.para(summary, bold=True, align="center", size=14, after=0)
        self.rule(ISSUER_RULE_MM * 1.4, sum(HEADING_COLUMNS_MM), before=0)

    def addressee(self, recipient: str, *, before: float = 18) -> None:
        from docx.shared import Pt

        p = self.para(align="center", after=12, before=before)
        p.add_run(f"Kính gửi: {recipient}")  # upright, not bold (NĐ 30/2020 model)
        for run in p.runs:
            run.font.size = Pt(14)

    def closing(self, text: str):
        """The last body paragraph: it travels with the signature block to its page."""
        p = self.para(text, align="justify", before=6, after=10, first_line=FIRST_LINE_INDENT_MM)
        p.paragraph_format.keep_with_next = True
        return p

    def signature(
        self,
        recipients: Sequence[str],
        signer_lines: Sequence[str],
        signer_name: str,
        *,
        columns: tuple[float, float] = SIGNATURE_COLUMNS_MM,
    ) -> None:
        """ "Nơi nhận" on the left, the office, room to sign and the signer's name right."""
        from docx.shared import Pt

        self.one_column()  # the body above stays one column
        p = self.para()
        r = p.add_run("Nơi nhận:")
        r.bold, r.italic, r.font.size = True, True, Pt(12)
        for n, line in enumerate(recipients):
            p = self.para(f"- {line}", size=11)
            if n == len(recipients) - 1:
                self.column_break(p)
        for line in signer_lines:
            self.para(line, bold=True, align="center", size=13)
        self.para(align="center", after=48)  # room for the signature and the seal
        self.para(signer_name, bold=True, align="center", size=14)
        block = self.doc.paragraphs[-(len(recipients) + len(signer_lines) + 3) :]
        for p in block[:-1]:
            p.paragraph_format.keep_with_next = True  # the block moves to a new page whole
        self.two_columns(*columns)

    def _page_numbers(self) -> None:
        """Arabic page numbers centred in the top margin, from the second page on."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Pt

        first = self.doc.sections[0]
        first.different_first_page_header_footer = True
        p = first.header.paragraphs[0]
        p.alignment = _align("center")
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
        for later in self.doc.sections[1:]:
            later.different_first_page_header_footer = False

    def render(self, *, page_numbers: bool = True) -> bytes:
        """The .docx file; a one-page certificate goes without page numbers."""
        if page_numbers:
            self._page_numbers()
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


def _align(name: str):
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    return {
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
    }[name]


# --- PDF ---------------------------------------------------------------------------------------


class PdfDocument:
    """An A4 PDF drawn by fpdf2 in the embedded Liberation Serif, with the NĐ 30 margins."""

    GAP_MM = PARAGRAPH_GAP_MM

    def __init__(
        self,
        *,
        title: str,
        subject: str,
        created: datetime,
        keywords: str = "",
        landscape: bool = False,
        page_numbers: bool = True,
    ) -> None:
        from fpdf import FPDF

        class _Page(FPDF):
            def header(self) -> None:
                # NĐ 30/2020: Arabic page numbers, centred in the top margin, from page 2.
                if page_numbers and self.page_no() > 1:
                    self.set_font(FONT, "", 13)
                    self.set_y(10)
                    self.cell(0, 6, str(self.page_no()), align="C")
                    self.set_y(self.t_margin)

        self.pdf = pdf = _Page(orientation="L" if landscape else "P", unit="mm", format="A4")
        if landscape:
            pdf.set_margins(left=20, top=15, right=20)
            pdf.set_auto_page_break(auto=True, margin=15)
        else:
            pdf.set_margins(left=30, top=20, right=15)
            pdf.set_auto_page_break(auto=True, margin=20)
        for style, file in FONT_FILES.items():
            pdf.add_font(FONT, style, str(FONT_DIR / file))
        pdf.set_title(title)
        pdf.set_author(UNION_NAME)
        pdf.set_subject(subject)
        pdf.set_creator("expertnet")
        pdf.set_lang("vi-VN")
        pdf.set_creation_date(created)
        if keywords:
            pdf.set_keywords(keywords)  # notes such as a hash stay in the file, off the page
        pdf.add_page()

    @property
    def width(self) -> float:
        """The text width: 165 mm on a portrait page."""
        return self.pdf.w - self.pdf.l_margin - self.pdf.r_margin

    # -- building blocks --

    def block(
        self, x: float, w: float, text: str, style: str, size: float, h: float, align="C"
    ) -> None:
        from fpdf.enums import XPos, YPos

        pdf = self.pdf
        pdf.set_font(FONT, style, size)
        pdf.set_x(x)
        pdf.multi_cell(w, h, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def rule(self, x_center: float, length: float, gap: float = 1.0) -> None:
        pdf = self.pdf
        y = pdf.get_y() + gap
        pdf.set_line_width(0.3)
        pdf.line(x_center - length / 2, y, x_center + length / 2, y)
        pdf.set_y(y + gap + 1)

    def centered(
        self,
        text: str,
        style: str = "B",
        size: float = 13,
        h: float = 6.5,
        *,
        after: float = PARAGRAPH_GAP_MM,
    ) -> None:
        """A centred line across the page, ``after`` mm above the next."""
        self.block(self.pdf.l_margin, self.width, text, style, size, h)
        if after:
            self.pdf.ln(after)

    def body(
        self,
        text: str,
        style: str = "",
        size: float = 13,
        indent: bool = True,
        align="J",
        lead: str = "",
    ) -> None:
        """Justified with a 10 mm first-line indent, like the DOCX; 6 pt after. ``lead`` is
        printed in bold before ``text`` (``Điều 1.``)."""
        pdf = self.pdf
        first = FIRST_LINE_INDENT_MM if indent else 0
        with (
            pdf.text_columns(text_align=align, line_height=1.15) as cols,
            cols.paragraph(first_line_indent=first, bottom_margin=self.GAP_MM) as par,
        ):
            if lead:
                pdf.set_font(FONT, "B", size)
                par.write(lead)
            pdf.set_font(FONT, style, size)
            par.write(text)

    def heading(self, text: str) -> None:
        """A section heading inside the body (``I. Ý KIẾN CHUNG``)."""
        self.body(text, "B", indent=False)

    # -- the document's parts --

    def masthead(
        self,
        number: str,
        place_date: str,
        subject: str | None = None,
        *,
        left_w: float = HEADING_COLUMNS_MM[0],
    ) -> None:
        """The issuer, number (and a letter's "V/v" subject) beside the Quốc hiệu, Tiêu ngữ,
        place and date."""
        pdf = self.pdf
        right_w = self.width - left_w
        left_x, right_x = pdf.l_margin, pdf.l_margin + left_w
        top = pdf.get_y()
        # Left: the union, the number (and a letter's subject).
        self.block(left_x, left_w, "\n".join(UNION_NAME_LINES), "B", 12, 5.5)
        self.rule(left_x + left_w / 2, ISSUER_RULE_MM)
        self.block(left_x, left_w, f"Số: {number}", "", 13, 6.5)
        if subject:
            self.block(left_x, left_w, subject, "", 12, 5.5)
        left_bottom = pdf.get_y()
        # Right: the national heading, the motto, place and date.
        pdf.set_y(top)
        self.block(right_x, right_w, NATION, "B", 12, 5.5)
        self.block(right_x, right_w, MOTTO, "B", 13, 6)
        pdf.set_font(FONT, "B", 13)
        self.rule(right_x + right_w / 2, pdf.get_string_width(MOTTO))
        self.block(right_x, right_w, place_date, "I", 13, 6.5)
        pdf.set_y(max(left_bottom, pdf.get_y()) + 8)

    def title(self, kind: str, summary: str) -> None:
        """Tên loại and its trích yếu, centred, with a rule."""
        pdf = self.pdf
        self.block(pdf.l_margin, self.width, kind, "B", 14, 7)
        if summary:
            self.block(pdf.l_margin, self.width, summary, "B", 14, 7)
        self.rule(pdf.l_margin + self.width / 2, ISSUER_RULE_MM * 1.4)
        pdf.ln(3)

    def addressee(self, recipient: str) -> None:
        self.block(self.pdf.l_margin, self.width, f"Kính gửi: {recipient}", "", 14, 7)
        self.pdf.ln(4)

    def signature(
        self,
        recipients: Sequence[str],
        signer_lines: Sequence[str],
        signer_name: str,
        *,
        left_w: float = SIGNATURE_COLUMNS_MM[0] - 5,
    ) -> None:
        """ "Nơi nhận" on the left, the office, room to sign and the signer's name right."""
        pdf = self.pdf
        top = pdf.get_y()
        sign_x, sign_w = pdf.l_margin + left_w, self.width - left_w
        if recipients:
            self.block(pdf.l_margin, left_w, "Nơi nhận:", "BI", 12, 5.5, align="L")
            for line in recipients:
                self.block(pdf.l_margin, left_w, f"- {line}", "", 11, 5, align="L")
        bottom = pdf.get_y()
        pdf.set_y(top)
        for line in signer_lines:
            self.block(sign_x, sign_w, line, "B", 13, 6)
        pdf.set_y(pdf.get_y() + 20)
        self.block(sign_x, sign_w, signer_name, "B", 14, 7)
        pdf.set_y(max(bottom, pdf.get_y()))

    def closing_and_signature(
        self,
        closing: str,
        recipients: Sequence[str],
        signer_lines: Sequence[str],
        signer_name: str,
        lead: str = "",
    ) -> None:
        """The closing paragraph, the recipients and the signature, together on one page."""
        pdf = self.pdf
        pdf.set_font(FONT, "", 13)
        lines = pdf.multi_cell(
            self.width - 10, 6, lead + closing, dry_run=True, output="LINES", align="J"
        )
        closing_h = 6 * len(lines) + self.GAP_MM + 6
        needed = max(5.5 + 5 * len(recipients), 6 * len(signer_lines) + 20 + 7)
        if pdf.get_y() + closing_h + needed > pdf.h - pdf.b_margin:
            pdf.add_page()
        self.body(closing, lead=lead)
        pdf.ln(4)
        self.signature(recipients, signer_lines, signer_name)

    def render(self) -> bytes:
        return bytes(self.pdf.output())
