"""The strategy a backtest runs: a pydantic model at the edge, and one check that reports every problem.

Rules (``entry``, ``exit``), expression distances (``stop_loss: "atr(14) * 2"``) and price levels
(``stop_loss: {"level": "prev(low)"}``) are Barb Script expressions. They are checked by the Barb Script validator (same messages and hints as queries) over the
strategy's bars, plus backtest rules: a rule must be a condition, a distance a number that is not a price, a
level a price that is not a distance, and nothing may
look into the future (functions declared with a ``lookahead`` alternative: ``next``, ``rank``, the final
``session_*`` values and the aggregates), since a signal is acted on at the next bar's open; the hint is the
declaration's alternative. A later value of something the calendar fixes in advance (``next(is_month_end())``:
only literals and functions of a ``known_in_advance`` category) is allowed.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from shared.backtest.distance import (
    FORMS,
    LEVEL_FORM,
    Distance,
    level_problem,
    parse_distance,
    parse_slippage,
)
from shared.backtest.levels import LEVEL_FIELDS, Level, level_form_problem, shape_problem, to_distance
from shared.backtest.types import Direction, FillMode
from shared.market import INTRADAY_SIZES, BarSize, Instrument
from shared.script import FunctionSpec, Plan, ScriptError, Universe, build_plan, did_you_mean, function_spec

TIMEFRAMES: tuple[BarSize, ...] = (*INTRADAY_SIZES, "daily")
"""Bar sizes a backtest runs on (longer bars would hold a position for weeks between decisions)."""

RULE_FIELDS = ("entry", "exit")
DISTANCE_FIELDS = ("stop_loss", "take_profit", "trailing_stop")
COLUMN_NAMES = {
    "entry": "bt_entry",
    "exit": "bt_exit",
    "stop_loss": "bt_stop_loss",
    "take_profit": "bt_take_profit",
    "trailing_stop": "bt_trailing_stop",
}
"""The ``map`` column each rule or expression distance is computed into."""


class Strategy(BaseModel):
    """A trading rule set to backtest on one instrument (contracts of a futures contract)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    entry: str = Field(
        description="Barb Script condition checked at each bar's close; when true and no position is open, "
        "enter at the next bar's open (at this bar's close with `fill: signal_close`). E.g. `streak(red()) >= 3` or `crossover(sma(close, 20), sma(close, 50))`."
    )
    direction: Direction = Field(description="`long` (buy) or `short` (sell) on entry.")
    exit: str | None = Field(
        None,
        description="Optional Barb Script condition checked at each bar's close while in a position; when "
        "true, exit at the next bar's open (at this bar's close with `fill: signal_close`). E.g. `rsi(close, 14) > 70`.",
    )
    stop_loss: float | str | Level | None = Field(
        None,
        description="Stop below the entry (above for shorts), either as a distance from the entry price: points "
        '(`50`), a percent of the entry price (`"1.5%"`), ticks (`"8 ticks"`) or an expression evaluated at '
        'the signal bar (`"atr(14) * 2"`); or as a price level: `{"level": "prev(low)"}`, a Barb Script price '
        'expression evaluated on the signal bar (or a fixed price, `{"level": 17850}`), fixed for the trade. '
        'Never a price as a distance (`17850`, `"prev(low)"`). A signal whose stop level is not below the '
        "entry fill (above for shorts) is not taken.",
    )
    take_profit: float | str | Level | None = Field(
        None,
        description="Target above the entry (below for shorts), in the same forms as stop_loss: a distance "
        '(`"3%"`, `"atr(14) * 3"`) or a level (`{"level": "prev(high)"}`); a signal whose target level is '
        "not beyond the entry fill is not taken.",
    )
    trailing_stop: float | str | None = Field(
        None,
        description="Trailing distance below the best price (above for shorts) reached by completed bars, "
        "in the distance forms of stop_loss (never a level).",
    )
    breakeven_bars: int | None = Field(
        None,
        ge=1,
        le=100_000,
        description="After this many bars in the trade, if the bar closes in profit, move the stop to the "
        "entry price.",
    )
    exit_bars: int | None = Field(
        None,
        ge=1,
        le=100_000,
        description="Time stop: close the position at the close of its N-th bar (the entry bar is the first; "
        "with `fill: signal_close`, the bar after the signal).",
    )
    fill: FillMode = Field(
        "next_open",
        description="Where entries and `exit`-rule exits fill: `next_open` (the open of the bar after the "
        "signal) or `signal_close` (the signal bar's own close; the stop and target are active from the next "
        "bar).",
    )
    flat_at_session_end: bool = Field(
        False,
        description="Close an open position at the close of each trade date's last bar (day trading on "
        "intraday bars); otherwise positions are held overnight.",
    )
    session: str | None = Field(
        None, description="Session of the instrument (e.g. `RTH`); default: the whole trading day."
    )
    period: str | None = Field(
        None,
        description="Trading period, as in Barb Script (`2024`, `2020:2024-06`, `last_250`); indicators are "
        "still warmed up on the history before it. Default: all data.",
    )
    timeframe: str = Field(
        "daily", alias="from", description=f"Bar size: {', '.join(TIMEFRAMES)} (default daily)."
    )
    slippage: float | str = Field(
        0.0,
        description='Slippage per fill against you, in points (`0.5`) or ticks (`"2 ticks"`); applied to '
        "entries and every exit except take-profit (a limit order).",
    )
    commission: float = Field(
        0.0,
        ge=0,
        description="Commission in the instrument's currency per contract per side (entry and exit).",
    )
    contracts: int = Field(1, ge=1, le=10_000, description="Contracts per trade (default 1).")
    capital: float | None = Field(
        None,
        gt=0,
        description="Account size for % figures (returns, drawdown %, Sharpe). Default: the value of the "
        "position at the first bar's open (contracts × point value × price), i.e. no leverage.",
    )

    @field_validator("direction", "timeframe", "fill", mode="before")
    @classmethod
    def _lower_case(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("period", mode="before")
    @classmethod
    def _year_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("stop_loss", "take_profit", "trailing_stop", "slippage", mode="before")
    @classmethod
    def _distance_shape(cls, value: Any, info: ValidationInfo) -> Any:
        problem = shape_problem(info.field_name or "", value)
        if problem is not None:
            raise ValueError(problem)
        return value


@dataclass(frozen=True)
class CheckedStrategy:
    """A strategy that passed every check, with what the engine needs to run it."""

    strategy: Strategy
    plan: Plan
    """The Barb Script plan computing the rule columns (:data:`COLUMN_NAMES`) over the strategy's bars."""
    distances: dict[str, Distance]
    slippage: float
    """Slippage in points."""
    universe: Universe | None = None
    """Where the rules' ``on('ES', …)`` values find other instruments' bars."""


def _written(value: Any) -> str:
    """A field's value as the strategy wrote it: JSON for objects (a level), else Python's repr."""
    if isinstance(value, BaseModel):
        return value.model_dump_json()
    return json.dumps(value) if isinstance(value, dict) else repr(value)


class StrategyErrors:
    """Collects problems as :class:`ScriptError` values located by strategy field."""

    def __init__(self) -> None:
        self.items: list[ScriptError] = []

    def add(self, field: str, value: Any, message: str, hint: str | None = None) -> None:
        text = value if isinstance(value, str) else ("" if value is None else _written(value))
        self.items.append(ScriptError(field, text, message, hint))


def _model_errors(exc: ValidationError, raw: dict[str, Any], errors: StrategyErrors) -> set[str]:
    """Pydantic's problems as strategy errors; returns the fields that failed."""
    valid = sorted({f.alias or name for name, f in Strategy.model_fields.items()})
    failed: set[str] = set()
    for item in exc.errors():
        field = str(item["loc"][0]) if item["loc"] else "strategy"
        failed.add(field)
        value = raw.get(field)
        if item["type"] == "extra_forbidden":
            hint = did_you_mean(field, valid, cutoff=0.5) + f"Valid: {', '.join(valid)}."
            errors.add(field, value, f"unknown field '{field}'", hint)
        elif item["type"] == "missing":
            example = {"entry": '"entry": "rsi(close, 14) < 30"', "direction": '"direction": "long"'}
            errors.add(field, None, f"{field} is required", f"Add {example.get(field, field)}.")
        else:
            message = str(item["msg"]).removeprefix("Value error, ")
            errors.add(field, value, f"{field}: {message}", _forms(field))
    return failed


def _parse_model(raw: dict[str, Any], errors: StrategyErrors) -> tuple[Strategy | None, Strategy]:
    """The strategy, or None when it is invalid, plus a best-effort model for checking the remaining fields."""
    try:
        strategy = Strategy.model_validate(raw)
        return strategy, strategy
    except ValidationError as exc:
        failed = _model_errors(exc, raw, errors)
    known = {f.alias or name for name, f in Strategy.model_fields.items()}
    usable = {k: v for k, v in raw.items() if k in known and k not in failed}
    usable.setdefault("entry", "true")
    usable.setdefault("direction", "long")
    try:
        return None, Strategy.model_validate(usable)
    except ValidationError:
        return None, Strategy(entry="true", direction="long")


def _known_in_advance(node: ast.expr) -> bool:
    """True when ``node`` is made of literals and calls of functions the calendar fixes in advance (no column)."""
    if isinstance(node, ast.Name):
        return False
    if isinstance(node, ast.Call):
        spec = function_spec(node.func.id) if isinstance(node.func, ast.Name) else None
        if spec is None or not (spec.known_in_advance or _shifts(spec)):
            return False
        return all(_known_in_advance(arg) for arg in (*node.args, *(kw.value for kw in node.keywords)))
    return all(
        _known_in_advance(child) for child in ast.iter_child_nodes(node) if isinstance(child, ast.expr)
    )


def _shifts(spec: FunctionSpec) -> bool:
    # Lag functions move their argument's values between bars: a later value of a calendar value is known.
    return spec.category == "lag"


def _forms(field: str) -> str | None:
    """How to write ``field``, for hints: the distance forms and the level form where allowed, the fill modes."""
    if field in LEVEL_FIELDS:
        return f"{FORMS} {LEVEL_FORM}"
    if field == "slippage":
        return 'Write points (0.5) or ticks ("2 ticks").'
    if field == "fill":
        return 'Write "fill": "next_open" (the next bar\'s open, the default) or "signal_close" (the signal bar\'s close).'
    return FORMS if field in DISTANCE_FIELDS else None


def _lookahead(tree: ast.expr) -> list[FunctionSpec]:
    """The look-ahead functions ``tree`` calls, each once, in order; ``next(x)`` of a value known in advance
    (``next(is_month_end())``) is not one: the calendar says today what it will be tomorrow."""
    found: dict[str, FunctionSpec] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            spec = function_spec(node.func.id)
            if spec is not None and spec.lookahead and not (_shifts(spec) and _known_in_advance(node)):
                found.setdefault(spec.name, spec)
    return list(found.values())


def _rule_query(strategy: Strategy, expressions: dict[str, str], timeframe_ok: bool) -> dict[str, Any]:
    query: dict[str, Any] = {"from": strategy.timeframe if timeframe_ok else "daily"}
    if strategy.session is not None:
        query["session"] = strategy.session
    if strategy.period is not None:
        query["period"] = strategy.period
    query["map"] = {COLUMN_NAMES[field]: text for field, text in expressions.items()}
    return query


_INTERNAL_NAME = re.compile(r"\bbt_\w+(?:, )?")


def _engine_errors(plan_errors: list[ScriptError], errors: StrategyErrors) -> None:
    """The validator's problems, located by strategy field, without the engine's internal column names."""
    by_column = {f"map.{column}": field for field, column in COLUMN_NAMES.items()}
    for err in plan_errors:
        hint = _INTERNAL_NAME.sub("", err.hint) if err.hint else err.hint
        errors.items.append(ScriptError(by_column.get(err.step, err.step), err.expression, err.message, hint))


def _value_problem(
    field: str, text: str, tree: ast.expr, kind: str, direction: Direction, level: bool
) -> tuple[str, str] | None:
    """``(message, hint)`` when a rule is not a condition, a distance not a distance or a level not a price."""
    if field in RULE_FIELDS:
        if kind in ("boolean", "any"):
            return None
        return (
            f"{field} must be a condition (true/false), but this is a {kind} value",
            f"Compare it, e.g. `{text} > 0`.",
        )
    if kind not in ("number", "integer", "any"):
        what = "a price level" if level else "a distance in points"
        return f"{field} must be {what}, but this is a {kind} value", _forms(field) or FORMS
    if level:
        return level_form_problem(field, text, tree, direction)
    return level_problem(field, text, tree, direction)


def _check_types(
    plan: Plan, expressions: dict[str, str], direction: Direction, levels: set[str], errors: StrategyErrors
) -> None:
    """Rules must be conditions, distances numbers that are not price levels, levels prices that are not
    distances, and nothing may look ahead."""
    step = plan.steps[0]
    trees = dict(step.map)
    for field, text in expressions.items():
        column = COLUMN_NAMES[field]
        tree = trees.get(column)
        if tree is None:
            continue
        problem = _value_problem(field, text, tree, step.mapped[column].type, direction, field in levels)
        if problem is not None:
            errors.add(field, text, *problem)
        for spec in _lookahead(tree):
            errors.add(
                field,
                text,
                f"`{spec.name}()` looks into the future, which a backtest rule cannot do",
                f"{spec.lookahead} Rules are checked at each bar's close and acted on at the next bar's open.",
            )


def check_strategy(
    raw: Any, instrument: Instrument, universe: Universe | None = None
) -> tuple[CheckedStrategy | None, list[ScriptError]]:
    """Check a strategy for ``instrument`` without reading data; returns it ready to run, or every problem.

    ``universe`` lets the rules read other instruments (``on('ES', close)``); a longer bar size of the
    instrument itself (``on('daily', sma(close, 200))``) needs none.
    """
    errors = StrategyErrors()
    if not isinstance(raw, dict):
        errors.add(
            "strategy",
            repr(raw)[:200],
            "a strategy must be a JSON object",
            'Write e.g. {"entry": ..., "direction": "long"}.',
        )
        return None, errors.items
    strategy, usable = _parse_model(raw, errors)
    timeframe_ok = usable.timeframe in TIMEFRAMES
    if not timeframe_ok:
        errors.add(
            "from",
            usable.timeframe,
            f"a backtest cannot run on '{usable.timeframe}' bars",
            f"Use one of: {', '.join(TIMEFRAMES)}.",
        )
    distances: dict[str, Distance] = {}
    for field in DISTANCE_FIELDS:
        value = getattr(usable, field)
        if value is None:
            continue
        distance, problem = (to_distance(value), None) if isinstance(value, Level) else parse_distance(value)
        if problem is not None:
            errors.add(field, value, f"{field} {problem}", _forms(field))
        elif distance is not None:
            distances[field] = distance
    slippage, problem = parse_slippage(usable.slippage, instrument.tick_size)
    if problem is not None:
        errors.add("slippage", usable.slippage, f"slippage {problem}")
    if usable.stop_loss is None and usable.trailing_stop is None and usable.breakeven_bars is not None:
        errors.add(
            "breakeven_bars",
            usable.breakeven_bars,
            "breakeven_bars moves a stop, but the strategy has none",
            "Add stop_loss or trailing_stop.",
        )
    expressions = {
        field: getattr(usable, field) for field in RULE_FIELDS if getattr(usable, field) is not None
    }
    expressions |= {field: d.text for field, d in distances.items() if d.per_bar}
    plan, plan_errors = build_plan(
        _rule_query(usable, expressions, timeframe_ok), instrument, universe=universe
    )
    _engine_errors(plan_errors, errors)
    levels = {field for field, d in distances.items() if d.kind == "level"}
    _check_types(plan, expressions, usable.direction, levels, errors)
    if errors.items or strategy is None or slippage is None:
        return None, errors.items
    return CheckedStrategy(strategy, plan, distances, slippage, universe), []
