"""Sample Lambda events (``events/``) and the answers to them, for replaying events through a handler and
comparing the answer with the container's."""

from __future__ import annotations

import base64
import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "events"
EVENT_KINDS = ("apigw-http-v2", "apigw-rest", "function-url")

# Placeholders in the sample events (events/README.md says what to put there).
USER_TOKEN = "REPLACE_WITH_A_TOKEN"
ADMIN_TOKEN = "REPLACE_WITH_THE_ADMIN_TOKEN"
CONVERSATION_ID = "REPLACE_WITH_A_CONVERSATION_ID"

TEST_ADMIN_TOKEN = "admin-token-for-the-lambda-tests"
VOLATILE = {"id", "created_at", "updated_at", "elapsed_ms", "generation"}


class LambdaContext:
    function_name = "barb-test"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:eu-central-1:123456789012:function:barb-test"

    def __init__(self, request_id: str) -> None:
        self.aws_request_id = request_id

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def sample_text(function: str, kind: str) -> str:
    return (EVENTS / function / f"{kind}.json").read_text()


def sample_event(function: str, kind: str, token: str | None = None) -> dict:
    """``events/<function>/<kind>.json``, with the user's ``token`` and the test admin token filled in."""
    text = sample_text(function, kind)
    if token is not None:
        text = text.replace(USER_TOKEN, token).replace(ADMIN_TOKEN, TEST_ADMIN_TOKEN)
    return json.loads(text)


def user_token(auth_headers) -> str:
    return auth_headers()["Authorization"].removeprefix("Bearer ")


def is_v2(event: dict) -> bool:
    return event.get("version") == "2.0"


@dataclass(frozen=True)
class HttpRequest:
    method: str
    path: str
    query: str
    headers: dict[str, str]  # lower-case names
    body: bytes | None


def request_of(event: dict) -> HttpRequest:
    """The HTTP request an event stands for, read the way API Gateway and Function URLs define the payload."""
    if is_v2(event):
        method, path = event["requestContext"]["http"]["method"], event["rawPath"]
        query = event.get("rawQueryString", "")
        headers = dict(event["headers"])
        if event.get("cookies"):
            headers["cookie"] = "; ".join(event["cookies"])
    else:
        method, path = event["httpMethod"], event["path"]
        params = event.get("multiValueQueryStringParameters") or {
            k: [v] for k, v in (event.get("queryStringParameters") or {}).items()
        }
        query = urlencode(params, doseq=True)
        multi = {k: ", ".join(v) for k, v in (event.get("multiValueHeaders") or {}).items()}
        headers = {**(event.get("headers") or {}), **multi}
    body = event.get("body")
    if body is not None:
        body = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode()
    return HttpRequest(method, path, query, {k.lower(): v for k, v in headers.items()}, body)


def rewrite(
    event: dict, method: str, path: str, *, query: dict | None = None, headers=None, body=None
) -> dict:
    """A function's sample ``event`` rewritten to another request (same kind, API and client; the sample's
    authorization and body go, ``headers`` and ``body`` come in)."""
    event = copy.deepcopy(event)
    raw = None if body is None else json.dumps(body)
    new = {k.lower(): v for k, v in (headers or {}).items()}
    if raw is not None:
        new |= {"content-type": "application/json", "content-length": str(len(raw.encode()))}
    own = {"authorization", "content-type", "content-length"}
    if is_v2(event):
        event["headers"] = {k: v for k, v in event["headers"].items() if k not in own} | new
        event.update(rawPath=path, rawQueryString=urlencode(query or {}), routeKey="$default")
        event.pop("pathParameters", None)
        event.pop("queryStringParameters", None)
        if query:
            event["queryStringParameters"] = dict(query)
        event["requestContext"].update(routeKey="$default")
        event["requestContext"]["http"].update(method=method, path=path)
    else:
        titled = {"-".join(p.capitalize() for p in k.split("-")): v for k, v in new.items()}
        event["headers"] = {k: v for k, v in event["headers"].items() if k.lower() not in own} | titled
        event["multiValueHeaders"] = {k: [v] for k, v in event["headers"].items()}
        event.update(
            path=path,
            httpMethod=method,
            resource="/{proxy+}",
            pathParameters={"proxy": path.lstrip("/")},
            queryStringParameters=dict(query) if query else None,
            multiValueQueryStringParameters={k: [v] for k, v in query.items()} if query else None,
        )
        context = event["requestContext"]
        context.update(path=f"/{context['stage']}{path}", httpMethod=method, resourcePath="/{proxy+}")
    event.update(body=raw, isBase64Encoded=False)
    return event


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]  # lower-case names
    text: str

    def body(self) -> Any:
        """The JSON body, or the events of an SSE body as ``[{event, data}]``."""
        if self.headers.get("content-type", "").startswith("text/event-stream"):
            return sse_events(self.text)
        return json.loads(self.text) if self.text else None


def sse_events(text: str) -> list[dict[str, Any]]:
    events = []
    for frame in text.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in frame.splitlines() if line and not line.startswith(":"))
        if fields:
            events.append({"event": fields["event"], "data": json.loads(fields["data"])})
    return events


def answer_of(result: dict[str, Any]) -> Answer:
    """A Lambda proxy result (what a handler returns) as an :class:`Answer`."""
    body = result["body"]
    if result.get("isBase64Encoded"):
        body = base64.b64decode(body).decode()
    return Answer(result["statusCode"], {k.lower(): v for k, v in result.get("headers", {}).items()}, body)


def comparable(body: Any) -> Any:
    """Drop what legitimately differs between two calls (ids, timestamps, run time, reload generation)."""
    if isinstance(body, dict):
        return {k: comparable(v) for k, v in body.items() if k not in VOLATILE and not k.endswith("_id")}
    if isinstance(body, list):
        return [comparable(v) for v in body]
    return body


def assert_same_answer(answer: Answer, expected: Answer, request_id: str, where: object) -> None:
    """The Lambda answer is the container's (modulo ``comparable``) and carries the Lambda request id."""
    assert answer.status == expected.status, (where, answer.text, expected.text)
    assert comparable(answer.body()) == comparable(expected.body()), where
    if "content-type" in expected.headers:
        assert answer.headers["content-type"] == expected.headers["content-type"], where
    assert answer.headers["x-request-id"] == request_id, where
    if answer.status >= 400:
        body = answer.body()
        assert set(body) >= {"error", "code", "request_id"}, where
        assert body["request_id"] == request_id, where
