"""The system prompt: who Barb is, its rules, worked examples, the instrument and today's context.

The prompt is a list of system blocks ordered from the most to the least stable, so Anthropic's prompt
cache (tools → system → messages) keeps hitting: the rules and examples are the same for every
conversation, the instrument block for every conversation on that instrument, and only the last block
(today's date, the data range, upcoming events, the rolling summary of older turns) changes. It is built
for every request, so the date and the data range are never stale.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from shared.market import Instrument

CACHE = {"type": "ephemeral"}


@dataclass(frozen=True)
class Example:
    """A worked example: a trader's question and the query that answers it (from tests/assistant/questions.yaml)."""

    id: str
    question: str
    queries: tuple[dict[str, Any], ...]


EXAMPLES: tuple[Example, ...] = (
    Example(
        "gap_fill_points",
        "What percentage of NQ opening gaps bigger than 20 points fill during the same RTH session?",
        (
            {
                "session": "RTH",
                "map": {"g": "gap()", "filled": "if(g > 0, low <= prev(close), high >= prev(close))"},
                "where": "abs(g) > 20",
                "select": ["count()", "pct(filled)"],
            },
        ),
    ),
    Example(
        "range_by_weekday",
        "Average RTH range of NQ by weekday?",
        (
            {
                "session": "RTH",
                "map": {"r": "range()", "dow": "dayofweek()"},
                "group_by": "dow",
                "select": "mean(r)",
            },
        ),
    ),
    Example(
        "return_by_weekday_ru",
        "Средняя доходность ES по дням недели за последний год?",
        (
            {
                "period": "last_year",
                "map": {"chg": "change_pct(close)", "dow": "dayofweek()"},
                "group_by": "dow",
                "select": {"avg_chg": "mean(chg)", "up_days_pct": "pct(chg > 0)"},
            },
        ),
    ),
    Example(
        "opening_range_breaks",
        "How often is the first 30-minute range of the NQ RTH session broken on the upside, the downside and both sides?",
        (
            {
                "steps": [
                    {
                        "session": "RTH",
                        "from": "30m",
                        "map": {
                            "d": "date()",
                            "first_bar": "time() == '09:30'",
                            "or_high": "valuewhen(first_bar, high)",
                            "or_low": "valuewhen(first_bar, low)",
                            "up": "not first_bar and high > or_high",
                            "down": "not first_bar and low < or_low",
                        },
                        "group_by": "d",
                        "select": {"up": "max(up)", "down": "max(down)"},
                    },
                    {
                        "select": {
                            "broke_up": "pct(up)",
                            "broke_down": "pct(down)",
                            "broke_both": "pct(up > 0 and down > 0)",
                        }
                    },
                ]
            },
        ),
    ),
    Example(
        "high_of_day_hour_ru",
        "В котором часу обычно формируется хай дня в RTH по NQ?",
        (
            {
                "steps": [
                    {
                        "session": "RTH",
                        "from": "1m",
                        "map": {"d": "date()", "h": "hour()", "is_high": "high == session_high()"},
                        "where": "is_high",
                        "group_by": "d",
                        "select": {"h": "first(h)"},
                    },
                    {"group_by": "h", "select": "count()", "sort": "h"},
                ]
            },
        ),
    ),
    Example(
        "range_after_big_down_day",
        "After NQ falls more than 1.5% in a day, is the next day's range bigger than usual?",
        (
            {
                "map": {"r": "range()", "after_big_down": "prev(change_pct(close)) <= -1.5"},
                "group_by": "after_big_down",
                "select": {"days": "count()", "avg_range": "mean(r)"},
            },
        ),
    ),
    Example(
        "inside_days_follow_through",
        "How many inside days did NQ have last year, and how often did the next day break the inside day's high?",
        (
            {
                "period": "last_year",
                "map": {
                    "ib": "inside_bar()",
                    "broke_high": "next(high) > high",
                    "broke_low": "next(low) < low",
                },
                "where": "ib",
                "select": {
                    "inside_days": "count()",
                    "broke_high_pct": "pct(broke_high)",
                    "broke_low_pct": "pct(broke_low)",
                },
            },
        ),
    ),
    Example(
        "rth_vs_full_session_range",
        "How does the average RTH range of ES compare with the full-session range? (two calls in one turn)",
        (
            {"session": "RTH", "select": {"avg_rth_range": "mean(range())"}},
            {"select": {"avg_full_range": "mean(range())"}},
        ),
    ),
    Example(
        "rsi_oversold_bounce",
        "When NQ's daily RSI(14) drops below 35, what is the average return over the next 5 days?",
        (
            {
                "map": {"rsi14": "rsi(close, 14)", "fwd5": "(next(close, 5) - close) / close * 100"},
                "where": "rsi14 < 35",
                "select": {"signals": "count()", "avg_fwd5": "mean(fwd5)", "win_pct": "pct(fwd5 > 0)"},
            },
        ),
    ),
    Example(
        "day_after_thanksgiving",
        "How does ES trade on the day after Thanksgiving (the early close)?",
        (
            {
                "map": {"chg": "change_pct(close)", "r": "range()"},
                "where": "month() == 11 and dayofweek() == 4 and day_of_month() >= 23 and day_of_month() <= 29",
                "columns": ["date", "chg", "r", "volume"],
            },
        ),
    ),
    Example(
        "nq_es_correlation_by_year",
        "What is the correlation of NQ and ES daily returns, by year?",
        (
            {
                "map": {"nq": "change_pct(close)", "es": "on('ES', change_pct(close))", "y": "year()"},
                "group_by": "y",
                "select": {"corr": "correlation(nq, es)", "days": "count()"},
            },
        ),
    ),
    Example(
        "nq_es_ratio_zscore",
        "NQ/ES ratio and its 20-day z-score; how often does it revert within 5 days after |z| > 2? (two calls)",
        (
            {
                "map": {"ratio": "close / on('ES', close)", "z": "zscore(ratio, 20)"},
                "columns": ["date", "ratio", "z"],
            },
            {
                "map": {
                    "z": "zscore(close / on('ES', close), 20)",
                    "signal": "abs(z) > 2 and prev(abs(z)) <= 2",
                    "reverted": "next(rolling_min(abs(z), 5), 5) < 1",
                },
                "where": "signal",
                "select": {"signals": "count()", "reverted_pct": "pct(reverted)"},
            },
        ),
    ),
    Example(
        "nq_5m_above_daily_sma200",
        "How do NQ's 5-minute RTH bars do while the daily close is above its 200-day SMA (a filter, not a backtest)?",
        (
            {
                "session": "RTH",
                "from": "5m",
                "map": {
                    "sma200": "on('daily', sma(close, 200))",
                    "above": "on('daily', close) > sma200",
                    "r": "change_pct(close)",
                },
                "where": "sma200 > 0",
                "group_by": "above",
                "select": {"bars": "count()", "avg_r": "mean(r)", "up_pct": "pct(r > 0)"},
            },
        ),
    ),
    Example(
        "es_range_fomc",
        "Average RTH range of ES on FOMC days vs other days",
        (
            {
                "session": "RTH",
                "map": {"r": "range()", "fomc": "is_event('fomc')"},
                "group_by": "fomc",
                "select": {"days": "count()", "avg_range": "mean(r)"},
            },
        ),
    ),
    Example(
        "volatility_screen_all",
        "Rank all futures with data by 20-day realised volatility",
        (
            {
                "screen": "all",
                "period": "last_20",
                "map": {"r": "change_pct(close)"},
                "select": {"vol_20d": "std(r) * sqrt(252)"},
                "sort": "vol_20d desc",
            },
        ),
    ),
)

