"""Validation: every problem of a query, found before any data is read.

The checker walks each expression's AST with the columns known at that point (base bars, earlier ``map``
entries, the previous step's output), the function declarations of the registry (names, arity, argument kinds
and ranges) and the instrument (sessions). It infers column types statically, which is also how date and time
literals in comparisons are checked. The result is a :class:`Plan` the executor runs without re-parsing.
"""

from __future__ import annotations

import ast
import difflib
import re
from dataclasses import dataclass
from datetime import date

from shared.market.instruments import Instrument
from shared.script.errors import ScriptError
from shared.script.parse import IF_NAME, INTRADAY, Query, Step, parse_expression, parse_query, show
from shared.script.period import PERIOD_FORMS, parse_period
from shared.script.plan import BASE_COLUMNS, ColumnInfo, ColumnType, Plan, StepPlan
from shared.script.registry import REGISTRY, FunctionSpec

_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_NUMERIC = ("number", "integer")
_GROUP_NAME_HINTS = {"dayofweek": "dow", "day_of_month": "dom", "month": "mo", "date": "d", "time": "t"}


def load_functions() -> dict[str, FunctionSpec]:
    """The registry, with the function library imported (it registers itself on import)."""
    import shared.script.functions  # noqa: F401  (import fills REGISTRY)

    return REGISTRY


def function_spec(name: str) -> FunctionSpec | None:
    """The declaration of a function by the name written in a query (``if`` included)."""
    return load_functions().get("if" if name == IF_NAME else name)


def parse_date_literal(text: str) -> date | None:
    """``'YYYY-MM-DD'`` → a date, None when it is not a real date."""
    try:
        return date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
    except ValueError:
        return None


def parse_time_literal(text: str) -> tuple[int, int] | None:
    """``'HH:MM'`` → (hour, minute), None when it is not a time of day."""
    match = _TIME.match(text.strip())
    return (int(match.group(1)), int(match.group(2))) if match else None


def _close(word: str, options: list[str]) -> str:
    match = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f"Did you mean `{match[0]}`? " if match else ""


@dataclass
class _Found:
    """What one expression walk learned."""

    type: ColumnType = "any"
    has_aggregate: bool = False
    bare_columns: tuple[str, ...] = ()
    """Columns referenced outside any aggregate (a select must not have any)."""


