"""Documents kept in S3-compatible storage (a real moto server): nothing stays on the node."""

from __future__ import annotations

import hashlib
from pathlib import Path

from s3server import bucket_keys, s3_app, s3_bucket, s3_endpoint  # noqa: F401 - fixtures
from test_consultation_documents import PDF, download, upload


def test_a_document_goes_to_the_bucket_and_downloads_from_it(world, s3_app, s3_bucket):  # noqa: F811
    rid = world.file()["id"]
    res = upload(world, world.agency, rid, "Đề án.pdf", PDF)
    assert res.status_code == 201, res.text
    digest = hashlib.sha256(PDF).hexdigest()
    assert bucket_keys(s3_bucket) == [f"files/{digest[:2]}/{digest}"]
    local = Path(s3_app.config["EXPERTNET_UPLOAD_DIR"])
    assert not local.exists() or not any(p.is_file() for p in local.rglob("*"))
    got = download(world, world.agency, f"/api/v1/documents/{res.json['id']}")
    assert got.status_code == 200 and got.data == PDF
    assert got.mimetype == "application/pdf"


def test_a_document_missing_from_the_bucket_is_404(world, s3_app, s3_bucket):  # noqa: F811
    rid = world.file()["id"]
    doc = upload(world, world.agency, rid, "a.pdf", PDF).json
    client, name = s3_bucket
    for key in bucket_keys(s3_bucket):
        client.delete_object(Bucket=name, Key=key)
    got = download(world, world.agency, f"/api/v1/documents/{doc['id']}")
    assert got.status_code == 404
