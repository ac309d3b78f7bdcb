"""The Barb Script query: its JSON → a normalized :class:`Query` of :class:`Step` values.

Nothing here reads data or looks up functions; structural problems are collected as :class:`ScriptError`
values so the validator can report every problem of a query at once. Expressions are left as text for
``shared.script.check`` (their syntax is ``shared.script.expressions``').
"""

from __future__ import annotations

import json
import keyword
import re
from dataclasses import dataclass, field, replace
from typing import Any

from shared.market import BAR_SIZE_ALIASES, BAR_SIZES, INTRADAY_MINUTES
from shared.script.errors import ScriptError
from shared.script.expressions import aggregate_name, split_select
from shared.script.names import did_you_mean

TIMEFRAMES = BAR_SIZES
INTRADAY = frozenset(INTRADAY_MINUTES)
QUERY_FIELDS = (
    "session",
    "from",
    "period",
    "map",
    "where",
    "group_by",
    "select",
    "sort",
    "limit",
    "columns",
    "steps",
)
STEP_FIELDS = ("session", "from", "period", "map", "where", "group_by", "select", "sort", "limit", "columns")
FIRST_STEP_ONLY = ("session", "from", "period")
MAX_LIMIT = 100_000
_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_TIMEFRAME_ALIASES = BAR_SIZE_ALIASES


@dataclass(frozen=True)
class Step:
    """One normalized step (a flat query is one step)."""

    session: str | None = None
    period: str | None = None
    timeframe: str = "daily"
    map: tuple[tuple[str, str], ...] = ()
    where: str | None = None
    group_by: tuple[str, ...] = ()
    select: tuple[tuple[str, str], ...] | None = None
    """``(output name, expression)`` pairs; None when the step has no select."""
    select_form: str | None = None
    """``string`` (one value), ``list`` or ``object``: decides between a scalar and several values."""
    sort: tuple[tuple[str, bool], ...] = ()
    """``(column, descending)`` pairs."""
    limit: int | None = None
    columns: tuple[str, ...] | None = None
    label: str = ""
    """Prefix of this step's error locations: empty for a flat query, ``steps[i].`` otherwise."""


