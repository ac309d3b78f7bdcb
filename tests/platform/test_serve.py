"""``barb serve`` on a real socket: a fresh data folder gets sample data, then the platform API works end to end."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import assert_error_shape
from tests.platform.servers import free_port, server_env, serving

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("serve")
    port = free_port()
    env = server_env(root, SAMPLE_DATA="true")
    barb = Path(sys.executable).with_name("barb")
    command = [barb, "serve", "--port", str(port)]
    with serving(command, port=port, env=env, cwd=ROOT, log=root / "barb.log", what="barb serve") as url:
        yield url


def client(base_url: str, email: str) -> httpx.Client:
    http = httpx.Client(base_url=base_url, timeout=30, event_hooks={"response": [assert_error_shape]})
    token = http.post("/api/auth/local/sign-in", json={"email": email}).json()["access_token"]
    http.headers["Authorization"] = f"Bearer {token}"
    return http


def test_first_start_serves_sample_data_and_health(served):
    health = httpx.get(f"{served}/health").json()
    assert health["checks"]["store"]["status"] == health["checks"]["bucket"]["status"] == "ok"
    nq = httpx.get(f"{served}/api/instruments/NQ").json()
    assert nq["data"]["available"] and nq["data"]["sample"]
    assert not httpx.get(f"{served}/api/instruments/ZC").json()["data"]["available"]


def test_conversations_and_workspace_over_http_with_isolation(served):
    alice, bob = client(served, "alice@example.com"), client(served, "bob@example.com")
    ids = [alice.post("/api/conversations", json={"instrument": "nq"}).json()["id"] for _ in range(3)]
    page = alice.get("/api/conversations", params={"limit": 2}).json()
    rest = alice.get("/api/conversations", params={"limit": 2, "cursor": page["next_cursor"]}).json()
    assert [c["id"] for c in page["conversations"] + rest["conversations"]] == ids[::-1]
    assert rest["next_cursor"] is None

    renamed = alice.patch(f"/api/conversations/{ids[0]}", json={"title": "Opening gaps"}).json()
    assert renamed["title"] == "Opening gaps"
    assert alice.delete(f"/api/conversations/{ids[1]}").status_code == 204
    assert alice.get(f"/api/conversations/{ids[1]}").status_code == 404
    assert alice.post("/api/user-instruments", json={"symbol": "es"}).status_code == 201
    assert [i["symbol"] for i in alice.get("/api/user-instruments").json()["instruments"]] == ["ES"]

    assert bob.get("/api/conversations").json()["conversations"] == []
    assert bob.get("/api/user-instruments").json()["instruments"] == []
    for method, path in (("GET", f"/api/conversations/{ids[0]}"), ("PATCH", f"/api/conversations/{ids[0]}")):
        assert bob.request(method, path, json={"title": "mine"}).status_code == 404
    assert alice.get(f"/api/conversations/{ids[0]}").json()["title"] == "Opening gaps"


def test_the_spa_and_the_api_share_the_origin(served):
    if not (ROOT / "front" / "dist" / "index.html").exists():
        pytest.fail("front/dist is missing: build the SPA first (./dev test and ./dev serve build it)")
    page = httpx.get(f"{served}/i/NQ/c/some-conversation")
    assert page.status_code == 200 and "<div id=" in page.text
    missing = httpx.get(f"{served}/api/not-a-route")
    assert missing.status_code == 404 and missing.json()["code"] == "NOT_FOUND"
