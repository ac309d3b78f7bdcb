"""``GET /api/openapi.json`` documents every route of the app that serves it."""

from __future__ import annotations

from functions import all_routes


def test_every_route_and_method_is_documented(client):
    document = client.get("/api/openapi.json").json()
    assert document["openapi"].startswith("3.")
    for route in all_routes():
        for method in route.methods - {"HEAD"}:
            assert method.lower() in document["paths"][route.path], (method, route.path)


def test_public_endpoints_need_no_token_and_errors_share_one_schema(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert paths["/health"]["get"]["security"] == []
    assert paths["/api/instruments"]["get"]["security"] == []
    assert "security" not in paths["/api/conversations"]["get"]  # the document's default: a Bearer token
    error = paths["/api/conversations"]["post"]["responses"]["default"]
    assert error["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_each_function_documents_only_its_own_routes(barb_env):
    from starlette.testclient import TestClient

    from functions.conversations.app import routes
    from shared.web import build_app

    with TestClient(build_app(routes)) as client:
        paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/conversations" in paths
    assert not any(p.startswith("/api/instruments") for p in paths)


def test_the_instruments_function_documents_the_whole_api(barb_env):
    """On Lambda, /api/openapi.json is routed to the instruments function: it describes every function."""
    from starlette.testclient import TestClient

    from functions.instruments.app import app

    with TestClient(app) as client:
        paths = client.get("/api/openapi.json").json()["paths"]
    for route in all_routes():
        assert route.path in paths, route.path


def test_the_document_is_valid_openapi_3_1(client):
    from openapi_spec_validator import validate

    validate(client.get("/api/openapi.json").json())


def test_bodies_and_query_parameters_are_documented_with_the_models_that_parse_them(client):
    """An endpoint that parses its body or query string with a model documents that very model."""
    import inspect
    import re

    document = client.get("/api/openapi.json").json()
    schemas = document["components"]["schemas"]
    for route in all_routes():
        endpoint = route.endpoint
        # An ASGI endpoint (``/mcp``) is an instance: its class holds the code.
        source = inspect.getsource(endpoint if inspect.isroutine(endpoint) else type(endpoint))
        for method in route.methods - {"HEAD"}:
            operation = document["paths"][route.path][method.lower()]
            if body := re.search(r"parse_body\(request, (\w+)\)", source):
                schema = operation["requestBody"]["content"]["application/json"]["schema"]
                assert schema == {"$ref": f"#/components/schemas/{body[1]}"}, route.path
                assert schemas[body[1]]["properties"], body[1]
            else:
                assert "requestBody" not in operation, route.path
            if params := re.search(r"query_params\(request, (\w+)\)", source):
                model = getattr(inspect.getmodule(route.endpoint), params[1])
                documented = {p["name"] for p in operation["parameters"] if p["in"] == "query"}
                assert documented == {f.alias or n for n, f in model.model_fields.items()}, route.path


def test_success_responses_carry_their_schema(client, auth_headers):
    document = client.get("/api/openapi.json").json()
    listed = document["paths"]["/api/conversations"]["get"]["responses"]["200"]
    assert listed["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ConversationPage"
    }
    created = document["paths"]["/api/conversations"]["post"]["responses"]
    assert "201" in created and "2XX" not in created
    view = document["components"]["schemas"]["ConversationView"]["properties"]
    assert "summary" not in view and "user_id" not in view
    # The documented view is what the API sends.
    body = client.post("/api/conversations", json={"instrument": "NQ"}, headers=auth_headers()).json()
    assert set(body) == set(view)


def test_every_operation_documents_its_success_response(client):
    """Each operation names its success status and body (a model, an event stream, or none for a 204)."""
    paths = client.get("/api/openapi.json").json()["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            statuses = set(operation["responses"]) - {"default"}
            assert statuses and "2XX" not in statuses, (method, path)
            for status in statuses:
                assert status == "204" or "content" in operation["responses"][status], (method, path, status)
    stream = paths["/api/chat/stream"]["post"]["responses"]["200"]["content"]
    assert list(stream) == ["text/event-stream"]
    assert set(paths["/health"]["get"]["responses"]) == {"200", "503", "default"}
