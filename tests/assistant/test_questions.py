"""The expressiveness set: every trader question's hand-written query validates and runs on the sample data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from data_store import BarStore
from shared.assistant.cards import model_text, result_blocks
from shared.assistant.prompt import EXAMPLES
from shared.market import get_instrument
from shared.script import StoreBars, run_query, validate

QUESTIONS: list[dict[str, Any]] = yaml.safe_load((Path(__file__).parent / "questions.yaml").read_text())


def test_the_set_is_large_and_bilingual() -> None:
    assert len(QUESTIONS) >= 30
    assert {q["lang"] for q in QUESTIONS} == {"en", "ru"}
    assert sum(q["lang"] == "ru" for q in QUESTIONS) >= 10
    assert len({q["id"] for q in QUESTIONS}) == len(QUESTIONS)
    for question in QUESTIONS:
        assert len(question["queries"]) == len(question["expect"]), question["id"]


@pytest.mark.parametrize("question", QUESTIONS, ids=[q["id"] for q in QUESTIONS])
def test_question_runs_on_sample_data(question: dict[str, Any], sample_store: BarStore) -> None:
    instrument = get_instrument(question["instrument"])
    assert instrument is not None
    for query, expect in zip(question["queries"], question["expect"], strict=True):
        assert validate(query, instrument) == []
        result = run_query(query, instrument, StoreBars(sample_store, instrument.symbol), timeout_s=60)
        assert result["kind"] == expect["kind"]
        assert len(result["rows"]) >= expect.get("min_rows", 0)
        if result["kind"] in ("scalar", "values"):
            assert result["rows"] and any(v is not None for v in result["rows"][0])
        blocks = result_blocks(result)
        assert blocks and all(
            b["type"] in ("table", "bar-chart", "line-chart", "candles", "metrics-grid") for b in blocks
        )
        text = model_text(result)
        assert "Source:" in text
        assert len(text) < 2000  # the model reads a summary, never the rows


def test_prompt_examples_are_validated_questions() -> None:
    """Every example in the system prompt is one of the set's questions, query for query."""
    by_id = {q["id"]: q for q in QUESTIONS}
    assert len(EXAMPLES) >= 8
    for example in EXAMPLES:
        assert example.id in by_id, example.id
        assert list(example.queries) == by_id[example.id]["queries"]