class _ExprChecker:
    """Walks one expression, inferring its type and recording every problem."""

    def __init__(self, columns: dict[str, ColumnInfo], names: frozenset[str], report) -> None:
        self.columns = columns
        self.names = names
        self.report = report
        self.aggregate_depth = 0
        self.has_aggregate = False
        self.bare: list[str] = []

    def check(self, tree: ast.expr) -> _Found:
        kind = self.visit(tree)
        return _Found(kind, self.has_aggregate, tuple(dict.fromkeys(self.bare)))

    def visit(self, node: ast.expr) -> ColumnType:
        method = getattr(self, f"visit_{type(node).__name__}", None)
        return method(node) if method else "any"

    def visit_Constant(self, node: ast.Constant) -> ColumnType:
        if isinstance(node.value, bool):
            return "boolean"
        if isinstance(node.value, int):
            return "integer"
        if isinstance(node.value, float):
            return "number"
        return "text"

    def visit_Name(self, node: ast.Name) -> ColumnType:
        name = node.id
        if name in self.names:
            if self.aggregate_depth == 0:
                self.bare.append(name)
            return self.columns[name].type
        available = sorted(self.names)
        if function_spec(name) is not None:
            self.report(f"`{name}` is a function, not a column", f"Call it: `{name}()`.")
        elif name in ("date", "time"):
            self.report(f"`{name}` is not a column here", f"Use the function `{name}()`.")
        else:
            self.report(
                f"unknown column '{name}'", f"{_close(name, available)}Available: {', '.join(available)}."
            )
        return "any"

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ColumnType:
        kind = self.visit(node.operand)
        if isinstance(node.op, ast.Not):
            self._condition(node.operand, kind, "not")
            return "boolean"
        if kind in ("boolean", "date", "time", "text"):
            self.report(f"`{show(node)}` applies a sign to a {kind} value", "Signs apply to numbers only.")
        return kind if kind in _NUMERIC else "number"

    def visit_BinOp(self, node: ast.BinOp) -> ColumnType:
        left, right = self.visit(node.left), self.visit(node.right)
        for side, kind in ((node.left, left), (node.right, right)):
            if kind in ("date", "time", "text"):
                self.report(
                    f"`{show(side)}` is a {kind} value; arithmetic needs numbers",
                    "Compare dates and times instead, or use year()/month()/hour() for numbers.",
                )
        if left == right == "integer" and not isinstance(node.op, (ast.Div, ast.Pow)):
            return "integer"
        return "number"

    def visit_BoolOp(self, node: ast.BoolOp) -> ColumnType:
        word = "and" if isinstance(node.op, ast.And) else "or"
        for value in node.values:
            self._condition(value, self.visit(value), word)
        return "boolean"

    def _condition(self, node: ast.expr, kind: ColumnType, where: str) -> None:
        if kind in ("number", "integer", "date", "time", "text"):
            self.report(
                f"`{show(node)}` is a {kind} value, not a condition (in `{where}`)",
                f"Compare it, e.g. `{show(node)} > 0`.",
            )

    def visit_Compare(self, node: ast.Compare) -> ColumnType:
        operands = [node.left, *node.comparators]
        kinds = [self.visit(o) if not isinstance(o, ast.List) else "any" for o in operands]
        for i, operand in enumerate(operands):
            after_in = i > 0 and isinstance(node.ops[i - 1], (ast.In, ast.NotIn))
            if isinstance(operand, ast.List) and (not after_in or i < len(node.ops)):
                self.report(
                    f"a list `{show(operand)}` can only follow `in`", "Write e.g. `dayofweek() in [0, 4]`."
                )
        for i, op in enumerate(node.ops):
            left, right = operands[i], operands[i + 1]
            left_kind, right_kind = kinds[i], kinds[i + 1]
            if isinstance(op, (ast.In, ast.NotIn)):
                self._check_list(left, left_kind, right)
                continue
            self._literal_against(left, left_kind, right, right_kind)
            self._literal_against(right, right_kind, left, left_kind)
        return "boolean"

    def _literal_against(
        self, typed: ast.expr, kind: ColumnType, other: ast.expr, other_kind: ColumnType
    ) -> None:
        """A string literal compared with a date/time/number value must make sense for that value."""
        if not (isinstance(other, ast.Constant) and isinstance(other.value, str)):
            return
        text = other.value
        if kind == "date" and parse_date_literal(text) is None:
            self.report(
                f"'{text}' is not a date", f"Compare `{show(typed)}` with 'YYYY-MM-DD', e.g. '2024-03-15'."
            )
        elif kind == "time" and parse_time_literal(text) is None:
            self.report(
                f"'{text}' is not a time of day", f"Compare `{show(typed)}` with 'HH:MM', e.g. '09:30'."
            )
        elif kind in (*_NUMERIC, "boolean"):
            self.report(
                f"`{show(typed)}` is a {kind} value and cannot be compared with the text '{text}'",
                "Remove the quotes to compare with a number.",
            )

    def _check_list(self, left: ast.expr, kind: ColumnType, right: ast.expr) -> None:
        if not isinstance(right, ast.List):
            return
        if not right.elts:
            self.report("the list after `in` is empty", "List at least one value.")
        for element in right.elts:
            if not isinstance(element, ast.Constant) or element.value is None:
                if not (isinstance(element, ast.UnaryOp) and isinstance(element.operand, ast.Constant)):
                    self.report(
                        f"`{show(element)}` in a list must be a literal", "Lists hold numbers or 'strings'."
                    )
                continue
            self._literal_against(left, kind, element, "text")
            value = _literal(element)
            is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
            if kind == "text" and not isinstance(value, str):
                self.report(
                    f"`{show(left)}` is a text value and cannot be compared with {show(element)}",
                    "Put values of the same kind in the list.",
                )
            elif is_number and kind in ("date", "time", "boolean"):
                self.report(
                    f"`{show(left)}` is a {kind} value and cannot be compared with the number {value}",
                    "Put values of the same kind in the list.",
                )

    def visit_List(self, node: ast.List) -> ColumnType:
        self.report(f"a list `{show(node)}` can only follow `in`", "Write e.g. `dayofweek() in [0, 4]`.")
        return "any"

    def visit_Call(self, node: ast.Call) -> ColumnType:
        name = node.func.id if isinstance(node.func, ast.Name) else ""
        spec = function_spec(name)
        shown = name.replace(IF_NAME, "if")
        if spec is None:
            options = sorted(load_functions())
            self.report(
                f"unknown function '{shown}'",
                f"{_close(shown, options)}See the function list for the available functions.",
            )
            for arg in node.args:
                self.visit(arg)
            return "any"
        if spec.kind == "aggregate":
            self.has_aggregate = True
            self.aggregate_depth += 1
        try:
            arg_kinds = self._check_args(node, spec, shown)
        finally:
            if spec.kind == "aggregate":
                self.aggregate_depth -= 1
        return self._call_type(spec, arg_kinds)

    @staticmethod
    def _call_type(spec: FunctionSpec, arg_kinds: list[ColumnType]) -> ColumnType:
        # Pass-through functions (prev(x), if(c, a, b), …) keep their argument's type.
        if spec.name == "if" and len(arg_kinds) >= 2:
            return arg_kinds[1] if arg_kinds[1] != "any" else arg_kinds[-1]
        if spec.category == "lag" and arg_kinds:
            return arg_kinds[0]
        return spec.returns

    def _check_args(self, node: ast.Call, spec: FunctionSpec, shown: str) -> list[ColumnType]:
        bound: dict[str, ast.expr] = {}
        usage = f"Usage: `{spec.signature.replace('if(', 'if(', 1)}`."
        if len(node.args) > len(spec.args):
            self.report(
                f"{shown}() takes at most {len(spec.args)} argument{'s' if len(spec.args) != 1 else ''}, "
                f"got {len(node.args)}",
                usage,
            )
        for arg_spec, value in zip(spec.args, node.args, strict=False):
            bound[arg_spec.name] = value
        by_name = {a.name: a for a in spec.args}
        for kw in node.keywords:
            if kw.arg not in by_name:
                self.report(
                    f"{shown}() has no argument '{kw.arg}'", f"{_close(str(kw.arg), list(by_name))}{usage}"
                )
            elif kw.arg in bound:
                self.report(f"{shown}() got '{kw.arg}' twice", usage)
            else:
                bound[kw.arg] = kw.value
        kinds: list[ColumnType] = []
        for arg_spec in spec.args:
            value = bound.get(arg_spec.name)
            if value is None:
                if arg_spec.required:
                    self.report(f"{shown}() is missing its argument '{arg_spec.name}'", usage)
                continue
            kinds.append(self._check_arg(shown, arg_spec, value, usage))
        for extra in node.args[len(spec.args) :]:
            self.visit(extra)
        return kinds

    def _check_arg(self, shown: str, arg_spec, value: ast.expr, usage: str) -> ColumnType:
        literal = _literal(value)
        label = f"{shown}() argument '{arg_spec.name}'"
        if arg_spec.kind == "column":
            if isinstance(literal, str) and shown == "if" and arg_spec.name != "cond":
                return "text"
            if isinstance(literal, str):
                self.report(
                    f"{label} must be a column or a number, not the text '{literal}'",
                    "Remove the quotes to name a column.",
                )
                return "text"
            return self.visit(value)
        if arg_spec.kind == "string":
            if not isinstance(literal, str):
                self.report(f"{label} must be a 'string'", usage)
            return "text"
        if arg_spec.kind == "bool":
            if not isinstance(literal, bool):
                self.report(f"{label} must be true or false", usage)
            return "boolean"
        is_number = isinstance(literal, (int, float)) and not isinstance(literal, bool)
        if not is_number:
            what = "a whole number" if arg_spec.kind == "int" else "a number"
            self.report(f"{label} must be {what} written in the query, not `{show(value)}`", usage)
            return "number"
        if arg_spec.kind == "int" and not float(literal).is_integer():
            self.report(f"{label} must be a whole number, got {literal}", usage)
        low, high = arg_spec.min, arg_spec.max
        if (low is not None and literal < low) or (high is not None and literal > high):
            bounds = (
                f"{_fmt(low)} … {_fmt(high)}"
                if low is not None and high is not None
                else (f"at least {_fmt(low)}" if low is not None else f"at most {_fmt(high)}")
            )
            self.report(f"{label} must be {bounds}, got {_fmt(literal)}", usage)
        return "integer" if arg_spec.kind == "int" else "number"


