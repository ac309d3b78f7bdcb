"""The whole app in-process over bars put in the data folder, and local sign-in: the endpoint tests' set-up."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from starlette.testclient import TestClient

from data_store.layout import DataFolder
from shared.lazy import reset_singletons


def app_over_bars(
    barb_env: Path, monkeypatch: pytest.MonkeyPatch, minutes: pl.DataFrame, daily: pl.DataFrame, **env: str
) -> Iterator[TestClient]:
    """A client of the app with ``env`` set and NQ's sample ``minutes`` and ``daily`` bars in the store."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    reset_singletons()
    folder = DataFolder(barb_env / "data")
    folder.add_bars("NQ", "1m", minutes, sample=True)
    folder.add_bars("NQ", "1d", daily, sample=True)
    import server

    with TestClient(server.create_app()) as test_client:
        yield test_client


def sign_in(client: TestClient, email: str) -> dict[str, str]:
    """Sign ``email`` in locally and return the Authorization header for that user."""
    response = client.post("/api/auth/local/sign-in", json={"email": email})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
