"""Trades in points and currency, the equity curve, and the backtest's metrics.

Definitions (``docs/backtest.md`` states them for users):

- A trade's ``points`` are per contract, after slippage, before commission. Its ``pnl`` is in the
  instrument's currency: ``points × point_value × contracts − 2 × commission × contracts`` (commission is per
  contract per side). A trade is a win when ``pnl > 0``, a loss when ``pnl < 0`` and a scratch when it is 0.
- Equity is marked to market at every bar's close: capital + closed P&L + the open trade at the close (less
  its entry commission). Drawdowns are measured on it; ``max_drawdown_points`` on the same curve in points
  per contract.
- Sharpe and Sortino use daily returns of that equity (its value at each trade date's last bar), risk-free
  rate 0, annualized by √252. Sortino's downside deviation is ``sqrt(mean(min(r, 0)²))`` over all days.
- A ratio whose denominator is 0 is null (never infinity): profit factor without losses, recovery factor
  without a drawdown, Sharpe of constant returns.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import polars as pl

from shared.backtest.bars import StrategyBars
from shared.backtest.simulate import Fill
from shared.backtest.types import EXIT_REASONS, Direction, Outcome

TRADING_DAYS_PER_YEAR = 252
_DIGITS = 8


@dataclass(frozen=True, kw_only=True)
class Trade(Fill):
    """One closed trade with its result (its prices rounded to 8 decimals)."""

    number: int
    direction: Direction
    bars_held: int
    """Bars the position was open during: the entry bar unless entered at its close, the exit bar unless exited
    at its open."""
    points: float
    pnl: float
    commission: float
    outcome: Outcome


@dataclass(frozen=True)
class Costs:
    """What turns points into currency."""

    point_value: float
    contracts: int
    commission: float
    """Per contract per side."""


def build_trades(fills: Iterable[Fill], direction: Direction, costs: Costs) -> list[Trade]:
    """Closed trades with points, currency P&L and outcome (values rounded to 8 decimals: no binary noise)."""
    fills = list(fills)
    if not fills:
        return []
    levels = np.array(
        [[f.entry_price, f.exit_price, _nan(f.stop), _nan(f.target)] for f in fills], dtype=np.float64
    )
    levels = np.round(levels, _DIGITS)
    sign = 1.0 if direction == "long" else -1.0
    points = np.round(sign * (levels[:, 1] - levels[:, 0]), _DIGITS)
    commission = round(2 * costs.commission * costs.contracts, _DIGITS)
    pnls = np.round(points * costs.point_value * costs.contracts - commission, _DIGITS)
    trades = []
    for number, (fill, row, pts, pnl) in enumerate(
        zip(fills, levels.tolist(), points.tolist(), pnls.tolist(), strict=True), start=1
    ):
        held = fill.exit_index - fill.entry_index + 1 - int(fill.exit_at_open) - int(fill.entry_at_close)
        trades.append(
            Trade(
                **(
                    asdict(fill)
                    | {
                        "entry_price": row[0],
                        "exit_price": row[1],
                        "stop": None if math.isnan(row[2]) else row[2],
                        "target": None if math.isnan(row[3]) else row[3],
                    }
                ),
                number=number,
                direction=direction,
                bars_held=held,
                points=pts,
                pnl=pnl,
                commission=commission,
                outcome="win" if pnl > 0 else "loss" if pnl < 0 else "scratch",
            )
        )
    return trades


def _nan(value: float | None) -> float:
    return math.nan if value is None else value


def _rounded(value: Any) -> Any:
    """Metrics rounded to 8 decimals (sums of rounded values pick up binary noise again)."""
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    if isinstance(value, float):
        return round(value, _DIGITS) if math.isfinite(value) else None
    return value


@dataclass(frozen=True)
class Curves:
    """Per-bar curves at each bar's close."""

    capital: float
    equity: np.ndarray
    points: np.ndarray
    """Cumulative points per contract, open trade included."""
    buy_hold: np.ndarray
    """Equity of buying ``contracts`` at the first bar's open and holding to the last close."""

    def drawdown(self) -> np.ndarray:
        """Equity minus its running peak (≤ 0), in currency."""
        return self.equity - np.maximum.accumulate(np.concatenate(([self.capital], self.equity)))[1:]


