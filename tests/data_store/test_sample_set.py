"""The first-start sample set: generated once, marked as sample, never over imported data."""

from __future__ import annotations

from pathlib import Path

from data_store import BarStore, StoreConfig
from data_store.layout import DataFolder
from shared.ingest import ensure_sample_data
from tests.data_store.bars_fixture import minute_bars


def test_generated_once_and_marked_sample(tmp_path: Path) -> None:
    lines: list[str] = []
    assert ensure_sample_data(tmp_path, symbols=("NQ", "GC"), years=0.05, progress=lines.append)
    assert any("NQ" in line for line in lines) and any("GC" in line for line in lines)
    store = BarStore(StoreConfig(data_dir=tmp_path, cache_dir=tmp_path / "cache"))
    assert store.symbols() == ["GC", "NQ"]
    assert all(store.is_sample(s) and store.bar_sizes(s) == ["1d", "1m"] for s in ("GC", "NQ"))
    version = store.manifest().version
    assert not ensure_sample_data(tmp_path, symbols=("NQ", "GC"), years=0.05, progress=lines.append)
    assert DataFolder(tmp_path).manifest().version == version  # type: ignore[union-attr]


def test_interrupted_set_is_completed_but_imported_data_left_alone(tmp_path: Path) -> None:
    sample, imported = tmp_path / "sample", tmp_path / "imported"
    partial = DataFolder(sample).add_bars("NQ", "1m", minute_bars(10), sample=True)
    assert ensure_sample_data(sample, symbols=("NQ", "ES"), years=0.02, progress=lambda _: None)
    manifest = DataFolder(sample).manifest()
    assert manifest is not None and sorted(manifest.instruments) == ["ES", "NQ"]
    # The whole set is generated again, so its instruments share one end date and one generator.
    assert manifest.bar_file("NQ", "1m").key != partial.key  # type: ignore[union-attr]

    DataFolder(imported).add_bars("NQ", "1m", minute_bars(10))
    assert not ensure_sample_data(imported, symbols=("NQ", "ES"), years=0.02, progress=lambda _: None)
    assert sorted(DataFolder(imported).manifest().instruments) == ["NQ"]  # type: ignore[union-attr]
