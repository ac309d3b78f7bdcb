"""Screens (one query over many instruments) and other instruments through ``POST /api/query``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from starlette.testclient import TestClient

from data_store.layout import DataFolder
from shared.ingest.sample import generate_daily_bars, generate_minute_bars
from shared.market import get_instrument
from shared.script import FrameBars, FramesUniverse, QueryInvalid, start_screen
from tests.app_over_bars import app_over_bars, sign_in

SYMBOLS = ("NQ", "ES", "CL", "GC")
VOLATILITY = {"from": "daily", "select": {"vol": "std(change_pct(close))", "days": "count()"}}


def _frames(symbol: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    instrument = get_instrument(symbol)
    assert instrument is not None
    minutes = generate_minute_bars(symbol, date(2024, 1, 2), date(2024, 3, 28), seed=3)
    return minutes, generate_daily_bars(minutes, instrument)


@pytest.fixture(scope="module")
def frames() -> dict[str, tuple[pl.DataFrame, pl.DataFrame]]:
    return {symbol: _frames(symbol) for symbol in SYMBOLS}


@pytest.fixture(scope="module")
def universe(frames) -> FramesUniverse:
    return FramesUniverse({s: FrameBars(minutes, daily) for s, (minutes, daily) in frames.items()})


def _volatility_by_hand(frames) -> dict[str, float]:
    return {
        symbol: float((daily["close"].pct_change() * 100).std(ddof=1))  # type: ignore[arg-type]
        for symbol, (_, daily) in frames.items()
    }


def test_a_screen_ranks_every_instrument(universe, frames):
    result = start_screen({"screen": "all", **VOLATILITY, "sort": "vol desc"}, universe).result()
    expected = sorted(_volatility_by_hand(frames).items(), key=lambda item: -item[1])
    assert [c["name"] for c in result["columns"]] == ["rank", "instrument", "vol", "days"]
    assert [row[:2] for row in result["rows"]] == [[i + 1, s] for i, (s, _) in enumerate(expected)]
    assert [row[2] for row in result["rows"]] == pytest.approx([v for _, v in expected], rel=1e-9)
    assert sorted(result["source"]["instruments"]) == sorted(SYMBOLS)
    assert result["query"]["screen"] == "all"


def test_a_screen_of_a_list_with_a_limit(universe, frames):
    query = {"screen": ["gc", "CL", "ES"], **VOLATILITY, "sort": "vol", "limit": 2}
    rows = start_screen(query, universe).result()["rows"]
    by_hand = _volatility_by_hand(frames)
    lowest = sorted(["GC", "CL", "ES"], key=by_hand.__getitem__)[:2]
    assert [row[1] for row in rows] == lowest


@pytest.mark.parametrize(
    ("screen", "extra", "message"),
    [
        ([], {}, "covers no instruments"),
        (["NQ", "ZZ"], {}, "unknown instrument ZZ"),
        (["NQ", "ZN"], {}, "no bars for ZN"),
        ("everything", {}, 'list of symbols or "all"'),
        ("all", {"group_by": "y", "map": {"y": "year()"}}, "one row per instrument"),
    ],
)
def test_bad_screens_are_clear_errors(universe, screen, extra, message):
    query = {"screen": screen, **VOLATILITY, **extra}
    if "group_by" in extra:
        query["select"] = {"vol": "std(change_pct(close))"}
    with pytest.raises(QueryInvalid) as raised:
        start_screen(query, universe)
    assert any(message in e.message for e in raised.value.errors), raised.value.errors


@pytest.fixture
def api(barb_env: Path, monkeypatch, frames) -> Iterator[TestClient]:
    folder = DataFolder(barb_env / "data")
    for symbol in ("ES", "CL"):
        minutes, daily = frames[symbol]
        folder.add_bars(symbol, "1m", minutes, sample=True)
        folder.add_bars(symbol, "1d", daily, sample=True)
    yield from app_over_bars(barb_env, monkeypatch, *frames["NQ"])


def test_the_api_reads_other_instruments_and_screens(api, frames):
    headers = sign_in(api, "screen@example.com")
    query = {
        "map": {"r": "change_pct(close)", "es": "on('ES', change_pct(close))"},
        "select": "correlation(r, es)",
    }
    response = api.post("/api/query", json={"instrument": "NQ", "query": query}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    nq, es = frames["NQ"][1], frames["ES"][1]
    joined = nq.select("trade_date", nq["close"].pct_change().alias("a")).join(
        es.select("trade_date", es["close"].pct_change().alias("b")), on="trade_date", how="left"
    )
    assert body["value"] == pytest.approx(joined.select(pl.corr("a", "b")).item(), rel=1e-9)
    assert body["source"]["instruments"] == ["NQ", "ES"] and body["source"]["sample"] is True

    screen = {"screen": "all", **VOLATILITY, "sort": "vol desc"}
    ranked = api.post("/api/query", json={"instrument": "NQ", "query": screen}, headers=headers)
    assert ranked.status_code == 200, ranked.text
    assert sorted(row[1] for row in ranked.json()["rows"]) == ["CL", "ES", "NQ"]

    missing = {"select": "mean(on('GC', close))"}
    refused = api.post("/api/query", json={"instrument": "NQ", "query": missing}, headers=headers)
    assert refused.status_code == 422
    problem = refused.json()
    assert problem["code"] == "QUERY_INVALID" and "request_id" in problem
    assert "no bars for GC" in problem["details"][0]["message"]
    assert "CL, ES, NQ" in problem["details"][0]["hint"]


def test_a_workspace_screen_uses_the_users_instruments(api):
    headers = sign_in(api, "workspace-screen@example.com")
    for symbol in ("ES", "CL"):
        added = api.post("/api/user-instruments", json={"symbol": symbol}, headers=headers)
        assert added.status_code in (200, 201), added.text
    screen = {"screen": "workspace", **VOLATILITY}
    response = api.post("/api/query", json={"instrument": "NQ", "query": screen}, headers=headers)
    assert response.status_code == 200, response.text
    assert sorted(row[0] for row in response.json()["rows"]) == ["CL", "ES"]
