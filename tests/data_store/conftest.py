"""A moto S3 server over real HTTP, unique buckets, and a recorder of the S3 calls boto3 makes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from data_store import StoreConfig
from data_store.s3 import make_s3_client


def start_moto() -> tuple[ThreadedMotoServer, str]:
    """A moto S3 server on a free port of 127.0.0.1 and its endpoint URL."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return server, f"http://{host}:{port}"


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    server, endpoint = start_moto()
    yield endpoint
    server.stop()


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dummy credentials through the standard variables, as production would set real ones."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def bucket(s3_endpoint: str, aws_credentials: None) -> str:
    """A new, empty bucket on the shared moto server."""
    name = f"bars-{uuid.uuid4().hex[:12]}"
    make_s3_client(s3_endpoint, None).create_bucket(Bucket=name)
    return name


def bucket_config(tmp_path: Path, endpoint: str, bucket: str, **overrides: Any) -> StoreConfig:
    """A bucket-mode store configuration caching under ``tmp_path/cache``."""
    values: dict[str, Any] = {
        "bucket": bucket,
        "prefix": "barb",
        "endpoint_url": endpoint,
        "cache_dir": tmp_path / "cache",
        "data_dir": tmp_path / "unused",
        "manifest_ttl_s": 60.0,
    } | overrides
    return StoreConfig(**values)


@dataclass
class S3Calls:
    """Keys of the ``GetObject`` requests boto3 sent (every client created while recording)."""

    keys: list[str] = field(default_factory=list)

    def data_gets(self) -> list[str]:
        return [k for k in self.keys if k.endswith(".parquet")]

    def manifest_gets(self) -> list[str]:
        return [k for k in self.keys if k.endswith("manifest.json")]


@pytest.fixture
def s3_calls() -> Iterator[S3Calls]:
    """Record GetObject calls made by clients created from boto3's default session during the test."""
    calls = S3Calls()

    def record(params: dict[str, Any], **_: Any) -> None:
        calls.keys.append(params["Key"])

    session = boto3._get_default_session()
    session.events.register("before-parameter-build.s3.GetObject", record)
    yield calls
    session.events.unregister("before-parameter-build.s3.GetObject", record)


class Clock:
    """A settable monotonic clock for TTL tests."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
