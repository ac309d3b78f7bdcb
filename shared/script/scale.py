"""The price scale of an expression: is it a price level, a distance between prices, or neither?

An expression that is linear in prices with constant coefficients has a **price weight**: how many times the
price it is worth. ``high``, ``sma(close, 20)``, ``(high + low) / 2`` and ``prev(low) - atr(14)`` have weight 1
(price levels); ``close - prev(low)``, ``atr(14) * 2`` and ``range()`` weight 0 (distances); ``close * 0.01``
weight 0.01 (a fraction of the price). Anything else (oscillators, volume, products of prices, ratios) has no
weight. Functions say how they relate to prices in their declaration (:attr:`FunctionSpec.scale`).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from shared.script.declarations import FunctionSpec
from shared.script.plan import PRICE_COLUMNS
from shared.script.registry import function_spec

_CONDITION_ARG = "cond"
"""The declared name of condition arguments (``if(cond, …)``, ``valuewhen(cond, …)``), which carry no price."""


@dataclass(frozen=True)
class _Linear:
    """``weight × price + …``; ``number`` is the value when the expression is a plain number."""

    weight: float
    number: float | None = None


def price_weight(tree: ast.expr) -> float | None:
    """How many times the price ``tree`` is worth (1: a price level, 0: a distance), None when unknown."""
    found = _walk(tree)
    return None if found is None else found.weight


def _walk(node: ast.expr) -> _Linear | None:
    if isinstance(node, ast.Constant):
        value = node.value
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        return _Linear(0.0, float(value)) if isinstance(value, int | float) and is_number else None
    if isinstance(node, ast.Name):
        return _Linear(1.0) if node.id in PRICE_COLUMNS else None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _walk(node.operand)
        if inner is None or isinstance(node.op, ast.UAdd):
            return inner
        return _Linear(-inner.weight, None if inner.number is None else -inner.number)
    if isinstance(node, ast.BinOp):
        return _binop(node)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        spec = function_spec(node.func.id)
        return _call(node, spec) if spec is not None else None
    return None


def _binop(node: ast.BinOp) -> _Linear | None:
    left, right = _walk(node.left), _walk(node.right)
    if left is None or right is None:
        return None
    if isinstance(node.op, (ast.Add, ast.Sub)):
        sign = 1.0 if isinstance(node.op, ast.Add) else -1.0
        number = None
        if left.number is not None and right.number is not None:
            number = left.number + sign * right.number
        return _Linear(left.weight + sign * right.weight, number)
    factor, other = (right, left) if right.number is not None else (left, right)
    if isinstance(node.op, ast.Mult) and factor.number is not None:
        number = None if other.number is None else other.number * factor.number
        return _Linear(other.weight * factor.number, number)
    if isinstance(node.op, ast.Div) and right.number:
        number = None if left.number is None else left.number / right.number
        return _Linear(left.weight / right.number, number)
    return None


def _call(node: ast.Call, spec: FunctionSpec) -> _Linear | None:
    if spec.scale == "level":
        return _Linear(1.0)
    if spec.scale == "distance":
        return _Linear(0.0)
    if spec.scale != "args":
        return None
    bound = dict(zip((a.name for a in spec.args), node.args, strict=False))
    bound |= {kw.arg: kw.value for kw in node.keywords if kw.arg}
    columns = [
        bound[a.name]
        for a in spec.args
        if a.kind == "column" and a.name != _CONDITION_ARG and a.name in bound
    ]
    found = [_walk(column) for column in columns]
    weights = {f.weight for f in found if f is not None}
    if not found or None in found or len(weights) != 1:
        return None
    return _Linear(weights.pop())
