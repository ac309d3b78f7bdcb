"""``answer`` at its edges, over a real SQLite store."""

from __future__ import annotations

import asyncio
from pathlib import Path

from data_store import BarStore
from shared.assistant.loop import ChatEvent
from shared.assistant.session import ChatDeps, answer
from shared.settings import Settings
from shared.store.sqlite import SqliteStore


def _events(deps: ChatDeps, removed: bool) -> tuple[list[ChatEvent], int]:
    async def go() -> tuple[list[ChatEvent], int]:
        conversation = await deps.store.create_conversation("u1", "NQ")
        if removed:
            await deps.store.remove_conversation("u1", conversation.id)
        events = [e async for e in answer(deps, "u1", conversation, "Hello?")]
        stored = await deps.store.list_messages("u1", conversation.id)
        return events, len(stored)

    return asyncio.run(go())


def test_a_conversation_removed_meanwhile_ends_with_not_found(tmp_path: Path, sample_store: BarStore) -> None:
    deps = ChatDeps(
        store=SqliteStore(tmp_path / "db.sqlite3"), settings=Settings(), client=None, bars=sample_store
    )
    events, stored = _events(deps, removed=True)
    assert [(e.name, e.data["code"]) for e in events] == [("error", "NOT_FOUND")]
    assert stored == 0


def test_without_a_client_the_question_is_kept(tmp_path: Path, sample_store: BarStore) -> None:
    deps = ChatDeps(
        store=SqliteStore(tmp_path / "db.sqlite3"), settings=Settings(), client=None, bars=sample_store
    )
    events, stored = _events(deps, removed=False)
    assert [e.name for e in events] == ["message_saved", "title_update", "persist", "error"]
    assert events[-1].data == {
        "error": events[-1].data["error"],
        "code": "LLM_NOT_CONFIGURED",
        "retryable": False,
    }
    assert events[-2].data["persisted"] is True
    assert stored == 2  # the question and its error answer: a reload shows why it was not answered
