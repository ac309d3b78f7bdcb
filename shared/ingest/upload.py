"""Push a local data folder to the bucket: data files first, the manifest last.

Data keys are content-addressed and immutable, so a key already in the bucket is skipped. Writing the manifest
last means a reader never sees a manifest that points at a file not uploaded yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from data_store.layout import DataFolder
from data_store.manifest import MANIFEST_NAME, dump_manifest


@dataclass
class UploadReport:
    """What an upload did."""

    uploaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    version: int = 0


def upload_folder(data_dir: Path, client: Any, bucket: str, prefix: str = "") -> UploadReport:
    """Upload every file the folder's manifest references that the bucket lacks, then the manifest."""
    folder = DataFolder(data_dir)
    manifest = folder.manifest()
    if manifest is None:
        raise FileNotFoundError(f"{data_dir} has no {MANIFEST_NAME}: import or generate data first")
    report = UploadReport(version=manifest.version)
    for key in sorted(manifest.data_keys()):
        target = _join(prefix, key)
        if _exists(client, bucket, target):
            report.skipped.append(key)
            continue
        client.upload_file(str(data_dir / key), bucket, target)
        report.uploaded.append(key)
    client.put_object(
        Bucket=bucket,
        Key=_join(prefix, MANIFEST_NAME),
        Body=dump_manifest(manifest),
        ContentType="application/json",
        CacheControl="no-cache",
    )
    return report


def _join(prefix: str, key: str) -> str:
    prefix = prefix.strip("/")
    return f"{prefix}/{key}" if prefix else key


def _exists(client: Any, bucket: str, key: str) -> bool:
    try:
        client.head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return False
        raise
    return True
