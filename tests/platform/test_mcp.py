"""``/mcp`` with the official MCP client over Streamable HTTP, against the app under uvicorn on a real socket.

The tools' results are checked against the REST API for the same input, the errors against our validation
messages and hints, and the refusal of a caller without a valid token against the API's error shape.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from data_store.layout import DataFolder
from shared.mcp import MAX_ROWS
from shared.script import tool_reference
from tests.conftest import _BARB_VARIABLES, assert_error_shape
from tests.platform.servers import app_in_thread
from tests.script.bars_fixture import nq_january, settlement_bars

ROOT = Path(__file__).resolve().parents[2]
QUERY = {"period": "2024-01", "map": {"r": "range()"}, "select": "mean(r)"}
TOOLS = {"list_instruments", "describe_instrument", "barb_reference", "run_query", "run_backtest"}


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A Barb environment whose bar store holds NQ's sample January 2024 (minutes and settlements)."""
    root = tmp_path_factory.mktemp("mcp")
    minutes = nq_january(seed=5)
    folder = DataFolder(root / "data")
    folder.add_bars("NQ", "1m", minutes, sample=True)
    folder.add_bars("NQ", "1d", settlement_bars(minutes), sample=True)
    return {"VAR_DIR": str(root / "var"), "DATA_DIR": str(root / "data"), "SAMPLE_DATA": "false"}


@pytest.fixture(scope="module")
def base_url(env: dict[str, str]) -> Iterator[str]:
    with app_in_thread(env, _BARB_VARIABLES, lifespan="off") as url:
        yield url


@pytest.fixture(scope="module")
def token(base_url: str) -> str:
    response = httpx.post(f"{base_url}/api/auth/local/sign-in", json={"email": "mcp@example.com"})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


@asynccontextmanager
async def connected(base_url: str, token: str) -> AsyncIterator[Client]:
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=60)
    async with http, Client(streamable_http_client(f"{base_url}/mcp", http_client=http)) as client:
        yield client


def call(base_url: str, token: str, name: str, arguments: dict[str, Any]) -> Any:
    async def go() -> Any:
        async with connected(base_url, token) as client:
            return await client.call_tool(name, arguments)

    return anyio.run(go)


def test_lists_the_tools_with_the_chat_declarations(base_url: str, token: str) -> None:
    async def go() -> Any:
        async with connected(base_url, token) as client:
            return await client.list_tools()

    tools = {tool.name: tool for tool in anyio.run(go).tools}
    assert set(tools) == TOOLS
    assert tool_reference() in (tools["run_query"].description or "")
    assert tools["run_query"].input_schema["required"] == ["query"]
    assert tools["run_backtest"].input_schema["required"] == ["instrument", "strategy"]


