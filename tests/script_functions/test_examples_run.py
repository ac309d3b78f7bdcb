"""The reference the model reads is proven to work: every function's example runs and gives its pinned result."""

from __future__ import annotations

import json

import pytest

from shared.script.registry import library
from tests.script_functions.examples import PINNED, digest

SPECS = sorted(library().unique(), key=lambda s: s.name)
PINS = json.loads(PINNED.read_text())


def test_every_function_has_a_pinned_example() -> None:
    assert sorted(PINS) == [spec.name for spec in SPECS], (
        "run `python -m tests.script_functions.examples` to pin a new or renamed function's example"
    )


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.name)
def test_example_runs_and_gives_its_pinned_result(spec) -> None:
    got = digest(spec)
    assert got["present"] > 0, f"the example `{spec.example}` gives no value on six months of bars"
    assert got == PINS[spec.name], f"`{spec.example}` changed its result; re-pin only if that is intended"
