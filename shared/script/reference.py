"""The Barb Script reference for the LLM's tool description, generated from the function declarations.

Compact on purpose (it is sent with every chat request): the language rules in a few lines, then one line
per function, grouped by category, with look-ahead functions marked.
"""

from __future__ import annotations

from functools import lru_cache

from shared.script.declarations import Category, FunctionSpec
from shared.script.period import PERIOD_FORMS
from shared.script.plan import ORDER
from shared.script.query import QUERY_FIELDS, TIMEFRAMES
from shared.script.registry import library

LANGUAGE = f"""\
A query is one JSON object. Fields: {", ".join(QUERY_FIELDS)}.
Order (fixed): {" → ".join(ORDER)}.
- from: {" ".join(TIMEFRAMES)} (default daily; daily = one bar per trade date, settlement close without a session).
- session: a session of the instrument (e.g. RTH, ETH); intraday bars are anchored at the session open.
- period: {PERIOD_FORMS}. map sees the history before the period (indicators warm up on earlier bars).
- map: {{name: expression}} evaluated in order; where: a condition (null is false).
- group_by: column names only (create expressions in map first); select: aggregates, a string, list or
  {{alias: expression}} (default count() when grouped); sort: "col", "col desc"; limit: 1…100000; columns: output order.
- steps: a list of such objects; step 1 may use session/period/from; each step's output is the next step's input.
Expressions: Python syntax — + - * / // % **, comparisons (chains allowed), and/or/not, `x in [..]`,
`if(cond, a, b)`, keyword arguments (rsi(close, n=5)); compare date() with 'YYYY-MM-DD' and time() with 'HH:MM'.
Division by zero is null. Functions marked ⚠ look at later bars (fine for statistics, not for trading rules).
Other instruments and longer bar sizes: on('ES', x) is x computed on ES's bars (same bar size; null where ES has
no bar), on('daily', x) on intraday bars the last *completed* daily bar's x (no look-ahead), on('ES:daily', x) both,
e.g. "map": {{"r": "change_pct(close)", "es": "on('ES', change_pct(close))"}}, "select": "correlation(r, es)".
Screens: add "screen": ["NQ", "ES", …] or "all" (every instrument with data) to run the query on each instrument;
it must select values (no group_by) and gives one row per instrument; sort and limit rank the instruments."""


def _line(spec: FunctionSpec) -> str:
    mark = " ⚠" if spec.lookahead and spec.kind != "aggregate" else ""
    aliases = f" (also {', '.join(spec.aliases)})" if spec.aliases else ""
    intraday = " (intraday bars only)" if spec.intraday else ""
    return f"- {spec.signature}{mark}{aliases}{intraday} — {spec.description}"


def by_category() -> list[tuple[Category, list[FunctionSpec]]]:
    """Every function once (aliases folded) with its category, in the library's order, sorted by name inside."""
    return [(c, sorted(c.specs, key=lambda s: s.name)) for c in library().categories if c.specs]


def _category_lines(category: Category, specs: list[FunctionSpec]) -> list[str]:
    return [f"{category.title}:", *(_line(spec) for spec in specs)]


@lru_cache(maxsize=1)
def tool_reference() -> str:
    """The text the LLM gets with the query tool: language rules and every function."""
    parts = [LANGUAGE, "", "Functions:"]
    for category, specs in by_category():
        parts.extend(_category_lines(category, specs))
    return "\n".join(parts)


def category_keys() -> list[str]:
    """The keys of the categories that have functions, in the library's order."""
    return [category.key for category, _ in by_category()]


def category_reference(key: str) -> str | None:
    """The reference lines of one category (``"oscillator"``…), or None for an unknown key."""
    for category, specs in by_category():
        if category.key == key:
            return "\n".join(_category_lines(category, specs))
    return None
