"""Every failure answers in the API's one error shape, with the request id in body, header and log."""

from __future__ import annotations

import logging

import pytest
from starlette.requests import Request
from starlette.routing import Route
from starlette.testclient import TestClient

from shared.web import build_app


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) >= {"error", "code", "request_id"}
    assert body["code"] == code
    assert body["request_id"] == response.headers["x-request-id"]
    assert "Traceback" not in response.text
    return body


def test_unknown_route_is_a_json_404(client):
    assert_error(client.get("/api/nothing-here"), 404, "NOT_FOUND")


def test_wrong_method_is_a_json_405(client):
    assert_error(client.delete("/health"), 405, "METHOD_NOT_ALLOWED")


def test_body_over_the_limit_is_413_by_header_and_by_stream(client, auth_headers):
    headers = auth_headers()
    body = assert_error(
        client.post("/api/conversations", content=b"x" * 70_000, headers=headers), 413, "PAYLOAD_TOO_LARGE"
    )
    assert "64 KB" in body["error"]

    def chunks():  # no Content-Length: the limit is enforced while the body streams in
        for _ in range(20):
            yield b"y" * 8192

    assert_error(
        client.post("/api/conversations", content=chunks(), headers=headers), 413, "PAYLOAD_TOO_LARGE"
    )


def test_invalid_json_and_schema_errors_are_422_with_details(client, auth_headers):
    headers = auth_headers()
    assert_error(
        client.post("/api/conversations", content=b"{nope", headers=headers), 422, "VALIDATION_ERROR"
    )
    body = assert_error(
        client.post("/api/conversations", json={"title": "x"}, headers=headers), 422, "VALIDATION_ERROR"
    )
    assert body["details"][0]["field"] == "instrument"


def test_unhandled_exception_is_a_500_with_request_id_and_a_logged_trace(barb_env, caplog):
    async def boom(request: Request):
        raise RuntimeError("secret internals")

    app = build_app([Route("/boom", boom)])
    with TestClient(app, raise_server_exceptions=False) as client, caplog.at_level(logging.ERROR, "barb.web"):
        response = client.get("/boom", headers={"X-Request-Id": "req-123"})
    body = assert_error(response, 500, "INTERNAL_ERROR")
    assert body["request_id"] == "req-123"
    assert "secret internals" not in response.text
    assert any("secret internals" in (r.exc_text or "") for r in caplog.records)


@pytest.mark.parametrize("incoming", ["abc-123", "Root=1;x"])
def test_request_id_is_taken_from_the_header_when_valid(client, incoming):
    response = client.get("/health", headers={"X-Request-Id": incoming})
    if incoming == "abc-123":
        assert response.headers["x-request-id"] == incoming
    else:  # a value that could forge log lines is replaced
        assert response.headers["x-request-id"] != incoming
        assert len(response.headers["x-request-id"]) == 32


def test_request_id_is_exposed_to_browsers_by_cors(client):
    response = client.get("/health", headers={"Origin": "http://localhost:5173"})
    assert "x-request-id" in response.headers["access-control-expose-headers"].lower()


def test_the_suite_checks_the_shape_of_every_error_it_receives(barb_env):
    """The root conftest hooks every TestClient: an error body in another shape fails the test that got it."""
    from starlette.responses import JSONResponse

    async def foreign(request: Request):
        return JSONResponse({"detail": "not our shape"}, status_code=400)

    with TestClient(build_app([Route("/foreign", foreign)])) as client, pytest.raises(AssertionError):
        client.get("/foreign")


JSON_ENDPOINTS = [
    ("POST", "/api/conversations"),
    ("PATCH", "/api/conversations/{cid}"),
    ("POST", "/api/user-instruments"),
    ("POST", "/api/query"),
    ("POST", "/api/backtest"),
    ("POST", "/api/chat/stream"),
]


def _json_endpoints(client, headers) -> list[tuple[str, str]]:
    cid = client.post("/api/conversations", json={"instrument": "NQ"}, headers=headers).json()["id"]
    return [(method, path.format(cid=cid)) for method, path in JSON_ENDPOINTS]


def test_json_nested_too_deeply_or_with_huge_numbers_is_422_everywhere(client, auth_headers):
    """40 KB of nesting (under the body limit) overflowed the parser's recursion; 5,000 digits its int limit."""
    headers = auth_headers() | {"content-type": "application/json"}
    deep = b"[" * 20_000 + b"]" * 20_000
    inner = b'{"instrument": "NQ", "query": {"map": {"x": ' + b"[" * 5_000 + b"]" * 5_000 + b"}}}"
    huge = b'{"instrument": "NQ", "title": ' + b"7" * 5_000 + b"}"
    for method, path in _json_endpoints(client, headers):
        for body in (deep, inner, huge):
            response = client.request(method, path, content=body, headers=headers)
            assert_error(response, 422, response.json().get("code", ""))
            assert response.json()["code"] in {"VALIDATION_ERROR", "QUERY_INVALID", "BACKTEST_INVALID"}, (
                method,
                path,
                response.text,
            )


def test_a_body_declared_as_something_else_than_json_is_415(client, auth_headers):
    headers = auth_headers()
    for method, path in _json_endpoints(client, headers):
        for content_type in (
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
        ):
            response = client.request(
                method,
                path,
                content=b'{"instrument": "NQ"}',
                headers=headers | {"content-type": content_type},
            )
            body = assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")
            assert content_type.split(";")[0] in body["error"]
    created = client.post(
        "/api/conversations",
        content=b'{"instrument": "NQ"}',
        headers=headers | {"content-type": "application/json; charset=utf-8"},
    )
    assert created.status_code == 201
