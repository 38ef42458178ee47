"""The published opinion's letter drawn as PDF (A4, fpdf2, embedded Liberation Serif).

Same layout rules as the DOCX (Nghị định 30/2020/NĐ-CP); see ``letter`` for the content.
"""

from __future__ import annotations

from .letter import (
    FONT,
    FONT_DIR,
    FONT_FILES,
    ISSUER_RULE_MM,
    MOTTO,
    NATION,
    UNION_NAME,
    UNION_NAME_LINES,
    Letter,
)


def render_pdf(letter: Letter) -> bytes:
    """The letter as PDF/A4 drawn by fpdf2 with the embedded Liberation Serif font."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    class _Letter(FPDF):
        def header(self) -> None:
            # NĐ 30/2020: Arabic page numbers, centred in the top margin, from page 2.
            if self.page_no() > 1:
                self.set_font(FONT, "", 13)
                self.set_y(10)
                self.cell(0, 6, str(self.page_no()), align="C")
                self.set_y(self.t_margin)

    pdf = _Letter(orientation="P", unit="mm", format="A4")
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
    pdf.set_keywords(letter.footnote)  # the hash note stays in the file, off the page
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
    rule(left_x + left_w / 2, ISSUER_RULE_MM)
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
        f"Kính gửi: {letter.recipient}",
        align="C",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(4)

    # Justified with a 10 mm first-line indent, like the DOCX; >= 6 pt (2.2 mm) between
    # paragraphs (NĐ 30/2020).
    gap = 2.2

    def body(text: str, style: str = "", size: float = 13, indent: bool = True) -> None:
        pdf.set_font(FONT, style, size)
        first = 10 if indent else 0
        with (
            pdf.text_columns(text_align="J", line_height=1.15) as cols,
            cols.paragraph(first_line_indent=first, bottom_margin=gap) as par,
        ):
            par.write(text)

    def heading(text: str) -> None:
        body(text, "B", indent=False)

    body(letter.opening)
    if letter.general:
        heading("I. Ý KIẾN CHUNG")
        for text in letter.general:
            body(text)
    heading("II. CÁC KIẾN NGHỊ")
    for rec in letter.recommendations:
        body(f"{rec.number}. {rec.text}")
        if rec.endorsers:
            body("Chuyên gia tán thành: " + "; ".join(rec.endorsers) + ".", "I")
        for d in rec.dissent:
            body(f"Ý kiến khác của {d.name}: “{d.text}”", "I")
    if letter.panel:
        heading("III. HỘI ĐỒNG CHUYÊN GIA")
        for role, name in letter.panel:
            body(f"- {name}, {role.lower()}.")

    # The closing paragraph, the recipients and the signature stay together on one page.
    pdf.set_font(FONT, "", 13)
    closing_lines = pdf.multi_cell(
        width - 10, 6, letter.closing, dry_run=True, output="LINES", align="J"
    )
    closing_h = 6 * len(closing_lines) + gap + 6
    needed = max(5.5 + 5 * len(letter.recipients), 6 * len(letter.signer_lines) + 20 + 7)
    if pdf.get_y() + closing_h + needed > pdf.h - pdf.b_margin:
        pdf.add_page()
    body(letter.closing)
    pdf.ln(4)
    top = pdf.get_y()
    sign_x, sign_w = pdf.l_margin + 75, width - 75
    pdf.set_y(top)
    block(pdf.l_margin, 75, "Nơi nhận:", "BI", 12, 5.5, align="L")
    for line in letter.recipients:
        block(pdf.l_margin, 75, f"- {line}", "", 11, 5, align="L")
    bottom = pdf.get_y()
    pdf.set_y(top)
    for line in letter.signer_lines:
        block(sign_x, sign_w, line, "B", 13, 6)
    pdf.set_y(pdf.get_y() + 20)
    block(sign_x, sign_w, letter.signer_name, "B", 14, 7)
    pdf.set_y(max(bottom, pdf.get_y()))
    return bytes(pdf.output())
