"""Uploads: type by content, size limit, safe names, downloads only for those allowed."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from helpers import bearer, unchanged

from expertnet.consultation.models import MAX_DOCUMENT_BYTES

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
ODT = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


def download(world, who, url: str):
    """GET a file and close the response (send_file keeps the file open until then)."""
    res = world.client.get(url, headers=bearer(who.token) if who else {})
    res.get_data()
    res.close()
    return res


def upload(world, who, rid: int, name: str, data: bytes):
    return world.client.post(
        f"/api/v1/requests/{rid}/documents",
        data={"file": (io.BytesIO(data), name)},
        headers=bearer(who.token),
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize(
    ("name", "data", "media_type"),
    [
        ("Đề án.pdf", PDF, "application/pdf"),
        ("tờ trình.docx", DOCX, "application/vnd.openxmlformats-officedocument."
         "wordprocessingml.document"),
        ("số liệu.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("báo cáo.odt", ODT, "application/vnd.oasis.opendocument.text"),
    ],
)  # fmt: skip
def test_accepted_types_are_stored_by_content_hash(world, app, name, data, media_type):
    rid = world.file()["id"]
    res = upload(world, world.agency, rid, name, data)
    assert res.status_code == 201, res.json
    doc = res.json
    assert doc["media_type"] == media_type and doc["filename"] == name
    digest = hashlib.sha256(data).hexdigest()
    assert doc["sha256"] == digest
    stored = Path(app.config["EXPERTNET_UPLOAD_DIR"]) / digest[:2] / digest
    assert stored.read_bytes() == data
    got = download(world, world.agency, f"/api/v1/documents/{doc['id']}")
    assert got.status_code == 200 and got.data == data
    assert got.mimetype == media_type


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("setup.pdf", EXE),  # an executable renamed .pdf
        ("notes.pdf", b"just text, not a PDF"),
        ("archive.docx", _zip({"readme.txt": b"hello"})),  # a ZIP that is not a document
        ("report.docx", PDF),  # a real PDF whose name claims DOCX
        ("empty.pdf", b""),
        ("no-extension", PDF),
    ],
)
def test_wrong_content_is_refused_and_nothing_is_kept(world, app, name, data):
    rid = world.file()["id"]
    res = upload(world, world.agency, rid, name, data)
    assert res.status_code == 422, res.json
    assert "file" in res.json["error"]["fields"]
    folder = Path(app.config["EXPERTNET_UPLOAD_DIR"])
    assert not folder.exists() or not any(p.is_file() for p in folder.rglob("*"))
    assert world.ok(world.agency, "GET", f"/api/v1/requests/{rid}/documents")["total"] == 0


def test_oversized_file_is_413(world, app):
    rid = world.file()["id"]
    # The body is encoded here: the test client would spool it to a file it never closes.
    boundary = "expertnet-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + PDF
        + b"0" * (MAX_DOCUMENT_BYTES + 1)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    res = world.client.post(
        f"/api/v1/requests/{rid}/documents",
        data=body,
        headers=bearer(world.agency.token),
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert res.status_code == 413
    assert res.json["error"]["code"] == "too_large"
    folder = Path(app.config["EXPERTNET_UPLOAD_DIR"])
    assert not any(p.is_file() for p in folder.rglob("*"))


def test_a_name_that_tries_to_escape_is_stored_safely(world, app, tmp_path):
    rid = world.file()["id"]
    res = upload(world, world.agency, rid, "../../etc/passwd.pdf", PDF)
    assert res.status_code == 201
    assert res.json["filename"] == "passwd.pdf"
    root = Path(app.config["EXPERTNET_UPLOAD_DIR"]).resolve()
    files = [p.resolve() for p in root.rglob("*") if p.is_file()]
    assert files == [root / res.json["sha256"][:2] / res.json["sha256"]]
    assert not (root.parent.parent / "etc" / "passwd.pdf").exists()
    res = upload(world, world.agency, rid, "..\\..\\windows\\evil.pdf", PDF + b" ")
    assert res.status_code == 201 and res.json["filename"].endswith("evil.pdf")
    assert not any(c in res.json["filename"] for c in "/\\") and ".." not in res.json["filename"]


def test_the_same_file_twice_is_one_document(world):
    rid = world.file()["id"]
    first = upload(world, world.agency, rid, "a.pdf", PDF).json
    second = upload(world, world.agency, rid, "b.pdf", PDF).json
    assert first["id"] == second["id"]


def test_missing_file_field_is_422(world):
    rid = world.file()["id"]
    res = world.client.post(
        f"/api/v1/requests/{rid}/documents",
        data={"other": "x"},
        headers=bearer(world.agency.token),
        content_type="multipart/form-data",
    )
    assert res.status_code == 422 and "file" in res.json["error"]["fields"]


def test_documents_are_served_only_to_those_allowed(world):
    rid = world.to_panel_forming()
    doc = upload(world, world.coordinator, rid, "hồ sơ.pdf", PDF).json
    url = f"/api/v1/documents/{doc['id']}"
    world.invite(rid, world.experts[0])
    assert download(world, world.experts[0], url).status_code == 200
    assert download(world, world.approver, url).status_code == 200
    assert download(world, world.experts[4], url).status_code == 404
    assert download(world, world.other_agency, url).status_code == 404
    assert download(world, world.liaison, url).status_code == 404
    assert download(world, None, url).status_code == 401


def test_agency_cannot_add_documents_after_submitting(world, session):
    rid = world.file()["id"]
    world.act(world.agency, rid, "submit")
    with unchanged(session):
        res = upload(world, world.agency, rid, "late.pdf", PDF)
    assert res.status_code == 403
    assert upload(world, world.coordinator, rid, "note.pdf", PDF).status_code == 201


@pytest.mark.parametrize("kind", ["odt", "docx", "xlsx"])
@pytest.mark.parametrize("make", ["ratio_bomb", "size_bomb", "total_bomb", "member_bomb"])
def test_zip_bomb_documents_are_refused_and_nothing_is_kept(world, app, kind, make):
    import bombs

    rid = world.file()["id"]
    res = upload(world, world.agency, rid, f"plan.{kind}", getattr(bombs, make)(kind))
    assert res.status_code == 422, res.json
    assert "bomb" in res.json["error"]["fields"]["file"]
    folder = Path(app.config["EXPERTNET_UPLOAD_DIR"])
    assert not folder.exists() or not any(p.is_file() for p in folder.rglob("*"))
    assert world.ok(world.agency, "GET", f"/api/v1/requests/{rid}/documents")["total"] == 0


def test_document_downloads_are_never_cached_pages_and_api(world, auth):
    rid = world.file(confidential=True)["id"]
    doc = upload(world, world.agency, rid, "mật.pdf", PDF).json
    api = download(world, world.agency, f"/api/v1/documents/{doc['id']}")
    assert "no-store" in api.headers["Cache-Control"]
    auth.login(world.agency.user.email)
    page = world.client.get(f"/documents/{doc['id']}")
    page.get_data()
    page.close()
    assert page.status_code == 200
    assert "no-store" in page.headers["Cache-Control"]
    assert "no-cache" not in page.headers["Cache-Control"]
