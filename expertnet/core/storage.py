"""File storage shared by every app node: a local folder, or S3-compatible object storage.

Documents, pending roster imports and rejection reports are kept under keys such as
``ab/abcdef…`` or ``roster/pending/<token>.csv``. ``EXPERTNET_STORAGE_URL`` chooses the
backend: unset (or ``file:///path``) keeps them in a folder — the upload folder of the
instance by default, which is all one machine needs — and ``s3://bucket/prefix`` keeps
them in a bucket that every node reaches (``EXPERTNET_S3_ENDPOINT_URL`` for a
non-AWS server; credentials come from the usual ``AWS_*`` variables).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from flask import Flask, Response, current_app, send_file

_KEY = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._/-]{0,400}$")
_CHUNK = 1024 * 1024


class StorageError(RuntimeError):
    """The store could not be reached or refused an operation."""


def check_key(key: str) -> str:
    """Keys are relative, without ``..`` or empty parts, so none reaches outside the store."""
    if not _KEY.match(key) or any(part in ("", ".", "..") for part in key.split("/")):
        raise ValueError(f"not a storage key: {key!r}")
    return key


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    modified_at: datetime


class FileStore(Protocol):
    """What every backend offers; keys are checked by ``check_key``."""

    def put_file(self, key: str, path: Path) -> None: ...
    def put_bytes(self, key: str, data: bytes) -> None: ...
    def get_bytes(self, key: str) -> bytes | None: ...
    def exists(self, key: str) -> bool: ...
    def delete(self, key: str) -> None: ...
    def list(self, prefix: str) -> list[StoredObject]: ...
    def local_copy(self, key: str) -> AbstractContextManager[Path | None]: ...
    def download(self, key: str, *, mimetype: str, download_name: str) -> Response | None: ...


class LocalStore:
    """A folder on this machine (or a shared volume mounted at the same path on each node)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put_file(self, key: str, path: Path) -> None:
        final = self.path(key)
        final.parent.mkdir(parents=True, exist_ok=True)
        # Copy beside the target, then rename: a reader never sees half a file.
        fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=".put-")
        try:
            with os.fdopen(fd, "wb") as out, path.open("rb") as src:
                shutil.copyfileobj(src, out, _CHUNK)
            os.replace(tmp, final)
        finally:
            Path(tmp).unlink(missing_ok=True)

    def put_bytes(self, key: str, data: bytes) -> None:
        final = self.path(key)
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=".put-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, final)
        finally:
            Path(tmp).unlink(missing_ok=True)

    def get_bytes(self, key: str) -> bytes | None:
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError:
            return None

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def list(self, prefix: str) -> list[StoredObject]:
        folder = self.root / check_key(prefix.rstrip("/"))
        if not folder.is_dir():
            return []
        found = []
        for path in folder.iterdir():
            if path.is_file() and not path.name.startswith("."):
                stat = path.stat()
                found.append(
                    StoredObject(
                        str(path.relative_to(self.root)),
                        stat.st_size,
                        datetime.fromtimestamp(stat.st_mtime, UTC),
                    )
                )
        return found

    @contextmanager
    def local_copy(self, key: str) -> Iterator[Path | None]:
        path = self.path(key)
        yield path if path.is_file() else None

    def download(self, key: str, *, mimetype: str, download_name: str) -> Response | None:
        path = self.path(key)
        if not path.is_file():
            return None
        return send_file(
            path, mimetype=mimetype, as_attachment=True, download_name=download_name, max_age=0
        )


class S3Store:
    """A bucket on an S3-compatible server, every key under ``prefix``."""

    def __init__(self, bucket: str, prefix: str, endpoint_url: str | None) -> None:
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            config=Config(retries={"max_attempts": 3, "mode": "standard"}),
        )

    def _key(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _errors(self):
        from botocore.exceptions import BotoCoreError, ClientError

        return BotoCoreError, ClientError

    def put_file(self, key: str, path: Path) -> None:
        try:
            self.client.upload_file(str(path), self.bucket, self._key(key))
        except self._errors() as exc:
            raise StorageError(f"could not store {key}: {exc}") from exc

    def put_bytes(self, key: str, data: bytes) -> None:
        try:
            self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data)
        except self._errors() as exc:
            raise StorageError(f"could not store {key}: {exc}") from exc

    def _get(self, key: str):
        from botocore.exceptions import ClientError

        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise StorageError(f"could not read {key}: {exc}") from exc

    def get_bytes(self, key: str) -> bytes | None:
        obj = self._get(key)
        return None if obj is None else obj["Body"].read()

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return False
            raise StorageError(f"could not reach {key}: {exc}") from exc
        return True

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._key(key))
        except self._errors() as exc:
            raise StorageError(f"could not delete {key}: {exc}") from exc

    def list(self, prefix: str) -> list[StoredObject]:
        base = self._key(prefix.rstrip("/")) + "/"
        found = []
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=base, Delimiter="/"):
                for item in page.get("Contents", []):
                    key = item["Key"][len(self.prefix) + 1 :] if self.prefix else item["Key"]
                    found.append(StoredObject(key, item["Size"], item["LastModified"]))
        except self._errors() as exc:
            raise StorageError(f"could not list {prefix}: {exc}") from exc
        return found

    @contextmanager
    def local_copy(self, key: str) -> Iterator[Path | None]:
        obj = self._get(key)
        if obj is None:
            yield None
            return
        suffix = Path(key).suffix
        fd, tmp = tempfile.mkstemp(prefix="expertnet-", suffix=suffix)
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in obj["Body"].iter_chunks(_CHUNK):
                    out.write(chunk)
            yield Path(tmp)
        finally:
            Path(tmp).unlink(missing_ok=True)

    def download(self, key: str, *, mimetype: str, download_name: str) -> Response | None:
        obj = self._get(key)
        if obj is None:
            return None
        body = obj["Body"]
        response = send_file(
            _StreamingBody(body),
            mimetype=mimetype,
            as_attachment=True,
            download_name=download_name,
            max_age=0,
        )
        response.content_length = obj.get("ContentLength")
        return response


class _StreamingBody:
    """botocore's body as the file object ``send_file`` wants (read in chunks, then closed)."""

    def __init__(self, body) -> None:
        self._body = body

    def read(self, size: int = -1) -> bytes:
        return self._body.read(None if size < 0 else size)

    def close(self) -> None:
        self._body.close()


_s3_lock = threading.Lock()


def store_for(app: Flask) -> FileStore:
    """The store this app is configured with (S3 clients are made once per process)."""
    url = app.config.get("EXPERTNET_STORAGE_URL")
    if not url:
        return LocalStore(app.config["EXPERTNET_UPLOAD_DIR"])
    parts = urlsplit(url)
    if parts.scheme == "file":
        return LocalStore(unquote(parts.path))
    if parts.scheme == "s3":
        endpoint = app.config.get("EXPERTNET_S3_ENDPOINT_URL")
        cache = app.extensions.setdefault("expertnet_s3", {})
        with _s3_lock:
            store = cache.get((url, endpoint))
            if store is None:
                store = S3Store(parts.netloc, parts.path, endpoint)
                cache[(url, endpoint)] = store
        return store
    raise ValueError(f"EXPERTNET_STORAGE_URL: unknown scheme {parts.scheme!r}")


def current_store() -> FileStore:
    return store_for(current_app._get_current_object())
