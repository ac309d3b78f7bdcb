"""Compiling a checked expression AST into a Polars expression over the current bar frame.

Semantics that differ from plain Polars and are decided here:
- division (``/ // %``) by zero gives null, never ±infinity;
- ``and``/``or``/``not`` treat null as false (a condition on a missing value is not met);
- a string literal compared with a date or time value is converted to that type (``== != < <= > >=``, ``in`` and
  ``not in`` alike);
- inside ``map``/``where`` of a query with a ``period``, an aggregate only sees the rows inside the period
  (``mask``) and is broadcast to every row.
"""

from __future__ import annotations

import ast
import datetime as dt
import operator
from collections.abc import Callable
from typing import Any

import polars as pl

from shared.script.declarations import EvalContext, FunctionSpec
from shared.script.errors import QueryFailed
from shared.script.expressions import show
from shared.script.registry import function_spec
from shared.script.validate import parse_date_literal, parse_time_literal

_ARITHMETIC: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Pow: operator.pow,
}
_COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}


class CompileError(QueryFailed):
    """An expression that passed validation but cannot be built: a failed query, not the caller's mistake."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"The query could not be built: {problem}")


def _condition(expr: pl.Expr) -> pl.Expr:
    return expr.fill_null(False)


_DIVIDE: dict[type, Callable[[pl.Expr, pl.Expr], pl.Expr]] = {
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
}


def _safe_divide(op: type, left: pl.Expr, right: pl.Expr) -> pl.Expr:
    quotient = _DIVIDE[op](left, right)
    return pl.when(right != 0).then(quotient).otherwise(None)


class Compiler:
    """Turns expression ASTs into ``pl.Expr`` for one frame."""

    def __init__(
        self,
        ctx: EvalContext,
        dtype_of: Callable[[pl.Expr], pl.DataType],
        *,
        mask: pl.Expr | None = None,
    ) -> None:
        self.ctx = ctx
        self.dtype_of = dtype_of
        self.mask = mask
        self._aggregate_depth = 0

    def compile(self, node: ast.expr) -> pl.Expr:
        """The Polars expression of a checked AST node."""
        method: Callable[[ast.expr], pl.Expr] | None = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            raise CompileError(f"`{show(node)}` is not supported")
        return method(node)

    def _Constant(self, node: ast.Constant) -> pl.Expr:
        return pl.lit(node.value)

    def _Name(self, node: ast.Name) -> pl.Expr:
        return pl.col(node.id)

    def _UnaryOp(self, node: ast.UnaryOp) -> pl.Expr:
        operand = self.compile(node.operand)
        if isinstance(node.op, ast.Not):
            return ~_condition(operand)
        return -operand if isinstance(node.op, ast.USub) else operand

    def _BinOp(self, node: ast.BinOp) -> pl.Expr:
        left, right = self.compile(node.left), self.compile(node.right)
        op = type(node.op)
        if op in _ARITHMETIC:
            if op is ast.Pow:
                left = left.cast(pl.Float64)
            arithmetic: pl.Expr = _ARITHMETIC[op](left, right)
            return arithmetic
        return _safe_divide(op, left, right)

    def _BoolOp(self, node: ast.BoolOp) -> pl.Expr:
        values = [_condition(self.compile(v)) for v in node.values]
        combine = operator.and_ if isinstance(node.op, ast.And) else operator.or_
        result = values[0]
        for value in values[1:]:
            result = combine(result, value)
        return result

    def _Compare(self, node: ast.Compare) -> pl.Expr:
        operands = [node.left, *node.comparators]
        parts = []
        for i, op in enumerate(node.ops):
            left_node, right_node = operands[i], operands[i + 1]
            if isinstance(op, (ast.In, ast.NotIn)):
                member = self._membership(self.compile(left_node), right_node)
                parts.append(~member if isinstance(op, ast.NotIn) else member)
                continue
            left, right = self._comparable(left_node, right_node)
            parts.append(_COMPARE[type(op)](left, right))
        result = parts[0]
        for part in parts[1:]:
            result = result & part
        return result

    def _literal_for(self, typed: pl.Expr, text: str) -> tuple[pl.Expr, pl.Expr]:
        """Convert a string literal to the type of the value it is compared with."""
        dtype = self.dtype_of(typed)
        if dtype == pl.Date or isinstance(dtype, pl.Datetime):
            day = parse_date_literal(text)
            if day is not None:
                return (typed.dt.date() if isinstance(dtype, pl.Datetime) else typed), pl.lit(day)
        if dtype == pl.Time or dtype.is_integer():
            clock = parse_time_literal(text)
            if clock is not None:
                if dtype == pl.Time:
                    return typed, pl.lit(dt.time(*clock))
                return typed, pl.lit(clock[0] * 60 + clock[1])
        return typed, pl.lit(text)

    def _comparable(self, left_node: ast.expr, right_node: ast.expr) -> tuple[pl.Expr, pl.Expr]:
        left_text = _string(left_node)
        right_text = _string(right_node)
        if right_text is not None and left_text is None:
            return self._literal_for(self.compile(left_node), right_text)
        if left_text is not None and right_text is None:
            right, left = self._literal_for(self.compile(right_node), left_text)
            return left, right
        return self.compile(left_node), self.compile(right_node)

    def _membership(self, left: pl.Expr, node: ast.expr) -> pl.Expr:
        """``left in [...]``: list values converted to the left side's type (dates, times, numbers, text)."""
        assert isinstance(node, ast.List)
        raw = [_signed(e) for e in node.elts]
        dtype = self.dtype_of(left)
        values: list[Any] = []
        for value in raw:
            if isinstance(value, str) and dtype == pl.Date:
                value = parse_date_literal(value) or value
            elif isinstance(value, str) and (dtype == pl.Time or dtype.is_integer()):
                clock = parse_time_literal(value)
                if clock is not None:
                    value = dt.time(*clock) if dtype == pl.Time else clock[0] * 60 + clock[1]
            values.append(value)
        if dtype.is_numeric() and all(isinstance(v, (int, float)) for v in values):
            return left.cast(pl.Float64).is_in(pl.Series(values, dtype=pl.Float64).implode())
        try:
            series = pl.Series(values, dtype=dtype)
        except (TypeError, ValueError, OverflowError, pl.exceptions.PolarsError) as exc:
            raise CompileError(
                f"the values of `{show(node)}` do not match `{show(node)}`'s left side"
            ) from exc
        return left.is_in(series.implode())

    def _Call(self, node: ast.Call) -> pl.Expr:
        assert isinstance(node.func, ast.Name)
        spec = function_spec(node.func.id)
        if spec is None:
            raise CompileError(f"unknown function '{node.func.id}'")
        masked = spec.kind == "aggregate" and self.mask is not None and self._aggregate_depth == 0
        if spec.kind == "aggregate":
            self._aggregate_depth += 1
        try:
            args = self._bind(spec, node)
        finally:
            if spec.kind == "aggregate":
                self._aggregate_depth -= 1
        if masked:
            column_args = [i for i, a in enumerate(spec.args) if a.kind == "column"]
            if not column_args:
                # A row count (count()) inside a period counts the period's rows.
                return self.mask.sum()  # type: ignore[union-attr]
            args = [a.filter(self.mask) if i in column_args else a for i, a in enumerate(args)]
        return spec.impl(self.ctx, *args)

    def _bind(self, spec: FunctionSpec, node: ast.Call) -> list[Any]:
        given: dict[str, ast.expr] = dict(zip((a.name for a in spec.args), node.args, strict=False))
        given.update({kw.arg: kw.value for kw in node.keywords if kw.arg})
        values = []
        for arg in spec.args:
            value = given.get(arg.name)
            if value is None:
                values.append(self._default(arg.kind, arg.default))
            elif arg.kind == "column":
                values.append(self.compile(value))
            elif arg.kind == "int":
                values.append(int(_signed(value)))
            elif arg.kind == "number":
                values.append(_signed(value))
            else:
                values.append(_signed(value))
        return values

    @staticmethod
    def _default(kind: str, default: Any) -> Any:
        if kind != "column":
            return default
        # A column argument's default names a column ("close") or is a constant.
        return pl.col(default) if isinstance(default, str) else pl.lit(default)


def _string(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _signed(node: ast.expr) -> Any:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_signed(node.operand)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd):
        return _signed(node.operand)
    if isinstance(node, ast.Constant):
        return node.value
    raise CompileError(f"`{show(node)}` must be a literal")
