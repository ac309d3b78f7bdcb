"""The conversations API: create, list with pagination, read, rename, soft delete, isolation between users."""

from __future__ import annotations


def create(client, headers, instrument="NQ", **extra):
    response = client.post("/api/conversations", json={"instrument": instrument, **extra}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_create_normalizes_the_symbol_and_uses_the_default_title(client, auth_headers):
    conversation = create(client, auth_headers(), instrument="nq")
    assert conversation["instrument"] == "NQ"
    assert conversation["title"] == "New chat"
    assert conversation["status"] == "active"
    assert "user_id" not in conversation and "summary" not in conversation


def test_create_with_an_unknown_instrument_is_404(client, auth_headers):
    response = client.post("/api/conversations", json={"instrument": "XYZ"}, headers=auth_headers())
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


def test_list_is_newest_first_and_paginates_with_a_cursor(client, auth_headers):
    headers = auth_headers()
    ids = [create(client, headers, title=f"c{i}")["id"] for i in range(5)]
    create(client, headers, instrument="ES")
    first = client.get("/api/conversations?instrument=NQ&limit=2", headers=headers).json()
    assert [c["id"] for c in first["conversations"]] == ids[::-1][:2]
    seen = [c["id"] for c in first["conversations"]]
    cursor = first["next_cursor"]
    while cursor:
        page = client.get(f"/api/conversations?instrument=NQ&limit=2&cursor={cursor}", headers=headers).json()
        seen += [c["id"] for c in page["conversations"]]
        cursor = page["next_cursor"]
    assert seen == ids[::-1]
    assert len(client.get("/api/conversations", headers=headers).json()["conversations"]) == 6


def test_bad_paging_parameters_are_422(client, auth_headers):
    headers = auth_headers()
    assert client.get("/api/conversations?limit=0", headers=headers).status_code == 422
    assert client.get("/api/conversations?cursor=%%%", headers=headers).json()["code"] == "VALIDATION_ERROR"


def test_rename_trims_and_refuses_blank_titles(client, auth_headers):
    headers = auth_headers()
    conversation = create(client, headers)
    url = f"/api/conversations/{conversation['id']}"
    assert client.patch(url, json={"title": "  Gap fills  "}, headers=headers).json()["title"] == "Gap fills"
    assert client.patch(url, json={"title": "   "}, headers=headers).status_code == 422
    assert client.get(url, headers=headers).json()["title"] == "Gap fills"


def test_rename_moves_the_conversation_to_the_top(client, auth_headers):
    headers = auth_headers()
    older, newer = create(client, headers), create(client, headers)
    client.patch(f"/api/conversations/{older['id']}", json={"title": "bumped"}, headers=headers)
    listed = client.get("/api/conversations", headers=headers).json()["conversations"]
    assert [c["id"] for c in listed] == [older["id"], newer["id"]]


def test_soft_deleted_conversations_disappear_everywhere(client, auth_headers):
    headers = auth_headers()
    conversation = create(client, headers)
    url = f"/api/conversations/{conversation['id']}"
    assert client.delete(url, headers=headers).status_code == 204
    for response in (
        client.get(url, headers=headers),
        client.get(f"{url}/messages", headers=headers),
        client.patch(url, json={"title": "x"}, headers=headers),
        client.delete(url, headers=headers),
    ):
        assert response.status_code == 404
    assert client.get("/api/conversations", headers=headers).json()["conversations"] == []


def test_another_users_conversation_is_a_404_not_a_403(client, auth_headers):
    owner, intruder = auth_headers("owner@example.com"), auth_headers("intruder@example.com")
    conversation = create(client, owner)
    url = f"/api/conversations/{conversation['id']}"
    for method, path, body in (
        ("GET", url, None),
        ("GET", f"{url}/messages", None),
        ("PATCH", url, {"title": "mine now"}),
        ("DELETE", url, None),
    ):
        response = client.request(method, path, json=body, headers=intruder)
        assert response.status_code == 404, (method, path)
    assert client.get("/api/conversations", headers=intruder).json()["conversations"] == []
    assert client.get(url, headers=owner).json()["title"] == "New chat"


def test_messages_of_a_new_conversation_are_empty(client, auth_headers):
    headers = auth_headers()
    conversation = create(client, headers)
    assert client.get(f"/api/conversations/{conversation['id']}/messages", headers=headers).json() == {
        "messages": []
    }


def test_every_endpoint_needs_a_token(client):
    for method, path in (
        ("GET", "/api/conversations"),
        ("POST", "/api/conversations"),
        ("GET", "/api/conversations/x"),
    ):
        response = client.request(method, path)
        assert response.status_code == 401
        assert response.json()["code"] == "AUTH_MISSING"
