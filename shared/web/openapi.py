"""The OpenAPI document of an app, built from its routes (``GET /api/openapi.json``).

Operations are described by their endpoints' docstrings; every operation documents the one error shape.
Endpoints that need no token are marked with :func:`public`.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any, TypeVar

from starlette.routing import BaseRoute, Route

F = TypeVar("F", bound=Callable[..., Any])
_PUBLIC_ATTRIBUTE = "__barb_public__"
_ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "code", "request_id"],
    "properties": {
        "error": {"type": "string", "description": "a sentence for people"},
        "code": {"type": "string", "description": "UPPER_SNAKE code for programs"},
        "request_id": {"type": "string"},
        "details": {"type": "array", "items": {"type": "object"}, "description": "validation errors"},
    },
}


def public(endpoint: F) -> F:
    """Mark an endpoint as answering without a token (documentation only: auth is enforced in the code)."""
    setattr(endpoint, _PUBLIC_ATTRIBUTE, True)
    return endpoint


def _operation(route: Route, method: str) -> dict[str, Any]:
    doc = inspect.getdoc(route.endpoint) or route.endpoint.__name__.replace("_", " ")
    summary, _, description = doc.partition("\n")
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in re.findall(r"\{(\w+)(?::\w+)?\}", route.path)
    ]
    module = route.endpoint.__module__.split(".")
    operation: dict[str, Any] = {
        "operationId": f"{method.lower()}_{route.endpoint.__name__}",
        "summary": summary.strip(),
        "tags": [module[1] if module[0] == "functions" else "common"],
        "parameters": parameters,
        "responses": {
            "default": {
                "description": "an error",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            },
            "2XX": {"description": "success"},
        },
    }
    if description.strip():
        operation["description"] = description.strip()
    if getattr(route.endpoint, _PUBLIC_ATTRIBUTE, False):
        operation["security"] = []
    return operation


def openapi_document(routes: list[BaseRoute], *, version: str) -> dict[str, Any]:
    """OpenAPI 3.1 for ``routes`` (only HTTP routes with an endpoint are documented)."""
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        if not isinstance(route, Route) or route.path.startswith("/{"):
            continue
        for method in sorted((route.methods or set()) - {"HEAD"}):
            paths.setdefault(route.path, {})[method.lower()] = _operation(route, method)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Barb API", "version": version},
        "paths": paths,
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
            "schemas": {"Error": _ERROR_SCHEMA},
        },
    }
