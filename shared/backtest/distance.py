"""Stop, target and trailing distances: the forms a strategy writes them in, and what a distance is not.

A distance is points, a percent of the entry price, ticks, or a Barb Script expression evaluated at the signal
bar; a stop or target may instead be a price level (``shared.backtest.levels``). An expression that is a price level (``prev(high)``, ``sma(close, 20)``) is not a distance: taken as one
it would put the stop or target about a whole price away, so it is refused with the distance to write instead.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from shared.backtest.types import Direction, DistanceKind
from shared.script import price_weight

_NUMBER = r"(\d+(?:\.\d*)?|\.\d+)"
_PERCENT = re.compile(rf"^{_NUMBER}\s*%$")
_TICKS = re.compile(rf"^{_NUMBER}\s*(?:ticks?|t)$", re.IGNORECASE)
_POINTS = re.compile(rf"^{_NUMBER}\s*(?:points?|pts?|p)?$", re.IGNORECASE)
_SIGNED_NUMBER = re.compile(r"^[-+]\s*\d")


@dataclass(frozen=True)
class Distance:
    """A distance from the entry price, in one of the forms a strategy may write it, or a stop or target level."""

    kind: DistanceKind
    value: float = 0.0
    """Points, percent or ticks; 0 for an expression."""
    text: str = ""
    """The distance as written (shown in summaries); for a level, its expression."""

    @property
    def per_bar(self) -> bool:
        """True for an expression or a level: computed on every bar, read on the signal bar."""
        return self.kind in ("expression", "level")

    def price(self, evaluated: float, tick_size: float) -> float:
        """A level's price ``evaluated`` on the signal bar, rounded to the nearest tick."""
        return round(evaluated / tick_size) * tick_size

    def points(self, entry_price: float, tick_size: float, evaluated: float | None) -> float | None:
        """The distance in price points, rounded to the tick grid (at least one tick); None when unusable."""
        raw: float | None
        if self.kind == "points":
            raw = self.value
        elif self.kind == "percent":
            raw = abs(entry_price) * self.value / 100
        elif self.kind == "ticks":
            raw = self.value * tick_size
        else:
            raw = evaluated
        if raw is None or not raw > 0:
            return None
        return max(tick_size, round(raw / tick_size) * tick_size)


def parse_distance(value: float | str) -> tuple[Distance | None, str | None]:
    """A written distance → :class:`Distance`, or an error message (expressions are checked later)."""
    if isinstance(value, (int, float)):
        if not value > 0:
            return None, f"must be greater than 0, got {value:g}"
        return Distance("points", float(value), f"{value:g} pts"), None
    text = value.strip()
    for pattern, kind, label in (
        (_PERCENT, "percent", "%"),
        (_TICKS, "ticks", " ticks"),
        (_POINTS, "points", " pts"),
    ):
        match = pattern.match(text)
        if match:
            amount = float(match.group(1))
            if not amount > 0:
                return None, f"must be greater than 0, got '{text}'"
            if kind == "percent" and amount >= 100:
                return None, f"a percent distance must be below 100%, got '{text}' (a price level?)"
            return Distance(kind, amount, f"{amount:g}{label}"), None  # type: ignore[arg-type]
    if _SIGNED_NUMBER.match(text):
        return None, f"must be greater than 0, got '{text}'"
    return Distance("expression", 0.0, text), None


def parse_slippage(value: float | str, tick_size: float) -> tuple[float | None, str | None]:
    """Slippage in points, or an error message."""
    if isinstance(value, (int, float)):
        return (float(value), None) if value >= 0 else (None, f"must be 0 or more, got {value:g}")
    text = value.strip()
    ticks, points = _TICKS.match(text), _POINTS.match(text)
    if ticks:
        return float(ticks.group(1)) * tick_size, None
    if points:
        return float(points.group(1)), None
    return None, f"'{text}' is not a slippage; write points (0.5) or ticks ('2 ticks')"


LEVEL_WEIGHT = 0.5
"""An expression distance worth at least this many times the price (a price level) is refused."""
FORMS = 'Write points (50), a percent ("1.5%"), ticks ("8 ticks") or a distance expression ("atr(14) * 2").'
"""How to write a distance, for hints."""
LEVEL_FORM = 'For a stop or target at a price, write a level: {"level": "prev(low)"}.'
"""How to write a price level, for hints."""


def operand(text: str, tree: ast.expr) -> str:
    """``text`` ready to stand beside an operator: in parentheses unless it is a name or a call."""
    return text.strip() if isinstance(tree, (ast.Name, ast.Call)) else f"({text.strip()})"


def above_entry(field: str, direction: Direction) -> bool:
    """True when ``field`` (``stop_loss`` or ``take_profit``) lies above the entry price for ``direction``."""
    return (field == "take_profit") == (direction == "long")


def level_problem(field: str, text: str, tree: ast.expr, direction: Direction) -> tuple[str, str] | None:
    """``(message, hint)`` when the expression distance ``text`` of ``field`` is a price level, else None."""
    weight = price_weight(tree)
    if weight is None or abs(weight) < LEVEL_WEIGHT:
        return None
    whole = abs(weight - 1) < 1e-9
    size = "the whole price" if whole else f"{abs(weight):g} × the price"
    origin = "the best price reached" if field == "trailing_stop" else "the entry price"
    message = (
        f"{field} must be a distance from {origin}, but `{text}` is a price level "
        f"(as a distance it would be about {size})"
    )
    if not whole or field not in ("stop_loss", "take_profit"):
        return message, FORMS
    level = operand(text, tree)
    distance = f"{level} - close" if above_entry(field, direction) else f"close - {level}"
    what = "target" if field == "take_profit" else "stop"
    return message, (
        f'For a {what} at that level, write it as a level: {{"level": "{text.strip()}"}} (evaluated on the '
        f"signal bar), or as its distance from the signal bar's close: `{distance}` (a signal where it is not "
        f"positive is skipped). Or {FORMS[0].lower()}{FORMS[1:]}"
    )
