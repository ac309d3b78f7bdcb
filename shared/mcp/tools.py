"""Barb's MCP tools, apart from the protocol: their names, descriptions and input schemas, and how each runs.

``run_query`` and ``run_backtest`` take their descriptions and schemas from the chat's tool definitions
(``shared.assistant.tool_definitions``, generated from the engine's declarations), adding only the instrument
the chat gets from its conversation, so the two never drift. Every tool answers a :class:`ToolAnswer`: a
compact text for the model and the full result as structured content. A user error (a :class:`BarbError`,
an invalid query with every problem and its hint) is an answer with ``is_error`` set, never an exception.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypedDict

from shared.assistant import RUN_QUERY, calendar_ahead, exchange_today, model_text, tool_definitions
from shared.backtest import RUN_BACKTEST, start_backtest
from shared.catalogue import (
    any_sample,
    describe,
    instrument_bars,
    list_catalogue,
    require_instrument,
    store_universe,
)
from shared.errors import BarbError
from shared.identity import current_user
from shared.market import get_instrument
from shared.script import (
    QueryInvalid,
    Universe,
    category_keys,
    category_reference,
    is_screen,
    start_query,
    start_screen,
    tool_reference,
)
from shared.settings import get_settings
from shared.store import get_store

MAX_ROWS = 2_000
"""Rows of a table an MCP result carries (the API's cap is 10 000): a client hands it all to its model."""

RESULT_NOTE = "The full result is in this tool result's structured content."
SAMPLE_NOTE = "Note: these are synthetic sample bars, not real market data; say so."


@dataclass(frozen=True)
class ToolAnswer:
    """One tool call's answer: the text the model reads and the structured result (or error)."""

    text: str
    structured: dict[str, Any]
    is_error: bool = False


@dataclass(frozen=True)
class BarbTool:
    """A tool as MCP lists it, and the coroutine that answers a call of it."""

    name: str
    description: str
    input_schema: dict[str, Any]
    run: Callable[[dict[str, Any]], Awaitable[ToolAnswer]]


class EngineOptions(TypedDict):
    """The options ``start_query`` and ``start_backtest`` share."""

    timeout_s: float | None
    owner: str | None
    universe: Universe | None


RateCheck = Callable[[str, str, int], Awaitable[None]]
"""``(user_id, bucket, per_minute)``: raises 429 past the user's rate (``shared.web.check_rate``)."""


def _object(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


_SYMBOL = {"type": "string", "description": "The instrument's symbol, e.g. NQ (see list_instruments)."}


def _chat_tool(name: str) -> dict[str, Any]:
    return next(tool for tool in tool_definitions() if tool["name"] == name)


def _json_object(value: Any, field: str) -> dict[str, Any]:
    """``value`` as a JSON object (clients sometimes send the object as a JSON string); 422 otherwise."""
    if isinstance(value, str):
        with contextlib.suppress(json.JSONDecodeError):
            value = json.loads(value)
    if not isinstance(value, dict):
        raise BarbError(422, "VALIDATION_ERROR", f"`{field}` must be a JSON object.")
    return value


def _symbol(arguments: dict[str, Any]) -> str:
    symbol = arguments.get("instrument") or arguments.get("symbol")
    if not isinstance(symbol, str) or not symbol.strip():
        raise BarbError(422, "VALIDATION_ERROR", "Name the instrument (`instrument`, e.g. NQ).")
    return symbol.strip()


def cap_rows(table: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """``table`` with at most :data:`MAX_ROWS` rows (``truncated``/``total_rows`` set when cut) and a note."""
    rows = table.get("rows")
    if not isinstance(rows, list) or len(rows) <= MAX_ROWS:
        return table, None
    total = table.get("total_rows") or len(rows)
    capped = table | {"rows": rows[:MAX_ROWS], "truncated": True, "total_rows": total}
    return capped, f"Showing the first {MAX_ROWS} of {total} rows here; add a limit or a select for fewer."


async def _limit(bucket: str, per_minute: int, check: RateCheck | None) -> str | None:
    """The caller's id (None without a signed-in caller, as over stdio), after its rate is taken."""
    user = current_user()
    if user is not None and check is not None:
        await check(user.id, bucket, per_minute)
    return user.id if user else None


def _engine_options(owner: str | None) -> EngineOptions:
    """What a query and a backtest share: the time budget, the pool's owner and every instrument with bars."""
    return {"timeout_s": get_settings().query_timeout_s, "owner": owner, "universe": store_universe()}


def build_tools(check_rate: RateCheck | None = None) -> tuple[BarbTool, ...]:
    """Every tool; ``check_rate`` applies the API's per-user rates to signed-in callers (HTTP)."""

    async def list_instruments(arguments: dict[str, Any]) -> ToolAnswer:
        entries = await list_catalogue(search=arguments.get("search"), category=arguments.get("category"))
        views = [describe(entry) for entry in entries]
        lines = [_catalogue_line(view) for view in views] or ["No instrument matches."]
        return ToolAnswer("\n".join(lines), {"instruments": views})

    async def describe_instrument(arguments: dict[str, Any]) -> ToolAnswer:
        view = describe(await require_instrument(_symbol(arguments)))
        instrument = get_instrument(view["symbol"])
        events, closures = calendar_ahead(instrument, exchange_today(instrument)) if instrument else ((), ())
        view |= {"upcoming_events": list(events), "upcoming_closures": list(closures)}
        return ToolAnswer(_instrument_text(view), view)

    async def barb_reference(arguments: dict[str, Any]) -> ToolAnswer:
        key = arguments.get("category")
        if key is None:
            return ToolAnswer(tool_reference(), {"reference": tool_reference()})
        text = category_reference(str(key))
        if text is None:
            raise BarbError(
                422,
                "VALIDATION_ERROR",
                f"Unknown category {key!r}; the categories are {', '.join(category_keys())}.",
            )
        return ToolAnswer(text, {"category": key, "reference": text})

    async def run_query(arguments: dict[str, Any]) -> ToolAnswer:
        settings = get_settings()
        owner = await _limit("query", settings.query_rate_per_minute, check_rate)
        query = _json_object(arguments.get("query"), "query")
        if is_screen(query):
            if query.get("screen") == "workspace":
                workspace = await get_store().list_workspace(owner) if owner else []
                query = {**query, "screen": workspace}
            job = start_screen(query, store_universe(), timeout_s=settings.query_timeout_s, owner=owner)
        else:
            instrument, bars, _ = instrument_bars(_symbol(arguments))
            job = start_query(query, instrument, bars, **_engine_options(owner))
        result = await job.wait()
        result["source"]["sample"] = any_sample(result["source"]["instruments"])
        capped, note = cap_rows(result)
        notes = [note or RESULT_NOTE, *([SAMPLE_NOTE] if result["source"]["sample"] else [])]
        return ToolAnswer(model_text(result, note="\n".join(notes)), capped)

    async def run_backtest(arguments: dict[str, Any]) -> ToolAnswer:
        settings = get_settings()
        owner = await _limit("backtest", settings.backtest_rate_per_minute, check_rate)
        strategy = _json_object(arguments.get("strategy"), "strategy")
        instrument, bars, sample = instrument_bars(_symbol(arguments))
        job = start_backtest(strategy, instrument, bars, **_engine_options(owner))
        result = await job.wait()
        payload = result.to_dict(blocks=False)
        payload["source"]["sample"] = sample
        notes = [result.summary()]
        for table in ("trades", "equity"):
            payload[table], note = cap_rows(payload[table])
            notes += [f"{table}: {note}"] if note else []
        if sample:
            notes.append(SAMPLE_NOTE)
        return ToolAnswer("\n".join([*notes, RESULT_NOTE]), payload)

    query_tool, backtest_tool = _chat_tool(RUN_QUERY), _chat_tool(RUN_BACKTEST)
    instrument_for_query = _SYMBOL | {"description": f"{_SYMBOL['description']} Ignored by a screen."}
    return (
        BarbTool(
            "list_instruments",
            "The instrument catalogue: symbol, name, exchange, sessions, contract facts and the range of the "
            "data Barb has for each (`data.available`, `first`, `last`, `bar_sizes`). Only instruments with "
            "data can be queried.",
            _object(
                {
                    "search": {"type": "string", "description": "A substring of the symbol or the name."},
                    "category": {"type": "string", "description": "e.g. index, energy, metals."},
                },
                [],
            ),
            list_instruments,
        ),
        BarbTool(
            "describe_instrument",
            "One instrument: its sessions (local times), tick size and value, calendar, the events and market "
            "closures of the next days, and the range of its data.",
            _object({"instrument": _SYMBOL}, ["instrument"]),
            describe_instrument,
        ),
        BarbTool(
            "barb_reference",
            "The Barb Script reference: the language rules and every function (or the functions of one "
            "category). run_query's description already carries all of it.",
            _object({"category": {"type": "string", "enum": category_keys()}}, []),
            barb_reference,
        ),
        BarbTool(
            RUN_QUERY,
            "Run a Barb Script query over an instrument's bars (or, with a `screen` field, over many "
            "instruments). You receive a compact summary; the rows are in the structured content.\n\n"
            + tool_reference(),
            _object(
                {
                    "instrument": instrument_for_query,
                    "query": query_tool["input_schema"]["properties"]["query"],
                },
                ["query"],
            ),
            run_query,
        ),
        BarbTool(
            RUN_BACKTEST,
            backtest_tool["description"],
            _object(
                {"instrument": _SYMBOL, "strategy": backtest_tool["input_schema"]["properties"]["strategy"]},
                ["instrument", "strategy"],
            ),
            run_backtest,
        ),
    )


async def call_tool(tools: tuple[BarbTool, ...], name: str, arguments: dict[str, Any]) -> ToolAnswer:
    """Answer one call; every user error becomes an error answer with its message (and each problem's hint)."""
    tool = next((t for t in tools if t.name == name), None)
    if tool is None:
        names = ", ".join(t.name for t in tools)
        return _error(BarbError(404, "NOT_FOUND", f"Unknown tool {name!r}; the tools are {names}."))
    try:
        return await tool.run(arguments)
    except QueryInvalid as exc:
        return ToolAnswer(exc.fix_request(name), _error_body(exc), is_error=True)
    except BarbError as exc:
        return _error(exc)


def _error_body(exc: BarbError) -> dict[str, Any]:
    body: dict[str, Any] = {"error": exc.message, "code": exc.code}
    return body | ({"details": exc.details} if exc.details else {})


def _error(exc: BarbError) -> ToolAnswer:
    return ToolAnswer(exc.message, _error_body(exc), is_error=True)


def _catalogue_line(view: dict[str, Any]) -> str:
    data = view["data"]
    coverage = (
        f"data {data['first']} to {data['last']} ({', '.join(data['bar_sizes'])})"
        + (", synthetic sample" if data["sample"] else "")
        if data["available"]
        else "no data yet"
    )
    return f"{view['symbol']}: {view['name']} ({view['category']}, {view['exchange']}); {coverage}"


def _instrument_text(view: dict[str, Any]) -> str:
    sessions = "; ".join(f"{name} {'-'.join(span)}" for name, span in view["sessions"].items())
    lines = [
        _catalogue_line(view),
        f"Time zone {view['timezone']}; sessions {sessions} (default {view['default_session']}).",
        f"Tick {view['tick_size']} = {view['tick_value']} {view['currency']}; point value {view['point_value']}; "
        f"calendar {view['calendar']}.",
    ]
    lines += [f"Upcoming: {line}" for line in view["upcoming_events"] + view["upcoming_closures"]]
    return "\n".join(lines)
