"""The system prompt and the tool definition."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import anthropic

from data_store import BarStore
from shared.assistant.prompt import PromptContext, build_system
from shared.assistant.session import ChatDeps, prompt_context, title_from
from shared.assistant.tools import tool_definitions
from shared.market import get_instrument
from shared.script.registry import library
from shared.settings import Settings
from shared.store.sqlite import SqliteStore


def test_stable_blocks_come_first_and_carry_the_cache_breakpoints() -> None:
    nq, es = get_instrument("NQ"), get_instrument("ES")
    assert nq is not None and es is not None
    monday = build_system(nq, PromptContext(today=date(2026, 11, 16)))
    tuesday = build_system(es, PromptContext(today=date(2026, 11, 17), summary="Asked about gaps."))

    assert [("cache_control" in b) for b in monday] == [True, True, False]
    assert monday[0] == tuesday[0]  # rules and examples: shared by every conversation
    assert monday[1] != tuesday[1]  # the instrument block
    assert "2026-11-16 (Monday)" in monday[2]["text"]
    assert "<conversation-summary>" in tuesday[2]["text"] and "Asked about gaps." in tuesday[2]["text"]
    rules = monday[0]["text"]
    for rule in (
        "must come from a tool result",
        "which session",
        "ask one short question",
        "never give personal financial advice",
    ):
        assert rule in rules
    assert (
        "RTH 09:30–16:15" in monday[1]["text"]
        and "ETH 18:00–17:00 (opens the evening before" in monday[1]["text"]
    )
    assert "one point = 20 USD" in monday[1]["text"]


def test_the_context_names_sample_data_events_and_holidays(sample_store: BarStore, tmp_path: Path) -> None:
    deps = ChatDeps(
        store=SqliteStore(tmp_path / "db.sqlite3"),
        settings=Settings(),
        client=anthropic.AsyncAnthropic(api_key="unused"),
        bars=sample_store,
        today=lambda _: date(2026, 11, 20),
    )
    nq = get_instrument("NQ")
    assert nq is not None
    text = build_system(nq, prompt_context(deps, nq, None))[2]["text"]
    assert "SYNTHETIC SAMPLE DATA" in text
    assert "Data available: 2025-05-" in text and "to 2026-11-20" in text
    assert "2026-11-26 Thanksgiving" in text and "closed" in text
    assert "2026-11-27" in text and "early close 13:15" in text
    assert "2026-12-04 Non-Farm Payrolls (high impact, 08:30)" in text


def test_the_context_says_when_there_is_no_data(sample_store: BarStore, tmp_path: Path) -> None:
    deps = ChatDeps(
        store=SqliteStore(tmp_path / "db.sqlite3"), settings=Settings(), client=None, bars=sample_store
    )
    gc = get_instrument("SI")
    assert gc is not None
    text = prompt_context(deps, gc, None)
    assert text.data_range is None and not text.is_sample


def test_the_tool_reference_is_generated_from_every_declared_function() -> None:
    tool, backtest = tool_definitions()
    assert tool["name"] == "run_query" and backtest["name"] == "run_backtest"
    assert tool["input_schema"]["required"] == ["query", "title"]
    assert backtest["input_schema"]["required"] == ["strategy", "title"]
    description = tool["description"]
    for name, spec in library().functions.items():
        assert f"- {spec.signature}" in description, name
    assert "session_high() ⚠" in description


def test_titles_come_from_the_first_line_of_the_question() -> None:
    assert title_from("  Gap fills on NQ?\nMore detail here") == "Gap fills on NQ?"
    long = title_from(
        "What percentage of NQ opening gaps bigger than twenty points fill during the same session"
    )
    assert long.endswith("…") and len(long) <= 61 and " " in long
    assert title_from("Средний диапазон по дням недели") == "Средний диапазон по дням недели"
