"""The assistant's ``run_backtest`` tool and the package's public surface."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import shared.backtest
from data_store.layout import DataFolder
from shared.backtest import BACKTEST_TOOL, Strategy, StrategyInvalid, check_strategy, run_backtest_tool
from shared.lazy import reset_singletons
from shared.script import FrameBars
from tests.backtest.conftest import STRATEGY
from tests.backtest.frames import NQ


def test_tool_definition_is_generated_from_the_strategy_model():
    assert BACKTEST_TOOL["name"] == "run_backtest"
    assert set(BACKTEST_TOOL["input_schema"]["required"]) == {"strategy", "title"}
    for name, info in Strategy.model_fields.items():
        assert f"- {info.alias or name}" in BACKTEST_TOOL["description"]
        assert info.description in BACKTEST_TOOL["description"]


def test_tool_runs_and_reports_problems_for_the_model(nq_bars):
    bars = FrameBars(*nq_bars)
    summary, blocks = run_backtest_tool(
        {"strategy": json.dumps(STRATEGY), "title": "Dip buying"}, NQ, bars=bars
    )
    assert summary.startswith("Backtest NQ") and "do not repeat" in summary
    assert [b["type"] for b in blocks] == ["metrics-grid", "equity-curve", "trades", "candles"]
    with pytest.raises(StrategyInvalid) as caught:
        run_backtest_tool({"strategy": {"entry": "next(close) > close"}}, NQ, bars=bars)
    text = caught.value.fix_request("run_backtest")
    assert "- entry: `next()` looks into the future" in text and "- direction: direction is required" in text


def test_public_names_resolve():
    for name in shared.backtest.__all__:
        assert getattr(shared.backtest, name) is not None, name
    assert {"run_backtest", "check_strategy", "BACKTEST_TOOL", "run_backtest_tool"} <= set(
        shared.backtest.__all__
    )


def test_tool_reads_the_configured_store_and_flags_sample_data(barb_env, nq_bars):
    folder = DataFolder(barb_env / "data")
    folder.add_bars("NQ", "1m", nq_bars[0], sample=True)
    folder.add_bars("NQ", "1d", nq_bars[1], sample=True)
    reset_singletons()
    summary, blocks = run_backtest_tool({"strategy": STRATEGY, "title": "Dips"}, NQ)
    assert "synthetic sample bars" in summary and blocks[0]["type"] == "metrics-grid"


def _json_examples(text: str) -> list[dict]:
    """The strategy of every JSON object in ``text`` that starts with ``{"entry"`` or ``{"instrument"``."""
    decoder, found, done = json.JSONDecoder(), [], 0
    for match in re.finditer(r'\{"(?:entry|instrument)"', text):
        if match.start() >= done:  # not inside the previous example
            value, done = decoder.raw_decode(text, match.start())
            found.append(value.get("strategy", value))
    return found


def test_the_documented_and_taught_examples_are_valid_strategies():
    docs = (Path(__file__).parents[2] / "docs" / "backtest.md").read_text()
    examples = _json_examples(BACKTEST_TOOL["description"]) + _json_examples(docs)
    assert len(examples) == 4 and any(isinstance(e.get("stop_loss"), dict) for e in examples)
    for example in examples:
        assert check_strategy(example, NQ)[1] == [], example
