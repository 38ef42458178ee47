"""The file store: the same contract from the local folder and from a real S3 server."""

from __future__ import annotations

from pathlib import Path

import pytest
from s3server import bucket_keys, s3_bucket, s3_endpoint  # noqa: F401 - fixtures

from expertnet.core.storage import LocalStore, S3Store, check_key, store_for


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return LocalStore(tmp_path / "files")
    _client, name = request.getfixturevalue("s3_bucket")
    endpoint = request.getfixturevalue("s3_endpoint")
    return S3Store(name, "node-shared", endpoint)


def test_a_stored_file_reads_back_and_is_listed(store, tmp_path):
    src = tmp_path / "src.bin"
    src.write_bytes(b"\x00\x01 binary \xff" * 1000)
    store.put_file("ab/abcdef", src)
    store.put_bytes("roster/pending/tok.json", '{"tên": "Hải"}'.encode())
    assert store.exists("ab/abcdef")
    assert store.get_bytes("ab/abcdef") == src.read_bytes()
    assert store.get_bytes("roster/pending/tok.json").decode() == '{"tên": "Hải"}'
    listed = store.list("roster/pending")
    assert [(o.key, o.size) for o in listed] == [("roster/pending/tok.json", 17)]
    with store.local_copy("ab/abcdef") as path:
        assert path.read_bytes() == src.read_bytes()


def test_a_missing_key_is_none_not_an_error(store):
    assert store.get_bytes("ab/missing") is None
    assert not store.exists("ab/missing")
    with store.local_copy("ab/missing") as path:
        assert path is None
    store.delete("ab/missing")  # deleting what is not there is fine
    assert store.list("nothing/here") == []


def test_deleted_files_are_gone(store):
    store.put_bytes("x/one", b"1")
    store.delete("x/one")
    assert not store.exists("x/one")


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs", "a//b", "a/../b", "", "a/./b", "a\\b"])
def test_keys_cannot_leave_the_store(key):
    with pytest.raises(ValueError):
        check_key(key)


def test_s3_keys_live_under_the_prefix(s3_bucket, s3_endpoint):  # noqa: F811
    _client, name = s3_bucket
    S3Store(name, "pre/fix", s3_endpoint).put_bytes("a/b", b"x")
    assert bucket_keys(s3_bucket) == ["pre/fix/a/b"]


def test_the_url_chooses_the_backend(app, tmp_path, monkeypatch, s3_endpoint):  # noqa: F811
    assert isinstance(store_for(app), LocalStore)
    assert store_for(app).root == Path(app.config["EXPERTNET_UPLOAD_DIR"])
    monkeypatch.setitem(app.config, "EXPERTNET_STORAGE_URL", f"file://{tmp_path}/shared")
    assert store_for(app).root == tmp_path / "shared"
    monkeypatch.setitem(app.config, "EXPERTNET_STORAGE_URL", "s3://bucket-name/some/prefix")
    monkeypatch.setitem(app.config, "EXPERTNET_S3_ENDPOINT_URL", s3_endpoint)
    s3 = store_for(app)
    assert isinstance(s3, S3Store)
    assert (s3.bucket, s3.prefix) == ("bucket-name", "some/prefix")
    assert store_for(app) is s3  # one client per process
