"""Fixtures every test can use: an isolated Barb environment, an app client, signed-in users."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from shared.lazy import reset_singletons
from shared.settings import Settings
from tests.app_over_bars import sign_in

# Variables that would leak the developer's configuration (or a Lambda's) into a test: every setting.
_BARB_VARIABLES = (*(name.upper() for name in Settings.model_fields), "AWS_LAMBDA_FUNCTION_MEMORY_SIZE")


def assert_error_shape(response: httpx.Response) -> None:
    """An error response has the API's shape and carries the request id of its header."""
    if response.status_code < 400:
        return
    response.read()
    body = response.json()
    assert isinstance(body, dict), response.text
    assert {"error", "code", "request_id"} <= body.keys(), response.text
    assert body["request_id"] == response.headers["x-request-id"], response.text


@pytest.fixture(autouse=True, scope="session")
def _every_error_has_the_error_shape() -> Iterator[None]:
    """Check every error response any in-process test client receives, in every test."""
    original = TestClient.__init__

    def init(self: TestClient, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        self.event_hooks["response"].append(assert_error_shape)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TestClient, "__init__", init)
        yield


@pytest.fixture
def barb_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh embedded-mode environment under ``tmp_path`` (state in ``var/``, bars in ``data/``)."""
    for name in _BARB_VARIABLES:
        if name in os.environ:
            monkeypatch.delenv(name)
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SAMPLE_DATA", "false")
    reset_singletons()
    yield tmp_path
    reset_singletons()


@pytest.fixture
def client(barb_env: Path) -> Iterator[TestClient]:
    """The container app (every function) in-process."""
    import server

    with TestClient(server.create_app()) as test_client:
        yield test_client


@pytest.fixture
def auth_headers(client: TestClient) -> Callable[..., dict[str, str]]:
    """Sign in locally and return the Authorization header for that user."""

    def signed_in(email: str = "trader@example.com") -> dict[str, str]:
        return sign_in(client, email)

    return signed_in
