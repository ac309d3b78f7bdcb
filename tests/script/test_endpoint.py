"""``POST /api/query`` over the real app, bar store and local sign-in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.app_over_bars import app_over_bars, sign_in
from tests.script.bars_fixture import nq_january, settlement_bars


@pytest.fixture(scope="module")
def nq_minutes():
    return nq_january(seed=5)


@pytest.fixture
def api(barb_env: Path, monkeypatch, nq_minutes) -> Iterator[TestClient]:
    yield from app_over_bars(barb_env, monkeypatch, nq_minutes, settlement_bars(nq_minutes))


def test_query_runs_and_labels_sample_data(api):
    headers = sign_in(api, "query-ok@example.com")
    body = {"instrument": "nq", "query": {"period": "2024-01", "map": {"r": "range()"}, "select": "mean(r)"}}
    response = api.post("/api/query", json=body, headers=headers)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["kind"] == "scalar" and result["value"] > 0
    assert result["source"]["bars"] == "daily-settlement" and result["source"]["sample"] is True
    explained = api.post("/api/query", json=body | {"explain": True}, headers=headers).json()
    assert len(explained["explain"]["rows"]) == result["source"]["rows_scanned"]


def test_query_requires_sign_in(api):
    response = api.post("/api/query", json={"instrument": "NQ", "query": {}})
    assert response.status_code == 401 and response.json()["code"] == "AUTH_MISSING"


def test_invalid_query_lists_every_error(api):
    headers = sign_in(api, "query-invalid@example.com")
    query = {"map": {"x": "close = open"}, "group_by": "dayofweek()", "limit": 0}
    response = api.post("/api/query", json={"instrument": "NQ", "query": query}, headers=headers)
    assert response.status_code == 422
    payload = response.json()
    assert payload["code"] == "QUERY_INVALID" and payload["request_id"]
    assert {d["step"] for d in payload["details"]} == {"map.x", "group_by", "limit"}
    assert all(set(d) == {"step", "expression", "message", "hint"} for d in payload["details"])


def test_intraday_function_on_daily_bars_is_invalid_with_a_hint(api):
    headers = sign_in(api, "query-intraday@example.com")
    query = {"where": "time() == '09:30'", "group_by": "hour()"}
    response = api.post("/api/query", json={"instrument": "NQ", "query": query}, headers=headers)
    assert response.status_code == 422
    payload = response.json()
    assert payload["code"] == "QUERY_INVALID"
    by_step = {d["step"]: d for d in payload["details"]}
    assert set(by_step) == {"where", "group_by"}
    assert "needs intraday bars" in by_step["where"]["message"]
    assert all('"from": "1m"' in d["hint"] for d in payload["details"])


def test_unknown_instrument_and_missing_data_are_404(api):
    headers = sign_in(api, "query-404@example.com")
    unknown = api.post("/api/query", json={"instrument": "ZZZ", "query": {}}, headers=headers)
    assert unknown.status_code == 404 and unknown.json()["code"] == "NOT_FOUND"
    no_data = api.post("/api/query", json={"instrument": "ES", "query": {}}, headers=headers)
    assert no_data.status_code == 404 and no_data.json()["code"] == "NO_DATA"


def test_malformed_body_is_a_validation_error(api):
    headers = sign_in(api, "query-body@example.com")
    response = api.post("/api/query", json={"instrument": "NQ", "query": "select count()"}, headers=headers)
    assert response.status_code == 422 and response.json()["code"] == "VALIDATION_ERROR"


def test_timeout_is_reported(barb_env, monkeypatch, nq_minutes):
    for client in app_over_bars(
        barb_env, monkeypatch, nq_minutes, settlement_bars(nq_minutes), QUERY_TIMEOUT_S="0.001"
    ):
        headers = sign_in(client, "query-slow@example.com")
        query = {
            "from": "1m",
            "map": {"a": "rsi(close, 14)", "b": "sar()", "c": "supertrend()"},
            "sort": "a desc",
        }
        response = client.post("/api/query", json={"instrument": "NQ", "query": query}, headers=headers)
        assert response.status_code == 504
        assert response.json()["code"] == "QUERY_TIMEOUT"
        assert "did not finish within 0.001 s" in response.json()["error"]


def test_rate_limit_per_user(barb_env, monkeypatch, nq_minutes):
    for client in app_over_bars(
        barb_env, monkeypatch, nq_minutes, settlement_bars(nq_minutes), QUERY_RATE_PER_MINUTE="2"
    ):
        headers = sign_in(client, "query-rate@example.com")
        body = {"instrument": "NQ", "query": {"select": "count()"}}
        codes = [client.post("/api/query", json=body, headers=headers).status_code for _ in range(3)]
        assert codes == [200, 200, 429]


def test_an_unknown_event_id_is_a_422_listing_the_known_ones(api):
    headers = sign_in(api, "query-event@example.com")
    query = {"map": {"f": "is_event('fmoc')"}, "group_by": "f", "select": "count()"}
    response = api.post("/api/query", json={"instrument": "NQ", "query": query}, headers=headers)
    assert response.status_code == 422
    payload = response.json()
    (detail,) = payload["details"]
    assert payload["code"] == "QUERY_INVALID" and detail["step"] == "map.f"
    assert detail["message"] == "is_event() argument 'event': unknown event 'fmoc'"
    assert detail["hint"].startswith(
        "Did you mean `fomc`? Use one of: api_crude, baker_hughes, btc_halving, cpi,"
    )
