"""``on(source, x)``: a value computed on other bars — another instrument's, or a longer bar size's.

``source`` names an instrument (``'ES'``), a bar size (``'daily'``) or both (``'ES:daily'``). ``x`` is evaluated
on those bars, over their whole history, and then aligned to each bar of the query:

- **another instrument, the query's bar size**: the other instrument's bar with the same label (trade date for
  daily bars, the calendar period for weekly and longer, the bar's open time for intraday bars); null where the
  other instrument has no such bar (its holiday, a session it does not trade). Its own session of the query's
  name is used (``RTH`` of CL is CL's RTH), so each instrument keeps its own calendar.
- **a longer bar size**: the last bar of that size that had *completed* before the query's bar opened (the
  previous trade date's daily bar on every 5-minute bar of today), so nothing is seen before it happened.

The validator replaces each ``on(...)`` call by a column of that name (its text), collected here as a
:class:`~shared.script.plan.SideSeries`; the executor computes those columns (``shared.script.align``) before ``map`` runs.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from shared.market import (
    BAR_SIZES,
    Instrument,
    canonical_bar_size,
    catalogue_instruments,
    get_instrument,
    is_intraday,
)
from shared.script.check import ExprChecker, Report, literal_value
from shared.script.expressions import show
from shared.script.names import did_you_mean
from shared.script.plan import BASE_COLUMNS, ColumnInfo, ColumnType, SideSeries, Source
from shared.script.universe import Universe

ON = "on"
MAX_OTHER_INSTRUMENTS = 8
"""Instruments a query may read beside its own (each is one more bar file in memory)."""
USAGE = "Usage: `on('ES', close)`, `on('daily', sma(close, 200))` or `on('ES:daily', close)`."


@dataclass
class SeriesCollector:
    """Replaces the ``on()`` calls of a step's expressions by columns, checking each once.

    ``allowed`` is False in later steps, which read the previous step's table rather than bars.
    """

    instrument: Instrument
    timeframe: str
    session: str | None
    universe: Universe | None
    allowed: bool = True
    series: dict[str, SideSeries] = field(default_factory=dict)
    columns: dict[str, ColumnInfo] = field(default_factory=dict)
    """Every ``on()`` column seen so far with its type (also those with problems, so checking can go on)."""

    def rewrite(self, tree: ast.expr, report: Report) -> ast.expr:
        """``tree`` with each ``on(...)`` call replaced by a column name; problems go to ``report``."""
        return _Rewriter(self, report).visit(tree)  # type: ignore[no-any-return]

    def other_symbols(self) -> set[str]:
        return {s.source.instrument.symbol for s in self.series.values()} - {self.instrument.symbol}

    def resolve(self, call: ast.Call, report: Report) -> ast.expr:
        column = show(call)
        if not self.allowed:
            report(
                "`on()` reads bars, but a later step reads the previous step's table",
                "Compute it in the first step's map and use that column here.",
            )
            return self._placeholder(column, "any")
        if len(call.args) != 2 or call.keywords:
            report("on() takes two arguments: the bars, then the value to compute on them", USAGE)
            return self._placeholder(column, "any")
        source = self._source(call.args[0], report)
        found_type = self._check_value(call.args[1], source, report)
        if source is not None and found_type is not None:
            self.series[column] = SideSeries(column, source, call.args[1], found_type)
            self._limit(report)
        return self._placeholder(column, found_type or "any")

    def _placeholder(self, column: str, kind: ColumnType) -> ast.expr:
        self.columns[column] = ColumnInfo(kind)
        return ast.Name(id=column, ctx=ast.Load())

    def _limit(self, report: Report) -> None:
        others = self.other_symbols()
        if len(others) > MAX_OTHER_INSTRUMENTS:
            report(
                f"the query reads {len(others)} other instruments; at most {MAX_OTHER_INSTRUMENTS} may be used",
                "To compare many instruments on one value, run a screen instead (docs/functions.md).",
            )

    def _source(self, node: ast.expr, report: Report) -> Source | None:
        text = literal_value(node)
        if not isinstance(text, str) or not text.strip():
            report("on()'s first argument must name the bars as a 'string'", USAGE)
            return None
        symbol_text, _, size_text = text.strip().partition(":")
        size = canonical_bar_size(symbol_text) if not size_text else None
        if size is not None:
            symbol_text = ""
        elif size_text:
            size = canonical_bar_size(size_text.strip())
            if size is None:
                report(
                    f"unknown bar size '{size_text.strip()}' in on('{text}', …)",
                    f"{did_you_mean(size_text.strip(), BAR_SIZES)}Bar sizes: {', '.join(BAR_SIZES)}.",
                )
                return None
        instrument = self._instrument(symbol_text.strip(), report) if symbol_text.strip() else self.instrument
        if instrument is None:
            return None
        return self._sized(text, instrument, size or self.timeframe, report)

    def _instrument(self, symbol: str, report: Report) -> Instrument | None:
        instrument = get_instrument(symbol)
        with_data = sorted(self.universe.symbols()) if self.universe is not None else []
        if instrument is None:
            known = with_data or [i.symbol for i in catalogue_instruments()]
            report(
                f"unknown instrument '{symbol}' in on()",
                f"{did_you_mean(symbol.upper(), known)}Instruments with data: {', '.join(with_data) or 'none'}.",
            )
            return None
        if instrument.symbol == self.instrument.symbol:
            return instrument
        if self.universe is None:
            report(
                f"on('{symbol}', …) reads another instrument, which this query cannot reach here",
                "Run it through the API, the chat or `barb query`, which see every instrument with data.",
            )
            return None
        if instrument.symbol not in self.universe.symbols():
            report(
                f"there are no bars for {instrument.symbol}",
                f"Instruments with data: {', '.join(with_data) or 'none'}.",
            )
            return None
        return instrument

    def _sized(self, text: str, instrument: Instrument, size: str, report: Report) -> Source | None:
        rank, own = BAR_SIZES.index(size), BAR_SIZES.index(self.timeframe)
        same_instrument = instrument.symbol == self.instrument.symbol
        if rank < own:
            report(
                f"on('{text}', …) asks for {size} bars inside a query on {self.timeframe} bars",
                f"A value of shorter bars has no single value per {self.timeframe} bar: run the query "
                f'"from": "{size}" and use on(\'{self.timeframe}\', …) there.',
            )
            return None
        if rank == own and same_instrument:
            report(f"on('{text}', …) names the query's own bars", "Drop on(): write the value directly.")
            return None
        if rank == own and self.session and self.session not in instrument.sessions:
            report(
                f"{instrument.symbol} has no session '{self.session}'",
                f"Its sessions: {', '.join(instrument.sessions)}; or read its daily bars: on('{instrument.symbol}:daily', …).",
            )
            return None
        if is_intraday(size) and instrument.timezone != self.instrument.timezone:
            report(
                f"intraday bars of {instrument.symbol} ({instrument.timezone}) and {self.instrument.symbol} "
                f"({self.instrument.timezone}) keep time in different zones and cannot be lined up bar by bar",
                f"Compare them on daily bars: on('{instrument.symbol}:daily', …) or a daily query.",
            )
            return None
        return Source(instrument, size, higher=rank > own)

    def _check_value(self, node: ast.expr, source: Source | None, report: Report) -> ColumnType | None:
        if any(
            isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == ON
            for n in ast.walk(node)
        ):
            report("on() cannot be nested", "Compute each value with its own on() call.")
            return None
        base = {name: ColumnInfo("number") for name in BASE_COLUMNS}
        timeframe = source.bar_size if source is not None else self.timeframe
        label = source.instrument.symbol if source is not None else "the other"
        problems: list[tuple[str, str | None]] = []

        def inner(message: str, hint: str | None = None) -> None:
            problems.append((message, hint))

        found = ExprChecker(base, frozenset(base), inner, timeframe).check(node)
        for message, hint in problems:
            if message.startswith("unknown column"):
                hint = f"on()'s value is computed on {label}'s bars, which have {', '.join(BASE_COLUMNS)}."
            report(f"in on(): {message}", hint)
        if found.has_aggregate:
            report(
                "on() takes a value per bar, not an aggregate",
                f"Aggregate its result instead, e.g. `mean(on('{label}', close))`.",
            )
        return None if problems or found.has_aggregate else found.type


class _Rewriter(ast.NodeTransformer):
    def __init__(self, collector: SeriesCollector, report: Report) -> None:
        self.collector, self.report = collector, report

    def visit_Call(self, node: ast.Call) -> ast.AST:
        if isinstance(node.func, ast.Name) and node.func.id == ON:
            return self.collector.resolve(node, self.report)
        return self.generic_visit(node)
