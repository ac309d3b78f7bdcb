"""Validation: every problem of a query, found before any data is read.

Each expression is checked by :class:`~shared.script.check.ExprChecker` with the columns known at that point
(base bars, earlier ``map`` entries, the previous step's output) and the bars it runs on; the fields around the
expressions (session, period, group_by, select, sort, columns) are checked here against the instrument and the
columns. The result is a :class:`Plan` the executor runs without re-parsing.
"""

from __future__ import annotations

import ast
import re

from shared.market import Instrument
from shared.script.check import (
    ExprChecker,
    Found,
    intraday_problem,
    parse_date_literal,
    parse_time_literal,
)
from shared.script.errors import ScriptError
from shared.script.expressions import parse_expression
from shared.script.names import (
    did_you_mean,
    map_name_for,
    method_call_hint,
)
from shared.script.period import PERIOD_FORMS, parse_period
from shared.script.plan import BASE_COLUMNS, ColumnInfo, ColumnType, Plan, StepPlan
from shared.script.query import INTRADAY, Query, Step, parse_query
from shared.script.registry import function_spec
from shared.script.series import SeriesCollector
from shared.script.universe import Universe

__all__ = [
    "build_plan",
    "expression_format",
    "parse_date_literal",
    "parse_time_literal",
    "sort_column",
    "validate",
]


def expression_format(tree: ast.expr, columns: dict[str, ColumnInfo]) -> str | None:
    """The display format a column keeps: ``dayofweek()`` → weekday, a plain reference keeps its source's."""
    if isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name):
        spec = function_spec(tree.func.id)
        if spec is not None and spec.format:
            return spec.format
        if spec is not None and spec.name in ("min", "max", "first", "last") and tree.args:
            return expression_format(tree.args[0], columns)
    if isinstance(tree, ast.Name) and tree.id in columns:
        return columns[tree.id].format
    return None


def sort_column(name: str, columns: dict[str, ColumnInfo]) -> str | None:
    """The column a sort key names; ``date`` means the first date column of any dated result."""
    if name in columns:
        return name
    if name == "date":
        return next((c for c, info in columns.items() if info.type == "date"), None)
    return None


