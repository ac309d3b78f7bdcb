"""The assistant's ``run_backtest`` tool: its definition for the model and its execution.

The description is generated from the :class:`~shared.backtest.strategy.Strategy` model (every field with its
description and default), so it cannot drift from what the engine accepts. The chat wires it into its tool
list: ``BACKTEST_TOOL`` next to ``run_query``, and ``run_backtest_tool`` to execute a call.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from shared.backtest.run import run_backtest
from shared.backtest.strategy import Strategy
from shared.bars import get_bar_store
from shared.market import Instrument
from shared.script import BarsInput, StoreBars, StoreUniverse, Universe

RUN_BACKTEST = "run_backtest"

FILL_RULES = """\
Fill rules: rules are checked at each bar's close and acted on at the next bar's open (`fill: signal_close`: at
that close, with the stop and target active from the next bar); one position at a time.
Stops fill at the stop, or at the open when the price gaps through it; a take-profit fills at its level only
when traded through (at the open when gapping beyond it). A bar touching both: the minute bars decide the
order when available, otherwise the stop counts first. The trailing stop follows completed bars only. An open
position at the last bar closes at its close (reason `end`). Stops and targets are distances from the entry
fill, or price levels `{"level": "<expression>"}` evaluated on the signal bar; never write a price as a distance.
A signal whose level is on the wrong side of the entry fill is not taken. Rules must not look into the future: `next()`,
`rank()`, aggregates such as `mean()`, and `session_high()`/`session_low()`/`session_close()` are rejected (use
`session_high_sofar()`/`session_low_sofar()`, rolling windows such as `rolling_max(x, 20)`). P&L is reported in
points per contract and in currency (point value × contracts − commission)."""


def _field_line(name: str, info: Any) -> str:
    required = info.is_required()
    default = "" if required else f" (default {json.dumps(info.default)})"
    return f"- {name}{' (required)' if required else ''}{default}: {info.description}"


def tool_description() -> str:
    """The tool's description: purpose, every strategy field (from the model) and the fill rules."""
    fields = [_field_line(info.alias or name, info) for name, info in Strategy.model_fields.items()]
    return (
        "Backtest a trading strategy on the instrument's history and show the user its metrics, equity curve, "
        "trades and a price chart with entries and exits as cards. You receive a compact summary. Rules are "
        "Barb Script expressions (the same language and functions as run_query).\n\n"
        "Strategy fields:\n" + "\n".join(fields) + "\n\n" + FILL_RULES + "\n\nExample: "
        '{"entry": "streak(red()) >= 3", "direction": "long", "stop_loss": "1.5%", "take_profit": "3%", '
        '"exit_bars": 5}. With levels, buying at 10:00 above the open with the stop at the low so far and the '
        'target at twice that risk: {"entry": "time() == \'10:00\' and close > session_open()", "direction": '
        '"long", "from": "5m", "session": "RTH", "fill": "signal_close", "stop_loss": {"level": '
        '"session_low_sofar()"}, "take_profit": {"level": "close + 2 * (close - session_low_sofar())"}, '
        '"flat_at_session_end": true}'
    )


BACKTEST_TOOL: dict[str, Any] = {
    "name": RUN_BACKTEST,
    "description": tool_description(),
    "input_schema": {
        "type": "object",
        "properties": {
            "strategy": {
                "type": "object",
                "description": "The strategy (a JSON object with the fields above).",
            },
            "title": {
                "type": "string",
                "description": "3–6 words in the user's language naming the backtest.",
            },
        },
        "required": ["strategy", "title"],
    },
}


def run_backtest_tool(
    tool_input: dict[str, Any],
    instrument: Instrument,
    *,
    bars: BarsInput | None = None,
    timeout_s: float | None = None,
    universe: Universe | None = None,
) -> tuple[str, list[dict[str, Any]]]:
    """Run one ``run_backtest`` call: ``(summary for the model, UI blocks)``.

    ``bars`` defaults to the instrument's bars in the configured store, ``universe`` (other instruments for
    ``on('ES', …)`` in rules) to every instrument in it. Raises :class:`StrategyInvalid`,
    ``QueryFailed`` or ``BacktestTimeout`` (``StrategyInvalid.fix_request`` words the problems for the model).
    """
    strategy = tool_input.get("strategy")
    if isinstance(strategy, str):
        with contextlib.suppress(json.JSONDecodeError):
            strategy = json.loads(strategy)
    notes = []
    if bars is None:
        store = get_bar_store()
        bars = StoreBars(store, instrument.symbol)
        universe = universe or StoreUniverse(store)
        if store.is_sample(instrument.symbol):
            notes.append("Note: these are synthetic sample bars, not real market data; say so.")
    result = run_backtest(strategy, instrument, bars, timeout_s=timeout_s, universe=universe)
    notes.append("The user sees the metrics, equity curve, trades and chart as cards; do not repeat them.")
    return "\n".join([result.summary(), *notes]), result.blocks()