def default_capital(bars: StrategyBars, costs: Costs) -> float:
    """The position's value at the first bar's open: an account without leverage."""
    value = abs(float(bars.open[0])) * costs.point_value * costs.contracts
    return value if value > 0 else 1.0


def build_curves(trades: list[Trade], bars: StrategyBars, costs: Costs, capital: float) -> Curves:
    """Mark-to-market equity (currency and points) and the buy-and-hold benchmark at every bar's close."""
    n = bars.size
    closed = np.zeros(n)
    closed_points = np.zeros(n)
    np.add.at(closed, [t.exit_index for t in trades], [t.pnl for t in trades])
    np.add.at(closed_points, [t.exit_index for t in trades], [t.points for t in trades])
    # Bars whose close finds a trade open: entry_index … exit_index − 1 of each trade (trades never overlap).
    starts = np.array([t.entry_index for t in trades], dtype=np.int64)
    lengths = np.array([t.exit_index - t.entry_index for t in trades], dtype=np.int64)
    owner = np.repeat(np.arange(len(trades)), lengths)
    held = (
        np.arange(lengths.sum())
        - np.repeat(np.cumsum(lengths) - lengths, lengths)
        + np.repeat(starts, lengths)
    )
    signs = np.array([1.0 if t.direction == "long" else -1.0 for t in trades])
    entries = np.array([t.entry_price for t in trades])
    open_points = np.zeros(n)
    if len(trades):
        open_points[held] = signs[owner] * (bars.close[held] - entries[owner])
    open_value = open_points * costs.point_value * costs.contracts
    open_value[held] -= costs.commission * costs.contracts
    equity = capital + np.cumsum(closed) + open_value
    points = np.cumsum(closed_points) + open_points
    buy_hold = capital + (bars.close - bars.open[0]) * costs.point_value * costs.contracts
    return Curves(capital, equity, points, buy_hold)


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator != 0 else None


