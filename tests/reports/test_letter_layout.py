"""The letter follows Nghị định 30/2020/NĐ-CP: read back with python-docx and pypdf."""

from __future__ import annotations

import io
import re

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from pypdf import PdfReader
from sqlalchemy import select

from expertnet.consultation.letter import padded_number
from expertnet.consultation.models import PublishedOpinion, Signer
from expertnet.core.admindoc import ISSUER_RULE_MM, motto_width_mm

DOCX_NS = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}


def _flat(text: str) -> str:
    return " ".join(text.split())


def _pdf(world, opinion_id: int) -> PdfReader:
    res = world.call(None, "GET", f"/opinions/{opinion_id}.pdf")
    assert res.status_code == 200
    return PdfReader(io.BytesIO(res.data))


def _docx(world, opinion_id: int):
    res = world.call(None, "GET", f"/opinions/{opinion_id}.docx")
    assert res.status_code == 200
    return Document(io.BytesIO(res.data))


def _pdf_text(reader: PdfReader) -> str:
    return _flat("\n".join(p.extract_text() for p in reader.pages))


def _publish(world, session, *, office=None, long=False, **approve) -> int:
    """A request filed with its agency letter, consolidated with extra recipients, approved."""
    if office:
        session.add(Signer(user_id=world.approver.user.id, name="Nguyễn Văn Bình", office=office))
        session.flush()
    rid = world.to_consolidation(
        agency_letter_number="125/SGTVT-KH", agency_letter_date="2026-03-05"
    )
    world.consolidate(rid)
    body = world.ok(world.coordinator, "GET", f"/api/v1/requests/{rid}/consolidation")
    more = [{"text": f"Kiến nghị bổ sung số {n}: " + "làm rõ nội dung " * 30} for n in range(12)]
    world.ok(
        world.coordinator,
        "PUT",
        f"/api/v1/requests/{rid}/consolidation",
        {
            "text": body["text"],
            "recommendations": body["recommendations"] + (more if long else []),
            "recipients": ["Sở Tài chính (để biết)"],
            "version": body["version"],
        },
    )
    world.act(world.coordinator, rid, "submit_consolidation")
    req = world.act(world.approver, rid, "approve", **approve)
    return req["published_opinion"]


def test_number_has_a_leading_zero_and_the_letter_cites_the_request(world, session):
    opinion_id = _publish(world, session)
    opinion = session.get(PublishedOpinion, opinion_id)
    assert opinion.number == "01/LHH-TVPB"
    text = _pdf_text(_pdf(world, opinion_id))
    assert "Số: 01/LHH-TVPB" in text
    assert (
        "Thực hiện đề nghị của Sở Giao thông vận tải tại Công văn số 125/SGTVT-KH "
        "ngày 05/03/2026" in text
    )
    # Nơi nhận: the bodies the union reports to (configured) and those the coordinator added.
    assert "Ủy ban nhân dân thành phố Hải Phòng (để b/c);" in text
    assert "Liên hiệp các Hội Khoa học và Kỹ thuật Việt Nam (để b/c);" in text
    assert "Sở Tài chính (để biết);" in text
    # The hash note is in the file, not on the page.
    assert opinion.content_hash not in text
    assert opinion.content_hash in str(_pdf(world, opinion_id).metadata.get("/Keywords"))


@pytest.mark.parametrize("value", [9, "9"])
def test_the_number_can_come_from_the_register_at_approval(world, session, value):
    opinion_id = _publish(world, session, letter_number=value)
    assert session.get(PublishedOpinion, opinion_id).number == "09/LHH-TVPB"
    assert "Số: 09/LHH-TVPB" in _pdf_text(_pdf(world, opinion_id))


def test_a_register_number_already_used_this_year_is_refused_and_nothing_changes(world, session):
    _publish(world, session, letter_number=7)
    rid = world.to_approval()
    res = world.call(
        world.approver, "POST", f"/api/v1/requests/{rid}/actions/approve", {"letter_number": 7}
    )
    assert res.status_code == 422 and "letter_number" in res.json["error"]["fields"]
    assert world.ok(world.approver, "GET", f"/api/v1/requests/{rid}")["state"] == "approval"
    assert (
        session.scalar(select(PublishedOpinion).where(PublishedOpinion.request_id == rid)) is None
    )
    bad = world.call(
        world.approver, "POST", f"/api/v1/requests/{rid}/actions/approve", {"letter_number": "x"}
    )
    assert bad.status_code == 422 and "letter_number" in bad.json["error"]["fields"]


def test_padded_number_keeps_numbers_from_ten():
    assert padded_number("1/LHH-TVPB") == "01/LHH-TVPB"
    assert padded_number("12/LHH-TVPB") == "12/LHH-TVPB"


