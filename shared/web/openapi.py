"""The OpenAPI document of an app, built from its routes (``GET /api/openapi.json``).

Operations are described by their endpoints' docstrings; every operation documents the one error shape.
Endpoints that need no token are marked with :func:`public`; :func:`accepts` and :func:`returns` name the
pydantic models of their body, query parameters and success response (the same models that validate them).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from pydantic import BaseModel
from starlette.routing import BaseRoute, Route

F = TypeVar("F", bound=Callable[..., Any])
_PUBLIC_ATTRIBUTE = "__barb_public__"
_SHAPES_ATTRIBUTE = "__barb_shapes__"
_REF = "#/components/schemas/{model}"
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


@dataclass(frozen=True)
class _Shapes:
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    media_type: str | None = None
    """The success response's media type (None: undocumented); JSON when ``response`` is set."""
    also: tuple[int, ...] = ()
    """Other statuses whose body is the same model (``/health`` answers 503 with its checks)."""


def _shapes(endpoint: Any) -> _Shapes:
    return getattr(endpoint, _SHAPES_ATTRIBUTE, _Shapes())


def accepts(*, body: type[BaseModel] | None = None, query: type[BaseModel] | None = None) -> Callable[[F], F]:
    """Document the models an endpoint parses its JSON ``body`` and its ``query`` string with."""

    def mark(endpoint: F) -> F:
        setattr(
            endpoint,
            _SHAPES_ATTRIBUTE,
            replace(_shapes(endpoint), body=body, query=query),
        )
        return endpoint

    return mark


def returns(
    model: type[BaseModel] | None,
    *,
    status: int = 200,
    media_type: str = "application/json",
    also: tuple[int, ...] = (),
) -> Callable[[F], F]:
    """Document an endpoint's success response: its status and the model of its JSON body, or with
    ``model=None`` a body of another ``media_type`` (a stream) or none at all (``status=204``)."""

    def mark(endpoint: F) -> F:
        shape = replace(_shapes(endpoint), response=model, status=status, media_type=media_type, also=also)
        setattr(endpoint, _SHAPES_ATTRIBUTE, shape)
        return endpoint

    return mark


def _schema(model: type[BaseModel], mode: str, schemas: dict[str, Any]) -> dict[str, Any]:
    """A reference to ``model``'s schema, which (with the models it uses) is added to ``schemas``."""
    schema = model.model_json_schema(ref_template=_REF, mode=mode)  # type: ignore[arg-type]
    schemas.update(schema.pop("$defs", {}))
    schemas[model.__name__] = schema
    return {"$ref": _REF.format(model=model.__name__)}


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(mode="validation")
    required = set(schema.get("required", []))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": field}
        | ({"description": field["description"]} if "description" in field else {})
        for name, field in schema.get("properties", {}).items()
    ]


def _operation(route: Route, method: str, schemas: dict[str, Any]) -> dict[str, Any]:
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
    shapes = _shapes(route.endpoint)
    if shapes.query is not None:
        operation["parameters"] += _query_parameters(shapes.query)
    if shapes.body is not None:
        body = {"application/json": {"schema": _schema(shapes.body, "validation", schemas)}}
        operation["requestBody"] = {"required": True, "content": body}
    if shapes.media_type is not None:
        success: dict[str, Any] = {"description": "success"}
        if shapes.response is not None:
            schema = _schema(shapes.response, "serialization", schemas)
            success["content"] = {shapes.media_type: {"schema": schema}}
        elif shapes.media_type == "text/event-stream":  # the schema of each event's data
            success["content"] = {shapes.media_type: {"schema": {"type": "object"}}}
        elif shapes.status != 204:
            success["content"] = {shapes.media_type: {"schema": {"type": "string"}}}
        for status in (shapes.status, *shapes.also):
            operation["responses"][str(status)] = success
        del operation["responses"]["2XX"]
    if description.strip():
        operation["description"] = description.strip()
    if getattr(route.endpoint, _PUBLIC_ATTRIBUTE, False):
        operation["security"] = []
    return operation


def openapi_document(routes: list[BaseRoute], *, version: str) -> dict[str, Any]:
    """OpenAPI 3.1 for ``routes`` (only HTTP routes with an endpoint are documented)."""
    paths: dict[str, dict[str, Any]] = {}
    schemas: dict[str, Any] = {"Error": _ERROR_SCHEMA}
    for route in routes:
        if not isinstance(route, Route) or route.path.startswith("/{"):
            continue
        for method in sorted((route.methods or set()) - {"HEAD"}):
            paths.setdefault(route.path, {})[method.lower()] = _operation(route, method, schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Barb API", "version": version},
        "paths": paths,
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
            "schemas": schemas,
        },
    }
