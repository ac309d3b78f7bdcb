"""A damaged bar file is our fault, never the caller's: 503 ``DATA_UNAVAILABLE``, and ``/health`` says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from data_store.layout import DataFolder
from shared.lazy import reset_singletons
from tests.platform.test_errors import assert_error
from tests.script.bars_fixture import nq_january, settlement_bars


@pytest.fixture
def damaged(barb_env: Path) -> Path:
    """A month of NQ bars whose one-minute file was truncated to 4 KB after it was published."""
    minutes = nq_january(seed=3)
    folder = DataFolder(barb_env / "data")
    stored = folder.add_bars("NQ", "1m", minutes, sample=True)
    folder.add_bars("NQ", "1d", settlement_bars(minutes), sample=True)
    path = barb_env / "data" / stored.key
    path.write_bytes(path.read_bytes()[:4096])
    reset_singletons()
    return path


def test_a_damaged_file_answers_503_and_degrades_health(damaged, client, auth_headers):
    headers = auth_headers()
    query = {"from": "1m", "map": {"r": "range()"}, "select": "mean(r)"}
    response = client.post("/api/query", json={"instrument": "NQ", "query": query}, headers=headers)
    body = assert_error(response, 503, "DATA_UNAVAILABLE")
    assert "polars" not in body["error"].lower()
    assert_error(client.get("/api/instruments/NQ/bars", params={"tf": "1m"}), 503, "DATA_UNAVAILABLE")
    bucket = client.get("/health").json()["checks"]["bucket"]
    assert bucket["status"] == "degraded" and damaged.name in bucket["reason"]

    daily = {"from": "daily", "map": {"r": "range()"}, "select": "mean(r)"}
    intact = client.post("/api/query", json={"instrument": "NQ", "query": daily}, headers=headers)
    assert intact.status_code == 200, intact.text  # the other files still serve
