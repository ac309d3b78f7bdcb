"""Local-folder mode, the Parquet layout, and predicate/projection pushdown into row groups."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest
from polars.testing import assert_frame_equal

from data_store import BarStore, DataUnavailable, IntegrityError, StoreConfig
from data_store.cache import sha256_of
from data_store.layout import DataFolder
from data_store.manifest import write_manifest_file
from tests.data_store.bars_fixture import minute_bars
from tests.data_store.conftest import Clock


def _store(tmp_path: Path, clock: Clock | None = None) -> BarStore:
    config = StoreConfig(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", manifest_ttl_s=60)
    return BarStore(config, clock=clock or Clock())


def test_folder_without_data_is_empty_and_healthy(tmp_path: Path) -> None:
    store = _store(tmp_path)
    assert store.symbols() == []
    assert store.scan("NQ", "1m") is None
    assert store.data_range("NQ") is None
    assert store.health() == ("ok", None)


def test_folder_mode_reads_files_in_place(tmp_path: Path) -> None:
    bars = minute_bars(2000)
    folder = DataFolder(tmp_path / "data")
    stored = folder.add_bars("es", "1m", bars, sample=True)
    store = _store(tmp_path)
    assert store.path("ES", "1m") == tmp_path / "data" / stored.key
    frame = store.scan("ES", "1m")
    assert frame is not None
    assert_frame_equal(frame.collect(), bars)
    assert store.is_sample("ES") and not store.is_sample("NQ")
    assert not (tmp_path / "cache" / stored.key).exists()


def test_folder_manifest_changes_after_ttl_and_on_reload(tmp_path: Path) -> None:
    clock = Clock()
    folder = DataFolder(tmp_path / "data")
    folder.add_bars("ES", "1m", minute_bars(10))
    store = _store(tmp_path, clock)
    assert store.symbols() == ["ES"]
    folder.add_bars("NQ", "1m", minute_bars(10))
    assert store.symbols() == ["ES"]
    clock.advance(61)
    assert store.symbols() == ["ES", "NQ"]

    folder.add_bars("CL", "1m", minute_bars(10))
    result = store.reload()
    assert [c["symbol"] for c in result["changed"]] == ["CL"]
    assert store.symbols() == ["CL", "ES", "NQ"]


def test_missing_file_is_reported_not_hidden(tmp_path: Path) -> None:
    stored = DataFolder(tmp_path / "data").add_bars("ES", "1m", minute_bars(10))
    (tmp_path / "data" / stored.key).unlink()
    with pytest.raises(DataUnavailable, match="missing"):
        _store(tmp_path).scan("ES", "1m")


@pytest.fixture(scope="module")
def big_bars() -> pl.DataFrame:
    """Two and a half row groups of bars."""
    return minute_bars(2_500_000)


def test_layout_types_sort_and_row_groups(tmp_path: Path, big_bars: pl.DataFrame) -> None:
    bars = big_bars
    shuffled = bars.sample(fraction=1.0, shuffle=True, seed=1)
    stored = DataFolder(tmp_path / "data").add_bars("NQ", "1m", shuffled)
    path = tmp_path / "data" / stored.key
    schema = pq.read_schema(path)
    assert [(f.name, str(f.type)) for f in schema] == [
        ("ts", "timestamp[us, tz=UTC]"),
        ("open", "double"),
        ("high", "double"),
        ("low", "double"),
        ("close", "double"),
        ("volume", "double"),
        ("trade_date", "date32[day]"),
        ("minute", "int16"),
    ]
    meta = pq.ParquetFile(path).metadata
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [1_000_000, 1_000_000, 500_000]
    assert all(meta.row_group(i).column(0).statistics.has_min_max for i in range(meta.num_row_groups))
    assert pl.read_parquet(path, columns=["ts"])["ts"].is_sorted()
    assert stored.rows == 2_500_000 and stored.first == bars["ts"][0] and stored.last == bars["ts"][-1]


def test_period_filter_reads_only_its_row_group(tmp_path: Path, big_bars: pl.DataFrame) -> None:
    """Row groups outside the period are made unreadable: the filtered scan must not touch them."""
    bars = big_bars
    stored = DataFolder(tmp_path / "data").add_bars("NQ", "1m", bars)
    path = tmp_path / "data" / stored.key
    meta = pq.ParquetFile(path).metadata
    with open(path, "r+b") as f:
        for group in (0, 2):
            for col in range(meta.num_columns):
                chunk = meta.row_group(group).column(col)
                start = min(
                    o for o in (chunk.dictionary_page_offset, chunk.data_page_offset) if o is not None
                )
                f.seek(start)
                f.write(b"\xff" * chunk.total_compressed_size)
    # Published so: the manifest vouches for these bytes, so the store's integrity check lets them through.
    folder = DataFolder(tmp_path / "data")
    manifest = folder.manifest()
    assert manifest is not None
    manifest.instruments["NQ"].bars["1m"].sha256 = sha256_of(path)
    write_manifest_file(folder.manifest_path, manifest)

    store = _store(tmp_path)
    frame = store.scan("NQ", "1m")
    assert frame is not None
    with pytest.raises(Exception):  # noqa: B017 - any decoding error proves the damage is real
        frame.select(pl.col("close").sum()).collect()

    lo, hi = bars["ts"][1_200_000], bars["ts"][1_300_000]
    period = frame.filter(pl.col("ts").is_between(lo, hi, closed="left")).select("ts", "close").collect()
    expected = bars.slice(1_200_000, 100_000).select("ts", "close")
    assert_frame_equal(period, expected)


def test_manifest_keys_cannot_point_outside_the_folder(tmp_path: Path) -> None:
    folder = DataFolder(tmp_path / "data")
    folder.add_bars("ES", "1m", minute_bars(10))
    good = _store(tmp_path)
    assert good.symbols() == ["ES"]
    text = folder.manifest_path.read_text()
    key = folder.manifest().instruments["ES"].bars["1m"].key  # type: ignore[union-attr]
    folder.manifest_path.write_text(text.replace(key, "../../etc/passwd"))
    store = _store(tmp_path)
    assert store.symbols() == []
    status, reason = store.health()
    assert status == "degraded" and reason is not None and "unsafe data key" in reason


def test_a_damaged_folder_file_is_never_read_and_the_store_says_so(tmp_path: Path) -> None:
    bars = minute_bars(2000)
    stored = DataFolder(tmp_path / "data").add_bars("NQ", "1m", bars)
    path = tmp_path / "data" / stored.key
    good = path.read_bytes()
    path.write_bytes(good[:4096])
    store = _store(tmp_path)
    with pytest.raises(IntegrityError, match="sha256"):
        store.scan("NQ", "1m")
    status, reason = store.health()
    assert status == "degraded" and reason is not None and stored.key in reason

    path.write_bytes(good)  # the operator restores it: served again, healthy again
    frame = store.scan("NQ", "1m")
    assert frame is not None and frame.collect().height == bars.height
    assert store.health() == ("ok", None)
