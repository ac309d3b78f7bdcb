"""The rolling summary end to end: old turns are folded into it, and the model no longer gets them replayed."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import jwt
import pytest

from shared.assistant import context
from shared.assistant.context import SUMMARY_INSTRUCTION
from shared.store import get_store
from tests.chat.conftest import ChatApp
from tests.fake_anthropic import Step, Text, last_user_content, reply

SUMMARY = "The trader asked a series of numbered questions about NQ."


def _texts(message: dict[str, Any]) -> list[str]:
    content = message["content"]
    blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
    return [b["text"] for b in blocks if b.get("type") == "text"]


def script(request: dict[str, Any]) -> Step:
    asked = " ".join(b.get("text", "") for b in last_user_content(request))
    return reply(Text(SUMMARY if asked.startswith(SUMMARY_INSTRUCTION) else "Noted."))


def test_old_turns_are_folded_into_the_summary_and_leave_the_replay(
    chat_app: ChatApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A shorter window than the real one (the app runs in this process), so the test stays under the rate limit.
    monkeypatch.setattr(context, "SUMMARY_TRIGGER_TURNS", 3)
    monkeypatch.setattr(context, "KEEP_TURNS", 2)
    chat_app.fake.set_script(script)
    user = chat_app.client()
    user_id = jwt.decode(user.headers["Authorization"].split()[1], options={"verify_signature": False})["sub"]
    conversation = user.conversation("NQ")
    turns = context.SUMMARY_TRIGGER_TURNS + 1
    for i in range(turns):
        assert user.ask(conversation, f"question {i}").names[-1] == "persist"

    # The summary is written after the stream ended (off the answer's path): wait for it.
    deadline = time.monotonic() + 15
    while (stored := asyncio.run(get_store().get_conversation(user_id, conversation))).summary != SUMMARY:
        assert time.monotonic() < deadline, "the rolling summary was never stored"
        time.sleep(0.05)
    assert stored.summary_through is not None

    assert user.ask(conversation, "one more").names[-1] == "persist"
    request = chat_app.fake.requests[-1]
    asked = [t for m in request["messages"] if m["role"] == "user" for t in _texts(m)]
    kept = [f"question {i}" for i in range(turns - context.KEEP_TURNS, turns)]
    assert asked == [*kept, "one more"]
    assert SUMMARY in json.dumps(request["system"])