class _Validator:
    """Builds the plan of a parsed query, collecting every problem."""

    def __init__(
        self, query: Query, instrument: Instrument, base: tuple[str, ...], universe: Universe | None
    ) -> None:
        self.query, self.instrument, self.base = query, instrument, base
        first = query.steps[0]
        self.series = SeriesCollector(instrument, first.timeframe, first.session, universe)
        self.errors: list[ScriptError] = []
        self.timeframe = "daily"
        """The bars of the step being checked (``1m`` … ``yearly``), or ``step`` for a later step's table."""

    def error(self, step: Step, field: str, expression: str, message: str, hint: str | None = None) -> None:
        self.errors.append(ScriptError(f"{step.label}{field}", expression, message, hint))

    def run(self) -> Plan:
        first = self.query.steps[0]
        plan = Plan(
            query=self.query, steps=[], timeframe=first.timeframe, intraday=first.timeframe in INTRADAY
        )
        self._session(first, plan)
        self._period(first, plan)
        columns: dict[str, ColumnInfo] = {"date": ColumnInfo("date")}
        if plan.intraday:
            columns["time"] = ColumnInfo("time")
        for name in self.base:
            columns[name] = ColumnInfo("number")
        hidden = {"date", "time"}
        for i, step in enumerate(self.query.steps):
            self.timeframe = plan.timeframe if i == 0 else "step"
            self.series.allowed = i == 0
            names = frozenset(c for c in columns if i > 0 or c not in hidden)
            step_plan = self._step(step, dict(columns), names, first=i == 0)
            plan.steps.append(step_plan)
            columns = step_plan.outputs
        plan.series = tuple(self.series.series.values())
        return plan

    def _session(self, step: Step, plan: Plan) -> None:
        if step.session is None:
            return
        sessions = self.instrument.sessions
        if step.session not in sessions:
            valid = ", ".join(sessions)
            self.error(
                step,
                "session",
                step.session,
                f"unknown session '{step.session}' for {self.instrument.symbol}",
                f"{did_you_mean(step.session, list(sessions))}Valid: {valid}.",
            )
            return
        plan.session_name = step.session
        plan.session = sessions[step.session]
        plan.full_session = step.session == self.instrument.default_session

    def _period(self, step: Step, plan: Plan) -> None:
        if step.period is None:
            return
        try:
            plan.period = parse_period(step.period)
        except ValueError as exc:
            self.error(step, "period", step.period, f"invalid period: {exc}", f"Use {PERIOD_FORMS}.")

    def _expr(
        self, step: Step, field: str, text: str, columns: dict[str, ColumnInfo], names: frozenset[str]
    ) -> tuple[ast.expr | None, Found]:
        parsed = parse_expression(text)
        for problem in parsed.problems:
            hint = method_call_hint(*problem.method) if problem.method else problem.hint
            self.error(step, field, text, problem.message, hint)
        if parsed.tree is None or parsed.problems:
            return None, Found()

        def report(message: str, hint: str | None = None) -> None:
            self.error(step, field, text, message, hint)

        tree = self.series.rewrite(parsed.tree, report)
        if self.series.columns:
            columns = {**columns, **self.series.columns}
            names = names | frozenset(self.series.columns)
        found = ExprChecker(columns, names, report, self.timeframe).check(tree)
        return tree, found

    def _step(
        self, step: Step, columns: dict[str, ColumnInfo], names: frozenset[str], *, first: bool
    ) -> StepPlan:
        plan = StepPlan(step=step, inputs=dict(columns), names=names, first=first)
        self._map(step, plan, columns)
        names = plan.names | {name for name, _ in plan.map}
        plan.mapped = dict(columns)
        if step.where is not None:
            tree, found = self._expr(step, "where", step.where, columns, names)
            if tree is not None:
                if found.type in ("number", "integer", "date", "time", "text"):
                    self.error(
                        step,
                        "where",
                        step.where,
                        f"where must be a condition, but this is a {found.type} value",
                        f"Compare it, e.g. `{step.where} > 0`.",
                    )
                plan.where = tree
        group_keys = self._group_by(step, columns)
        self._select(step, plan, columns, names, grouped=bool(step.group_by))
        plan.outputs = self._outputs(step, plan, columns, group_keys, first=first)
        self._sort_and_columns(step, plan)
        return plan

    def _map(self, step: Step, plan: StepPlan, columns: dict[str, ColumnInfo]) -> None:
        names = set(plan.names)
        for name, text in step.map:
            field = f"map.{name}"
            if function_spec(name) is not None or name in ("date", "time"):
                self.error(
                    step,
                    field,
                    text,
                    f"the map name '{name}' is a function name",
                    f"Choose another name, e.g. '{name}_value'.",
                )
            tree, found = self._expr(step, field, text, columns, frozenset(names))
            columns[name] = ColumnInfo(
                found.type, expression_format(tree, columns) if tree is not None else None
            )
            names.add(name)
            if tree is not None:
                plan.map.append((name, tree))
        plan.names = frozenset(plan.names)

    def _group_by(self, step: Step, columns: dict[str, ColumnInfo]) -> list[str]:
        keys = []
        for key in step.group_by:
            if "(" in key or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
                call = re.match(r"\s*([A-Za-z_]\w*)\s*\(", key)
                alias = map_name_for(call.group(1)) if call else "key"
                self.error(
                    step,
                    "group_by",
                    key,
                    "group_by takes column names, not expressions",
                    f'Create the column in map first: "map": {{"{alias}": "{key}"}}, then "group_by": '
                    f'"{alias}".{self._intraday_note(call.group(1) if call else None)}',
                )
            elif key not in columns:
                available = sorted(columns)
                hint = (
                    f'Call it in map: "map": {{"{map_name_for(key)}": "{key}()"}}, then group by that name.'
                    f"{self._intraday_note(key)} "
                    if function_spec(key)
                    else ""
                )
                self.error(
                    step,
                    "group_by",
                    key,
                    f"unknown column '{key}'",
                    f"{hint or did_you_mean(key, available)}Available: {', '.join(available)}.",
                )
            else:
                keys.append(key)
        return keys

    def _intraday_note(self, function: str | None) -> str:
        """`` <hint>`` when ``function`` needs intraday bars the current step does not have, else ``""``."""
        spec = function_spec(function) if function else None
        problem = intraday_problem(spec, self.timeframe) if spec is not None else None
        return f" {problem[1]}" if problem else ""

    def _select(
        self,
        step: Step,
        plan: StepPlan,
        columns: dict[str, ColumnInfo],
        names: frozenset[str],
        *,
        grouped: bool,
    ) -> None:
        if step.select is None:
            return
        for name, text in step.select:
            tree, found = self._expr(step, "select", text, columns, names)
            if tree is None:
                continue
            if not found.has_aggregate and found.bare_columns:
                example = f"mean({found.bare_columns[0]})"
                self.error(
                    step,
                    "select",
                    text,
                    f"`{text}` is not an aggregate: select returns one value "
                    f"{'per group' if grouped else 'for all rows'}",
                    f"Aggregate it, e.g. `{example}`, or use map/where for per-row values.",
                )
            elif found.bare_columns:
                self.error(
                    step,
                    "select",
                    text,
                    f"`{found.bare_columns[0]}` is used outside an aggregate",
                    f"Put every column inside an aggregate, e.g. `last({found.bare_columns[0]})`.",
                )
            plan.select.append((name, tree))

    def _outputs(
        self,
        step: Step,
        plan: StepPlan,
        columns: dict[str, ColumnInfo],
        group_keys: list[str],
        *,
        first: bool,
    ) -> dict[str, ColumnInfo]:
        selects = {name: tree for name, tree in plan.select}
        infos: dict[str, ColumnInfo] = {}
        for name, _ in step.select or ():
            tree = selects.get(name)
            found_type: ColumnType = "any"
            if tree is not None:
                found_type = ExprChecker(columns, frozenset(columns), lambda *a: None).check(tree).type
            infos[name] = ColumnInfo(
                found_type, expression_format(tree, columns) if tree is not None else None
            )
        if step.group_by:
            plan.kind = "grouped"
            return {**{k: columns[k] for k in group_keys}, **infos}
        if step.select is not None:
            plan.kind = "scalar" if step.select_form == "string" else "values"
            return infos
        plan.kind = "table"
        return columns

    def _sort_and_columns(self, step: Step, plan: StepPlan) -> None:
        available = list(plan.outputs)
        for col, _ in step.sort:
            if sort_column(col, plan.outputs) is None:
                hint = (
                    "Sorting needs an output column; compute expressions in map first. " if "(" in col else ""
                )
                self.error(
                    step,
                    "sort",
                    col,
                    f"cannot sort by '{col}': no such column",
                    f"{hint}{did_you_mean(col, available)}Available: {', '.join(available)}.",
                )
        if step.columns is not None:
            for col in step.columns:
                if col not in plan.outputs:
                    self.error(
                        step,
                        "columns",
                        col,
                        f"unknown output column '{col}'",
                        f"{did_you_mean(col, available)}Available: {', '.join(available)}.",
                    )


