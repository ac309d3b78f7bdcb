"""The instrument catalogue (public) and the user's workspace."""

from __future__ import annotations


def test_catalogue_lists_the_31_seeded_futures(client):
    instruments = client.get("/api/instruments").json()["instruments"]
    assert len(instruments) >= 31
    nq = next(i for i in instruments if i["symbol"] == "NQ")
    assert nq["exchange"] == "CME" and nq["point_value"] == 20 and nq["tick_size"] == 0.25
    assert nq["sessions"]["RTH"] == ["09:30", "16:15"]


def test_search_is_a_plain_substring_match_on_symbol_and_name(client):
    def symbols(query: str) -> set[str]:
        return {
            i["symbol"]
            for i in client.get("/api/instruments", params={"search": query}).json()["instruments"]
        }

    assert "GC" in symbols("gold")
    assert symbols("nasdaq") == {"NQ"}
    assert symbols("%") == set()  # wildcards are text, not patterns
    assert symbols("_") == set()
    assert symbols("'),or(symbol.neq.x") == set()  # no filter injection


def test_category_filter(client):
    energy = client.get("/api/instruments?category=energy").json()["instruments"]
    assert {i["symbol"] for i in energy} == {"CL", "BRN", "NG", "RB", "HO"}


def test_one_instrument_and_unknown_symbol(client):
    assert client.get("/api/instruments/es").json()["symbol"] == "ES"
    response = client.get("/api/instruments/NOPE")
    assert response.status_code == 404 and response.json()["code"] == "NOT_FOUND"


def test_workspace_add_is_idempotent_and_normalizes_symbols(client, auth_headers):
    headers = auth_headers()
    for symbol in ("nq", "NQ", "cl"):
        assert (
            client.post("/api/user-instruments", json={"symbol": symbol}, headers=headers).status_code == 201
        )
    listed = client.get("/api/user-instruments", headers=headers).json()["instruments"]
    assert [i["symbol"] for i in listed] == ["NQ", "CL"]


def test_workspace_unknown_symbol_and_removal(client, auth_headers):
    headers = auth_headers()
    assert client.post("/api/user-instruments", json={"symbol": "XYZ"}, headers=headers).status_code == 404
    client.post("/api/user-instruments", json={"symbol": "GC"}, headers=headers)
    assert client.delete("/api/user-instruments/gc", headers=headers).status_code == 204
    assert client.delete("/api/user-instruments/gc", headers=headers).status_code == 404
    assert client.get("/api/user-instruments", headers=headers).json()["instruments"] == []


def test_workspaces_are_per_user(client, auth_headers):
    alice, bob = auth_headers("alice@example.com"), auth_headers("bob@example.com")
    client.post("/api/user-instruments", json={"symbol": "ES"}, headers=alice)
    assert client.get("/api/user-instruments", headers=bob).json()["instruments"] == []
    assert client.get("/api/user-instruments").status_code == 401
