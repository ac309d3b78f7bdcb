"""Lambda parity over the sample events of ``events/`` (one per function and per event kind: HTTP API v2,
API Gateway REST v1, Function URL).

Each sample is a real request to its function, routed to it in template.yaml; replayed through the function's
Mangum handler (only the token placeholder filled in) it answers exactly as the container app answers the same
request. Each function's sample, rewritten to other requests, also covers the routes every app serves.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest
from starlette.routing import Match
from starlette.testclient import TestClient

import functions
from data_store.layout import DataFolder
from shared.lazy import reset_singletons
from tests.lambda_runtime import call_handler
from tests.platform.lambda_events import (
    ADMIN_TOKEN,
    CONVERSATION_ID,
    EVENT_KINDS,
    EVENTS,
    TEST_ADMIN_TOKEN,
    USER_TOKEN,
    Answer,
    HttpRequest,
    LambdaContext,
    answer_of,
    assert_same_answer,
    request_of,
    rewrite,
    sample_event,
    sample_text,
    user_token,
)
from tests.script.bars_fixture import nq_january, settlement_bars

FUNCTIONS = functions.names()
# What each sample answers when replayed (the conversation placeholder names no conversation).
SAMPLE_STATUS = {
    "admin": 200,
    "chat": 404,
    "conversations": 201,
    "instruments": 200,
    "mcp": 200,
    "query": 200,
}


def _template_tests():
    """tests/platform/test_template.py (imported late: it imports this module)."""
    from tests.platform import test_template

    return test_template


@pytest.fixture(scope="module")
def nq_minutes():
    return nq_january(seed=5)


@pytest.fixture
def barb_env(barb_env: Path, monkeypatch: pytest.MonkeyPatch, nq_minutes) -> Path:
    """The isolated environment, with a month of NQ bars (for the query sample) and an admin token."""
    folder = DataFolder(barb_env / "data")
    folder.add_bars("NQ", "1m", nq_minutes, sample=True)
    folder.add_bars("NQ", "1d", settlement_bars(nq_minutes), sample=True)
    monkeypatch.setenv("ADMIN_TOKEN", TEST_ADMIN_TOKEN)
    reset_singletons()
    return barb_env


def invoke(function: str, event: dict, request_id: str = "lambda-req-1") -> Answer:
    """The function's Mangum handler called as the Lambda runtime calls it."""
    handler = importlib.import_module(f"functions.{function}.handler").handler
    return answer_of(call_handler(handler, event, LambdaContext(request_id)))


def ask_container(client: TestClient, request: HttpRequest) -> Answer:
    """The same request to the container app (the test client sets host and length itself)."""
    headers = {k: v for k, v in request.headers.items() if k not in {"host", "content-length"}}
    url = f"{request.path}?{request.query}" if request.query else request.path
    response = client.request(request.method, url, headers=headers, content=request.body)
    return Answer(response.status_code, {k.lower(): v for k, v in response.headers.items()}, response.text)


# -- the sample files -------------------------------------------------------------------------------------


SAMPLES = [(function, kind) for function in FUNCTIONS for kind in EVENT_KINDS]


def test_events_folder_holds_one_event_per_function_and_kind():
    found = {p.relative_to(EVENTS).as_posix() for p in EVENTS.rglob("*") if p.is_file()}
    assert found == {f"{f}/{k}.json" for f, k in SAMPLES} | {"README.md"}


def test_the_readme_covers_every_function_of_the_template():
    readme = " ".join((EVENTS / "README.md").read_text().split())
    template = _template_tests()._template()
    sam_functions = [n for n, r in template["Resources"].items() if r["Type"] == "AWS::Serverless::Function"]
    for name in sam_functions:
        assert name in readme, f"events/README.md does not mention {name}"
    for name, resource in template["Resources"].items():
        command = resource.get("Properties", {}).get("ImageConfig", {}).get("Command", [])
        if command and command[0].endswith(".handler.handler"):
            function = command[0].split(".")[1]
            assert f"sam local invoke {name} -e events/{function}/" in readme, name
    for placeholder in (USER_TOKEN, ADMIN_TOKEN, CONVERSATION_ID, "/api/auth/local/sign-in", "access_token"):
        assert placeholder in readme, placeholder


