"""A request's documents (PDF, DOCX, ODT) are read for affinity, bounded and cached."""

from __future__ import annotations

import io
import zipfile

from docx import Document as DocxDocument

from expertnet.consultation import documents as files
from expertnet.consultation.models import Document
from expertnet.panel.service import profile_for_request
from expertnet.panel.suggest import suggest
from expertnet.scholarly.doctext import DOCX, MAX_UNPACKED_BYTES, ODT, PDF, extract_text

DECREE = "Dự thảo quy định về phục hồi rừng ngập mặn và chống xói lở bờ biển"


def _docx(text: str) -> bytes:
    doc = DocxDocument()
    doc.add_paragraph(text)
    table = doc.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Điều 1"
    table.rows[0].cells[1].text = "Phạm vi điều chỉnh"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _odt(text: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        zf.writestr(
            "content.xml",
            '<?xml version="1.0"?><office:document-content><office:body><office:text>'
            f"<text:h>Tiêu đề</text:h><text:p>{text} &amp; cảng biển</text:p>"
            "</office:text></office:body></office:document-content>",
        )
    return out.getvalue()


def _pdf(text: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


def test_text_comes_out_of_each_kind_of_document():
    assert DECREE in extract_text(_docx(DECREE), DOCX)
    assert "Phạm vi điều chỉnh" in extract_text(_docx(DECREE), DOCX)
    odt = extract_text(_odt(DECREE), ODT)
    assert DECREE in odt and "& cảng biển" in odt and "<text" not in odt
    assert "mangrove restoration" in extract_text(_pdf("Draft on mangrove restoration"), PDF)
    assert extract_text(b"xlsx bytes", "application/vnd.ms-excel") == ""


def test_a_zip_bomb_is_not_unpacked():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("content.xml", b"<text:p>" + b"a" * (MAX_UNPACKED_BYTES + 1) + b"</text:p>")
    import pytest

    from expertnet.scholarly.doctext import ExtractionRefused

    with pytest.raises(ExtractionRefused):
        extract_text(out.getvalue(), ODT)


def _attach(app, session, req, user, data: bytes, name: str) -> Document:
    from expertnet.core.storage import current_store

    sha, size, kind, safe = files.store(io.BytesIO(data), name, current_store())
    doc = Document(
        request=req,
        filename=safe,
        sha256=sha,
        size=size,
        media_type=kind.value,
        uploaded_by_id=user.id,
    )
    session.add(doc)
    session.flush()
    return doc


def test_document_content_decides_who_fits_a_vaguely_titled_request(
    app, session, coordinator, make_expert, make_request
):
    mangrove = make_expert(topic="phục hồi rừng ngập mặn", fields=("AGR-AQU",))
    shrimp = make_expert(topic="nuôi tôm thẻ chân trắng", fields=("AGR-AQU",))
    req = make_request(title="Lấy ý kiến dự thảo văn bản", summary="")
    _attach(app, session, req, coordinator[0], _docx(DECREE), "du-thao.docx")
    session.refresh(req)
    profile = profile_for_request(req)
    assert DECREE in profile.document_text
    s = suggest(profile, 2)
    by_id = {c.person_id: c for c in s.panel}
    assert by_id[mangrove.id].affinity > by_id[shrimp.id].affinity
    # The text is cached by content hash: a second read does not need the file.
    from expertnet.core.storage import current_store

    current_store().delete(files.key_for(req.documents[0].sha256))
    assert DECREE in profile_for_request(req).document_text


def test_an_unreadable_document_leaves_the_request_matchable(
    app, session, coordinator, make_expert, make_request
):
    make_expert()
    req = make_request()
    # A PDF header and nothing readable after it.
    _attach(app, session, req, coordinator[0], b"%PDF-1.7\n%garbage\n", "x.pdf")
    session.refresh(req)
    profile = profile_for_request(req)
    assert profile.document_text == ""
    assert suggest(profile, 1).panel