RULES = """\
You are Barb, a trading-data analyst. Traders ask about market history; you answer by writing Barb Script
queries, running them with the run_query tool on the instrument's bars, and explaining the results.

<rules>
- Every number you state must come from a tool result in this conversation. Never estimate, recall or invent
  figures. If you have no result for something, run a query, or say that you cannot compute it.
- Say which session (RTH, ETH or the whole trading day), bar size and period each result is based on; every
  tool result ends with a "Source:" line that tells you.
- When a key parameter is ambiguous and changes the answer (what counts as a "big" gap, which session, which
  period), ask one short question instead of guessing. When a common convention is obvious, use it and say so.
- Answer general market-knowledge questions (what RTH is, how options expiration works) directly, without a
  query. Say plainly when something cannot be computed from OHLCV bars (order flow, news, fundamentals) and
  suggest what can.
- Never present a trade idea as certain and never give personal financial advice: describe what history shows,
  with the number of cases, and say that the past does not guarantee the future. Warn when a result rests on
  fewer than about 30 cases.
- Answer in the user's language. Be concise: one lead sentence, the key numbers, one or two observations.
  Each result appears to the user as a card (table and chart) where you called the tool, so do not repeat
  tables or list every row.
- To test a trading rule, use run_backtest. If the user gives no exit (stop, target or time limit) or no
  direction, ask for it, or state the default you chose. Comment on the number of trades, drawdown and how the
  result compares with buy and hold; be sceptical of very high win rates or profit factors.
- If a query is rejected, read every error and hint, fix the query and call the tool again. Use several
  calls in one turn when the question has independent parts (RTH vs the whole day, two periods).
- Read other instruments and longer bar sizes with on('ES', x) / on('daily', x) inside one query; to rank or
  compare many instruments on one measure, use a screen. Say which instruments a result read.
- pct(...) already returns a percentage (0–100). dayofweek() is 0 = Monday … 4 = Friday.
- If the data is synthetic sample data (see <context>), say so whenever you give figures.
- Give each query a short title (3–6 words, in the user's language) describing what the result shows.
</rules>"""


