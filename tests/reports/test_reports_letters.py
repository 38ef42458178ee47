"""The published opinion as an administrative letter: DOCX and PDF read back and checked."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from docx import Document
from pypdf import PdfReader
from sqlalchemy import update

from expertnet.consultation.letter import plain_paragraphs, vietnamese_date
from expertnet.consultation.models import PublishedOpinion, Request
from expertnet.directory.models import Organization, Person

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _flat(text: str) -> str:
    """Whitespace folded: line breaks of the layout are not part of the words."""
    return " ".join(text.split())


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _download(world, who, url: str):
    return world.call(who, "GET", url)


@pytest.fixture
def published(world):
    """A critique published through the whole workflow, with a dissent."""
    _rid, opinion_id = world.to_published()
    return opinion_id


def _expect_letter(text: str, world, session, opinion_id: int) -> None:
    flat = _flat(text)
    opinion = session.get(PublishedOpinion, opinion_id)
    e = world.experts
    names = {m.person_id: session.get(Person, m.person_id).display_name for m in e[:3]}
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in flat
    assert "Độc lập - Tự do - Hạnh phúc" in flat
    assert "LIÊN HIỆP CÁC HỘI KHOA HỌC VÀ KỸ THUẬT THÀNH PHỐ HẢI PHÒNG" in flat
    assert f"Số: {opinion.number}" in flat
    assert opinion.number.endswith("/LHH-TVPB")
    assert f"Hải Phòng, {vietnamese_date(opinion.published_at.astimezone(_vn()))}" in flat
    assert "Kính gửi: Sở Giao thông vận tải" in flat
    assert "V/v phản biện Đề án phát triển cảng biển Lạch Huyện giai đoạn 2026-2030" in flat
    assert "1. Bổ sung đánh giá tác động môi trường." in flat
    assert "2. Làm rõ nguồn vốn." in flat
    assert f"Chuyên gia tán thành: {names[e[0].person_id]}; {names[e[1].person_id]}." in flat
    assert f"Ý kiến khác của {names[e[2].person_id]}: “Chưa cần thiết.”" in flat
    assert "TM. BAN THƯỜNG VỤ" in flat and "CHỦ TỊCH" in flat
    assert world.approver.user.name in flat
    assert "Nơi nhận:" in flat and "Lưu: VT, TVPB." in flat
    # The hash note is kept in the file's properties, off the printed page.
    assert opinion.content_hash not in flat


def _vn():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Ho_Chi_Minh")


def test_the_docx_is_an_administrative_letter(world, session, published):
    res = _download(world, None, f"/opinions/{published}.docx")
    assert res.status_code == 200
    assert res.mimetype == DOCX
    assert "attachment" in res.headers["Content-Disposition"]
    assert res.headers["Content-Disposition"].endswith(".docx")
    _expect_letter(docx_text(res.data), world, session, published)
    doc = Document(io.BytesIO(res.data))
    # The national heading is a body paragraph, not hidden in a table.
    assert "Độc lập - Tự do - Hạnh phúc" in [p.text for p in doc.paragraphs]
    assert doc.styles["Normal"].font.name == "Times New Roman"
    assert (
        doc.core_properties.author == "LIÊN HIỆP CÁC HỘI KHOA HỌC VÀ KỸ THUẬT THÀNH PHỐ HẢI PHÒNG"
    )


def test_the_pdf_is_the_same_letter_with_its_font_embedded(world, session, published):
    res = _download(world, None, f"/opinions/{published}.pdf")
    assert res.status_code == 200
    assert res.mimetype == "application/pdf"
    assert res.data.startswith(b"%PDF-")
    _expect_letter(pdf_text(res.data), world, session, published)
    reader = PdfReader(io.BytesIO(res.data))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    descriptors = [f.get_object()["/DescendantFonts"][0].get_object() for f in fonts.values()]
    assert all("/FontFile2" in d["/FontDescriptor"] for d in descriptors)
    assert any("LiberationSerif" in str(d["/BaseFont"]) for d in descriptors)


@pytest.mark.parametrize("ext", ["docx", "pdf"])
def test_the_api_serves_the_same_documents(world, published, ext):
    web = _download(world, None, f"/opinions/{published}.{ext}")
    api = _download(world, None, f"/api/v1/opinions/{published}.{ext}")
    assert api.status_code == 200 and api.mimetype == web.mimetype
    assert api.headers["Content-Disposition"] == web.headers["Content-Disposition"]


def test_the_letter_is_made_from_the_frozen_version_not_live_data(world, session, published):
    opinion = session.get(PublishedOpinion, published)
    rid = opinion.request_id
    first = world.experts[0]
    old_name = session.get(Person, first.person_id).display_name
    # Everything live changes after publication: the request, the agency, an expert.
    session.execute(
        update(Request).where(Request.id == rid).values(title="Tên đã sửa sau khi công bố")
    )
    agency_id = session.get(Request, rid).agency_id
    session.execute(
        update(Organization).where(Organization.id == agency_id).values(name="Sở Đổi Tên")
    )
    session.execute(
        update(Person).where(Person.id == first.person_id).values(full_name="Người Khác Hẳn")
    )
    session.expire_all()
    for ext, read in (("docx", docx_text), ("pdf", pdf_text)):
        text = _flat(read(_download(world, None, f"/opinions/{published}.{ext}").data))
        assert "Lạch Huyện" in text and "Sở Giao thông vận tải" in text and old_name in text
        assert "đã sửa" not in text and "Sở Đổi Tên" not in text and "Người Khác Hẳn" not in text


def test_a_letter_whose_content_no_longer_matches_its_hash_is_refused(world, session, published):
    opinion = session.get(PublishedOpinion, published)
    altered = dict(opinion.content, text="Nội dung bị sửa lén.")
    # Core UPDATE: the ORM guard that freezes the row is bypassed on purpose.
    session.execute(
        update(PublishedOpinion).where(PublishedOpinion.id == published).values(content=altered)
    )
    session.expire_all()
    assert _download(world, None, f"/opinions/{published}.pdf").status_code == 409
    api = _download(world, None, f"/api/v1/opinions/{published}.docx")
    assert api.status_code == 409 and api.json["error"]["code"] == "conflict"


ROLES = [
    ("public", False),
    ("agency", True),
    ("other_agency", False),
    ("coordinator", True),
    ("approver", True),
    ("admin", True),
    ("liaison", False),
    ("expert", False),  # even a member of the panel: the union decides who reads it
]


@pytest.mark.parametrize(("role", "allowed"), ROLES)
def test_a_confidential_letter_is_for_its_agency_and_staff_only(world, role, allowed):
    _rid, opinion_id = world.to_published(confidential=True)
    who = {"public": None, "expert": world.experts[0]}.get(role, getattr(world, role, None))
    for url in (f"/opinions/{opinion_id}.docx", f"/api/v1/opinions/{opinion_id}.pdf"):
        res = _download(world, who, url)
        assert res.status_code == (200 if allowed else 404), (role, url, res.status_code)
        if allowed:
            assert "no-store" in res.headers["Cache-Control"]


def test_an_unknown_opinion_is_404(world):
    assert _download(world, None, "/opinions/987654.pdf").status_code == 404
    assert _download(world, None, "/api/v1/opinions/987654.docx").status_code == 404


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (datetime(2026, 2, 5), "ngày 05 tháng 02 năm 2026"),
        (datetime(2026, 3, 9), "ngày 09 tháng 3 năm 2026"),
        (datetime(2026, 11, 28), "ngày 28 tháng 11 năm 2026"),
    ],
)
def test_dates_are_written_the_administrative_way(when, expected):
    assert vietnamese_date(when) == expected


def test_the_consolidated_text_loses_its_markdown():
    text = (
        "## Nhận xét\n\n**Đề án** cần *bổ sung*:\n\n- đánh giá [tác động](http://x.vn)\n- nguồn vốn"
    )
    assert plain_paragraphs(text) == [
        "Nhận xét",
        "Đề án cần bổ sung:",
        "- đánh giá tác động",
        "- nguồn vốn",
    ]


def test_a_letter_lists_every_expert_of_the_panel(world, session, published):
    text = _flat(docx_text(_download(world, None, f"/opinions/{published}.docx").data))
    names = [session.get(Person, m.person_id).display_name for m in world.experts[:3]]
    assert "III. HỘI ĐỒNG CHUYÊN GIA" in text
    assert f"- {names[0]}, chủ tịch hội đồng." in text
    assert f"- {names[1]}, thư ký hội đồng." in text
    assert f"- {names[2]}, ủy viên phản biện." in text
