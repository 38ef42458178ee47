"""The published opinion's letter drawn as PDF (A4, fpdf2, embedded Liberation Serif).

Same layout rules as the DOCX (Nghị định 30/2020/NĐ-CP, drawn by
:mod:`expertnet.core.admindoc`); see ``letter`` for the content.
"""

from __future__ import annotations

from ..core.admindoc import PdfDocument
from .letter import Letter


def render_pdf(letter: Letter) -> bytes:
    """The letter as PDF/A4 drawn by fpdf2 with the embedded Liberation Serif font."""
    page = PdfDocument(
        title=letter.subject,
        subject=letter.number,
        created=letter.published_at,
        keywords=letter.footnote,  # the hash note stays in the file, off the page
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
        page.body(f"{rec.number}. {rec.text}")
        if rec.endorsers:
            page.body("Chuyên gia tán thành: " + "; ".join(rec.endorsers) + ".", "I")
        for d in rec.dissent:
            page.body(f"Ý kiến khác của {d.name}: “{d.text}”", "I")
    if letter.panel:
        page.heading("III. HỘI ĐỒNG CHUYÊN GIA")
        for role, name in letter.panel:
            page.body(f"- {name}, {role.lower()}.")
    # The closing paragraph, the recipients and the signature stay together on one page.
    page.closing_and_signature(
        letter.closing, letter.recipients, letter.signer_lines, letter.signer_name
    )
    return page.render()
