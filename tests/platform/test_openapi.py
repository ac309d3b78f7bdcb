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
    from shared.web.app import build_app

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