def _examples_text() -> str:
    lines = ["<examples>"]
    for example in EXAMPLES:
        lines.append(f"Q: {example.question}")
        lines += [f"run_query: {json.dumps(q, ensure_ascii=False)}" for q in example.queries]
    lines.append("</examples>")
    return "\n".join(lines)


def _session_text(name: str, start: str, end: str, default: bool) -> str:
    wraps = " (opens the evening before its trade date)" if end <= start else ""
    return f"{name} {start}–{end}{wraps}" + (" [default]" if default else "")


def instrument_text(instrument: Instrument) -> str:
    """The instrument block: what the symbol is, its sessions, tick and point value, calendar."""
    sessions = ", ".join(
        _session_text(name, s.start, s.end, name == instrument.default_session)
        for name, s in instrument.sessions.items()
    )
    lines = [
        "<instrument>",
        f"{instrument.symbol}: {instrument.name} ({instrument.type}, {instrument.exchange}, {instrument.currency}).",
        f"All times are {instrument.timezone}. Sessions: {sessions}.",
        "A query without `session` covers the whole trading day; `daily` bars without a session use the "
        "exchange's settlement close when the data has it.",
        f"Tick size {instrument.tick_size:g} = {instrument.tick_value:g} {instrument.currency}; "
        f"one point = {instrument.point_value:g} {instrument.currency}.",
        f"Trading calendar: {instrument.calendar} (holidays and early closes are already reflected in the bars).",
    ]
    if instrument.notes:
        lines.append(f"Notes: {instrument.notes}")
    lines.append("</instrument>")
    return "\n".join(lines)


@dataclass(frozen=True)
class PromptContext:
    """What changes from request to request: the date, the data, the calendar ahead, older turns."""

    today: date
    data_range: tuple[datetime, datetime] | None = None
    is_sample: bool = False
    events: tuple[str, ...] = ()
    """Upcoming scheduled events, one line each (``2026-12-04 Nonfarm payrolls (high impact, 08:30)``)."""
    holidays: tuple[str, ...] = ()
    """Upcoming closures and early closes, one line each."""
    summary: str | None = None
    """Rolling summary of the turns older than the replayed history."""


def context_text(ctx: PromptContext) -> str:
    """The per-request block: today, the data range, sample flag, upcoming events and holidays, summary."""
    lines = ["<context>", f"Today is {ctx.today.isoformat()} ({ctx.today.strftime('%A')})."]
    if ctx.data_range:
        first, last = ctx.data_range
        lines.append(f"Data available: {first.date().isoformat()} to {last.date().isoformat()}.")
    else:
        lines.append("No bar data is available for this instrument yet; say so if asked for figures.")
    if ctx.is_sample:
        lines.append(
            "The data is SYNTHETIC SAMPLE DATA generated for demonstration, not real market history: "
            "say so whenever you give figures."
        )
    if ctx.holidays:
        lines.append("Upcoming closures and early closes: " + "; ".join(ctx.holidays) + ".")
    if ctx.events:
        lines.append("Upcoming scheduled events: " + "; ".join(ctx.events) + ".")
    lines.append("</context>")
    if ctx.summary:
        lines += [
            "<conversation-summary>",
            "Summary of the earlier part of this conversation (older turns are not repeated below; "
            "their figures may be stale, re-run a query if you need them exactly):",
            ctx.summary,
            "</conversation-summary>",
        ]
    return "\n".join(lines)


def build_system(instrument: Instrument, ctx: PromptContext) -> list[dict[str, Any]]:
    """The system blocks, most stable first, with cache breakpoints after the stable ones."""
    return [
        {"type": "text", "text": f"{RULES}\n\n{_examples_text()}", "cache_control": CACHE},
        {"type": "text", "text": instrument_text(instrument), "cache_control": CACHE},
        {"type": "text", "text": context_text(ctx)},
    ]
