"""Checking one expression: its type, inferred statically, and every problem in it.

The checker walks an expression's AST with the columns known at that point (base bars, earlier ``map`` entries,
the previous step's output) and the function declarations of the registry (names, arity, argument kinds and
ranges, intraday-only functions). Date and time literals in comparisons are checked against the inferred types.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from shared.script.declarations import Arg, FunctionSpec
from shared.script.expressions import IF_NAME, show
from shared.script.names import did_you_mean, map_name_for, unknown_function_hint
from shared.script.plan import ColumnInfo, ColumnType
from shared.script.query import INTRADAY, TIMEFRAMES
from shared.script.registry import function_spec

_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_NUMERIC = ("number", "integer")

Report = Callable[..., None]
"""``report(message, hint=None)``: records one problem of the expression being checked."""


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


def intraday_problem(spec: FunctionSpec, timeframe: str) -> tuple[str, str] | None:
    """``(message, hint)`` when ``spec`` needs intraday bars and ``timeframe`` (``step``: a later step) has none."""
    if not spec.intraday or timeframe in INTRADAY:
        return None
    sizes = [t for t in TIMEFRAMES if t in INTRADAY]
    call = f"{spec.name}()"
    if timeframe == "step":
        return (
            f"`{call}` needs intraday bars, but a later step reads the previous step's table",
            f'Compute it in the first step, on intraday bars ("from": "{sizes[0]}" or {", ".join(sizes[1:])}), '
            f'e.g. "map": {{"{map_name_for(spec.name)}": "{call}"}}, and use that column here.',
        )
    return (
        f"`{call}` needs intraday bars, but these are {timeframe} bars (it would be null on every bar)",
        f'{call} needs intraday bars: add "from": "{sizes[0]}" (or {", ".join(sizes[1:])}).',
    )


@dataclass
class Found:
    """What one expression walk learned."""

    type: ColumnType = "any"
    has_aggregate: bool = False
    bare_columns: tuple[str, ...] = ()
    """Columns referenced outside any aggregate (a select must not have any)."""


class ExprChecker:
    """Walks one expression, inferring its type and recording every problem."""

    def __init__(
        self, columns: dict[str, ColumnInfo], names: frozenset[str], report: Report, timeframe: str = "daily"
    ) -> None:
        self.columns = columns
        self.names = names
        self.report = report
        self.timeframe = timeframe
        """The bars the expression runs on (``1m`` … ``yearly``), or ``step`` for a later step's table."""
        self.aggregate_depth = 0
        self.has_aggregate = False
        self.bare: list[str] = []

    def check(self, tree: ast.expr) -> Found:
        """The expression's inferred type and what it uses; problems go to ``report``."""
        kind = self.visit(tree)
        return Found(kind, self.has_aggregate, tuple(dict.fromkeys(self.bare)))

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
                f"unknown column '{name}'",
                f"{did_you_mean(name, available)}Available: {', '.join(available)}.",
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
            value = literal_value(element)
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
            self.report(f"unknown function '{shown}'", unknown_function_hint(shown))
            for arg in node.args:
                self.visit(arg)
            return "any"
        intraday = intraday_problem(spec, self.timeframe)
        if intraday is not None:
            self.report(*intraday)
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
                    f"{shown}() has no argument '{kw.arg}'",
                    f"{did_you_mean(str(kw.arg), list(by_name))}{usage}",
                )
            elif kw.arg in bound:
                self.report(f"{shown}() got '{kw.arg}' twice", usage)
            else:
                bound[kw.arg] = kw.value
        kinds: list[ColumnType] = []
        for arg_spec in spec.args:
            given = bound.get(arg_spec.name)
            if given is None:
                if arg_spec.required:
                    self.report(f"{shown}() is missing its argument '{arg_spec.name}'", usage)
                continue
            kinds.append(self._check_arg(shown, arg_spec, given, usage))
        for extra in node.args[len(spec.args) :]:
            self.visit(extra)
        return kinds

    def _check_arg(self, shown: str, arg_spec: Arg, value: ast.expr, usage: str) -> ColumnType:
        literal = literal_value(value)
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
            elif arg_spec.choices:
                self._check_choice(label, arg_spec, literal)
            return "text"
        if arg_spec.kind == "bool":
            if not isinstance(literal, bool):
                self.report(f"{label} must be true or false", usage)
            return "boolean"
        if not isinstance(literal, int | float) or isinstance(literal, bool):
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

    def _check_choice(self, label: str, arg_spec: Arg, text: str) -> None:
        """A string argument with declared choices must name one of them (ignoring case)."""
        value = text.strip().lower()
        if value in arg_spec.choices:
            return
        accepted = f"Use one of: {', '.join(arg_spec.choices)}."
        reason = dict(arg_spec.refused).get(value)
        if reason is not None:
            self.report(f"{label}: '{text}' {reason}", accepted)
        else:
            self.report(
                f"{label}: unknown {arg_spec.name} '{text}'", did_you_mean(value, arg_spec.choices) + accepted
            )


def _fmt(value: float | None) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def literal_value(node: ast.expr) -> object:
    """The Python value of a literal (with a leading sign), or None for anything else."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = literal_value(node.operand)
        if isinstance(inner, (int, float)) and not isinstance(inner, bool):
            return -inner if isinstance(node.op, ast.USub) else inner
    return None
