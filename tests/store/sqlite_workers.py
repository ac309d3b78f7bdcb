"""Worker processes for the SQLite multi-process tests (a module so ``spawn`` can import them)."""

from __future__ import annotations

import asyncio
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

from shared.store import NewAnswer, NewToolCall, Usage
from shared.store.sqlite import SqliteStore


def open_and_create(path: str, user_id: str, start: Barrier, results: Any) -> None:
    """Open a store on a possibly fresh file (racing the others to migrate) and create one conversation."""
    start.wait()
    store = SqliteStore(Path(path))
    conversation = asyncio.run(store.create_conversation(user_id, "NQ", f"from {user_id}"))
    results.put(conversation.id)


def write_turns(path: str, user_id: str, conversation_id: str, turns: int, start: Barrier) -> None:
    """Write ``turns`` questions and answers (each with a tool call and usage) into one shared conversation."""
    store = SqliteStore(Path(path))

    async def run() -> None:
        for turn in range(turns):
            await store.begin_answer(
                user_id, conversation_id, f"q{turn}", start_run=False, stale_after_s=20.0
            )
            answer = NewAnswer(
                content=f"a{turn}",
                tool_calls=[NewToolCall(tool_use_id=f"t{turn}", tool_name="run_query", input={"turn": turn})],
                usage=Usage(input_tokens=3, output_tokens=1, cost_usd=0.5),
            )
            await store.save_answer(user_id, conversation_id, answer)
            await store.add_to_workspace(user_id, ("ES", "NQ", "GC")[turn % 3])

    start.wait()
    asyncio.run(run())
