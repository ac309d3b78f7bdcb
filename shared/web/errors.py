"""The one error shape of the API: ``{"error", "code", "request_id"}`` (plus ``details`` for validation).

Endpoints and everything below them raise :class:`shared.errors.BarbError`; the handlers here render it, and turn every other failure (routing 404/405,
an unexpected exception) into the same shape, so a client never sees a stack trace or a framework's own body.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from shared.errors import BarbError
from shared.secrets import SecretUnavailable
from shared.web.requestid import current_request_id

__all__ = ["EXCEPTION_HANDLERS", "error_response"]

log = logging.getLogger("barb.errors")
_STATUS_CODES = {
    400: ("BAD_REQUEST", "The request is malformed."),
    401: ("AUTH_MISSING", "Sign in to use this endpoint."),
    403: ("FORBIDDEN", "You are not allowed to do this."),
    404: ("NOT_FOUND", "There is nothing at this address."),
    405: ("METHOD_NOT_ALLOWED", "This address does not accept that method."),
    409: ("CONFLICT", "The request conflicts with the current state."),
    413: ("PAYLOAD_TOO_LARGE", "The request body is too large."),
    415: ("UNSUPPORTED_MEDIA_TYPE", "Send the body as application/json."),
    422: ("VALIDATION_ERROR", "The request body is not valid."),
    429: ("RATE_LIMITED", "Too many requests; try again shortly."),
}


def error_response(error: BarbError) -> JSONResponse:
    """Render an error in the API's shape: the one place the body of an error is written."""
    body: dict[str, Any] = {"error": error.message, "code": error.code, "request_id": current_request_id()}
    if error.details is not None:
        body["details"] = error.details
    return JSONResponse(body, status_code=error.status, headers=error.headers)


async def handle_api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BarbError)
    return error_response(exc)


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code, message = _STATUS_CODES.get(exc.status_code, ("HTTP_ERROR", "The request failed."))
    return error_response(BarbError(exc.status_code, code, message, headers=dict(exc.headers or {})))


async def handle_secret_unavailable(request: Request, exc: Exception) -> Response:
    log.error("%s", exc)  # the operator's to fix; the client only learns that the service is unavailable
    return error_response(
        BarbError(503, "SECRET_UNAVAILABLE", "The service is misconfigured; try again later.")
    )


EXCEPTION_HANDLERS = {
    BarbError: handle_api_error,
    HTTPException: handle_http_exception,
    SecretUnavailable: handle_secret_unavailable,
}
