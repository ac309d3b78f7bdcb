"""The bar store against moto's S3 server over real HTTP: upload, cache, revalidation, integrity, outages."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from data_store import BarStore, IntegrityError
from data_store.layout import DataFolder
from data_store.s3 import make_s3_client
from shared.cli import main as barb
from tests.data_store.bars_fixture import minute_bars
from tests.data_store.conftest import Clock, S3Calls, bucket_config, start_moto


def _upload(folder: Path, endpoint: str, bucket: str) -> None:
    argv = ["upload", "--data-dir", str(folder), "--bucket", bucket, "--prefix", "barb"]
    assert barb([*argv, "--endpoint-url", endpoint]) == 0


@pytest.fixture
def published(tmp_path: Path, s3_endpoint: str, bucket: str) -> pl.DataFrame:
    """NQ one-minute bars imported into a folder and pushed with ``barb upload``."""
    bars = minute_bars(3000)
    DataFolder(tmp_path / "data").add_bars("NQ", "1m", bars)
    _upload(tmp_path / "data", s3_endpoint, bucket)
    return bars


def test_upload_sends_data_then_manifest(tmp_path: Path, s3_endpoint: str, bucket: str, published) -> None:
    listed = make_s3_client(s3_endpoint, None).list_objects_v2(Bucket=bucket)["Contents"]
    keys = sorted(o["Key"] for o in listed)
    manifest = DataFolder(tmp_path / "data").manifest()
    assert manifest is not None
    assert keys == sorted(["barb/manifest.json", *(f"barb/{k}" for k in manifest.data_keys())])


def test_cold_fetch_then_warm_hit_downloads_once(
    tmp_path: Path, s3_endpoint: str, bucket: str, published: pl.DataFrame, s3_calls: S3Calls
) -> None:
    cold = BarStore(bucket_config(tmp_path, s3_endpoint, bucket))
    frame = cold.scan("nq", "1m")
    assert frame is not None
    assert_frame_equal(frame.collect(), published.select(frame.collect_schema().names()))
    assert len(s3_calls.data_gets()) == 1
    assert cold.stats["downloads"] == 1

    # A new process with the same cache folder: the manifest is revalidated, the data is not downloaded.
    warm = BarStore(bucket_config(tmp_path, s3_endpoint, bucket))
    assert warm.scan("NQ", "1m") is not None
    assert len(s3_calls.data_gets()) == 1
    assert warm.stats["downloads"] == 0 and warm.stats["cache_hits"] == 1
    assert warm.scan("NQ", "1d") is None
    assert warm.symbols() == ["NQ"]
    assert warm.data_range("NQ") == (published["ts"][0], published["ts"][-1])


def test_unchanged_manifest_is_a_304(
    tmp_path: Path, s3_endpoint: str, bucket: str, published, s3_calls: S3Calls
) -> None:
    clock = Clock()
    store = BarStore(bucket_config(tmp_path, s3_endpoint, bucket), clock=clock)
    first = store.manifest()
    clock.advance(61)
    assert store.manifest() == first
    assert len(s3_calls.manifest_gets()) == 2
    assert store.stats["manifest_not_modified"] == 1


def test_manifest_change_is_seen_after_the_ttl(
    tmp_path: Path, s3_endpoint: str, bucket: str, published, s3_calls: S3Calls
) -> None:
    clock = Clock()
    store = BarStore(bucket_config(tmp_path, s3_endpoint, bucket), clock=clock)
    old_version = store.manifest().version
    newer = minute_bars(500, seed=7)
    DataFolder(tmp_path / "data").add_bars("NQ", "1m", newer)
    _upload(tmp_path / "data", s3_endpoint, bucket)

    clock.advance(59)
    assert store.manifest().version == old_version
    assert len(s3_calls.manifest_gets()) == 1  # within the TTL nothing is asked

    clock.advance(2)
    assert store.manifest().version == old_version + 1
    frame = store.scan("NQ", "1m")
    assert frame is not None and frame.select(pl.len()).collect().item() == 500


def test_reload_reaches_another_worker_at_once(
    tmp_path: Path, s3_endpoint: str, bucket: str, published
) -> None:
    config = bucket_config(tmp_path, s3_endpoint, bucket, manifest_ttl_s=3600)
    serving, other = BarStore(config), BarStore(config)  # two workers sharing the cache folder
    seen: list[int] = []
    other.add_listener(lambda manifest: seen.append(manifest.version))
    old = serving.manifest()
    assert other.manifest() == old
    old_key = old.instruments["NQ"].bars["1m"].key

    DataFolder(tmp_path / "data").add_bars("NQ", "1m", minute_bars(100, seed=3))
    DataFolder(tmp_path / "data").add_bars("ES", "1m", minute_bars(100, seed=4))
    _upload(tmp_path / "data", s3_endpoint, bucket)
    result = serving.reload()

    new = serving.manifest()
    assert result["version"] == {"old": old.version, "new": new.version}
    assert result["changed"] == [
        {"symbol": "ES", "bar_size": "1m", "old": None, "new": new.instruments["ES"].bars["1m"].key},
        {"symbol": "NQ", "bar_size": "1m", "old": old_key, "new": new.instruments["NQ"].bars["1m"].key},
    ]
    assert result["status"] == "ok"
    # The other worker's TTL is an hour, yet its next call sees the new manifest and tells its caches.
    assert other.manifest().version == new.version
    assert other.generation == serving.generation == result["generation"]
    assert seen[-1] == new.version


def test_sha256_mismatch_is_rejected_and_nothing_is_cached(
    tmp_path: Path, s3_endpoint: str, bucket: str, published
) -> None:
    manifest = DataFolder(tmp_path / "data").manifest()
    assert manifest is not None
    key = manifest.instruments["NQ"].bars["1m"].key
    make_s3_client(s3_endpoint, None).put_object(Bucket=bucket, Key=f"barb/{key}", Body=b"not the bars")

    store = BarStore(bucket_config(tmp_path, s3_endpoint, bucket))
    with pytest.raises(IntegrityError, match="sha256"):
        store.scan("NQ", "1m")
    cache = tmp_path / "cache"
    assert not (cache / key).exists()
    assert not list(cache.glob(".tmp-*"))


def test_bucket_down_serves_stale_data_and_reports_degraded(tmp_path: Path, aws_credentials) -> None:
    server, endpoint = start_moto()
    try:
        make_s3_client(endpoint, None).create_bucket(Bucket="bars")
        bars = minute_bars(1000)
        DataFolder(tmp_path / "data").add_bars("NQ", "1m", bars)
        _upload(tmp_path / "data", endpoint, "bars")
        clock = Clock()
        store = BarStore(bucket_config(tmp_path, endpoint, "bars"), clock=clock)
        assert store.scan("NQ", "1m") is not None
        assert store.health() == ("ok", None)
    finally:
        server.stop()

    clock.advance(61)
    frame = store.scan("NQ", "1m")
    assert frame is not None and frame.select(pl.len()).collect().item() == 1000
    status, reason = store.health()
    assert status == "degraded"
    assert reason is not None and "bucket bars" in reason and "last good manifest" in reason

    # A restart while the bucket is still down serves the persisted manifest and the cached file.
    restarted = BarStore(bucket_config(tmp_path, endpoint, "bars"))
    frame = restarted.scan("NQ", "1m")
    assert frame is not None
    assert_frame_equal(frame.collect(), bars.select(frame.collect_schema().names()))
    assert restarted.health()[0] == "degraded"


def test_a_damaged_cached_file_is_fetched_again_before_it_is_read(
    tmp_path: Path, s3_endpoint: str, bucket: str, published
) -> None:
    """The cache file truncated after download (disk fault, killed copy): the next process re-fetches it."""
    BarStore(bucket_config(tmp_path, s3_endpoint, bucket)).scan("NQ", "1m")
    manifest = DataFolder(tmp_path / "data").manifest()
    assert manifest is not None
    cached = tmp_path / "cache" / manifest.instruments["NQ"].bars["1m"].key
    cached.write_bytes(cached.read_bytes()[:4096])

    store = BarStore(bucket_config(tmp_path, s3_endpoint, bucket))  # a new process: nothing verified yet
    frame = store.scan("NQ", "1m")
    assert frame is not None
    assert_frame_equal(frame.collect(), published)
    assert store.stats["downloads"] == 1 and store.health() == ("ok", None)
