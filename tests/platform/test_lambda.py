"""Lambda parity: every function's Mangum handler answers API Gateway v2, REST and Function URL events
exactly as the container app answers the same request."""

from __future__ import annotations

import base64
import copy
import importlib
import json
import pkgutil
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

import functions
from tests.lambda_runtime import call_handler

EVENTS = Path(__file__).resolve().parents[1] / "events"
EVENT_KINDS = ("apigw-http-v2", "apigw-rest", "function-url")
FUNCTIONS = sorted(
    m.name
    for m in pkgutil.iter_modules(functions.__path__)
    if m.ispkg and (Path(functions.__path__[0]) / m.name / "app.py").exists()
)


class LambdaContext:
    function_name = "barb-test"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:eu-central-1:123456789012:function:barb-test"

    def __init__(self, request_id: str) -> None:
        self.aws_request_id = request_id

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def make_event(
    kind: str, method: str, path: str, *, query: dict | None = None, headers=None, body=None
) -> dict:
    """A recorded event of ``kind`` rewritten for this request."""
    event = copy.deepcopy(json.loads((EVENTS / f"{kind}.json").read_text()))
    raw_body = None if body is None else json.dumps(body)
    if kind == "apigw-rest":
        event.update(path=path, httpMethod=method, queryStringParameters=query or None)
        event["multiValueQueryStringParameters"] = {k: [v] for k, v in (query or {}).items()} or None
        event["requestContext"].update(path=path, httpMethod=method)
        event["headers"].update(headers or {})
    else:
        event.update(rawPath=path, rawQueryString=urlencode(query or {}), queryStringParameters=query or {})
        event["requestContext"]["http"].update(method=method, path=path)
        event["headers"].update({k.lower(): v for k, v in (headers or {}).items()})
    event["body"] = raw_body
    return event


def invoke(function: str, event: dict, request_id: str = "lambda-req-1") -> tuple[int, dict[str, str], Any]:
    handler = importlib.import_module(f"functions.{function}.handler").handler
    result = call_handler(handler, event, LambdaContext(request_id))
    body = result["body"]
    if result.get("isBase64Encoded"):
        body = base64.b64decode(body).decode()
    headers = {k.lower(): v for k, v in result.get("headers", {}).items()}
    return result["statusCode"], headers, json.loads(body) if body else None


def comparable(body: Any) -> Any:
    """Drop what legitimately differs between two calls (ids, timestamps)."""
    if isinstance(body, dict):
        return {
            k: comparable(v)
            for k, v in body.items()
            if k not in {"request_id", "id", "created_at", "updated_at"}
        }
    if isinstance(body, list):
        return [comparable(v) for v in body]
    return body


def requests_for(function: str, token: str) -> list[tuple[str, str, dict | None, dict | None, dict | None]]:
    """(method, path, query, headers, body) exercising the function, plus the routes every app serves."""
    auth = {"Authorization": f"Bearer {token}"}
    common = [
        ("GET", "/health", None, None, None),
        ("GET", "/api/config", None, None, None),
        ("GET", "/api/does-not-exist", None, None, None),
    ]
    own = {
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
    }
    return common + own.get(function, [])


@pytest.mark.parametrize("function", FUNCTIONS)
@pytest.mark.parametrize("kind", EVENT_KINDS)
def test_handler_answers_like_the_container(client, auth_headers, function, kind):
    token = auth_headers()["Authorization"].split()[1]
    for method, path, query, headers, body in requests_for(function, token):
        status, response_headers, lambda_body = invoke(
            function, make_event(kind, method, path, query=query, headers=headers, body=body)
        )
        expected = client.request(method, path, params=query, headers=headers, json=body)
        assert status == expected.status_code, (function, kind, method, path, lambda_body)
        assert comparable(lambda_body) == comparable(expected.json()), (function, kind, method, path)
        assert response_headers["x-request-id"]
        if status >= 400:
            assert set(lambda_body) >= {"error", "code", "request_id"}


@pytest.mark.parametrize("kind", EVENT_KINDS)
def test_lambda_request_id_is_the_request_id(barb_env, kind):
    status, headers, body = invoke(
        "conversations", make_event(kind, "GET", "/api/nowhere"), request_id="aws-req-42"
    )
    assert status == 404
    assert headers["x-request-id"] == body["request_id"] == "aws-req-42"


def test_every_function_folder_has_an_app_and_a_handler():
    for function in FUNCTIONS:
        app_module = importlib.import_module(f"functions.{function}.app")
        assert isinstance(app_module.routes, list), function
        assert importlib.import_module(f"functions.{function}.handler").handler.__class__.__name__ == "Mangum"