@pytest.mark.parametrize(("function", "kind"), SAMPLES)
def test_sample_event_has_the_shape_of_its_kind(function, kind):
    event = sample_event(function, kind)
    handler = importlib.import_module(f"functions.{function}.handler").handler
    inferred = type(handler.infer(event, LambdaContext("shape"))).__name__
    context = event["requestContext"]
    request = request_of(event)
    if kind == "apigw-rest":
        assert inferred == "APIGateway"
        assert event["httpMethod"] == context["httpMethod"]
        assert context["path"] == f"/{context['stage']}{event['path']}"
        assert event["resource"] == context["resourcePath"]
        assert event["multiValueHeaders"] == {k: [v] for k, v in event["headers"].items()}
        assert context["identity"]["sourceIp"] == event["headers"]["X-Forwarded-For"]
        assert context["domainName"].endswith(".execute-api.eu-central-1.amazonaws.com")
    else:
        assert inferred == "HTTPGateway" and event["version"] == "2.0"
        assert event["rawPath"] == context["http"]["path"]
        assert event["routeKey"] == context["routeKey"] and context["stage"] == "$default"
        assert all(name == name.lower() for name in event["headers"])
        assert context["http"]["sourceIp"] == event["headers"]["x-forwarded-for"]
        url = kind == "function-url"
        assert (context["accountId"] == "anonymous") is url
        assert (event["routeKey"] == "$default") is url
        domain = ".lambda-url.eu-central-1.on.aws" if url else ".execute-api.eu-central-1.amazonaws.com"
        assert context["domainName"].endswith(domain)
    assert request.headers["host"] == context["domainName"]
    assert "x-request-id" not in request.headers  # it would take the place of the Lambda request id
    assert request.headers.get("authorization") in {None, f"Bearer {USER_TOKEN}", f"Bearer {ADMIN_TOKEN}"}
    assert event["isBase64Encoded"] is False
    if request.body is None:
        assert not {"content-type", "content-length"} & set(request.headers)
    else:
        assert request.headers["content-type"] == "application/json"
        assert request.headers["content-length"] == str(len(request.body))
        assert isinstance(json.loads(request.body), dict)


@pytest.mark.parametrize(("function", "kind"), SAMPLES)
def test_sample_event_is_a_route_of_its_function_and_routed_to_it(function, kind):
    event = sample_event(function, kind)
    request = request_of(event)
    scope = {"type": "http", "path": request.path, "method": request.method, "root_path": ""}
    routes = importlib.import_module(f"functions.{function}.app").routes
    assert any(route.matches(scope)[0] is Match.FULL for route in routes), (request.method, request.path)

    template = _template_tests()

    def routed(resource: dict) -> list[dict]:
        events = [e["Properties"] for e in resource["Properties"]["Events"].values()]
        return [
            e
            for e in events
            if template._pattern(e["Path"]).match(request.path) and e["Method"] in ("ANY", request.method)
        ]

    owners = {name: routed(r) for name, r in template._function_resources().items()}
    assert [name for name, found in owners.items() if found] == [function], (request.method, request.path)
    (route,) = owners[function]
    proxy = (
        request.path.removeprefix(route["Path"].split("{proxy+}")[0]) if "{proxy+}" in route["Path"] else None
    )
    if kind == "apigw-http-v2":
        assert event["routeKey"] == f"{route['Method']} {route['Path']}"
        assert event.get("pathParameters") == (None if proxy is None else {"proxy": proxy})
    if kind == "apigw-rest":  # a REST API laid out like the HTTP API
        assert event["resource"] == route["Path"]
        assert event["pathParameters"] == (None if proxy is None else {"proxy": proxy})


