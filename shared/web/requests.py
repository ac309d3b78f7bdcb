"""Reading request input into pydantic models, with validation errors in the API's shape."""

from __future__ import annotations

import json
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from shared.errors import BarbError

M = TypeVar("M", bound=BaseModel)


def _details(exc: ValidationError) -> list[dict[str, str]]:
    return [
        {"field": ".".join(str(p) for p in err["loc"]) or "body", "message": err["msg"]}
        for err in exc.errors()
    ]


def _invalid(message: str, details: list[dict[str, str]] | None = None) -> BarbError:
    return BarbError(422, "VALIDATION_ERROR", message, details=details)


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


async def parse_body(request: Request, model: type[M]) -> M:
    """Parse the JSON body into ``model``; 422 ``VALIDATION_ERROR`` naming every bad field.

    A body declared as anything but JSON is 415; one nested too deeply or holding a number too long to
    convert (Python refuses integers over 4,300 digits) is 422 like any other JSON it cannot read.
    """
    content_type = request.headers.get("content-type")
    if content_type is not None and not _is_json(content_type):
        raise BarbError(
            415, "UNSUPPORTED_MEDIA_TYPE", f"Send the body as application/json, not {content_type}."
        )
    raw = await request.body()
    try:
        payload = json.loads(raw or b"null")
    except RecursionError:
        raise _invalid("The body is nested too deeply.") from None
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError, and the integer digit limit
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
