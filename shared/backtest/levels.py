"""Stop and target price levels, ``{"level": "<expression>"}``, and the checks that tell a level from a distance.

A level is a Barb Script price expression (``prev(low)``, ``session_low_sofar()``, ``17850``) evaluated on the
signal bar (known at entry) and fixed for the life of the trade. A level written as a distance, or a distance
written as a level, would put the order about a whole price away, so both mix-ups are refused: before any data
is read where the expression shows it (``{"level": "atr(14) * 2"}`` is a distance), and once the bars are read
where only the prices can tell (``stop_loss: 17850`` on NQ near 17,850 is a price written as points;
``{"level": 50}`` is a distance written as a price).
"""

from __future__ import annotations

import ast
import json
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from shared.backtest.distance import FORMS, LEVEL_WEIGHT, Distance, above_entry, operand
from shared.backtest.types import Direction
from shared.script import ScriptError, price_weight

LEVEL_FIELDS = ("stop_loss", "take_profit")
"""The fields that may be a price level (a trailing stop follows the best price, so it is always a distance)."""
_LEVEL_EXAMPLES = (
    'A level is one price, e.g. "prev(low)", "(high + low) / 2", "session_low_sofar()" or 17850.'
)


class Level(BaseModel):
    """A stop or target at a price level rather than at a distance from the entry."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    level: str | float = Field(
        description="A Barb Script price expression evaluated on the signal bar (`prev(low)`), or a fixed price."
    )

    def text(self) -> str:
        """The level as an expression (a number as written in JSON)."""
        return self.level.strip() if isinstance(self.level, str) else json.dumps(self.level)


def to_distance(level: Level) -> Distance:
    """The level as the engine carries stops and targets."""
    return Distance("level", 0.0, level.text())


def shape_problem(field: str, value: Any) -> str | None:
    """Why ``value`` has a shape ``field`` never takes (a boolean, a list, an object that is no level), else None."""
    if value is None or (isinstance(value, (int, float, str)) and not isinstance(value, bool)):
        return None
    if isinstance(value, dict) and field == "trailing_stop":
        return "a trailing stop is a distance from the best price (a number or a text such as '1.5%'), never a level"
    if not isinstance(value, dict) or field not in LEVEL_FIELDS:
        example = "'2 ticks'" if field == "slippage" else "'1.5%'"
        return f"must be a number or a text such as {example}" + (
            " or a level" if field in LEVEL_FIELDS else ""
        )
    if set(value) != {"level"}:
        keys = ", ".join(sorted(map(str, value))) or "none"
        return (
            'an object here must be a price level, {"level": "<price expression>"} (got keys: '
            f"{keys}); a distance is written as a number (50) or a text ('1.5%', '8 ticks')"
        )
    inner = value["level"]
    if isinstance(inner, bool) or not isinstance(inner, (int, float, str)) or not str(inner).strip():
        return 'level must be a price expression such as "prev(low)" or a number'
    return None


def _is_number(tree: ast.expr) -> bool:
    if isinstance(tree, ast.UnaryOp) and isinstance(tree.op, (ast.USub, ast.UAdd)):
        tree = tree.operand
    return isinstance(tree, ast.Constant) and isinstance(tree.value, (int, float))


def level_form_problem(field: str, text: str, tree: ast.expr, direction: Direction) -> tuple[str, str] | None:
    """``(message, hint)`` when the level ``text`` of ``field`` is plainly not one price, else None.

    A fixed number is checked against the prices once they are read (:func:`scale_problems`); an expression
    whose scale is unknown passes.
    """
    weight = None if _is_number(tree) else price_weight(tree)
    if weight is None or abs(weight - 1) < LEVEL_WEIGHT:
        return None
    if abs(weight) < LEVEL_WEIGHT:
        sign = "+" if above_entry(field, direction) else "-"
        return (
            f"{field} level `{text}` is a distance, not a price level",
            f'Write the distance itself, "{field}": "{text}", or a level from the signal bar such as '
            f'{{"level": "close {sign} {operand(text, tree)}"}}.',
        )
    return f"{field} level `{text}` is about {weight:g} × the price, not one price level", _LEVEL_EXAMPLES


def _constant(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _fixed_points(distance: Distance, tick_size: float) -> float | None:
    if distance.kind == "points":
        return distance.value
    if distance.kind == "ticks":
        return distance.value * tick_size
    return None


def _price_as_distance(
    field: str, distance: Distance, tick_size: float, high: float
) -> tuple[str, str] | None:
    points = _fixed_points(distance, tick_size)
    if points is None or points < LEVEL_WEIGHT * high:
        return None
    origin = "the best price reached" if field == "trailing_stop" else "the entry price"
    message = f"{field} must be a distance from {origin}, but {distance.text} is a price level"
    if field not in LEVEL_FIELDS:
        return message, FORMS
    return message, f'For a stop or target at that price write {{"level": {points:.10g}}}. {FORMS}'


def _distance_as_level(field: str, distance: Distance, low: float, high: float) -> tuple[str, str] | None:
    value = _constant(distance.text) if distance.kind == "level" else None
    if value is None or LEVEL_WEIGHT * low <= value <= high / LEVEL_WEIGHT:
        return None
    message = f"{field} level {distance.text} is far from every price"
    if value > high:
        return message, _LEVEL_EXAMPLES
    return message, f'As a distance from the entry write it without "level": "{field}": {distance.text}.'


def scale_problems(distances: dict[str, Distance], closes: np.ndarray, tick_size: float) -> list[ScriptError]:
    """Fixed distances as large as a price, and fixed levels far from every price, given the period's closes."""
    finite = closes[np.isfinite(closes)]
    if finite.size == 0:
        return []
    low, high = float(finite.min()), float(finite.max())
    problems = []
    for field, distance in distances.items():
        for found in (
            _price_as_distance(field, distance, tick_size, high),
            _distance_as_level(field, distance, low, high),
        ):
            if found is not None:
                message = f"{found[0]} (closes {low:,.10g} to {high:,.10g} in this period)"
                problems.append(ScriptError(field, distance.text, message, found[1]))
    return problems
