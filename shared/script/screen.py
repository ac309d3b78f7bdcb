"""Screens: one query run over many instruments, one row per instrument, ranked.

A screen is a query with a ``screen`` field: a list of symbols, or ``"all"`` (every instrument with data; the
edge turns ``"workspace"`` into the user's list). The rest of the query runs on each instrument exactly as
``run_query`` would and must give one row (``select`` without ``group_by``); its ``sort`` and ``limit`` then
apply across instruments, and a ``rank`` column numbers the sorted rows. Every instrument is validated before
anything runs, so every problem comes back at once; the instruments run in parallel inside one computation of
the engine's pool, under the query's time budget.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import polars as pl
from typing_extensions import Unpack

from shared.lazy import singleton
from shared.market import Instrument, get_instrument
from shared.script.errors import QueryInvalid, ScriptError, engine_failures
from shared.script.execute import execute
from shared.script.names import did_you_mean
from shared.script.plan import Plan
from shared.script.pool import Job, query_pool
from shared.script.results import build_result, clean
from shared.script.run import DEFAULT_TIMEOUT_S, BudgetOptions
from shared.script.universe import Universe
from shared.script.validate import build_plan

SCREEN = "screen"
MAX_SCREENED = 60
"""Instruments one screen may cover."""
_ALL = "all"


@singleton
def _screen_workers() -> ThreadPoolExecutor:
    """Threads that run a screen's instruments side by side (Polars releases the GIL while it computes)."""
    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="barb-screen")


def is_screen(query: object) -> bool:
    """Whether ``query`` is a screen (a JSON object with a ``screen`` field)."""
    return isinstance(query, dict) and SCREEN in query


def _targets(raw: object, universe: Universe, errors: list[ScriptError]) -> list[Instrument]:
    available = sorted(universe.symbols())
    if raw == _ALL:
        symbols = available
    elif isinstance(raw, list) and all(isinstance(s, str) for s in raw):
        symbols = list(dict.fromkeys(s.strip().upper() for s in raw))
    else:
        errors.append(
            ScriptError(
                SCREEN,
                str(raw)[:200],
                'screen must be a list of symbols or "all"',
                'Write e.g. "screen": ["NQ", "ES", "CL"] or "screen": "all".',
            )
        )
        return []
    found: list[Instrument] = []
    for symbol in symbols:
        instrument = get_instrument(symbol)
        if instrument is None or instrument.symbol not in universe.symbols():
            what = "unknown instrument" if instrument is None else "no bars for"
            errors.append(
                ScriptError(
                    SCREEN,
                    symbol,
                    f"{what} {symbol}",
                    f"{did_you_mean(symbol, available)}Instruments with data: {', '.join(available) or 'none'}.",
                )
            )
        else:
            found.append(instrument)
    if not found and not errors:
        errors.append(
            ScriptError(SCREEN, str(raw), "the screen covers no instruments", "Name at least one instrument.")
        )
    if len(found) > MAX_SCREENED:
        errors.append(
            ScriptError(
                SCREEN,
                str(raw)[:200],
                f"the screen covers {len(found)} instruments; at most {MAX_SCREENED} may be screened at once",
                "Split it into several screens.",
            )
        )
    return found


def _plans(
    query: dict[str, Any], targets: list[Instrument], universe: Universe, errors: list[ScriptError]
) -> list[tuple[Instrument, Plan]]:
    plans: list[tuple[Instrument, Plan]] = []
    seen: set[tuple[str, str]] = set()
    for instrument in targets:
        plan, problems = build_plan(query, instrument, universe=universe)
        for problem in problems:
            key = (problem.step, problem.message.replace(instrument.symbol, "{}"))
            if key not in seen:
                seen.add(key)
                errors.append(problem)
        if not problems:
            plans.append((instrument, plan))
    if plans and plans[0][1].kind not in ("scalar", "values"):
        errors.append(
            ScriptError(
                "select",
                str(query.get("select", ""))[:200],
                "a screen gives one row per instrument, but this query gives a table",
                'Select values without group_by, e.g. "select": {"vol": "std(change_pct(close))"}.',
            )
        )
    return plans


