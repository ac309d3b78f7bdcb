"""The backtest result: metrics, trades, equity curve, a compact summary for the model and the UI blocks.

Everything is deterministic (same strategy and bars → same JSON, ``elapsed_ms`` aside) and JSON-safe: NaN
and ±infinity become null, floats are rounded to 8 decimals to drop binary noise (``1.1900000000000048``).
Dates are trade dates ``YYYY-MM-DD``; times are bar opens ``HH:MM`` in the instrument's display time zone.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from shared.backtest.bars import StrategyBars
from shared.backtest.metrics import Curves, Trade, daily_equity
from shared.backtest.strategy import CheckedStrategy
from shared.market import Instrument

MAX_TRADE_ROWS = 10_000
MAX_EQUITY_POINTS = 5_000
MAX_CANDLES = 2_000
_DIGITS = 8


def json_safe(value: Any) -> Any:
    """``value`` itself when it is valid JSON already (the common case, checked at C speed), else :func:`clean`."""
    try:
        json.dumps(value, allow_nan=False)
    except (ValueError, TypeError):
        return clean(value)
    return value


def clean(value: Any) -> Any:
    """JSON-safe copy: NaN/inf → None, NumPy scalars and tuples made plain (values are rounded at their source)."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@dataclass
class BacktestResult:
    """A finished backtest."""

    instrument: Instrument
    checked: CheckedStrategy
    bars: StrategyBars
    trades: list[Trade]
    curves: Curves
    metrics: dict[str, Any]
    skipped_signals: int = 0
    skipped_wrong_side: int = 0
    resolved_by_minutes: int = 0
    assumed_stop_first: int = 0
    warnings: list[str] = field(default_factory=list)
    elapsed_ms: float = 0.0

    # ------------------------------------------------------------------------------------------- labels

    @property
    def intraday(self) -> bool:
        return self.bars.minutes is not None

    def _date(self, index: int) -> str:
        return str(self.bars.dates[index].isoformat())

    def _time(self, index: int) -> str:
        minute = int(self.bars.minutes[index])  # type: ignore[index]
        return f"{minute // 60:02d}:{minute % 60:02d}"

    def _label(self, index: int) -> str:
        return f"{self._date(index)} {self._time(index)}" if self.intraday else self._date(index)

    # ------------------------------------------------------------------------------------------- tables

    def trades_table(self) -> dict[str, Any]:
        """``{columns, rows}`` of every trade (at most :data:`MAX_TRADE_ROWS`, then ``truncated``)."""
        columns = [("number", "integer"), ("entry_date", "date")]
        columns += [("entry_time", "time")] if self.intraday else []
        columns += [("exit_date", "date")] + ([("exit_time", "time")] if self.intraday else [])
        columns += [
            ("direction", "text"),
            ("entry_price", "number"),
            ("exit_price", "number"),
            ("stop", "number"),
            ("target", "number"),
            ("points", "number"),
            ("pnl", "number"),
            ("exit_reason", "text"),
            ("bars_held", "integer"),
            ("outcome", "text"),
        ]
        rows = []
        for t in self.trades[:MAX_TRADE_ROWS]:
            row: list[Any] = [t.number, self._date(t.entry_index)]
            row += [self._time(t.entry_index)] if self.intraday else []
            row += [self._date(t.exit_index)] + ([self._time(t.exit_index)] if self.intraday else [])
            row += [t.direction, t.entry_price, t.exit_price, t.stop, t.target, t.points, t.pnl]
            row += [t.reason, t.bars_held, t.outcome]
            rows.append(row)
        table: dict[str, Any] = {"columns": [{"name": n, "type": k} for n, k in columns], "rows": rows}
        if len(self.trades) > MAX_TRADE_ROWS:
            table |= {"truncated": True, "total_rows": len(self.trades)}
        return table

    def equity_table(self) -> dict[str, Any]:
        """Daily equity, drawdown (currency and %) and buy-and-hold, evenly thinned past the cap.

        The row of the deepest drawdown and the last row are always kept.
        """
        days = self.bars.dates.cast(pl.Int32).to_numpy()
        last = np.flatnonzero(np.concatenate((days[1:] != days[:-1], [True])))
        equity = daily_equity(self.curves, self.bars)
        peaks = np.maximum.accumulate(np.concatenate(([self.curves.capital], equity)))[1:]
        drawdown = equity - peaks
        keep = np.arange(len(last))
        if len(keep) > MAX_EQUITY_POINTS:
            step = math.ceil(len(keep) / MAX_EQUITY_POINTS)
            keep = np.unique(np.concatenate((keep[::step], [int(drawdown.argmin()), len(keep) - 1])))
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(peaks > 0, drawdown / peaks * 100, np.nan)
        values = np.round(
            np.column_stack((equity, drawdown, share, self.curves.buy_hold[last]))[keep], _DIGITS
        )
        dates = self.bars.dates.gather(last[keep]).dt.strftime("%Y-%m-%d").to_list()
        rows = [[day, *numbers] for day, numbers in zip(dates, values.tolist(), strict=True)]
        columns = [("date", "date"), ("equity", "number"), ("drawdown", "number")]
        columns += [("drawdown_pct", "number"), ("buy_hold", "number")]
        table: dict[str, Any] = {"columns": [{"name": n, "type": k} for n, k in columns], "rows": rows}
        if len(keep) < len(last):
            table |= {"thinned": True, "total_rows": len(last)}
        return table

    # ------------------------------------------------------------------------------------------- blocks

    def _candle_times(self, start: int) -> list[Any]:
        """Daily: trade dates; intraday: the bar open as epoch seconds (UTC), like the bars endpoint."""
        dates = self.bars.dates[start:]
        if not self.intraday:
            return [d.isoformat() for d in dates.to_list()]
        session = self.instrument.sessions[self.instrument.default_session]
        minutes = pl.Series(self.bars.minutes[start:]).cast(pl.Int64)  # type: ignore[index]
        # A bar at or after the opening of a session that wraps midnight is on the evening before its trade date.
        evening = (minutes >= session.start_minute) & session.wraps_midnight
        frame = pl.DataFrame({"date": dates, "minute": minutes, "evening": evening})
        local = (pl.col("date") - pl.duration(days=pl.col("evening").cast(pl.Int64))).cast(pl.Datetime("us"))
        local = local + pl.duration(minutes=pl.col("minute"))
        stamp = local.dt.replace_time_zone(
            self.instrument.timezone, ambiguous="earliest", non_existent="null"
        )
        return frame.select(stamp.dt.epoch("s").alias("t")).get_column("t").to_list()

    def candles_block(self) -> dict[str, Any]:
        """The last :data:`MAX_CANDLES` bars with entry and exit markers of the trades inside them."""
        start = max(0, self.bars.size - MAX_CANDLES)
        times = self._candle_times(start)
        name = "time" if self.intraday else "date"
        rows = [
            [t, float(o), float(h), float(lo), float(c)]
            for t, o, h, lo, c in zip(
                times,
                self.bars.open[start:],
                self.bars.high[start:],
                self.bars.low[start:],
                self.bars.close[start:],
                strict=True,
            )
        ]
        markers = []
        for t in self.trades:
            if t.entry_index >= start:
                text = f"{'Long' if t.direction == 'long' else 'Short'} #{t.number}"
                markers.append(_marker(times[t.entry_index - start], "entry", text))
            if t.exit_index >= start:
                text = f"{t.reason.replace('_', ' ')} {t.points:+g}"
                markers.append(_marker(times[t.exit_index - start], "exit", text))
        block: dict[str, Any] = {
            "type": "candles",
            "columns": [{"name": name, "type": "integer" if self.intraday else "date"}]
            + [{"name": n, "type": "number"} for n in ("open", "high", "low", "close")],
            "rows": rows,
            "markers": markers,  # trade order is time order
        }
        if start > 0:
            block |= {"truncated": True, "total_rows": self.bars.size}
        return block

    def metrics_block(self) -> dict[str, Any]:
        """The headline metrics as a ``metrics-grid``."""
        m = self.metrics
        currency = self.instrument.currency

        def item(label: str, value: Any, kind: str = "number", fmt: str | None = None) -> dict[str, Any]:
            out: dict[str, Any] = {"label": label, "value": value, "type": kind}
            if fmt:
                out["format"] = fmt
            return out

        net = item(f"Net P&L ({currency})", m["net_pnl"])
        if m["net_pnl"]:
            net["color"] = "green" if m["net_pnl"] > 0 else "red"
        items = [
            item("Trades", m["trades"], "integer"),
            item("Win rate", m["win_rate"], fmt="percent"),
            item("Profit factor", m["profit_factor"]),
            net,
            item("Net points", m["net_points"]),
            item(f"Expectancy ({currency})", m["expectancy"]),
            item(f"Max drawdown ({currency})", m["max_drawdown"]),
            item("Max drawdown", m["max_drawdown_pct"], fmt="percent"),
            item("Recovery factor", m["recovery_factor"]),
            item("Sharpe (daily)", m["sharpe"]),
            item("Sortino (daily)", m["sortino"]),
            item("Exposure", m["exposure_pct"], fmt="percent"),
            item("Return", m["return_pct"], fmt="percent"),
            item("Buy & hold return", m["buy_hold"]["return_pct"], fmt="percent"),
        ]
        return {"type": "metrics-grid", "items": items}

    def blocks(self) -> list[dict[str, Any]]:
        """UI blocks: ``metrics-grid``, ``equity-curve``, ``trades``, ``candles`` (JSON-safe)."""
        blocks: list[dict[str, Any]] = json_safe(self._blocks(self.trades_table(), self.equity_table()))
        return blocks

    def _blocks(self, trades: dict[str, Any], equity: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            self.metrics_block(),
            {
                "type": "equity-curve",
                "x": "date",
                "y": ["equity", "buy_hold"],
                "drawdown": "drawdown",
                **equity,
            },
            {"type": "trades", **trades},
            self.candles_block(),
        ]

    # ------------------------------------------------------------------------------------------- text

    def source(self) -> dict[str, Any]:
        """Which bars the backtest ran on."""
        strategy = self.checked.strategy
        return {
            "bars": self.bars.source,
            "timeframe": strategy.timeframe,
            "session": strategy.session,
            "period": [self._date(0), self._date(self.bars.size - 1)],
            "rows": self.bars.size,
            "intrabar": {
                "resolved_by_minutes": self.resolved_by_minutes,
                "assumed_stop_first": self.assumed_stop_first,
            },
        }

    def summary(self) -> str:
        """A compact deterministic text for the model (a few hundred tokens whatever the number of trades)."""
        return summary_text(self)

    def to_dict(self, *, blocks: bool = True) -> dict[str, Any]:
        """The API result object."""
        trades, equity = self.trades_table(), self.equity_table()
        out: dict[str, Any] = {
            "instrument": self.instrument.symbol,
            "strategy": self.checked.strategy.model_dump(by_alias=True, exclude_none=True),
            "source": self.source(),
            "metrics": self.metrics,
            "trades": trades,
            "equity": equity,
            "summary": self.summary(),
            "warnings": list(self.warnings),
            "elapsed_ms": round(self.elapsed_ms, 1),
        }
        if blocks:
            out["blocks"] = self._blocks(trades, equity)
        safe: dict[str, Any] = json_safe(out)
        return safe


