"""The tool loop in isolation: the real ``anthropic`` client against the scripted server, and a tool double.

``SleepingToolsDouble`` stands in for the query engine so concurrency and failures can be timed and forced;
the end-to-end tests in ``tests/chat`` run the real engine.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import anthropic
import pytest

from shared.assistant.loop import ChatEvent, ModelSettings, Turn, run_chat
from shared.assistant.pricing import PRICES
from shared.assistant.tools import ToolOutcome
from tests.fake_anthropic import Failure, FakeAnthropic, Text, ToolUse, reply, tool_results

SYSTEM = [{"type": "text", "text": "You are a test.", "cache_control": {"type": "ephemeral"}}]
QUESTION = [{"role": "user", "content": [{"type": "text", "text": "Question?"}]}]


@dataclass
class SleepingToolsDouble:
    """A tool runner that sleeps ``delay_s`` and returns a card, or raises for tools named ``explode``.

    ``most_running`` is the largest number of calls that were sleeping at the same time.
    """

    delay_s: float = 0.0
    calls: list[str] = field(default_factory=list)
    running: int = 0
    most_running: int = 0

    async def __call__(self, name: str, tool_input: dict[str, Any], tool_call_id: str) -> ToolOutcome:
        self.calls.append(tool_call_id)
        if name == "explode":
            raise RuntimeError("boom")
        self.running += 1
        self.most_running = max(self.most_running, self.running)
        try:
            await asyncio.sleep(self.delay_s)
        finally:
            self.running -= 1
        card = {
            "tool_call_id": tool_call_id,
            "title": tool_input.get("title", ""),
            "blocks": [{"type": "table"}],
        }
        return ToolOutcome(f"Result for {tool_input.get('title')}", card=card)


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeAnthropic]:
    with FakeAnthropic() as server:
        yield server


def _run(
    fake: FakeAnthropic,
    tools: SleepingToolsDouble,
    *,
    max_rounds: int = 4,
    stop: asyncio.Event | None = None,
    retries: int = 2,
) -> tuple[list[ChatEvent], Turn]:
    async def go() -> tuple[list[ChatEvent], Turn]:
        client = anthropic.AsyncAnthropic(api_key="test", base_url=fake.base_url, max_retries=retries)
        turn = Turn()
        events = [
            e
            async for e in run_chat(
                client,
                system=SYSTEM,
                messages=QUESTION,
                tools=tools,
                settings=ModelSettings("claude-sonnet-4-6", 1024, 0.2, max_rounds),
                turn=turn,
                stop=stop or asyncio.Event(),
            )
        ]
        return events, turn

    return asyncio.run(go())


def test_parallel_tool_calls_run_concurrently(fake: FakeAnthropic) -> None:
    fake.set_script(
        [
            reply(
                ToolUse("run_query", {"query": {}, "title": "A"}),
                ToolUse("run_query", {"query": {}, "title": "B"}),
            ),
            reply("Both done."),
        ]
    )
    events, turn = _run(fake, tools := SleepingToolsDouble(delay_s=0.4))

    durations = [e.data["duration_ms"] for e in events if e.name == "tool_end"]
    starts = [e.data["tool_call_id"] for e in events if e.name == "tool_start"]
    assert len(durations) == 2 and min(durations) >= 400
    assert tools.most_running == 2
    assert sorted(tools.calls) == sorted(starts)
    results = tool_results(fake.requests[1])
    assert [r["tool_use_id"] for r in results] == starts  # results go back in call order
    assert turn.answer.count("{{data:") == 2 and turn.answer.endswith("Both done.")
    assert len(turn.cards) == 2 and len(turn.tool_calls) == 2


def test_a_tool_that_raises_becomes_an_error_result_and_the_loop_goes_on(fake: FakeAnthropic) -> None:
    fake.set_script([reply(ToolUse("explode", {"title": "x"})), reply("Sorry, that failed.")])
    events, turn = _run(fake, SleepingToolsDouble())

    [end] = [e.data for e in events if e.name == "tool_end"]
    assert end["error"] == "internal error"
    assert tool_results(fake.requests[1])[0]["is_error"] is True
    assert turn.stop_reason == "end_turn" and turn.error is None and turn.cards == []


def test_usage_adds_up_over_rounds_and_is_priced_by_the_serving_model(fake: FakeAnthropic) -> None:
    fake.set_script(
        [
            reply(
                ToolUse("run_query", {"title": "A"}),
                input_tokens=1000,
                output_tokens=100,
                cache_read_tokens=0,
                cache_write_tokens=5000,
            ),
            reply(
                "Done.",
                input_tokens=1200,
                output_tokens=50,
                cache_read_tokens=5000,
                cache_write_tokens=0,
                model="claude-haiku-4-5",
            ),
        ]
    )
    _, turn = _run(fake, SleepingToolsDouble())

    usage = turn.usage
    assert (usage.input_tokens, usage.output_tokens, usage.cache_read_tokens, usage.cache_write_tokens) == (
        2200,
        150,
        5000,
        5000,
    )
    sonnet, haiku = PRICES["claude-sonnet-4-6"], PRICES["claude-haiku-4-5"]
    expected = (1000 * sonnet.input + 100 * sonnet.output + 5000 * sonnet.cache_write) + (
        1200 * haiku.input + 50 * haiku.output + 5000 * haiku.cache_read
    )
    assert usage.cost_usd == pytest.approx(expected / 1e6)
    assert fake.requests[1]["messages"][-1]["content"][-1]["cache_control"] == {"type": "ephemeral"}


def test_stop_ends_the_answer_while_the_model_streams(fake: FakeAnthropic) -> None:
    fake.set_script([reply(Text("word " * 200, chunk=5, delay_s=0.02))])

    async def stop_soon(stop: asyncio.Event) -> None:
        await asyncio.sleep(0.5)
        stop.set()

    async def go() -> Turn:
        stop = asyncio.Event()
        client = anthropic.AsyncAnthropic(api_key="test", base_url=fake.base_url)
        turn = Turn()
        stopper = asyncio.ensure_future(stop_soon(stop))
        async for _ in run_chat(
            client, system=SYSTEM, messages=QUESTION, tools=SleepingToolsDouble(),
            settings=ModelSettings("claude-sonnet-4-6", 1024, 0.2, 3), turn=turn, stop=stop,
        ):  # fmt: skip
            pass
        await stopper
        return turn

    turn = asyncio.run(go())
    assert turn.stop_reason == "stopped"
    assert 0 < len(turn.answer) < len("word " * 200)  # stopped mid-stream, not after the whole text
    assert turn.usage.input_tokens > 0  # the billed input of the cut call is counted


@pytest.mark.parametrize(
    ("status", "code", "retryable"),
    [
        (429, "LLM_RATE_LIMITED", True),
        (529, "LLM_UNAVAILABLE", True),
        (500, "LLM_UNAVAILABLE", True),
        (400, "LLM_REQUEST_REJECTED", False),
        (401, "LLM_AUTH_FAILED", False),
    ],
)
def test_model_failures_end_with_an_error_event(
    fake: FakeAnthropic, status: int, code: str, retryable: bool
) -> None:
    fake.set_script([Failure(status)])
    events, turn = _run(fake, SleepingToolsDouble(), retries=0)

    assert [e.name for e in events] == ["error"]
    assert events[0].data["code"] == code and events[0].data["retryable"] is retryable
    assert turn.error is not None and not turn.has_content


def test_the_last_round_offers_no_tool_choice_and_says_why(fake: FakeAnthropic) -> None:
    fake.set_script([reply(ToolUse("run_query", {"title": str(i)})) for i in range(2)] + [reply("Final.")])
    _, turn = _run(fake, SleepingToolsDouble(), max_rounds=3)

    assert [r.get("tool_choice") for r in fake.requests] == [None, None, {"type": "none"}]
    assert turn.rounds == 3 and turn.answer.endswith("Final.") and len(turn.tool_calls) == 2