def rest_query(base_url: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
    response = httpx.post(f"{base_url}/api/query", json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return dict(response.json())


def without_timing(result: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in result.items() if k != "elapsed_ms"}


ON_QUERY = {"from": "1h", "period": "2024-01", "map": {"d": "on('daily', close)"}, "select": "mean(d)"}
SCREEN = {"screen": ["NQ"], "period": "2024-01", "map": {"r": "range()"}, "select": {"avg": "mean(r)"}}


@pytest.mark.parametrize("query", [QUERY, ON_QUERY, SCREEN], ids=["plain", "on", "screen"])
def test_run_query_equals_the_rest_api(base_url: str, token: str, query: dict[str, Any]) -> None:
    result = call(base_url, token, "run_query", {"instrument": "NQ", "query": query})
    assert not result.is_error, result.content[0].text
    rest = rest_query(base_url, token, {"instrument": "NQ", "query": query})
    assert without_timing(result.structured_content) == without_timing(rest)
    text = result.content[0].text
    assert rest["summary"] in text and "synthetic sample" in text


def test_a_screen_needs_no_instrument(base_url: str, token: str) -> None:
    result = call(base_url, token, "run_query", {"query": SCREEN})
    assert not result.is_error, result.content[0].text
    assert [row[0] for row in result.structured_content["rows"]] == ["NQ"]


def test_an_invalid_query_is_a_tool_error_with_our_hint(base_url: str, token: str) -> None:
    result = call(base_url, token, "run_query", {"instrument": "NQ", "query": {"map": {"x": "clsoe + 1"}}})
    assert result.is_error
    body = result.structured_content
    assert body["code"] == "QUERY_INVALID"
    problem = body["details"][0]
    assert problem["hint"] and problem["hint"] in result.content[0].text
    assert problem["message"] in result.content[0].text and "call run_query again" in result.content[0].text


def test_unknown_instrument_and_bad_arguments_are_tool_errors(base_url: str, token: str) -> None:
    unknown = call(base_url, token, "describe_instrument", {"instrument": "ZZZ"})
    assert unknown.is_error and unknown.structured_content["code"] == "NOT_FOUND"
    not_object = call(base_url, token, "run_query", {"instrument": "NQ", "query": "not json"})
    assert not_object.is_error and "JSON object" in not_object.content[0].text
    bad_category = call(base_url, token, "barb_reference", {"category": "astrology"})
    assert bad_category.is_error and "oscillator" in bad_category.content[0].text


def test_catalogue_description_and_reference(base_url: str, token: str) -> None:
    listed = call(base_url, token, "list_instruments", {})
    rest = httpx.get(f"{base_url}/api/instruments").json()
    assert listed.structured_content == rest
    nq = call(base_url, token, "describe_instrument", {"instrument": "nq"}).structured_content
    assert nq["symbol"] == "NQ" and nq["data"]["available"] and nq["tick_size"] > 0
    assert {"upcoming_events", "upcoming_closures"} <= nq.keys()
    everything = call(base_url, token, "barb_reference", {}).content[0].text
    one = call(base_url, token, "barb_reference", {"category": "oscillator"}).content[0].text
    assert (
        everything == tool_reference() and "rsi(" in one and one in everything and len(one) < len(everything)
    )


def test_run_backtest(base_url: str, token: str) -> None:
    strategy = {"entry": "streak(red()) >= 2", "direction": "long", "exit_bars": 2}
    result = call(base_url, token, "run_backtest", {"instrument": "NQ", "strategy": strategy})
    assert not result.is_error, result.content[0].text
    body = result.structured_content
    assert body["instrument"] == "NQ" and body["metrics"]["trades"] == len(body["trades"]["rows"])
    assert "blocks" not in body and body["summary"] in result.content[0].text
    invalid = call(
        base_url, token, "run_backtest", {"instrument": "NQ", "strategy": {"entry": "next(close) > 1"}}
    )
    assert invalid.is_error and invalid.structured_content["code"] == "STRATEGY_INVALID"


def test_large_results_are_cut_with_a_note(base_url: str, token: str) -> None:
    minutes = call(
        base_url, token, "run_query", {"instrument": "NQ", "query": {"from": "1m", "period": "2024-01"}}
    )
    body = minutes.structured_content
    assert len(body["rows"]) == MAX_ROWS and body["truncated"] and body["total_rows"] > MAX_ROWS
    assert f"first {MAX_ROWS} of {body['total_rows']} rows" in minutes.content[0].text


def test_resource_and_prompt(base_url: str, token: str) -> None:
    async def go() -> tuple[Any, Any]:
        async with connected(base_url, token) as client:
            resource = await client.read_resource("barb://reference")
            prompt = await client.get_prompt("how_to_ask_barb", {"question": "Is NQ up on Mondays?"})
            return resource, prompt

    resource, prompt = anyio.run(go)
    assert resource.contents[0].text == tool_reference()
    assert "Is NQ up on Mondays?" in prompt.messages[0].content.text


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token"])
def test_callers_without_a_valid_token_are_refused(base_url: str, authorization: str | None) -> None:
    headers = {"Accept": "application/json, text/event-stream"}
    if authorization:
        headers["Authorization"] = authorization
    initialize = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}}
    response = httpx.post(f"{base_url}/mcp", json=initialize, headers=headers)
    assert response.status_code == 401
    assert_error_shape(response)
    assert response.json()["code"] == ("AUTH_MISSING" if authorization is None else "AUTH_INVALID")


def test_barb_mcp_serves_the_same_tools_over_stdio(env: dict[str, str], base_url: str, token: str) -> None:
    """``barb mcp`` in a subprocess, with no token: the same tools and the same result as over HTTP."""
    command = StdioServerParameters(
        command=sys.executable,
        args=["-c", "import sys; from shared.cli import main; sys.exit(main(['mcp']))"],
        env=env,
        cwd=ROOT,
    )

    async def go() -> tuple[Any, Any]:
        async with Client(command) as client:
            return await client.list_tools(), await client.call_tool(
                "run_query", {"instrument": "NQ", "query": QUERY}
            )

    listed, result = anyio.run(go)
    assert {tool.name for tool in listed.tools} == TOOLS
    assert not result.is_error, result.content[0].text
    over_http = call(base_url, token, "run_query", {"instrument": "NQ", "query": QUERY})
    assert without_timing(result.structured_content) == without_timing(over_http.structured_content)


@pytest.mark.parametrize(
    ("content", "content_type"),
    [("not json", "application/json"), ('{"jsonrpc": "2.0"}', "text/plain"), ("{}", "application/json")],
)
def test_a_malformed_request_is_our_4xx(base_url: str, token: str, content: str, content_type: str) -> None:
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": content_type,
        "Accept": "application/json, text/event-stream",
    }
    response = httpx.post(f"{base_url}/mcp", content=content, headers=headers)
    assert 400 <= response.status_code < 500, response.text
    assert_error_shape(response)
    assert response.json()["code"] == "MCP_INVALID_REQUEST"