def _fmt(value: float | None) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _literal(node: ast.expr) -> object:
    """The Python value of a literal (with a leading sign), or None for anything else."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _literal(node.operand)
        if isinstance(inner, (int, float)) and not isinstance(inner, bool):
            return -inner if isinstance(node.op, ast.USub) else inner
    return None


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

    def __init__(self, query: Query, instrument: Instrument, base: tuple[str, ...]) -> None:
        self.query, self.instrument, self.base = query, instrument, base
        self.errors: list[ScriptError] = []

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
            names = frozenset(c for c in columns if i > 0 or c not in hidden)
            step_plan = self._step(step, dict(columns), names, first=i == 0)
            plan.steps.append(step_plan)
            columns = step_plan.outputs
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
                f"{_close(step.session, list(sessions))}Valid: {valid}.",
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

    def _expr(self, step: Step, field: str, text: str, columns: dict[str, ColumnInfo], names: frozenset[str]):
        parsed = parse_expression(text)
        for problem in parsed.problems:
            self.error(step, field, text, problem.message, problem.hint)
        if parsed.tree is None or parsed.problems:
            return None, _Found()

        def report(message: str, hint: str | None = None) -> None:
            self.error(step, field, text, message, hint)

        found = _ExprChecker(columns, names, report).check(parsed.tree)
        return parsed.tree, found

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
                base = call.group(1) if call else "key"
                alias = _GROUP_NAME_HINTS.get(base, base if call else "key")
                self.error(
                    step,
                    "group_by",
                    key,
                    "group_by takes column names, not expressions",
                    f'Create the column in map first: "map": {{"{alias}": "{key}"}}, then "group_by": '
                    f'"{alias}".',
                )
            elif key not in columns:
                available = sorted(columns)
                hint = (
                    f'Call it in map: "map": {{"{_GROUP_NAME_HINTS.get(key, key)}": "{key}()"}}, then '
                    "group by that name."
                    if function_spec(key)
                    else ""
                )
                self.error(
                    step,
                    "group_by",
                    key,
                    f"unknown column '{key}'",
                    f"{hint or _close(key, available)}Available: {', '.join(available)}.",
                )
            else:
                keys.append(key)
        return keys

    def _select(self, step: Step, plan: StepPlan, columns, names, *, grouped: bool) -> None:
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

    def _outputs(self, step: Step, plan: StepPlan, columns, group_keys: list[str], *, first: bool):
        selects = {name: tree for name, tree in plan.select}
        infos = {}
        for name, _ in step.select or ():
            tree = selects.get(name)
            found_type: ColumnType = "any"
            if tree is not None:
                found_type = _ExprChecker(columns, frozenset(columns), lambda *a: None).check(tree).type
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
                    f"{hint}{_close(col, available)}Available: {', '.join(available)}.",
                )
        if step.columns is not None:
            for col in step.columns:
                if col not in plan.outputs:
                    self.error(
                        step,
                        "columns",
                        col,
                        f"unknown output column '{col}'",
                        f"{_close(col, available)}Available: {', '.join(available)}.",
                    )


def build_plan(raw: object, instrument: Instrument, columns_hint: list[str] | None = None):
    """Parse and check a query; returns ``(plan, errors)``. The plan is runnable only when errors is empty."""
    query, errors = parse_query(raw)
    base = tuple(c for c in BASE_COLUMNS if columns_hint is None or c in columns_hint)
    if columns_hint:
        base += tuple(
            c
            for c in columns_hint
            if c not in base and c not in ("date", "time", "ts", "trade_date", "minute")
        )
    validator = _Validator(query, instrument, base)
    plan = validator.run()
    return plan, errors + validator.errors


def validate(query: dict, instrument: Instrument, columns_hint: list[str] | None = None) -> list[ScriptError]:
    """Every problem of ``query`` for ``instrument``, without reading data (an empty list means valid).

    ``columns_hint`` lists the base columns of the instrument's bars when they differ from OHLCV.
    """
    return build_plan(query, instrument, columns_hint)[1]
