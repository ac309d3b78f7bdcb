"""Reading request input into pydantic models, with validation errors in the API's shape."""

from __future__ import annotations

import json
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from shared.web.errors import ApiError

M = TypeVar("M", bound=BaseModel)


def _details(exc: ValidationError) -> list[dict[str, str]]:
    return [
        {"field": ".".join(str(p) for p in err["loc"]) or "body", "message": err["msg"]}
        for err in exc.errors()
    ]


def _invalid(message: str, details: list[dict[str, str]] | None = None) -> ApiError:
    return ApiError(422, "VALIDATION_ERROR", message, details=details)


async def parse_body(request: Request, model: type[M]) -> M:
    """Parse the JSON body into ``model``; 422 ``VALIDATION_ERROR`` naming every bad field."""
    raw = await request.body()
    try:
        payload = json.loads(raw or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _invalid(f"The body is not valid JSON: {exc}.") from None
    if not isinstance(payload, dict):
        raise _invalid("The body must be a JSON object.")
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        details = _details(exc)
        raise _invalid(f"Invalid {details[0]['field']}: {details[0]['message']}.", details) from None


def query_params(request: Request, model: type[M]) -> M:
    """Parse the query string into ``model``; 422 ``VALIDATION_ERROR`` naming every bad parameter."""
    try:
        return model.model_validate(dict(request.query_params))
    except ValidationError as exc:
        details = _details(exc)
        raise _invalid(
            f"Invalid parameter {details[0]['field']}: {details[0]['message']}.", details
        ) from None
