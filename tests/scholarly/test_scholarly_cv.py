"""The scientific CV (lý lịch khoa học) in DOCX and PDF, and the import command."""

from __future__ import annotations

import io
import json
from pathlib import Path

from docx import Document
from helpers import bearer
from pypdf import PdfReader
from sqlalchemy import func, select

from expertnet.scholarly.models import Publication


def _fill(client, expert, fixture_bytes):
    pid, token = expert["person"].id, expert["token"]
    client.post(
        f"/api/v1/experts/{pid}/publications/import",
        data={"file": (io.BytesIO(fixture_bytes("publications.bib")), "a.bib")},
        headers=bearer(token),
        content_type="multipart/form-data",
    )
    client.post(
        f"/api/v1/experts/{pid}/projects",
        json={
            "code": "ĐT.2023.05",
            "title": "Nghiên cứu quy trình nuôi tôm tuần hoàn",
            "level": "city",
            "role": "lead",
            "start_year": 2023,
        },
        headers=bearer(token),
    )
    client.post(
        f"/api/v1/experts/{pid}/patents",
        json={"kind": "utility_solution", "title": "Máy sục khí tiết kiệm điện", "year": 2021},
        headers=bearer(token),
    )


def test_cv_docx_has_the_form_and_the_record(client, expert, fixture_bytes):
    _fill(client, expert, fixture_bytes)
    r = client.get(
        f"/api/v1/experts/{expert['person'].id}/cv.docx", headers=bearer(expert["token"])
    )
    assert r.status_code == 200
    assert r.mimetype.endswith("wordprocessingml.document")
    text = "\n".join(p.text for p in Document(io.BytesIO(r.data)).paragraphs)
    for expected in (
        "LÝ LỊCH KHOA HỌC",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Họ và tên: Nguyễn Văn An",
        "Thư điện tử: an@example.org",  # the expert sees their own contact details
        "III. CÁC CÔNG TRÌNH KHOA HỌC ĐÃ CÔNG BỐ",
        "Quản lý chất lượng nước in whiteleg shrimp ponds",
        "DOI: 10.1234/vjas.2023.21.4.455",
        "mã số ĐT.2023.05",
        "Chủ nhiệm",
        "Giải pháp hữu ích: Máy sục khí tiết kiệm điện",
    ):
        assert expected in text, expected


def test_cv_pdf_for_the_public_has_no_contact_details(client, expert, fixture_bytes):
    _fill(client, expert, fixture_bytes)
    r = client.get(f"/api/v1/experts/{expert['person'].id}/cv.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert "ly-lich-khoa-hoc-nguyen-van-an.pdf" in r.headers["Content-Disposition"]
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(r.data)).pages)
    assert "LÝ LỊCH KHOA HỌC" in text
    assert "Nguyễn Văn An" in text
    assert "Kinh tế thủy sản" in text
    assert "an@example.org" not in text


def test_import_command_prints_a_json_summary_and_a_report(
    runner, session, expert, tmp_path, fixture_bytes
):
    path = tmp_path / "list.ris"
    path.write_bytes(fixture_bytes("publications.ris"))
    pid = expert["person"].id
    result = runner.invoke(
        args=["import", "publications", str(path), "--expert", str(pid), "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["created"] == 2 and summary["rejected"] == 1 and summary["merged"] == 0
    assert session.scalar(select(func.count()).select_from(Publication)) == 0
    result = runner.invoke(args=["import", "publications", str(path), "--expert", str(pid)])
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["created"] == 2
    report = Path(summary["report"]).read_text(encoding="utf-8-sig")
    assert "The work has no title." in report
    result = runner.invoke(args=["import", "publications", str(path), "--expert", str(pid)])
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["created"] == 0 and summary["merged"] == 2


def test_import_command_refuses_unknown_expert_and_bad_file(runner, expert, tmp_path):
    bad = tmp_path / "x.dat"
    bad.write_bytes(b"nothing here")
    result = runner.invoke(args=["import", "publications", str(bad), "--expert", "999999"])
    assert result.exit_code != 0 and "no person" in result.output
    result = runner.invoke(
        args=["import", "publications", str(bad), "--expert", str(expert["person"].id)]
    )
    assert result.exit_code != 0 and "Unrecognised format" in result.output
