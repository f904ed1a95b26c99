"""Where files live: uploaded evidence and generated PDFs, behind one interface (`TALENT_STORAGE_URL`).

- `file:///path` (default `file://<instance>/files`): a folder; every web and worker process on one machine,
  or on machines sharing the folder, sees the same files.
- `s3://bucket/prefix`: an S3 bucket (any S3-compatible store with `TALENT_S3_ENDPOINT_URL`), through boto3;
  credentials come from boto3's usual sources (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile, a role).

Keys are relative paths such as `evidence/<random>.pdf` or `cards/<number>.pdf`. Files are written whole (at
most tens of megabytes: evidence is limited to 10 MB) and read whole.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import IO, Any, Protocol
from urllib.parse import unquote, urlsplit


class StoredFileMissing(LookupError):
    """No file under this key."""


class Storage(Protocol):
    url: str

    def put(self, key: str, data: bytes | IO[bytes], content_type: str = "application/octet-stream") -> None: ...

    def get(self, key: str) -> bytes: ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None: ...


def _check_key(key: str) -> str:
    parts = key.split("/")
    if not key or key.startswith("/") or any(part in {"", ".", ".."} for part in parts) or "\\" in key:
        raise ValueError(f"not a storage key: {key!r}")
    return key


class FileStorage:
    """Files in a folder; written to a temporary name and renamed, so a reader never sees half a file."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.url = self.root.as_uri()

    def _path(self, key: str) -> Path:
        return self.root / _check_key(key)

    def put(self, key: str, data: bytes | IO[bytes], content_type: str = "application/octet-stream") -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")  # mode 0600
        try:
            with os.fdopen(descriptor, "wb") as out:
                if isinstance(data, bytes | bytearray):
                    out.write(data)
                else:
                    while chunk := data.read(1024 * 1024):
                        out.write(chunk)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise StoredFileMissing(key) from None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class S3Storage:
    """Objects in an S3 bucket under a prefix."""

    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None, client: Any = None) -> None:
        import boto3

        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.url = f"s3://{bucket}/{self.prefix}" if self.prefix else f"s3://{bucket}"
        self.client = client or boto3.client("s3", endpoint_url=endpoint_url or None)

    def _key(self, key: str) -> str:
        _check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def put(self, key: str, data: bytes | IO[bytes], content_type: str = "application/octet-stream") -> None:
        body = data if isinstance(data, bytes | bytearray) else data.read()
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=body, ContentType=content_type)

    def get(self, key: str) -> bytes:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except self.client.exceptions.NoSuchKey:
            raise StoredFileMissing(key) from None
        return response["Body"].read()

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))


def storage_from_url(url: str, *, endpoint_url: str | None = None) -> Storage:
    parts = urlsplit(url)
    if parts.scheme == "file":
        if parts.netloc not in {"", "localhost"}:
            raise ValueError("TALENT_STORAGE_URL: a file URL names a local folder: file:///path")
        return FileStorage(unquote(parts.path))
    if parts.scheme == "s3":
        if not parts.netloc:
            raise ValueError("TALENT_STORAGE_URL: name the bucket: s3://bucket/prefix")
        return S3Storage(parts.netloc, unquote(parts.path), endpoint_url=endpoint_url)
    raise ValueError("TALENT_STORAGE_URL must be file:///path or s3://bucket/prefix")


def storage_for(app: Any) -> Storage:
    """The application's storage (made once per application)."""
    existing = app.extensions.get("talent.storage")
    if existing is None:
        url = app.config.get("STORAGE_URL") or (Path(app.config["INSTANCE_PATH"]) / "files").as_uri()
        existing = storage_from_url(url, endpoint_url=app.config.get("S3_ENDPOINT_URL"))
        app.extensions["talent.storage"] = existing
    return existing


def current_storage() -> Storage:
    from flask import current_app

    return storage_for(current_app)


def copy_legacy_uploads(upload_dir: str | Path, storage: Storage) -> tuple[int, int]:
    """Copy evidence kept by versions before the storage interface (`<instance>/uploads/<name>`) to the
    storage key `evidence/<name>`; files already there are left alone. Returns (copied, already there).
    The originals stay (delete them once the copy is checked); reading falls back to them meanwhile."""
    folder = Path(upload_dir)
    copied = present = 0
    if not folder.is_dir():
        return 0, 0
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name.startswith("."):
            continue
        key = f"evidence/{path.name}"
        if storage.exists(key):
            present += 1
            continue
        with open(path, "rb") as source:
            storage.put(key, source)
        copied += 1
    return copied, present
