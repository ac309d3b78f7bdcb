"""``barb query`` end to end in a subprocess, over a data folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from data_store.layout import DataFolder
from shared.market import get_instrument
from tests.script.bars_fixture import minute_bars, settlement_bars

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("data")
    instrument = get_instrument("NQ")
    assert instrument is not None
    minutes = minute_bars(instrument, date(2024, 1, 2), date(2024, 1, 12), seed=2)
    store = DataFolder(folder)
    store.add_bars("NQ", "1m", minutes)
    store.add_bars("NQ", "1d", settlement_bars(minutes))
    cl = get_instrument("CL")
    assert cl is not None
    cl_minutes = minute_bars(cl, date(2024, 1, 2), date(2024, 1, 12), seed=3)
    store.add_bars("CL", "1m", cl_minutes)
    store.add_bars("CL", "1d", settlement_bars(cl_minutes))
    return folder


def _run(var_dir: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``barb ARGS`` in a fresh process, with no data folder or bucket configured unless ``env`` says so."""
    base = {k: v for k, v in os.environ.items() if k not in ("DATA_BUCKET", "DATA_DIR")}
    return subprocess.run(
        [sys.executable, "-c", "import sys; from shared.cli import main; sys.exit(main())", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**base, "VAR_DIR": str(var_dir), **(env or {})},
        timeout=120,
        check=False,
    )


def _barb(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return _run(data_dir.parent / "var", "query", "--data", str(data_dir), *args)


def test_prints_result_json(data_dir):
    done = _barb(data_dir, "--instrument", "nq", '{"session": "RTH", "select": "count()"}')
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["kind"] == "scalar" and result["value"] == 9


def test_invalid_query_exits_2_with_errors_on_stderr(data_dir):
    done = _barb(data_dir, "--instrument", "NQ", '{"where": "close = open", "limit": 0}')
    assert done.returncode == 2 and done.stdout == ""
    errors = json.loads(done.stderr)["errors"]
    assert [e["step"] for e in errors] == ["limit", "where"] or [e["step"] for e in errors] == [
        "where",
        "limit",
    ]
    bad_json = _barb(data_dir, "--instrument", "NQ", "{from: daily}")
    assert bad_json.returncode == 2 and "not valid JSON" in bad_json.stderr


def test_unknown_instrument_exits_1(data_dir):
    done = _barb(data_dir, "--instrument", "ES", "{}")
    assert done.returncode == 1 and "no bars for ES" in done.stderr


def test_data_folder_finds_the_symbols_imported_into_it(tmp_path: Path) -> None:
    """``--data DIR`` reads DIR's manifest (where an imported symbol's catalogue entry lives) before the
    instrument is looked up, exactly as ``DATA_DIR=DIR`` does."""
    data, var = tmp_path / "data", tmp_path / "var"
    imported = _run(
        var, "import", str(ROOT / "tests/data/AAPL_1d_bars.csv"), "--symbol", "AAPL", "--data", str(data)
    )
    assert imported.returncode == 0, imported.stderr
    query = '{"from": "daily", "select": "count()"}'
    by_option = _run(var, "query", "--instrument", "aapl", "--data", str(data), query)
    by_setting = _run(var, "query", "--instrument", "aapl", query, env={"DATA_DIR": str(data)})
    for done in (by_option, by_setting):
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["value"] == 530
    unknown = _run(var, "query", "--instrument", "MSFT", "--data", str(data), query)
    assert unknown.returncode == 1
    assert unknown.stderr == "Unknown instrument 'MSFT' (symbols with bars in the data: AAPL).\n"


def test_query_reads_another_instrument_and_screens(data_dir):
    ratio = _barb(
        data_dir, "--instrument", "NQ", '{"map": {"x": "close / on(\'CL\', close)"}, "select": "last(x)"}'
    )
    assert ratio.returncode == 0, ratio.stderr
    result = json.loads(ratio.stdout)
    assert result["value"] > 0 and result["source"]["instruments"] == ["NQ", "CL"]
    screen = _barb(
        data_dir, "--instrument", "NQ", '{"screen": "all", "select": {"n": "count()"}, "sort": "n desc"}'
    )
    assert screen.returncode == 0, screen.stderr
    rows = json.loads(screen.stdout)["rows"]
    assert sorted(row[1] for row in rows) == ["CL", "NQ"] and [row[0] for row in rows] == [1, 2]
