"""The function reference (docs and LLM tool text) is generated from the registry and kept in sync."""

from __future__ import annotations

from pathlib import Path

from shared.script import tool_reference
from shared.script.docs import render
from shared.script.registry import library

DOC = Path(__file__).resolve().parents[2] / "docs" / "functions.md"


def test_committed_functions_doc_is_current():
    assert DOC.read_text() == render(), (
        "docs/functions.md is stale: run `python -m shared.script.docs > docs/functions.md`"
    )


def test_every_function_is_in_the_doc_and_the_tool_reference():
    doc, reference = render(), tool_reference()
    specs = library().unique()
    assert len(specs) >= 110
    for spec in specs:
        assert f"`{spec.signature}`" in doc
        assert f"- {spec.signature}" in reference


def test_lookahead_functions_are_marked():
    reference = tool_reference()
    assert "- next(col, n=1) ⚠" in reference and "- prev(col, n=1) —" in reference
