"""The expressiveness set (``questions.yaml``) and how its queries run straight on the engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from data_store import BarStore
from shared.market import get_instrument
from shared.script import StoreBars, StoreUniverse, is_screen, run_query, start_screen, validate

QUESTIONS: list[dict[str, Any]] = yaml.safe_load((Path(__file__).parent / "questions.yaml").read_text())


def direct_result(question: dict[str, Any], query: dict[str, Any], bars: BarStore) -> dict[str, Any]:
    """``query`` run straight on the engine (no chat), a workspace screen over the question's workspace."""
    universe = StoreUniverse(bars)
    if is_screen(query):
        if query["screen"] == "workspace":
            query = {**query, "screen": question["workspace"]}
        return start_screen(query, universe, timeout_s=60).result()
    instrument = get_instrument(question["instrument"])
    assert instrument is not None
    assert validate(query, instrument, universe=universe) == []
    return run_query(query, instrument, StoreBars(bars, instrument.symbol), timeout_s=60, universe=universe)


def approx_floats(value: Any) -> Any:
    """``value`` with every float compared to 1e-9 (a parallel mean may differ in its last bit from run to run)."""
    if isinstance(value, float):
        return pytest.approx(value, rel=1e-9, abs=1e-12)
    if isinstance(value, dict):
        return {k: approx_floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [approx_floats(v) for v in value]
    return value


def question(question_id: str) -> dict[str, Any]:
    """The set's question with that id."""
    [found] = [q for q in QUESTIONS if q["id"] == question_id]
    return found
