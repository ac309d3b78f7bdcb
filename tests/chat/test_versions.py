"""Regenerate and edit over HTTP: versions are kept, the conversation reads once, the model replays one branch."""

from __future__ import annotations

import json
from typing import Any

from tests.chat.conftest import ChatApp, ChatClient
from tests.fake_anthropic import reply


def _texts(request: dict[str, Any]) -> list[tuple[str, str]]:
    """(role, text) of the messages the model was sent."""
    out = []
    for message in request["messages"]:
        content = message["content"]
        text = content if isinstance(content, str) else "".join(b.get("text", "") for b in content)
        out.append((message["role"], text))
    return out


def _select(user: ChatClient, conversation: str, message_id: str) -> tuple[int, Any]:
    response = user.http.post(
        f"/api/conversations/{conversation}/messages/{message_id}/select", headers=user.headers
    )
    return response.status_code, response.json()


def test_regenerate_adds_a_version_of_the_answer(chat_app: ChatApp) -> None:
    chat_app.fake.set_script([reply("First answer."), reply("Second answer.")])
    user = chat_app.client()
    conversation = user.conversation("NQ")
    assert user.ask(conversation, "How did NQ close?").names[-2:] == ["done", "persist"]
    question, first = user.messages(conversation)

    again = user.ask(conversation, None, revises=question["id"])
    assert again.status == 200 and again.first("message_saved")["message_id"] == question["id"]
    assert _texts(chat_app.fake.requests[-1])[-1] == ("user", "How did NQ close?")  # asked once, not twice
    shown = user.messages(conversation)
    assert [(m["role"], m["content"]) for m in shown] == [
        ("user", "How did NQ close?"),
        ("assistant", "Second answer."),
    ]
    assert shown[1]["versions"] == [first["id"], shown[1]["id"]] and shown[1]["reply_to"] == question["id"]

    status, body = _select(user, conversation, first["id"])
    assert status == 200 and [m["content"] for m in body["messages"]] == [
        "How did NQ close?",
        "First answer.",
    ]
    assert user.messages(conversation) == body["messages"]  # the choice is stored, not only returned


def test_an_edit_branches_and_the_model_sees_only_its_branch(chat_app: ChatApp) -> None:
    chat_app.fake.set_script([reply("A1."), reply("A2."), reply("A2, edited.")])
    user = chat_app.client()
    conversation = user.conversation("NQ")
    user.ask(conversation, "Q1")
    user.ask(conversation, "Q2")
    q2 = user.messages(conversation)[2]

    edited = user.ask(conversation, "Q2, better", revises=q2["id"])
    assert edited.names[-2:] == ["done", "persist"]
    assert _texts(chat_app.fake.requests[-1]) == [
        ("user", "Q1"),
        ("assistant", "A1."),
        ("user", "Q2, better"),
    ]
    shown = user.messages(conversation)
    assert [m["content"] for m in shown] == ["Q1", "A1.", "Q2, better", "A2, edited."]
    assert shown[2]["versions"] == [q2["id"], shown[2]["id"]]

    status, body = _select(user, conversation, q2["id"])
    assert status == 200 and [m["content"] for m in body["messages"]] == ["Q1", "A1.", "Q2", "A2."]


def test_versions_refuse_what_is_not_yours_or_not_a_question(chat_app: ChatApp) -> None:
    chat_app.fake.set_script([reply("Mine.")])
    alice, bob = chat_app.client(), chat_app.client()
    conversation = alice.conversation("NQ")
    alice.ask(conversation, "Alice's question")
    question, answer = alice.messages(conversation)
    bobs = bob.conversation("NQ")

    nothing = alice.ask(conversation, None)
    assert nothing.status == 422 and json.loads(nothing.body)["code"] == "VALIDATION_ERROR"
    for revises in (answer["id"], "no-such-id"):
        refused = alice.ask(conversation, None, revises=revises)
        assert refused.status == 404 and json.loads(refused.body)["code"] == "NOT_FOUND"
    stolen = bob.ask(bobs, "edit of Alice's", revises=question["id"])
    assert stolen.status == 404
    assert _select(bob, conversation, answer["id"])[0] == 404
    assert _select(bob, bobs, answer["id"])[0] == 404
    status, body = _select(alice, conversation, "no-such-id")
    assert status == 404 and set(body) >= {"error", "code", "request_id"}
    assert [m["content"] for m in alice.messages(conversation)] == ["Alice's question", "Mine."]
    assert bob.messages(bobs) == []
