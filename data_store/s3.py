"""The boto3 client, configured for AWS and for S3-compatible stores (Hetzner, MinIO, R2, moto)."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config


def make_s3_client(
    endpoint_url: str | None,
    region: str | None,
    *,
    connect_timeout: float = 5,
    read_timeout: float = 30,
    max_attempts: int = 3,
) -> Any:
    """A boto3 S3 client: path-style addressing, SigV4, standard retries.

    Checksums are computed and validated only when the operation requires them: boto3 ≥ 1.36 sends CRC
    checksum headers by default, which several non-AWS stores reject. Credentials come from the standard AWS
    variables or the Lambda role.
    """
    return boto3.client(
        "s3",
        endpoint_url=endpoint_url or None,
        region_name=region or "us-east-1",
        config=Config(
            signature_version="s3v4",
            s3={"addressing_style": "path"},
            retries={"max_attempts": max_attempts, "mode": "standard"},
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        ),
    )
