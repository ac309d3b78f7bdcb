"""Importing a symbol again: options given update its catalogue entry (and say so); built-in instruments are
never redefined, and options contradicting them are refused instead of silently ignored."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from data_store.layout import DataFolder
from shared.bars import register_catalogue_entries
from shared.cli import main as barb
from shared.lazy import reset_singletons
from shared.market import instruments

AAPL = Path(__file__).resolve().parents[1] / "data" / "AAPL_1d_bars.csv"


@pytest.fixture(autouse=True)
def fresh_registry() -> None:
    reset_singletons()


def _import(data: Path, capsys: pytest.CaptureFixture[str], *options: str, symbol: str = "AAPL") -> tuple:
    code = barb(["import", str(AAPL), "--symbol", symbol, "--data", str(data), *options])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _stored(data: Path, symbol: str = "AAPL") -> dict:
    manifest = DataFolder(data).manifest()
    assert manifest is not None
    entry = manifest.instruments[symbol].instrument
    assert entry is not None
    return entry


def test_name_and_exchange_given_again_update_the_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    assert _import(data, capsys)[0] == 0
    assert (_stored(data)["name"], _stored(data)["exchange"]) == ("AAPL", "NYSE")

    code, out, err = _import(data, capsys, "--name", "Apple Inc.", "--exchange", "nasdaq")
    assert (code, err) == (0, "")
    assert "AAPL: updated its catalogue entry: name 'AAPL' → 'Apple Inc.'; exchange 'NYSE' → 'NASDAQ'" in out
    assert (_stored(data)["name"], _stored(data)["exchange"]) == ("Apple Inc.", "NASDAQ")
    aapl = instruments.get_instrument("AAPL")
    assert aapl is not None and (aapl.name, aapl.exchange) == ("Apple Inc.", "NASDAQ")

    # A new process learns the updated entry from the manifest.
    reset_singletons()
    manifest = DataFolder(data).manifest()
    assert manifest is not None
    register_catalogue_entries(manifest)
    assert instruments.get_instrument("AAPL") == aapl

    # The same options again, or none, change nothing and say nothing about the catalogue.
    for options in (("--name", "Apple Inc."), ()):
        code, out, _ = _import(data, capsys, *options)
        assert code == 0 and "catalogue" not in out
        assert _stored(data)["name"] == "Apple Inc."


def test_session_and_tick_size_given_again_update_the_entry_and_the_bars(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    _import(data, capsys, "--name", "Apple")
    code, out, _ = _import(data, capsys, "--session", "10:00", "16:00", "--tick-size", "0.05")
    assert code == 0
    assert "session 'RTH 09:30-16:00' → 'RTH 10:00-16:00'; tick-size 0.01 → 0.05" in out
    entry = _stored(data)
    assert entry["name"] == "Apple"  # options not given keep their value
    assert (entry["sessions"], entry["tick_size"], entry["tick_value"]) == (
        {"RTH": ["10:00", "16:00"]},
        0.05,
        0.05,
    )
    manifest = DataFolder(data).manifest()
    assert manifest is not None
    bars = pl.read_parquet(data / manifest.instruments["AAPL"].bars["1d"].key)
    opens = bars["ts"].dt.convert_time_zone("America/New_York").dt.strftime("%H:%M").unique().to_list()
    assert opens == ["10:00"]  # daily bars open at the updated session's open


def test_another_type_rebuilds_the_entry_from_that_types_defaults(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    _import(data, capsys, "--name", "Apple")
    code, out, _ = _import(data, capsys, "--type", "futures")
    assert code == 0 and "type 'stock' → 'futures'" in out and "calendar 'NYSE' → 'CME'" in out
    entry = _stored(data)
    assert (entry["type"], entry["name"], entry["calendar"], entry["default_session"]) == (
        "futures",
        "Apple",
        "CME",
        "ETH",
    )


def test_options_contradicting_a_builtin_instrument_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    code, out, err = _import(data, capsys, "--name", "My Nasdaq", "--tick-size", "0.5", symbol="NQ")
    assert (code, out) == (2, "")
    assert err == (
        "NQ is in the built-in catalogue, which an import cannot change: --name 'My Nasdaq' differs from its "
        "'E-Mini Nasdaq 100'; --tick-size 0.5 differs from its 0.25\n"
    )
    assert DataFolder(data).manifest() is None
    # Options that agree with it (any of its sessions) are fine; no entry is stored for a built-in symbol.
    code, _, err = _import(data, capsys, "--exchange", "cme", "--session", "09:30", "16:15", symbol="NQ")
    assert (code, err) == (0, "")
    manifest = DataFolder(data).manifest()
    assert manifest is not None and manifest.instruments["NQ"].instrument is None


def test_each_folder_keeps_its_own_entry(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    _import(first, capsys, "--name", "Apple (first)")
    # Known in this process from the first folder: the second folder still gets the entry in its manifest.
    _import(second, capsys)
    assert _stored(second)["name"] == "Apple (first)"
    _import(second, capsys, "--name", "Apple (second)")
    # Importing into the first folder again uses its own entry, not the one this process saw last.
    code, out, _ = _import(first, capsys)
    assert code == 0 and "catalogue" not in out
    assert _stored(first)["name"] == "Apple (first)"


def test_a_bad_tick_size_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _import(tmp_path / "data", capsys, "--tick-size", "0")
    assert (code, err) == (2, "tick_size: the tick size must be a positive number\n")
