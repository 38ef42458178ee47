"""A real S3-compatible server for the tests: moto in server mode, on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import uuid

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint():
    """The URL of an S3 server that speaks HTTP on the loopback (moto, in server mode)."""
    pytest.importorskip("moto.server")
    from moto.server import ThreadedMotoServer

    for name, value in (
        ("AWS_ACCESS_KEY_ID", "expertnet-test"),
        ("AWS_SECRET_ACCESS_KEY", "expertnet-test-secret"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
    ):
        os.environ.setdefault(name, value)
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_bucket(s3_endpoint):
    """A new, empty bucket on that server; returns (client, bucket name)."""
    import boto3

    client = boto3.client("s3", endpoint_url=s3_endpoint)
    name = f"expertnet-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name)
    return client, name


@pytest.fixture
def s3_app(app, s3_endpoint, s3_bucket, monkeypatch):
    """The app with its files in the bucket, under a prefix."""
    _client, name = s3_bucket
    monkeypatch.setitem(app.config, "EXPERTNET_STORAGE_URL", f"s3://{name}/files")
    monkeypatch.setitem(app.config, "EXPERTNET_S3_ENDPOINT_URL", s3_endpoint)
    return app


def bucket_keys(s3_bucket) -> list[str]:
    client, name = s3_bucket
    listing = client.list_objects_v2(Bucket=name)
    return sorted(item["Key"] for item in listing.get("Contents", []))
