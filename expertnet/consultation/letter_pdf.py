"""The published opinion's letter drawn as PDF (A4, fpdf2, embedded Liberation Serif).

Same layout rules as the DOCX (Nghị định 30/2020/NĐ-CP); see ``letter`` for the content
and :mod:`expertnet.core.admindoc` for the layout shared with the union's other documents.
"""

from __future__ import annotations

from ..core.admindoc import PARAGRAPH_GAP_MM, PdfDocument
from .letter import Letter


def render_pdf(letter: Letter) -> bytes:
    """The letter as PDF/A4 drawn by fpdf2 with the embedded Liberation Serif font."""
    out = PdfDocument(
        title=letter.subject,
        subject=letter.number,
        keywords=letter.footnote,  # the hash note stays in the file, off the page
        created=letter.published_at,
    )
    pdf = out.pdf
    out.heading(number=letter.number, subject=letter.subject, place_date=letter.place_date)
    out.centered(f"Kính gửi: {letter.recipient}", size=14, h=7)
    pdf.ln(4)

    body = out.body

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
    closing_h = 6 * out.lines_of(letter.closing, out.width - 10) + PARAGRAPH_GAP_MM + 6
    needed = out.signature_height(letter.recipients, letter.signer_lines)
    if pdf.get_y() + closing_h + needed > pdf.h - pdf.b_margin:
        pdf.add_page()
    body(letter.closing)
    pdf.ln(4)
    out.signature(
        recipients=letter.recipients,
        signer_lines=letter.signer_lines,
        signer_name=letter.signer_name,
    )
    return out.output()
