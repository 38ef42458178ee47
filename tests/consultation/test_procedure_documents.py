"""The procedure's own documents (reply, decision, invitation letter) in DOCX and PDF.

Read back with python-docx and pypdf: the NĐ 30/2020 layout elements (Quốc hiệu, Tiêu
ngữ, số/ký hiệu, địa danh and date, Nơi nhận, the signature block) and the data they
are built from; who may download them.
"""

from __future__ import annotations

import io
import re

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from pypdf import PdfReader

from expertnet.consultation.models import Signer
from expertnet.core.admindoc import ISSUER_RULE_MM, MOTTO, NATION, motto_width_mm


def _flat(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def _get(world, who, url: str, status: int = 200):
    res = world.call(who, "GET", url)
    assert res.status_code == status, (url, res.status_code, res.get_data(as_text=True)[:300])
    return res


def _pdf_text(world, who, url: str) -> str:
    res = _get(world, who, url)
    assert res.mimetype == "application/pdf"
    assert "no-store" in res.headers["Cache-Control"]
    reader = PdfReader(io.BytesIO(res.data))
    return _flat("\n".join(p.extract_text() for p in reader.pages))


def _docx(world, who, url: str):
    res = _get(world, who, url)
    assert res.mimetype.endswith("wordprocessingml.document")
    return Document(io.BytesIO(res.data))


def _layout(text: str, symbol: str) -> None:
    """Quốc hiệu, Tiêu ngữ, the number left for the register, place and date, Nơi nhận."""
    assert NATION in text and MOTTO in text
    assert re.search(r"Số: /" + re.escape(symbol), text), text[:400]
    assert re.search(r"Hải Phòng, ngày \d{2} tháng \d{1,2} năm \d{4}", text)
    assert "Nơi nhận:" in text and "- Lưu: VT, TVPB." in text
    assert "TM. BAN THƯỜNG VỤ CHỦ TỊCH" in text


def _docx_layout(doc, symbol: str) -> list[str]:
    for section in doc.sections:
        margins = (section.top_margin, section.bottom_margin)
        margins += (section.left_margin, section.right_margin)
        assert [round(m.mm) for m in margins] == [20, 20, 30, 15]
    assert doc.core_properties.language == "vi-VN"
    lang = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    assert lang.find(qn("w:rPr")).find(qn("w:lang")).get(qn("w:val")) == "vi-VN"
    paras = doc.paragraphs
    texts = [_flat(p.text) for p in paras]
    nation = next(p for p in paras if p.text.endswith(NATION))
    assert nation.runs[0]._r.find(qn("w:br")).get(qn("w:type")) == "column"
    assert any(t == f"Số: /{symbol}" for t in texts), texts[:10]
    ruled = [p for p in paras if p._p.find(qn("w:pPr")).find(qn("w:pBdr")) is not None]
    widths = {round(68 - p.paragraph_format.left_indent.mm * 2, 1) for p in ruled[:1]}
    assert widths == {round(ISSUER_RULE_MM, 1)}
    motto_rule = ruled[1]
    assert round(97 - motto_rule.paragraph_format.left_indent.mm * 2, 1) == round(
        motto_width_mm(), 1
    )
    assert any(re.fullmatch(r"Hải Phòng, ngày \d{2} tháng \d{1,2} năm \d{4}", t) for t in texts)
    at = texts.index("TM. BAN THƯỜNG VỤ")
    assert texts[at + 1] == "CHỦ TỊCH"
    assert "Nơi nhận:" in texts and "- Lưu: VT, TVPB." in texts
    first = doc.sections[0]
    assert first.different_first_page_header_footer and "PAGE" in first.header._element.xml
    return texts


def _justified_body(doc, starts: tuple[str, ...]) -> None:
    body = [p for p in doc.paragraphs if p.text.startswith(starts)]
    assert body
    for p in body:
        assert p.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
        assert round(p.paragraph_format.first_line_indent.mm) == 10
        assert p.paragraph_format.space_after >= Pt(6)


def test_the_reply_accepting_a_request_cites_its_letter(world, session):
    session.add(Signer(user_id=world.approver.user.id, name="Nguyễn Văn Bình", office="president"))
    session.flush()
    rid = world.file(agency_letter_number="125/SGTVT-KH", agency_letter_date="2026-03-05")["id"]
    url = f"/api/v1/requests/{rid}/reply-letter.pdf"
    _get(world, world.coordinator, url, 404)  # not examined yet: nothing to reply
    world.act(world.agency, rid, "submit")
    world.act(world.coordinator, rid, "accept")
    text = _pdf_text(world, world.coordinator, url)
    _layout(text, "LHH-TVPB")
    assert "V/v tiếp nhận đề nghị phản biện Đề án phát triển cảng biển" in text
    assert "Kính gửi: Sở Giao thông vận tải" in text
    assert "nhận được Công văn số 125/SGTVT-KH ngày 05/03/2026 của Sở Giao thông vận tải" in text
    assert "Liên hiệp Hội tiếp nhận đề nghị" in text
    assert "TM. BAN THƯỜNG VỤ CHỦ TỊCH Nguyễn Văn Bình" in text
    doc = _docx(world, world.coordinator, f"/requests/{rid}/reply-letter.docx")
    texts = _docx_layout(doc, "LHH-TVPB")
    assert "Nguyễn Văn Bình" in texts[texts.index("CHỦ TỊCH") :]
    _justified_body(doc, ("Liên hiệp các Hội", "Sau khi xem xét"))
    closing = next(p for p in doc.paragraphs if p.text.startswith("Liên hiệp Hội trân trọng"))
    assert closing.paragraph_format.keep_with_next


@pytest.mark.parametrize(
    ("action", "subject", "said"),
    [
        ("decline", "V/v không tiếp nhận đề nghị phản biện", "không tiếp nhận đề nghị, vì lý do"),
        ("return", "V/v đề nghị bổ sung hồ sơ phản biện", "đề nghị Sở Giao thông vận tải bổ"),
    ],
)
def test_the_reply_declining_or_returning_gives_the_reason(world, action, subject, said):
    rid = world.file()["id"]
    world.act(world.agency, rid, "submit")
    world.act(world.coordinator, rid, action, comment="Hồ sơ thiếu tờ trình và dự thảo")
    text = _pdf_text(world, world.coordinator, f"/api/v1/requests/{rid}/reply-letter.pdf")
    _layout(text, "LHH-TVPB")
    assert subject in text and said in text
    assert "Hồ sơ thiếu tờ trình và dự thảo." in text
    assert "Liên hiệp Hội tiếp nhận" not in text


def _seated(world, rid: int) -> None:
    for expert, role in zip(world.experts[:3], ("chair", "secretary", "reviewer"), strict=True):
        world.accept(expert, world.invite(rid, expert, role)["id"])


@pytest.mark.parametrize(
    ("form", "team", "chair", "duty"),
    [
        ("council", "Hội đồng", "Chủ tịch Hội đồng", "họp Hội đồng thảo luận"),
        ("workshop", "Tổ chuyên gia", "Tổ trưởng", "tham luận tại hội thảo"),
        ("written", "Tổ chuyên gia", "Tổ trưởng", "gửi ý kiến phản biện bằng văn bản"),
    ],
)
def test_the_decision_names_the_members_roles_and_form(world, session, form, team, chair, duty):
    rid = world.to_panel_forming(agency_letter_number="88/SXD-QH")
    url = f"/api/v1/requests/{rid}/panel-decision.pdf"
    _get(world, world.coordinator, url, 404)  # nobody seated yet
    world.ok(world.coordinator, "PATCH", f"/api/v1/requests/{rid}", {"consultation_form": form})
    _seated(world, rid)
    world.act(world.coordinator, rid, "start_review", opinion_due_working_days=5)
    text = _pdf_text(world, world.approver, url)
    _layout(text, "QĐ-LHH")
    assert "QUYẾT ĐỊNH Về việc thành lập " + team + " phản biện Đề án" in text
    assert "BAN THƯỜNG VỤ LIÊN HIỆP CÁC HỘI KHOA HỌC VÀ KỸ THUẬT THÀNH PHỐ HẢI PHÒNG" in text
    assert "Căn cứ Quyết định số 14/2014/QĐ-TTg" in text
    assert "Căn cứ Công văn số 88/SXD-QH của Sở Giao thông vận tải" in text
    assert "Điều 1. Thành lập " + team in text and "Điều 3." in text
    assert duty in text and re.search(r"trước 17 giờ 00 ngày \d{2}/\d{2}/\d{4}", text)
    chair_name = world.experts[0].user.person.display_name
    assert f"1. {chair_name}" in text and f"– {chair}" in text
    assert "Sở Giao thông vận tải (để biết);" in text
    doc = _docx(world, world.coordinator, f"/requests/{rid}/panel-decision.docx")
    texts = _docx_layout(doc, "QĐ-LHH")
    assert "QUYẾT ĐỊNH" in texts and "QUYẾT ĐỊNH:" in texts
    _justified_body(doc, ("Căn cứ", "Điều 1.", "Điều 2."))
    article3 = next(p for p in doc.paragraphs if p.text.startswith("Điều 3."))
    assert article3.paragraph_format.keep_with_next


def test_the_invitation_letter_for_the_expert_and_staff_only(world, session):
    rid = world.to_panel_forming()
    world.ok(
        world.coordinator, "PATCH", f"/api/v1/requests/{rid}", {"consultation_form": "written"}
    )
    expert = world.experts[0]
    inv = world.invite(rid, expert, "chair")
    url = f"/api/v1/invitations/{inv['id']}/letter.pdf"
    text = _pdf_text(world, expert, url)
    _layout(text, "GM-LHH")
    assert "GIẤY MỜI" in text
    assert "trân trọng kính mời" in text
    assert "Tham gia Tổ chuyên gia phản biện" in text and "với vai trò tổ trưởng" in text
    assert "Hình thức làm việc: lấy ý kiến chuyên gia bằng văn bản." in text
    assert re.search(r"trả lời lời mời trên hệ thống expertnet trước \d{2} giờ \d{2} ngày", text)
    doc = _docx(world, world.coordinator, f"/invitations/{inv['id']}/letter.docx")
    _docx_layout(doc, "GM-LHH")
    # Another expert, the agency and the public do not get it.
    _get(world, world.experts[1], url, 404)
    _get(world, world.agency, url, 404)
    assert world.call(None, "GET", url).status_code in (401, 404)
    # The reply and the decision are staff papers.
    _get(world, expert, f"/api/v1/requests/{rid}/panel-decision.pdf", 404)
    _get(world, world.agency, f"/api/v1/requests/{rid}/reply-letter.pdf", 404)
    _get(world, world.coordinator, f"/api/v1/requests/{rid}/reply-letter.txt", 404)
