"""Where the manifest and data files come from: an S3-compatible bucket or a local folder.

Both answer "has the manifest changed since this tag?" (``fetch_manifest``: the new manifest, or None when
unchanged; :class:`SourceUnavailable` when unreachable). The bucket streams a key into a file (``download``),
the folder names the file of a key (``path``).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from botocore.exceptions import BotoCoreError, ClientError

from data_store.errors import DataUnavailable, SourceUnavailable
from data_store.manifest import MANIFEST_NAME, Manifest, parse_manifest
from data_store.s3 import make_s3_client


@dataclass(frozen=True)
class ManifestFetch:
    """A manifest that changed since the caller's tag, with its new tag."""

    manifest: Manifest
    tag: str


class BucketSource:
    """Manifest and data in a bucket; the manifest is revalidated with ``If-None-Match``."""

    def __init__(self, bucket: str, prefix: str, endpoint_url: str | None, region: str | None) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.description = f"bucket {bucket}" + (f" at {endpoint_url}" if endpoint_url else "")
        self.client = make_s3_client(endpoint_url, region)
        # Revalidation runs inside a request: fail fast when the bucket is down instead of retrying for long.
        self._probe = make_s3_client(endpoint_url, region, connect_timeout=2, read_timeout=5, max_attempts=1)

    def object_key(self, key: str) -> str:
        """The bucket key of a manifest-relative key."""
        return f"{self.prefix}/{key}" if self.prefix else key

    def fetch_manifest(self, tag: str | None) -> ManifestFetch | None:
        conditional = {"IfNoneMatch": tag} if tag else {}
        try:
            response = self._probe.get_object(
                Bucket=self.bucket, Key=self.object_key(MANIFEST_NAME), **conditional
            )
            body = response["Body"].read()
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code == "304":
                return None
            if code in ("NoSuchKey", "404"):
                return ManifestFetch(Manifest(), "absent")
            raise SourceUnavailable(f"{self.description}: {code or exc}") from exc
        except BotoCoreError as exc:
            raise SourceUnavailable(f"{self.description} unreachable: {exc}") from exc
        return ManifestFetch(parse_manifest(body), response["ETag"])

    def download(self, key: str, out: BinaryIO) -> None:
        """Stream the object ``key`` into ``out``. Raises DataUnavailable when it cannot be read."""
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self.object_key(key))
            shutil.copyfileobj(response["Body"], out, 1 << 20)
        except (ClientError, BotoCoreError) as exc:
            raise DataUnavailable(f"{key} could not be fetched from {self.description}: {exc}") from exc


class FolderSource:
    """Manifest and data in a local folder with the bucket's layout; files are read in place."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.description = f"folder {root}"

    def fetch_manifest(self, tag: str | None) -> ManifestFetch | None:
        path = self.root / MANIFEST_NAME
        try:
            stat = path.stat()
        except FileNotFoundError:
            return None if tag == "absent" else ManifestFetch(Manifest(), "absent")
        except OSError as exc:
            raise SourceUnavailable(f"{self.description}: {exc}") from exc
        current = f"{stat.st_mtime_ns}-{stat.st_size}-{stat.st_ino}"
        if current == tag:
            return None
        try:
            return ManifestFetch(parse_manifest(path.read_bytes()), current)
        except OSError as exc:
            raise SourceUnavailable(f"{self.description}: {exc}") from exc

    def path(self, key: str) -> Path:
        """The file of ``key`` in the folder."""
        return self.root / key
