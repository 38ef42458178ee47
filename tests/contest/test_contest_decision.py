"""The decision on the awards and the certificates: DOCX and PDF read back, and who gets them."""

from __future__ import annotations

import io

import pytest
from docx import Document
from helpers import bearer
from pypdf import PdfReader

from expertnet.contest import operations as ops
from expertnet.contest import results


def _flat(text: str) -> str:
    return " ".join(text.split())


def _docx_text(data: bytes) -> str:
    return _flat("\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs))


def _pdf_text(data: bytes) -> str:
    return _flat("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


@pytest.fixture
def approved(session, contest, judged):
    """The judged edition's results proposed, entry 4 raised to a consolation prize, approved."""
    edition, _judges = judged
    ops.perform_edition_action(edition, "propose_results", contest.secretariat)
    first, second = contest.board
    entry4 = next(e for e in edition.entries if e.number == 4)
    entry4.authors[0].full_name = "Nguyễn Thị Hương"
    entry4.title = "Hệ thống giám sát độ mặn nước tưới tại Tiên Lãng"
    results.edit_award(
        edition, first, entry4.id, edition.award_levels[-1].id, "Ý nghĩa xã hội lớn."
    )
    ops.perform_edition_action(edition, "approve_results", second)
    session.flush()
    return edition


def test_nothing_before_approval_and_only_staff_and_board_before_publication(
    client, session, contest, judged, make_user
):
    edition, _judges = judged
    url = f"/api/v1/contests/{edition.id}/decision.pdf"
    _sec, sec_t = make_user("coordinator")
    assert client.get(url, headers=bearer(sec_t)).status_code == 404  # still judging
    ops.perform_edition_action(edition, "propose_results", contest.secretariat)
    ops.perform_edition_action(edition, "approve_results", contest.board[1])
    session.flush()
    _out, out_t = make_user("expert")
    assert client.get(url).status_code == 404
    assert client.get(url, headers=bearer(out_t)).status_code == 404
    assert client.get(url, headers=bearer(sec_t)).status_code == 200
    assert client.get(f"/contests/{edition.id}/decision.pdf").status_code == 404
    ops.perform_edition_action(edition, "publish", contest.secretariat)
    session.flush()
    res = client.get(url)
    assert res.status_code == 200 and res.mimetype == "application/pdf"
    page = client.get(f"/contests/{edition.id}/decision.docx")
    assert page.status_code == 200
    assert page.headers["Content-Disposition"].endswith(".docx")


def test_the_decision_lists_the_awards_in_docx_and_pdf(client, session, contest, approved):
    edition = approved
    ops.perform_edition_action(edition, "publish", contest.secretariat)
    session.flush()
    for fmt, read in (("docx", _docx_text), ("pdf", _pdf_text)):
        res = client.get(f"/api/v1/contests/{edition.id}/decision.{fmt}")
        assert res.status_code == 200, fmt
        text = read(res.data)
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
        assert "Độc lập - Tự do - Hạnh phúc" in text
        assert "QUYẾT ĐỊNH" in text
        assert (
            "Về việc công nhận kết quả và tặng giải Hội thi Sáng tạo Kỹ thuật thành phố "
            "Hải Phòng lần thứ 5" in text
        )
        assert "/QĐ-LHH" in text and "Hải Phòng, ngày" in text
        assert "Điều 1." in text and "Điều 2." in text and "Điều 3." in text
        # 88 -> Nhất, 84 -> Nhì, 78 -> Khuyến khích, and entry 4 raised by the board.
        assert "cho 4 giải pháp (1 Giải Nhất, 1 Giải Nhì, 2 Giải Khuyến khích)" in text
        first, second = text.index("Giải pháp “Giải pháp 1”"), text.index("“Giải pháp 3”")
        assert first < second < text.index("“Giải pháp 2”")
        assert "Hệ thống giám sát độ mặn nước tưới tại Tiên Lãng" in text
        assert "Tác giả: Nguyễn Thị Hương" in text
        assert "88,00 điểm" in text
        assert "Nơi nhận:" in text and "CHỦ TỊCH" in text
        assert contest.board[1].name in text  # the approver signs (no chair named)
    doc = Document(io.BytesIO(client.get(f"/api/v1/contests/{edition.id}/decision.docx").data))
    assert doc.core_properties.language == "vi-VN"
    assert doc.sections[0].page_width.mm == pytest.approx(210, abs=0.5)


def test_one_certificate_per_author_of_an_awarded_entry(client, session, contest, approved):
    edition = approved
    entry1 = next(e for e in edition.entries if e.number == 1)
    author = entry1.authors[0]
    author.full_name, author.employer = "Phạm Văn Hải", "Công ty CP Cảng Hải Phòng"
    ops.perform_edition_action(edition, "publish", contest.secretariat)
    session.flush()
    for fmt, read in (("docx", _docx_text), ("pdf", _pdf_text)):
        for url in (
            f"/api/v1/entries/{entry1.id}/certificates/{author.id}.{fmt}",
            f"/contests/entries/{entry1.id}/certificates/{author.id}.{fmt}",
        ):
            res = client.get(url)
            assert res.status_code == 200, url
            text = read(res.data)
            assert "GIẤY CHỨNG NHẬN" in text
            assert "Ông/Bà: Phạm Văn Hải" in text
            assert "Đơn vị: Công ty CP Cảng Hải Phòng" in text
            assert "Tác giả giải pháp: “Giải pháp 1”" in text
            assert "Giải Nhất Hội thi Sáng tạo Kỹ thuật thành phố Hải Phòng lần thứ 5" in text
            assert "05.001.1/GCN-BTC" in text
    cert = f"/api/v1/entries/{entry1.id}/certificates/{author.id}.pdf"
    listed = client.get(f"/api/v1/contests/{edition.id}/results").json
    assert listed["decision"]["pdf"] == f"/api/v1/contests/{edition.id}/decision.pdf"
    first_line = next(r for r in listed["results"] if r["entry"]["id"] == entry1.id)
    assert first_line["certificates"] == [
        {"author": author.id, "full_name": "Phạm Văn Hải", "pdf": cert, "docx": cert[:-3] + "docx"}
    ]
    pdf = PdfReader(io.BytesIO(client.get(cert).data))
    box = pdf.pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape
    # No certificate for an author of another entry, nor for an entry without an award.
    other = next(e for e in edition.entries if e.number == 2)
    stranger = other.authors[0].id
    assert client.get(f"/api/v1/entries/{entry1.id}/certificates/{stranger}.pdf").status_code == 404
    edition_lines = {ln.entry.number: ln for ln in results.lines_of(edition)}
    edition_lines[2].award_level_id = None
    session.flush()
    session.expire_all()
    for url in (
        f"/api/v1/entries/{other.id}/certificates/{stranger}.pdf",
        f"/contests/entries/{other.id}/certificates/{stranger}.docx",
    ):
        assert client.get(url).status_code == 404
