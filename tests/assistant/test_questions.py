"""The expressiveness set: every trader question is answered through the chat with the scripted model.

For each question of ``questions.yaml`` the scripted model sends its hand-written queries as ``run_query``
calls; the real session, tools and engine answer them on the sample data (other instruments and screens
included). Each card must equal the blocks of the same query run directly on the engine, and the model must
have read the engine's compact summary, never the rows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anthropic
import pytest

from data_store import BarStore
from shared.assistant.cards import model_text, result_blocks
from shared.assistant.prompt import EXAMPLES
from shared.assistant.session import ChatDeps, answer
from shared.settings import Settings
from shared.store.sqlite import SqliteStore
from tests.assistant.questions import QUESTIONS, approx_floats, direct_result
from tests.assistant.support import SAMPLE_END
from tests.fake_anthropic import FakeAnthropic, ToolUse, reply, tool_results

BLOCK_TYPES = {"table", "bar-chart", "line-chart", "scatter", "candles", "metrics-grid"}


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeAnthropic]:
    with FakeAnthropic() as server:
        yield server


def _chat_cards(
    question: dict[str, Any], bars: BarStore, fake: FakeAnthropic, db: Path
) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """Ask the question in a new conversation; the cards by tool call id and what the model read back."""
    calls = [
        ToolUse("run_query", {"query": query, "title": f"Part {i}"}, id=f"toolu_{i}")
        for i, query in enumerate(question["queries"])
    ]
    fake.set_script([reply("Let me check.", *calls), reply("Here is what the data shows.")])

    async def go() -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
        store = SqliteStore(db)
        user = f"user-{question['id']}"
        for symbol in question.get("workspace", []):
            await store.add_to_workspace(user, symbol)
        deps = ChatDeps(
            store=store,
            settings=Settings(anthropic_api_key="test"),
            client=anthropic.AsyncAnthropic(api_key="test", base_url=fake.base_url, max_retries=0),
            bars=bars,
            today=lambda _: SAMPLE_END,
        )
        conversation = await deps.store.create_conversation(user, question["instrument"])
        events = [e async for e in answer(deps, user, conversation, question["question"])]
        assert events[-1].name == "persist", [e.data for e in events if e.name == "error"]
        cards = {e.data["tool_call_id"]: e.data for e in events if e.name == "data_block"}
        return cards, tool_results(fake.requests[-1])

    return asyncio.run(go())


def test_the_set_is_large_and_bilingual() -> None:
    assert len(QUESTIONS) >= 30
    assert {q["lang"] for q in QUESTIONS} == {"en", "ru"}
    assert sum(q["lang"] == "ru" for q in QUESTIONS) >= 10
    assert len({q["id"] for q in QUESTIONS}) == len(QUESTIONS)
    for question in QUESTIONS:
        assert len(question["queries"]) == len(question["expect"]), question["id"]


@pytest.mark.parametrize("question", QUESTIONS, ids=[q["id"] for q in QUESTIONS])
def test_question_is_answered_through_the_chat(
    question: dict[str, Any], sample_store: BarStore, fake: FakeAnthropic, tmp_path: Path
) -> None:
    cards, read_back = _chat_cards(question, sample_store, fake, tmp_path / "db.sqlite3")
    assert len(cards) == len(question["queries"])
    assert [r["tool_use_id"] for r in read_back] == [f"toolu_{i}" for i in range(len(cards))]
    for i, (query, expect) in enumerate(zip(question["queries"], question["expect"], strict=True)):
        result = direct_result(question, query, sample_store)
        assert result["kind"] == expect["kind"]
        assert len(result["rows"]) >= expect.get("min_rows", 0)
        if result["kind"] in ("scalar", "values"):
            assert result["rows"] and any(v is not None for v in result["rows"][0])
        card = cards[f"toolu_{i}"]
        assert card["blocks"] == approx_floats(result_blocks(result))
        assert {b["type"] for b in card["blocks"]} <= BLOCK_TYPES
        text = model_text(result)
        assert read_back[i]["content"] == text and not read_back[i].get("is_error")
        assert "Source:" in text
        assert len(text) < 2000  # the model reads a summary, never the rows


def test_prompt_examples_are_validated_questions() -> None:
    """Every example in the system prompt is one of the set's questions, query for query."""
    by_id = {q["id"]: q for q in QUESTIONS}
    assert len(EXAMPLES) >= 8
    for example in EXAMPLES:
        assert example.id in by_id, example.id
        assert list(example.queries) == by_id[example.id]["queries"]