def _marker(time: Any, kind: str, text: str) -> dict[str, Any]:
    """A chart marker: entries below the bar, exits above it."""
    return {
        "time": time,
        "kind": kind,
        "position": "belowBar" if kind == "entry" else "aboveBar",
        "text": text,
    }


def _money(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+,.2f}"


def _plain(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def _rules_line(result: BacktestResult) -> str:
    s = result.checked.strategy
    parts = [f"{s.direction} when `{s.entry}`"]
    if s.exit:
        parts.append(f"exit when `{s.exit}`")
    for name, label in (("stop_loss", "stop"), ("take_profit", "target"), ("trailing_stop", "trailing")):
        distance = result.checked.distances.get(name)
        if distance is not None:
            parts.append(f"{label} {'at level ' if distance.kind == 'level' else ''}{distance.text}")
    if s.breakeven_bars:
        parts.append(f"breakeven after {s.breakeven_bars} bars")
    if s.exit_bars:
        parts.append(f"time stop {s.exit_bars} bars")
    if s.fill == "signal_close":
        parts.append("fills at the signal bar's close")
    costs = f"{s.contracts} contract(s), slippage {result.checked.slippage:g} pts, commission {s.commission:g}/side"
    return "Rules: " + "; ".join(parts) + f". {costs}."


def summary_text(result: BacktestResult) -> str:
    """See :meth:`BacktestResult.summary`."""
    m = result.metrics
    src = result.source()
    currency = result.instrument.currency
    lines = [
        f"Backtest {result.instrument.symbol} on {src['timeframe']} bars ({src['bars']}), session "
        f"{src['session'] or 'whole trading day'}, {src['period'][0]} to {src['period'][1]} ({src['rows']} bars).",
        _rules_line(result),
    ]
    if m["trades"] == 0:
        lines.append("0 trades: the entry rule never led to a trade in this period.")
    else:
        lines += [
            f"Trades {m['trades']} (wins {m['wins']}, losses {m['losses']}, scratches {m['scratches']}); win rate "
            f"{_plain(m['win_rate'], 1)}%; profit factor {_plain(m['profit_factor'])}; net {_money(m['net_pnl'])} "
            f"{currency} ({_money(m['net_points'])} pts/contract); expectancy {_money(m['expectancy'])} {currency}.",
            f"Avg win {_money(m['avg_win'])}, avg loss {_money(m['avg_loss'])}, largest {_money(m['largest_win'])}"
            f" / {_money(m['largest_loss'])}; longest runs {m['max_consecutive_wins']} wins / "
            f"{m['max_consecutive_losses']} losses; avg bars held {_plain(m['avg_bars_held'], 1)}.",
        ]
    lines += [
        f"Max drawdown {_plain(m['max_drawdown'])} {currency} ({_plain(m['max_drawdown_points'])} pts, "
        f"{_plain(m['max_drawdown_pct'])}%); recovery factor {_plain(m['recovery_factor'])}; Sharpe "
        f"{_plain(m['sharpe'])}, Sortino {_plain(m['sortino'])} (daily, annualized); exposure "
        f"{_plain(m['exposure_pct'], 1)}% of bars; return {_plain(m['return_pct'])}% on capital "
        f"{_plain(m['capital'])}.",
        f"Buy & hold over the same bars: {_money(m['buy_hold']['pnl'])} {currency} "
        f"({_plain(m['buy_hold']['return_pct'])}%), max drawdown {_plain(m['buy_hold']['max_drawdown_pct'])}%.",
    ]
    if m["by_year"]:
        years = ", ".join(f"{y['year']} {_money(y['net_pnl'])} ({y['trades']})" for y in m["by_year"])
        lines.append(f"By exit year: {years}.")
    if m["by_exit_reason"]:
        reasons = ", ".join(
            f"{r['reason']} {r['trades']} ({_money(r['net_pnl'])})" for r in m["by_exit_reason"]
        )
        lines.append(f"By exit: {reasons}.")
    if result.resolved_by_minutes or result.assumed_stop_first:
        lines.append(
            f"Bars touching both stop and target: {result.resolved_by_minutes} ordered by minute data, "
            f"{result.assumed_stop_first} assumed stop first."
        )
    lines += [f"Warning: {w}" for w in result.warnings]
    return "\n".join(lines)
