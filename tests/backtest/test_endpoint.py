"""``POST /api/backtest`` over the real app, bar store and local sign-in."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.app_over_bars import app_over_bars, sign_in
from tests.backtest.conftest import STRATEGY


@pytest.fixture
def api(barb_env: Path, monkeypatch, nq_bars) -> Iterator[TestClient]:
    yield from app_over_bars(barb_env, monkeypatch, *nq_bars)


def test_backtest_runs_for_a_signed_in_user(api):
    assert api.post("/api/backtest", json={"instrument": "NQ", "strategy": STRATEGY}).status_code == 401
    headers = sign_in(api, "bt-ok@example.com")
    response = api.post("/api/backtest", json={"instrument": "nq", "strategy": STRATEGY}, headers=headers)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["instrument"] == "NQ" and result["metrics"]["trades"] == len(result["trades"]["rows"]) > 0
    assert result["source"]["bars"] == "daily-settlement" and result["source"]["sample"] is True
    assert [b["type"] for b in result["blocks"]] == ["metrics-grid", "equity-curve", "trades", "candles"]
    assert result["strategy"]["from"] == "daily" and result["summary"].startswith("Backtest NQ")
    json.dumps(result, allow_nan=False)


def test_invalid_strategy_lists_every_error(api):
    headers = sign_in(api, "bt-invalid@example.com")
    strategy = {"entry": "high == session_high()", "direction": "up", "stop_loss": -1, "from": "weekly"}
    response = api.post("/api/backtest", json={"instrument": "NQ", "strategy": strategy}, headers=headers)
    assert response.status_code == 422
    payload = response.json()
    assert payload["code"] == "STRATEGY_INVALID" and payload["request_id"]
    assert {d["step"] for d in payload["details"]} == {"entry", "direction", "stop_loss", "from"}
    assert all(set(d) == {"step", "expression", "message", "hint"} for d in payload["details"])
    bad_body = api.post("/api/backtest", json={"instrument": "NQ", "strategy": "buy"}, headers=headers)
    assert bad_body.status_code == 422 and bad_body.json()["code"] == "VALIDATION_ERROR"


def test_price_level_target_is_invalid_with_the_distance_to_write(api):
    headers = sign_in(api, "bt-level@example.com")
    strategy = {"entry": "green()", "direction": "long", "take_profit": "prev(high)"}
    response = api.post("/api/backtest", json={"instrument": "NQ", "strategy": strategy}, headers=headers)
    assert response.status_code == 422
    payload = response.json()
    assert payload["code"] == "STRATEGY_INVALID"
    (detail,) = payload["details"]
    assert detail["step"] == "take_profit" and "price level" in detail["message"]
    assert "`prev(high) - close`" in detail["hint"]


def test_unknown_instrument_and_missing_data_are_404(api):
    headers = sign_in(api, "bt-404@example.com")
    unknown = api.post("/api/backtest", json={"instrument": "ZZZ", "strategy": STRATEGY}, headers=headers)
    assert unknown.status_code == 404 and unknown.json()["code"] == "NOT_FOUND"
    no_data = api.post("/api/backtest", json={"instrument": "ES", "strategy": STRATEGY}, headers=headers)
    assert no_data.status_code == 404 and no_data.json()["code"] == "NO_DATA"
    empty = api.post(
        "/api/backtest", json={"instrument": "NQ", "strategy": STRATEGY | {"period": "2019"}}, headers=headers
    )
    assert empty.status_code == 404 and empty.json()["code"] == "NO_DATA"


def test_timeout_and_rate_limit(barb_env, monkeypatch, nq_bars):
    env = {"QUERY_TIMEOUT_S": "0.001", "BACKTEST_RATE_PER_MINUTE": "2"}
    for client in app_over_bars(barb_env, monkeypatch, *nq_bars, **env):
        headers = sign_in(client, "bt-slow@example.com")
        body = {
            "instrument": "NQ",
            "strategy": STRATEGY | {"from": "1m", "entry": "rsi(close, 14) < 30 and sar() < close"},
        }
        responses = [client.post("/api/backtest", json=body, headers=headers) for _ in range(3)]
        codes = [(r.status_code, r.json()["code"]) for r in responses]
        assert codes[0] == (504, "BACKTEST_TIMEOUT")
        # The abandoned first run may still hold this user's backtest thread.
        assert codes[1] in {(504, "BACKTEST_TIMEOUT"), (429, "ENGINE_BUSY")}
        assert codes[2] == (429, "RATE_LIMITED")
        assert "did not finish within 0.001 s" in responses[0].json()["error"]
        assert responses[2].headers["Retry-After"]


def _details(api: TestClient, email: str, strategy: dict) -> dict[str, dict]:
    response = api.post(
        "/api/backtest", json={"instrument": "NQ", "strategy": strategy}, headers=sign_in(api, email)
    )
    assert response.status_code == 422, response.text
    payload = response.json()
    assert payload["code"] == "STRATEGY_INVALID"
    assert all(set(d) == {"step", "expression", "message", "hint"} and d["hint"] for d in payload["details"])
    return {d["step"]: d for d in payload["details"]}


def test_level_mistakes_are_listed_at_once_before_any_data_is_read(api):
    strategy = {
        "entry": "green()",
        "direction": "long",
        "stop_loss": {"level": "atr(14) * 2"},
        "take_profit": {"points": 50},
        "trailing_stop": {"level": "low"},
        "fill": "tomorrow",
    }
    details = _details(api, "bt-levels@example.com", strategy)
    assert set(details) == {"stop_loss", "take_profit", "trailing_stop", "fill"}
    assert "is a distance, not a price level" in details["stop_loss"]["message"]
    assert '{"level": "close - (atr(14) * 2)"}' in details["stop_loss"]["hint"]
    assert '{"level": "<price expression>"}' in details["take_profit"]["message"]
    assert "never a level" in details["trailing_stop"]["message"]
    assert "next_open" in details["fill"]["message"] and "signal_close" in details["fill"]["message"]


def test_a_price_written_as_a_distance_and_a_distance_written_as_a_level_are_invalid(api):
    # The sample NQ closes lie between about 15,700 and 17,800 in the first quarter of 2024.
    strategy = {"entry": "green()", "direction": "long", "stop_loss": 17850, "take_profit": {"level": 50}}
    details = _details(api, "bt-scale@example.com", strategy)
    assert set(details) == {"stop_loss", "take_profit"}
    assert "17850 pts is a price level" in details["stop_loss"]["message"]
    assert '{"level": 17850}' in details["stop_loss"]["hint"]
    assert "is far from every price" in details["take_profit"]["message"]
    assert '"take_profit": 50' in details["take_profit"]["hint"]
    percent = _details(
        api, "bt-scale@example.com", {"entry": "green()", "direction": "short", "stop_loss": "4000%"}
    )
    assert "below 100%" in percent["stop_loss"]["message"] and '{"level"' in percent["stop_loss"]["hint"]


def test_a_level_strategy_runs_with_signal_close_fills(api):
    strategy = STRATEGY | {
        "stop_loss": {"level": "low"},
        "take_profit": {"level": "prev(high)"},
        "fill": "signal_close",
    }
    headers = sign_in(api, "bt-level-ok@example.com")
    response = api.post("/api/backtest", json={"instrument": "NQ", "strategy": strategy}, headers=headers)
    assert response.status_code == 200, response.text
    result = response.json()
    assert (
        result["strategy"]["stop_loss"] == {"level": "low"} and result["strategy"]["fill"] == "signal_close"
    )
    assert result["metrics"]["trades"] > 0