def _one(instrument: Instrument, plan: Plan, universe: Universe) -> dict[str, Any]:
    with engine_failures("query"):
        execution = execute(plan, instrument, universe.bars(instrument.symbol), universe=universe)
        return build_result(plan, execution, 0.0)


def _rows(results: list[tuple[Instrument, dict[str, Any]]]) -> tuple[list[dict[str, Any]], pl.DataFrame]:
    columns = [{"name": "instrument", "type": "text"}, *results[0][1]["columns"]]
    data: dict[str, list[Any]] = {c["name"]: [] for c in columns}
    for instrument, result in results:
        row = result["rows"][0] if result["rows"] else [None] * (len(columns) - 1)
        data["instrument"].append(instrument.symbol)
        for column, value in zip(columns[1:], row, strict=True):
            data[column["name"]].append(clean(value))
    return columns, pl.DataFrame(data, strict=False)


def _compute(
    query: dict[str, Any],
    raw: dict[str, Any],
    plans: list[tuple[Instrument, Plan]],
    universe: Universe,
    started: float,
) -> dict[str, Any]:
    futures = [_screen_workers().submit(_one, instrument, plan, universe) for instrument, plan in plans]
    results = [(instrument, future.result()) for (instrument, _), future in zip(plans, futures, strict=True)]
    columns, frame = _rows(results)
    step = plans[0][1].steps[-1].step
    if step.sort:
        frame = frame.sort(
            [c for c, _ in step.sort],
            descending=[d for _, d in step.sort],
            nulls_last=True,
            maintain_order=True,
        )
        frame = frame.with_row_index("rank", offset=1)
        columns = [{"name": "rank", "type": "integer"}, *columns]
    if step.limit is not None:
        frame = frame.head(step.limit)
    rows = [[clean(v) for v in row] for row in frame.rows()]
    first = dict(zip([c["name"] for c in columns], rows[0], strict=True)) if rows else {}
    shown = ", ".join(
        f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}"
        for k, v in first.items()
        if k not in ("rank", "instrument")
    )
    summary = f"Screened {len(results)} instruments" + (
        f"; first: {first['instrument']} ({shown})." if first else "."
    )
    sources = [result["source"] for _, result in results]
    return {
        "kind": "table",
        "columns": columns,
        "rows": rows,
        "summary": summary,
        "chart": None,
        "source": {
            "bars": sources[0]["bars"],
            "rows_scanned": sum(s["rows_scanned"] for s in sources),
            "period": None,
            "session": sources[0]["session"],
            "instruments": list(dict.fromkeys(i for s in sources for i in s["instruments"])),
        },
        "warnings": [w for _, result in results for w in result["warnings"]][:10],
        "query": {SCREEN: raw.get(SCREEN), **results[0][1]["query"]},
        "elapsed_ms": round((time.perf_counter() - started) * 1000, 1),
    }


def start_screen(query: object, universe: Universe, **options: Unpack[BudgetOptions]) -> Job[dict[str, Any]]:
    """Validate a screen (every instrument, every problem at once) and hand it to the engine's pool.

    Raises :class:`QueryInvalid` before anything runs; the result is a ranked table, one row per instrument.
    """
    started = time.perf_counter()
    if not isinstance(query, dict):
        raise QueryInvalid([ScriptError("query", str(query)[:200], "a screen must be a JSON object")])
    errors: list[ScriptError] = []
    per_instrument = {k: v for k, v in query.items() if k != SCREEN}
    targets = _targets(query.get(SCREEN), universe, errors)
    with engine_failures("query"):
        plans = _plans(per_instrument, targets, universe, errors) if targets else []
    if errors or not plans:
        raise QueryInvalid(errors)
    timeout_s = options.get("timeout_s")
    budget = DEFAULT_TIMEOUT_S if timeout_s is None else timeout_s
    future = query_pool().submit(
        options.get("owner"), _compute, per_instrument, query, plans, universe, started
    )
    return Job(future, started, budget)