def _max_drawdown_pct(curve: np.ndarray, start: float) -> float:
    peaks = np.maximum.accumulate(np.concatenate(([start], curve)))[1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(peaks > 0, (peaks - curve) / peaks, 0.0)
    return float(share.max(initial=0.0) * 100)


def daily_equity(curves: Curves, bars: StrategyBars) -> np.ndarray:
    """Equity at the last bar of each trade date."""
    days = bars.dates.cast(pl.Int32).to_numpy()
    last = np.flatnonzero(np.concatenate((days[1:] != days[:-1], [True])))
    return curves.equity[last]


def risk_ratios(daily: np.ndarray, capital: float) -> tuple[float | None, float | None]:
    """Annualized Sharpe and Sortino of daily returns (None when undefined)."""
    values = np.concatenate(([capital], daily))
    if len(values) < 3 or np.any(values[:-1] <= 0):
        return None, None
    returns = values[1:] / values[:-1] - 1
    scale = math.sqrt(TRADING_DAYS_PER_YEAR)
    std = float(returns.std(ddof=1))
    mean = float(returns.mean())
    sharpe = mean / std * scale if std > 1e-15 else None
    downside = math.sqrt(float(np.mean(np.minimum(returns, 0.0) ** 2)))
    sortino = mean / downside * scale if downside > 1e-15 else None
    return sharpe, sortino


def _longest_runs(outcomes: list[str]) -> tuple[int, int]:
    best = {"win": 0, "loss": 0}
    run_kind, run = None, 0
    for outcome in outcomes:
        run = run + 1 if outcome == run_kind else 1
        run_kind = outcome
        if outcome in best:
            best[outcome] = max(best[outcome], run)
    return best["win"], best["loss"]


def _group(trades: list[Trade]) -> dict[str, Any]:
    wins = sum(t.outcome == "win" for t in trades)
    losses = sum(t.outcome == "loss" for t in trades)
    return {
        "trades": len(trades),
        "wins": wins,
        "losses": losses,
        "scratches": len(trades) - wins - losses,
        "win_rate": _ratio(100.0 * wins, len(trades)),
        "net_pnl": sum(t.pnl for t in trades),
        "net_points": sum(t.points for t in trades),
    }


def compute_metrics(trades: list[Trade], curves: Curves, bars: StrategyBars, costs: Costs) -> dict[str, Any]:
    """Every metric of the backtest (plain JSON-ready values; None where undefined)."""
    pnls = [t.pnl for t in trades]
    wins = [p for p in pnls if p > 0]
    losses = [p for p in pnls if p < 0]
    gross_profit, gross_loss = sum(wins), sum(losses)
    net = sum(pnls)
    drawdown = curves.drawdown()
    max_dd = float(-drawdown.min(initial=0.0))
    points_peak = np.maximum.accumulate(np.concatenate(([0.0], curves.points)))[1:]
    max_dd_points = float((points_peak - curves.points).max(initial=0.0))
    sharpe, sortino = risk_ratios(daily_equity(curves, bars), curves.capital)
    win_run, loss_run = _longest_runs([t.outcome for t in trades])
    years = bars.dates.gather([t.exit_index for t in trades]).dt.year().to_list()
    by_year: dict[int, list[Trade]] = {}
    for year, t in zip(years, trades, strict=True):
        by_year.setdefault(year, []).append(t)
    by_reason = {reason: [t for t in trades if t.reason == reason] for reason in EXIT_REASONS}
    buy_hold_pnl = float(curves.buy_hold[-1] - curves.capital)
    counts = _group(trades)
    metrics: dict[str, Any] = _rounded(
        {
            **counts,
            "net_pnl": net,
            "net_points": sum(t.points for t in trades),
            "gross_profit": gross_profit,
            "gross_loss": gross_loss,
            "commission_paid": sum(t.commission for t in trades),
            "profit_factor": _ratio(gross_profit, -gross_loss),
            "expectancy": _ratio(net, len(trades)),
            "expectancy_points": _ratio(sum(t.points for t in trades), len(trades)),
            "avg_win": _ratio(gross_profit, len(wins)),
            "avg_loss": _ratio(gross_loss, len(losses)),
            "largest_win": max(wins) if wins else None,
            "largest_loss": min(losses) if losses else None,
            "avg_bars_held": _ratio(sum(t.bars_held for t in trades), len(trades)),
            "max_consecutive_wins": win_run,
            "max_consecutive_losses": loss_run,
            "max_drawdown": max_dd,
            "max_drawdown_points": max_dd_points,
            "max_drawdown_pct": _max_drawdown_pct(curves.equity, curves.capital),
            "recovery_factor": _ratio(net, max_dd) if max_dd > 0 else None,
            "return_pct": net / curves.capital * 100,
            "sharpe": sharpe,
            "sortino": sortino,
            "returns_basis": "daily mark-to-market equity, risk-free 0, annualized by sqrt(252)",
            "exposure_pct": 100.0 * sum(t.bars_held for t in trades) / bars.size,
            "bars": bars.size,
            "capital": curves.capital,
            "point_value": costs.point_value,
            "contracts": costs.contracts,
            "buy_hold": {
                "pnl": buy_hold_pnl,
                "points": float(bars.close[-1] - bars.open[0]),
                "return_pct": buy_hold_pnl / curves.capital * 100,
                "max_drawdown_pct": _max_drawdown_pct(curves.buy_hold, curves.capital),
            },
            "by_year": [{"year": year, **_group(group)} for year, group in sorted(by_year.items())],
            "by_exit_reason": [{"reason": r, **_group(g)} for r, g in by_reason.items() if g],
        }
    )
    return metrics
