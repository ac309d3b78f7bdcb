"""``shared.bars.get_bar_store()`` configured from the environment: bucket mode, imported symbols, /health."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from data_store.layout import DataFolder
from data_store.s3 import make_s3_client
from shared.bars import get_bar_store
from shared.cli import main as barb
from shared.health_checks import SERVICE_CHECKS
from shared.lazy import reset_singletons
from shared.market import instruments
from shared.web import build_app
from tests.data_store.bars_fixture import minute_bars
from tests.data_store.conftest import start_moto

AAPL = Path(__file__).resolve().parents[1] / "data" / "AAPL_1d_bars.csv"


@pytest.fixture
def bucket_env(barb_env: Path, aws_credentials: None, monkeypatch: pytest.MonkeyPatch):
    """A private moto server with a published folder (NQ bars and the imported AAPL), the app pointed at it."""
    server, endpoint = start_moto()
    make_s3_client(endpoint, None).create_bucket(Bucket="barb-data")
    data = barb_env / "publish"
    DataFolder(data).add_bars("NQ", "1m", minute_bars(500))
    assert barb(["import", str(AAPL), "--symbol", "AAPL", "--data-dir", str(data)]) == 0
    argv = ["upload", "--data-dir", str(data), "--bucket", "barb-data", "--prefix", "v1"]
    assert barb([*argv, "--endpoint-url", endpoint]) == 0
    for name, value in {
        "DATA_BUCKET": "barb-data",
        "DATA_PREFIX": "v1",
        "S3_ENDPOINT_URL": endpoint,
        "MANIFEST_TTL_S": "0",
    }.items():
        monkeypatch.setenv(name, value)
    reset_singletons()
    try:
        yield server
    finally:
        server.stop()


def test_settings_select_the_bucket_and_imported_symbols_register(bucket_env, barb_env: Path) -> None:
    assert instruments.get_instrument("AAPL") is None
    store = get_bar_store()
    assert store.symbols() == ["AAPL", "NQ"]
    assert instruments.get_instrument("AAPL") is not None  # registered from the manifest at start
    assert (
        store.path("NQ", "1m")
        == barb_env / "var" / "cache" / store.manifest().instruments["NQ"].bars["1m"].key
    )


def test_health_is_degraded_but_serving_when_the_bucket_is_down(bucket_env) -> None:
    client = TestClient(build_app([], checks=SERVICE_CHECKS))
    healthy = client.get("/health").json()
    assert healthy["checks"]["bucket"] == {"status": "ok"}
    store = get_bar_store()
    assert store.scan("NQ", "1m") is not None

    bucket_env.stop()
    response = client.get("/health")
    assert response.status_code == 200
    bucket = response.json()["checks"]["bucket"]
    assert bucket["status"] == "degraded" and "last good manifest" in bucket["reason"]
    frame = store.scan("NQ", "1m")
    assert frame is not None and frame.collect().height == 500