@pytest.mark.parametrize(
    ("office", "lines"),
    [
        (None, ["TM. BAN THƯỜNG VỤ", "CHỦ TỊCH"]),
        ("president", ["TM. BAN THƯỜNG VỤ", "CHỦ TỊCH"]),
        ("vice_president", ["TM. BAN THƯỜNG VỤ", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]),
    ],
)
def test_the_signer_is_the_approvers_real_name_and_office(world, session, office, lines):
    opinion_id = _publish(world, session, office=office)
    name = "Nguyễn Văn Bình" if office else world.approver.user.name
    text = _pdf_text(_pdf(world, opinion_id))
    assert " ".join([*lines, name]) in text
    doc = _docx(world, opinion_id)
    paras = [p.text for p in doc.paragraphs]
    at = paras.index(lines[0])
    assert paras[at : at + len(lines)] == lines and name in paras[at + len(lines) :]
    if office != "vice_president":
        assert "KT. CHỦ TỊCH" not in text


def test_docx_layout(world, session):
    doc = _docx(world, _publish(world, session, long=True))
    for section in doc.sections:
        margins = (
            section.top_margin,
            section.bottom_margin,
            section.left_margin,
            section.right_margin,
        )
        assert [round(m.mm) for m in margins] == [20, 20, 30, 15]
    assert doc.styles["Normal"].font.name == "Times New Roman"
    assert doc.styles["Normal"].font.size == Pt(13)
    # Language of every run: Vietnamese.
    lang = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    assert lang.find(qn("w:rPr")).find(qn("w:lang")).get(qn("w:val")) == "vi-VN"
    assert doc.core_properties.language == "vi-VN"
    paras = doc.paragraphs
    # Body: justified, first line indented, >= 6 pt after each paragraph.
    body = [p for p in paras if p.text.startswith(("Thực hiện", "1. ", "Chuyên gia tán thành"))]
    assert body
    for p in body:
        assert p.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
        assert round(p.paragraph_format.first_line_indent.mm) == 10
        assert p.paragraph_format.space_after >= Pt(6)
    # Quốc hiệu opens the right column: its paragraph starts with the column break.
    nation = next(p for p in paras if p.text.endswith("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"))
    first_run = nation.runs[0]._r
    assert first_run.find(qn("w:br")).get(qn("w:type")) == "column"
    # Rules: bordered paragraphs as long as the Tiêu ngữ and 25 mm under the issuer.
    ruled = [p for p in paras if p._p.find(qn("w:pPr")).find(qn("w:pBdr")) is not None]
    widths = sorted(
        round(col - (p.paragraph_format.left_indent.mm * 2), 1)
        for p, col in zip(ruled, (68, 97), strict=True)
    )
    assert widths == sorted([round(ISSUER_RULE_MM, 1), round(motto_width_mm(), 1)])
    assert 50 < motto_width_mm() < 62
    # The closing paragraph travels with the signature block.
    closing = next(p for p in paras if p.text.startswith("Trên đây là ý kiến"))
    assert closing.paragraph_format.keep_with_next
    # Page numbers: a PAGE field in the header, not on the first page.
    first = doc.sections[0]
    assert first.different_first_page_header_footer
    assert "PAGE" in first.header._element.xml
    assert "PAGE" not in first.first_page_header._element.xml
    assert all(not s.different_first_page_header_footer for s in doc.sections[1:])
    # No hash note printed.
    assert not any("SHA-256" in p.text for p in paras)
    assert "SHA-256" in doc.core_properties.comments


def test_pdf_page_numbers_start_on_page_two_and_the_last_page_has_body_text(world, session):
    reader = _pdf(world, _publish(world, session, long=True))
    pages = [p.extract_text() for p in reader.pages]
    assert len(pages) >= 2
    assert not re.match(r"\s*1\s", pages[0])
    for n, text in enumerate(pages[1:], start=2):
        assert text.split()[0] == str(n), text[:40]
    last = _flat(pages[-1])
    assert "Trên đây là ý kiến" in last and "Nơi nhận:" in last


def test_the_panel_is_listed_by_seat_then_vietnamese_alphabetical_order():
    from types import SimpleNamespace

    from expertnet.consultation.letter import letter_from
    from expertnet.consultation.operations import content_hash

    content = {
        "number": "3/LHH-TVPB",
        "request": {"kind": "critique", "title": "Đề án", "agency": "Sở Xây dựng"},
        "dates": {"published_at": "2026-03-05T02:00:00+00:00"},
        "panel": [
            {"name": "TS. Nguyễn Văn Bình", "role": "member"},
            {"name": "ThS. Đỗ Văn Bình", "role": "member"},
            {"name": "KS. Lê Thị Ánh", "role": "member"},
            {"name": "PGS.TS. Trần Văn Anh", "role": "chair"},
            {"name": "Ngô Văn Bình", "role": "member"},
        ],
    }
    opinion = SimpleNamespace(content=content, content_hash=content_hash(content), number="x")
    letter = letter_from(opinion)
    assert letter.number == "03/LHH-TVPB"
    assert [n for _role, n in letter.panel] == [
        "PGS.TS. Trần Văn Anh",
        "KS. Lê Thị Ánh",
        "ThS. Đỗ Văn Bình",
        "Ngô Văn Bình",
        "TS. Nguyễn Văn Bình",
    ]