@pytest.mark.parametrize(("function", "kind"), SAMPLES)
def test_sample_event_replays_like_the_container(client, auth_headers, function, kind):
    event = sample_event(function, kind, token=user_token(auth_headers))
    request_id = f"sam-{function}-{kind}"
    answer = invoke(function, event, request_id)
    expected = ask_container(client, request_of(event))
    assert_same_answer(answer, expected, request_id, (function, kind))
    assert answer.status == SAMPLE_STATUS[function], answer.text
    body = answer.body()
    if function == "admin":  # each reload bumps the generation: the container's came second
        assert body["reloaded"] is True and body["instruments"] == []
        assert expected.body()["generation"] == body["generation"] + 1
    if function == "chat":
        assert body["code"] == "NOT_FOUND"  # until the placeholder names a conversation
    if function == "conversations":
        assert body["instrument"] == "NQ" and body["id"] != expected.body()["id"]
    if function == "instruments":
        assert body["symbol"] == "NQ" and body["data"]["available"] is True
    if function == "query":
        assert body["kind"] == "values" and body["values"]["days"] == 21
    if function == "mcp":  # the same query as a tools/call over stateless Streamable HTTP
        result = body["result"]
        assert result["isError"] is False and result["structuredContent"]["values"]["days"] == 21


@pytest.mark.parametrize(("function", "kind"), SAMPLES)
def test_a_sample_with_a_token_placeholder_needs_a_token(barb_env, function, kind):
    event = sample_event(function, kind)
    answer = invoke(function, event, "sam-no-token")
    if "authorization" in request_of(event).headers:
        assert answer.status == 401 and answer.body()["code"] == "AUTH_INVALID"
    else:  # only the public route, answered as it is
        assert function == "instruments" and answer.status == 200


@pytest.mark.parametrize("kind", EVENT_KINDS)
def test_chat_sample_in_a_real_conversation(client, auth_headers, kind):
    """The chat samples with their placeholder naming a conversation (one each side: a run changes it)."""
    headers = auth_headers()
    conversations = [
        client.post("/api/conversations", json={"instrument": "NQ"}, headers=headers).json()["id"]
        for _ in range(2)
    ]
    text = sample_text("chat", kind).replace(USER_TOKEN, headers["Authorization"].removeprefix("Bearer "))
    mine, theirs = (json.loads(text.replace(CONVERSATION_ID, c)) for c in conversations)
    answer = invoke("chat", mine, "sam-chat")
    expected = ask_container(client, request_of(theirs))
    assert_same_answer(answer, expected, "sam-chat", kind)
    assert answer.status == 200
    if request_of(mine).path == "/api/chat/stream":  # buffered SSE under Mangum
        assert answer.text.startswith(": connected\n\n")
        events = answer.body()
        assert [e["event"] for e in events] == ["message_saved", "title_update", "persist", "error"]
        assert events[-1]["data"]["code"] == "LLM_NOT_CONFIGURED"
        stored = client.get(f"/api/conversations/{conversations[0]}/messages", headers=headers).json()
        question_id, answer_id = events[0]["data"]["message_id"], events[2]["data"]["message_id"]
        assert [m["id"] for m in stored["messages"]] == [question_id, answer_id]
        assert stored["messages"][0]["content"] == json.loads(request_of(mine).body)["message"]
        assert stored["messages"][1]["reply_to"] == question_id
    else:
        assert answer.body() == {"conversation_id": conversations[0], "stopping": False}


# -- other requests through each function's sample ---------------------------------------------------------