@dataclass
class Query:
    """A normalized query: its steps in order (at least one)."""

    steps: list[Step] = field(default_factory=list)
    multi_step: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The normalized query as JSON, as echoed in results."""
        steps = [_step_dict(step, first=i == 0) for i, step in enumerate(self.steps)]
        return {"steps": steps} if self.multi_step else steps[0]


def _step_dict(step: Step, *, first: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if first:
        if step.session:
            out["session"] = step.session
        out["from"] = step.timeframe
        if step.period:
            out["period"] = step.period
    if step.map:
        out["map"] = dict(step.map)
    if step.where:
        out["where"] = step.where
    if step.group_by:
        out["group_by"] = list(step.group_by)
    if step.select is not None:
        out["select"] = dict(step.select)
    if step.sort:
        out["sort"] = [f"{col} {'desc' if desc else 'asc'}" for col, desc in step.sort]
    if step.limit is not None:
        out["limit"] = step.limit
    if step.columns is not None:
        out["columns"] = list(step.columns)
    return out


class _StepParser:
    """Normalizes one step object, collecting every structural problem."""

    def __init__(
        self, raw: dict[str, Any], label: str, errors: list[ScriptError], *, allowed: tuple[str, ...]
    ) -> None:
        self.raw, self.label, self.errors, self.allowed = raw, label, errors, allowed

    def error(self, step: str, expression: Any, message: str, hint: str | None = None) -> None:
        text = expression if isinstance(expression, str) else _json_text(expression)
        self.errors.append(ScriptError(f"{self.label}{step}", text, message, hint))

    def parse(self) -> Step:
        for key in self.raw:
            if key not in self.allowed:
                if key in FIRST_STEP_ONLY:
                    self.error(
                        key,
                        self.raw[key],
                        f"`{key}` is allowed only in the first step",
                        "Later steps work on the previous step's table; move it to step 1.",
                    )
                elif key in ("steps",):
                    self.error(
                        key, "steps", "steps cannot be nested", "List every step in the top-level `steps`."
                    )
                else:
                    valid = ", ".join(sorted(self.allowed))
                    self.error(
                        "query",
                        key,
                        f"unknown field '{key}'",
                        f"{did_you_mean(key, self.allowed)}Valid: {valid}.",
                    )
        kwargs: dict[str, Any] = {"label": self.label}
        kwargs.update(self._session_period_from())
        kwargs["map"] = self._map()
        kwargs["where"] = self._expression("where")
        kwargs["group_by"] = self._group_by()
        kwargs.update(self._select())
        kwargs["sort"] = self._sort()
        kwargs["limit"] = self._limit()
        kwargs["columns"] = self._columns()
        return Step(**kwargs)

    def _session_period_from(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        session = self.raw.get("session")
        if session is not None:
            if isinstance(session, str) and session.strip():
                out["session"] = session.strip().upper()
            else:
                self.error("session", session, 'session must be a session name such as "RTH"')
        period = self.raw.get("period")
        if period is not None:
            if isinstance(period, int) and not isinstance(period, bool):
                period = str(period)
            if isinstance(period, str) and period.strip():
                out["period"] = period.strip()
            else:
                self.error("period", period, 'period must be a string such as "2024" or "2023-01:2024-06"')
        timeframe = self.raw.get("from")
        if timeframe is not None:
            value = timeframe.strip().lower() if isinstance(timeframe, str) else None
            if value in _TIMEFRAME_ALIASES:
                self.error(
                    "from",
                    timeframe,
                    f"unknown bar size '{timeframe}'",
                    f'Use "{_TIMEFRAME_ALIASES[value]}". Valid: {", ".join(TIMEFRAMES)}.',
                )
            elif value not in TIMEFRAMES:
                self.error(
                    "from",
                    timeframe,
                    f"unknown bar size '{timeframe}'",
                    f"{did_you_mean(str(value), TIMEFRAMES)}Valid: {', '.join(TIMEFRAMES)}.",
                )
            else:
                out["timeframe"] = value
        return out

    def _map(self) -> tuple[tuple[str, str], ...]:
        raw = self.raw.get("map")
        if raw is None:
            return ()
        if not isinstance(raw, dict):
            self.error(
                "map", raw, "map must be an object {name: expression}", 'Write e.g. {"r": "high - low"}.'
            )
            return ()
        entries = []
        for name, expr in raw.items():
            if not isinstance(expr, str):
                self.error(
                    f"map.{name}",
                    expr,
                    f"map['{name}'] must be a string expression",
                    f'Write e.g. {{"{name}": "high - low"}}.',
                )
                continue
            if not _IDENTIFIER.match(name) or keyword.iskeyword(name):
                self.error(
                    f"map.{name}",
                    expr,
                    f"'{name}' is not a valid column name",
                    "Names start with a letter and contain letters, digits and '_'.",
                )
                continue
            entries.append((name, expr))
        return tuple(entries)

    def _expression(self, key: str) -> str | None:
        raw = self.raw.get(key)
        if raw is None:
            return None
        if not isinstance(raw, str) or not raw.strip():
            self.error(key, raw, f"{key} must be a non-empty expression string", 'Write e.g. "close > open".')
            return None
        return raw

    def _group_by(self) -> tuple[str, ...]:
        raw = self.raw.get("group_by")
        if raw is None:
            return ()
        items = [raw] if isinstance(raw, str) else raw
        if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
            self.error("group_by", raw, "group_by must be a column name or a list of column names")
            return ()
        return tuple(i.strip() for i in items)

    def _select(self) -> dict[str, Any]:
        raw = self.raw.get("select")
        if raw is None:
            if self.raw.get("group_by") is not None:
                return {"select": (("count", "count()"),), "select_form": "list"}
            return {}
        if isinstance(raw, str):
            parts = split_select(raw)
            if parts is None:
                parts = [raw]
            form = "string" if len(parts) == 1 else "list"
            items = [(aggregate_name(p), p) for p in parts]
        elif isinstance(raw, list) and raw and all(isinstance(i, str) for i in raw):
            form, items = "list", [(aggregate_name(p), p) for p in raw]
        elif isinstance(raw, dict) and raw and all(isinstance(v, str) for v in raw.values()):
            form, items = "object", list(raw.items())
            for alias in raw:
                if not _IDENTIFIER.match(alias):
                    self.error(
                        "select",
                        alias,
                        f"'{alias}' is not a valid column name",
                        "Names start with a letter and contain letters, digits and '_'.",
                    )
        else:
            self.error(
                "select",
                raw,
                "select must be a string, a list of strings or an object {name: expression}",
                'Write e.g. "mean(r)", ["count()", "mean(r)"] or {"avg": "mean(r)"}.',
            )
            return {}
        seen: set[str] = set()
        for name, expr in items:
            if name in seen:
                self.error(
                    "select",
                    expr,
                    f"two select items are both named '{name}'",
                    'Name them with an object: {"a": "...", "b": "..."}.',
                )
            seen.add(name)
        return {"select": tuple(items), "select_form": form}

    def _sort(self) -> tuple[tuple[str, bool], ...]:
        raw = self.raw.get("sort")
        if raw is None:
            return ()
        items = [raw] if isinstance(raw, str) else raw
        if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
            self.error(
                "sort", raw, 'sort must be "column", "column asc" or "column desc" (or a list of those)'
            )
            return ()
        out = []
        for item in items:
            parts = item.split()
            if len(parts) == 1 or (len(parts) == 2 and parts[1].lower() in ("asc", "desc")):
                out.append((parts[0], len(parts) == 2 and parts[1].lower() == "desc"))
            else:
                self.error(
                    "sort",
                    item,
                    f"cannot read the sort '{item}'",
                    'Use "column", "column asc" or "column desc"; compute expressions in `map` first.',
                )
        return tuple(out)

    def _limit(self) -> int | None:
        raw = self.raw.get("limit")
        if raw is None:
            return None
        if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= MAX_LIMIT:
            self.error(
                "limit", raw, f"limit must be a whole number from 1 to {MAX_LIMIT:,}".replace(",", " ")
            )
            return None
        return raw

    def _columns(self) -> tuple[str, ...] | None:
        raw = self.raw.get("columns")
        if raw is None:
            return None
        if not isinstance(raw, list) or not raw or not all(isinstance(i, str) for i in raw):
            self.error("columns", raw, "columns must be a non-empty list of column names")
            return None
        return tuple(raw)


def _json_text(value: Any) -> str:
    try:
        return json.dumps(value, default=str)[:200]
    except (TypeError, ValueError):
        return repr(value)[:200]


def parse_query(raw: Any) -> tuple[Query, list[ScriptError]]:
    """Normalize a JSON query; returns the model and every structural problem found."""
    errors: list[ScriptError] = []
    if not isinstance(raw, dict):
        errors.append(
            ScriptError(
                "query",
                _json_text(raw),
                "a query must be a JSON object",
                'Write e.g. {"from": "daily", "period": "2024"}.',
            )
        )
        return Query(steps=[Step()]), errors
    if "steps" not in raw:
        step = _StepParser(raw, "", errors, allowed=STEP_FIELDS).parse()
        return Query(steps=[step]), errors
    steps_raw = raw["steps"]
    for key in raw:
        if key not in ("steps", "columns"):
            hint = "Move it into a step." if key in STEP_FIELDS else "Valid with steps: columns, steps."
            errors.append(
                ScriptError(
                    "query",
                    key,
                    f"'{key}' cannot be used next to steps"
                    if key in STEP_FIELDS
                    else f"unknown field '{key}'",
                    hint,
                )
            )
    if not isinstance(steps_raw, list) or not steps_raw:
        errors.append(
            ScriptError("steps", _json_text(steps_raw), "steps must be a non-empty list of step objects")
        )
        return Query(steps=[Step()], multi_step=True), errors
    steps: list[Step] = []
    for i, step_raw in enumerate(steps_raw):
        label = f"steps[{i}]."
        if not isinstance(step_raw, dict):
            errors.append(ScriptError(f"steps[{i}]", _json_text(step_raw), "each step must be an object"))
            steps.append(Step(label=label))
            continue
        allowed = STEP_FIELDS if i == 0 else tuple(k for k in STEP_FIELDS if k not in FIRST_STEP_ONLY)
        steps.append(_StepParser(step_raw, label, errors, allowed=allowed).parse())
    columns = raw.get("columns")
    if columns is not None:
        last = _StepParser({"columns": columns}, "", errors, allowed=("columns",))._columns()
        if last is not None:
            steps[-1] = replace(steps[-1], columns=last)
    return Query(steps=steps, multi_step=True), errors
