"""History replay, the sliding window and the rolling summary, over conversations stored in a real SQLite store."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from shared.assistant.context import KEEP_TURNS, SUMMARY_TRIGGER_TURNS, replay, summarize, summary_due
from shared.store import Message, NewAnswer, NewToolCall
from shared.store.sqlite import SqliteStore
from tests.fake_anthropic import FakeAnthropic, reply

USER = "user-1"


@pytest.fixture
def store(tmp_path: Path) -> SqliteStore:
    return SqliteStore(tmp_path / "barb.sqlite3")


def _call(n: int, error: str | None = None) -> NewToolCall:
    return NewToolCall(
        tool_use_id=f"toolu_{n}",
        tool_name="run_query",
        title=f"Query {n}",
        input={"query": {"select": "count()"}, "title": f"Query {n}"},
        output_summary=None if error else f"Result: {n} (from 10 bars)",
        error=error,
        duration_ms=3,
    )


async def _conversation(
    store: SqliteStore, turns: list[tuple[str, NewAnswer | None]], last: str
) -> list[Message]:
    conversation = await store.create_conversation(USER, "NQ")
    for question, answer in turns:
        await store.begin_answer(USER, conversation.id, question, start_run=False, stale_after_s=20.0)
        if answer is not None:
            await store.save_answer(USER, conversation.id, answer)
    await store.begin_answer(USER, conversation.id, last, start_run=False, stale_after_s=20.0)
    return await store.list_messages(USER, conversation.id)


def test_answers_replay_with_their_real_tool_pairs(store: SqliteStore) -> None:
    first = NewAnswer(
        content="Counting.\n\n{{data:0}}\n\nThere were 1 days.", data=[{"title": "x"}], tool_calls=[_call(1)]
    )
    second = NewAnswer(content="That failed.", tool_calls=[_call(2, error="unknown function 'bogus'")])
    history = asyncio.run(
        _conversation(store, [("How many?", first), ("And bogus?", second)], "Thanks, and now?")
    )

    messages = replay(history, summary_through=None)

    assert [m["role"] for m in messages] == [
        "user",
        "assistant",
        "user",
        "assistant",
        "user",
        "assistant",
        "user",
        "assistant",
        "user",
    ]
    assert messages[1]["content"] == [
        {"type": "tool_use", "id": "toolu_1", "name": "run_query", "input": _call(1).input}
    ]
    assert messages[2]["content"] == [
        {"type": "tool_result", "tool_use_id": "toolu_1", "content": "Result: 1 (from 10 bars)"}
    ]
    assert messages[3]["content"][0]["text"] == "Counting.\n\nThere were 1 days."
    assert messages[6]["content"][0]["is_error"] is True and "bogus" in messages[6]["content"][0]["content"]
    assert messages[-1]["content"] == [{"type": "text", "text": "Thanks, and now?"}]


def test_an_unanswered_question_merges_with_the_next_and_partial_answers_say_so(store: SqliteStore) -> None:
    stopped = NewAnswer(content="The first half", status="partial")
    history = asyncio.run(_conversation(store, [("Lost question", None), ("Second", stopped)], "Third"))

    messages = replay(history, summary_through=None)

    assert [m["role"] for m in messages] == ["user", "assistant", "user"]
    assert [b["text"] for b in messages[0]["content"]] == ["Lost question", "Second"]
    assert messages[1]["content"][0]["text"].startswith("The first half")
    assert "stopped by the user" in messages[1]["content"][0]["text"]


def test_the_summary_cuts_older_turns_and_never_becomes_a_message(store: SqliteStore) -> None:
    turns = [(f"Q{i}", NewAnswer(content=f"A{i}")) for i in range(4)]
    history = asyncio.run(_conversation(store, turns, "Now"))
    through = history[3].id  # the answer to Q1

    messages = replay(history, summary_through=through)

    assert [b["text"] for m in messages for b in m["content"]] == ["Q2", "A2", "Q3", "A3", "Now"]
    assert messages[0]["role"] == "user"


def test_the_token_budget_drops_the_oldest_turns_but_keeps_the_question(store: SqliteStore) -> None:
    turns = [(f"Q{i} " + "x" * 3500, NewAnswer(content=f"A{i}")) for i in range(6)]
    history = asyncio.run(_conversation(store, turns, "Latest"))

    messages = replay(history, summary_through=None, budget_tokens=2500)

    texts = [b["text"][:2] for m in messages for b in m["content"]]
    assert texts[-1] == "La" and "Q0" not in texts and "Q5" in texts
    assert messages[0]["role"] == "user"
    assert replay(history[-1:], summary_through=None, budget_tokens=1) == [
        {"role": "user", "content": [{"type": "text", "text": "Latest"}]}
    ]


def test_a_summary_is_due_after_the_trigger_and_keeps_the_recent_turns(store: SqliteStore) -> None:
    turns = [(f"Q{i}", NewAnswer(content=f"A{i}")) for i in range(SUMMARY_TRIGGER_TURNS)]
    history = asyncio.run(_conversation(store, turns, "Last"))
    assert summary_due(history[:-2], None, None) is None

    work = summary_due(history, None, "earlier summary")

    assert work is not None and work.previous == "earlier summary"
    folded_turns = SUMMARY_TRIGGER_TURNS + 1 - KEEP_TURNS
    assert len(work.messages) == 2 * folded_turns and work.through_id == work.messages[-1].id
    assert summary_due(history, work.through_id, "new") is None


def test_summarize_asks_the_model_once_without_tools(store: SqliteStore) -> None:
    import anthropic

    turns = [
        (f"Q{i}", NewAnswer(content=f"A{i}", tool_calls=[_call(i)])) for i in range(SUMMARY_TRIGGER_TURNS)
    ]
    history = asyncio.run(_conversation(store, turns, "Last"))
    work = summary_due(history, None, None)
    assert work is not None
    with FakeAnthropic(script=[reply("The trader asked about counts; each was 1.")]) as fake:
        client = anthropic.AsyncAnthropic(api_key="test", base_url=fake.base_url)
        summary = asyncio.run(summarize(client, "claude-sonnet-4-6", work))
    assert summary == "The trader asked about counts; each was 1."
    [request] = fake.requests
    assert "tools" not in request and not request.get("stream")
    prompt = request["messages"][0]["content"]
    assert "Q0" in prompt and "Result: 0 (from 10 bars)" in prompt and "Last" not in prompt