def requests_for(function: str, token: str) -> list[tuple[str, str, dict | None, dict | None, dict | None]]:
    """(method, path, query, headers, body) exercising the function, plus the routes every app serves."""
    auth = {"Authorization": f"Bearer {token}"}
    common = [
        ("GET", "/health", None, None, None),
        ("GET", "/api/config", None, None, None),
        ("GET", "/api/does-not-exist", None, None, None),
    ]
    own = {
        "admin": [
            ("POST", "/api/admin/reload-data", None, {"Authorization": "Bearer wrong"}, None),
            ("POST", "/api/admin/reload-data", {"token": TEST_ADMIN_TOKEN}, None, None),
        ],
        "chat": [
            ("POST", "/api/chat/stream", None, auth, {"conversation_id": "nope", "message": "Hi"}),
            ("POST", "/api/chat/stream", None, auth, {"conversation_id": "nope", "message": "  "}),
            ("POST", "/api/chat/nope/stop", None, None, None),
        ],
        "conversations": [
            ("POST", "/api/conversations", None, auth, {"instrument": "es", "title": "Parity"}),
            ("GET", "/api/conversations", {"limit": "5"}, auth, None),
            ("GET", "/api/conversations", None, None, None),
            ("POST", "/api/conversations", None, auth, {"instrument": 5}),
        ],
        "instruments": [
            ("GET", "/api/instruments", {"search": "gold"}, None, None),
            ("GET", "/api/instruments/NQ", None, None, None),
            ("GET", "/api/instruments/NOPE", None, None, None),
            ("GET", "/api/user-instruments", None, auth, None),
        ],
        "mcp": [
            ("POST", "/mcp", None, None, _tool_call("list_instruments", {})),
            (
                "POST",
                "/mcp",
                None,
                auth,
                _tool_call("run_query", {"instrument": "NQ", "query": {"map": {"x": "1 +"}}}),
            ),
            ("POST", "/mcp", None, auth, _tool_call("describe_instrument", {"instrument": "NQ"})),
        ],
        "query": [
            ("POST", "/api/query", None, None, {"instrument": "NQ", "query": {}}),
            ("POST", "/api/query", None, auth, {"instrument": "NQ", "query": {"map": {"x": "close = open"}}}),
            ("POST", "/api/query", None, auth, {"instrument": "ES", "query": {}}),
        ],
    }
    return common + own[function]


def _tool_call(name: str, arguments: dict) -> dict:
    """An MCP ``tools/call`` request (JSON-RPC), as a client POSTs it to ``/mcp``."""
    return {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": name, "arguments": arguments},
    }


@pytest.mark.parametrize("function", FUNCTIONS)
@pytest.mark.parametrize("kind", EVENT_KINDS)
def test_handler_answers_like_the_container(client, auth_headers, function, kind):
    sample = sample_event(function, kind)
    statuses = set()
    for method, path, query, headers, body in requests_for(function, user_token(auth_headers)):
        event = rewrite(sample, method, path, query=query, headers=headers, body=body)
        answer = invoke(function, event, "lambda-req-1")
        expected = ask_container(client, request_of(event))
        assert_same_answer(answer, expected, "lambda-req-1", (function, kind, method, path, query))
        statuses.add(answer.status)
    assert {200, 404} <= statuses  # the common routes at least: not everything fails the same way


@pytest.mark.parametrize("kind", EVENT_KINDS)
def test_lambda_request_id_is_the_request_id(barb_env, kind):
    answer = invoke(
        "conversations", rewrite(sample_event("conversations", kind), "GET", "/api/nowhere"), "aws-42"
    )
    assert answer.status == 404
    assert answer.headers["x-request-id"] == answer.body()["request_id"] == "aws-42"


def test_every_function_folder_has_an_app_and_a_handler():
    assert set(FUNCTIONS) >= {"admin", "chat", "conversations", "instruments", "query"}
    for function in FUNCTIONS:
        app_module = importlib.import_module(f"functions.{function}.app")
        assert isinstance(app_module.routes, list), function
        assert importlib.import_module(f"functions.{function}.handler").handler.__class__.__name__ == "Mangum"
