"""Barb Script queries the engine's tests and its benchmark (``bench/bench_engine.py``) both run."""

from __future__ import annotations

from typing import Any

from shared.assistant.prompt import EXAMPLES


def prompt_example(example_id: str) -> dict[str, Any]:
    """The one query of the system prompt's worked example ``example_id`` (what the model is taught to send)."""
    [query] = next(e.queries for e in EXAMPLES if e.id == example_id)
    return query


def early_high(by: str, **scope: str) -> dict[str, Any]:
    """The share of RTH days whose high came before 10:00, per ``by`` (``quarter``, ``year``): two steps over minutes.

    ``scope`` names more of the first step (a ``period``); the example of BARB_SCRIPT.md §7 is
    ``early_high("quarter", period="2024")``.
    """
    early = {"d": "date()", "early": "time() < '10:00'", "is_high": "high == session_high()"}
    per_day = {"session": "RTH", **scope, "from": "1m", "map": early, "where": "is_high", "group_by": "d"}
    per_day["select"] = {"early": "max(early)"}
    return {"steps": [per_day, {"map": {by[0]: f"{by}()"}, "group_by": by[0], "select": "pct(early)"}]}