def build_plan(
    raw: object,
    instrument: Instrument,
    columns_hint: list[str] | None = None,
    universe: Universe | None = None,
) -> tuple[Plan, list[ScriptError]]:
    """Parse and check a query; returns ``(plan, errors)``. The plan is runnable only when errors is empty.

    ``universe`` is where ``on('ES', …)`` finds other instruments; without one only the query's own
    instrument (at any longer bar size) may be named.
    """
    query, errors = parse_query(raw)
    base = tuple(c for c in BASE_COLUMNS if columns_hint is None or c in columns_hint)
    if columns_hint:
        base += tuple(
            c
            for c in columns_hint
            if c not in base and c not in ("date", "time", "ts", "trade_date", "minute")
        )
    validator = _Validator(query, instrument, base, universe)
    plan = validator.run()
    return plan, errors + validator.errors


def validate(
    query: object,
    instrument: Instrument,
    columns_hint: list[str] | None = None,
    universe: Universe | None = None,
) -> list[ScriptError]:
    """Every problem of ``query`` for ``instrument``, without reading data (an empty list means valid).

    ``columns_hint`` lists the base columns of the instrument's bars when they differ from OHLCV; ``universe``
    the other instruments ``on()`` may name (see :func:`build_plan`).
    """
    return build_plan(query, instrument, columns_hint, universe)[1]
