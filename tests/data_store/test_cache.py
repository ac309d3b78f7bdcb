"""The local cache: one download per key across processes, sha256 check, atomic rename, LRU size limit."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import BinaryIO

import pytest

from data_store.cache import FileCache
from data_store.errors import IntegrityError
from data_store.layout import DataFolder
from tests.data_store.bars_fixture import minute_bars
from tests.data_store.conftest import bucket_config

_RACER = """
import json, sys, time
from pathlib import Path
import boto3
from data_store import BarStore, StoreConfig

cache, endpoint, bucket, go, ready = sys.argv[1:6]
gets = []
boto3._get_default_session().events.register(
    "before-parameter-build.s3.GetObject", lambda params, **_: gets.append(params["Key"])
)
store = BarStore(StoreConfig(bucket=bucket, prefix="barb", endpoint_url=endpoint, cache_dir=Path(cache)))
store.manifest()
Path(ready).touch()
while not Path(go).exists():
    time.sleep(0.001)
path = store.path("NQ", "1m")
print(json.dumps({"downloads": store.stats["downloads"], "data_gets": [k for k in gets if k.endswith(".parquet")],
                  "path": str(path)}))
"""


def test_two_processes_racing_for_a_key_download_it_once(
    tmp_path: Path, s3_endpoint: str, bucket: str
) -> None:
    from shared.cli import main as barb

    DataFolder(tmp_path / "data").add_bars("NQ", "1m", minute_bars(100_000))
    argv = ["upload", "--data-dir", str(tmp_path / "data"), "--bucket", bucket, "--prefix", "barb"]
    assert barb([*argv, "--endpoint-url", s3_endpoint]) == 0
    config = bucket_config(tmp_path, s3_endpoint, bucket)
    go = tmp_path / "go"
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", _RACER, str(config.cache_dir), s3_endpoint, bucket, str(go), str(ready)],
            stdout=subprocess.PIPE,
            text=True,
            env=os.environ | {"PYTHONPATH": str(Path.cwd())},
        )
        for ready in (tmp_path / "ready-1", tmp_path / "ready-2")
    ]
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"ready-{i}").exists() for i in (1, 2)) and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()  # both have the manifest and now ask for the same key at the same moment
    results = [json.loads(r.communicate(timeout=60)[0]) for r in racers]

    assert sorted(r["downloads"] for r in results) == [0, 1]
    assert sum(len(r["data_gets"]) for r in results) == 1
    assert results[0]["path"] == results[1]["path"]
    manifest = DataFolder(tmp_path / "data").manifest()
    assert manifest is not None
    expected = manifest.instruments["NQ"].bars["1m"].sha256
    assert hashlib.sha256(Path(results[0]["path"]).read_bytes()).hexdigest() == expected


def _writer(payload: bytes):
    def write(out: BinaryIO) -> None:
        out.write(payload)

    return write


def _sha(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def test_hit_does_not_call_the_writer(tmp_path: Path) -> None:
    cache = FileCache(tmp_path, max_bytes=1 << 20)
    path, downloaded = cache.fetch("bars/1m/A.1.parquet", _sha(b"a"), _writer(b"a"))
    assert downloaded and path.read_bytes() == b"a"

    def fail(out: BinaryIO) -> None:
        raise AssertionError("a cached key must not be fetched again")

    assert cache.fetch("bars/1m/A.1.parquet", _sha(b"a"), fail) == (path, False)


def test_failed_download_leaves_no_file(tmp_path: Path) -> None:
    cache = FileCache(tmp_path, max_bytes=1 << 20)

    def broken(out: BinaryIO) -> None:
        out.write(b"half")
        raise ConnectionError("connection reset")

    with pytest.raises(ConnectionError):
        cache.fetch("bars/1m/A.1.parquet", _sha(b"whole"), broken)
    with pytest.raises(IntegrityError):
        cache.fetch("bars/1m/A.1.parquet", _sha(b"whole"), _writer(b"other"))
    assert cache.get("bars/1m/A.1.parquet") is None
    assert not list(tmp_path.glob(".tmp-*"))


def test_size_limit_evicts_least_recently_used_first(tmp_path: Path) -> None:
    cache = FileCache(tmp_path, max_bytes=250)
    blobs = {f"bars/1m/{name}.x.parquet": bytes([i]) * 100 for i, name in enumerate("ABC")}
    keys = list(blobs)
    cache.fetch(keys[0], _sha(blobs[keys[0]]), _writer(blobs[keys[0]]))
    cache.fetch(keys[1], _sha(blobs[keys[1]]), _writer(blobs[keys[1]]))
    old = time.time() - 100
    os.utime(tmp_path / keys[0], (old, old))
    os.utime(tmp_path / keys[1], (old + 1, old + 1))
    assert cache.get(keys[0]) is not None  # A is used again: B is now the least recently used

    cache.fetch(keys[2], _sha(blobs[keys[2]]), _writer(blobs[keys[2]]))
    assert cache.get(keys[1]) is None
    assert cache.get(keys[0]) is not None and cache.get(keys[2]) is not None


def test_files_the_manifest_references_are_never_evicted(tmp_path: Path) -> None:
    cache = FileCache(tmp_path, max_bytes=150)
    a, b = "bars/1m/A.x.parquet", "bars/1m/B.x.parquet"
    cache.fetch(a, _sha(b"a" * 100), _writer(b"a" * 100))
    cache.fetch(b, _sha(b"b" * 100), _writer(b"b" * 100), keep=[a])
    assert cache.get(a) is not None and cache.get(b) is not None


def test_keys_cannot_escape_the_cache(tmp_path: Path) -> None:
    cache = FileCache(tmp_path / "cache", max_bytes=1 << 20)
    for key in ("../outside.parquet", "/etc/passwd", "bars/../../x.parquet", "bars\\x"):
        with pytest.raises(ValueError, match="unsafe"):
            cache.path(key)
