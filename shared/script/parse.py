"""Parsing: a JSON query → a normalized model, and an expression string → a safe AST.

Nothing here reads data or looks up functions; problems are collected as :class:`ScriptError` values so the
validator can report every problem of a query at once.
"""

from __future__ import annotations

import ast
import difflib
import io
import itertools
import json
import keyword
import re
import tokenize
from dataclasses import dataclass, field, replace
from typing import Any

from shared.script.errors import ScriptError

TIMEFRAMES = ("1m", "5m", "15m", "30m", "1h", "2h", "4h", "daily", "weekly", "monthly", "quarterly", "yearly")
INTRADAY = frozenset(TIMEFRAMES[:7])
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
MAX_EXPRESSION_CHARS = 2_000
IF_NAME = "__if__"
"""``if`` is a Python keyword, so ``if(`` is renamed before parsing and shown as ``if`` again in messages."""

_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_TIMEFRAME_ALIASES = {
    "1d": "daily",
    "d": "daily",
    "day": "daily",
    "1w": "weekly",
    "week": "weekly",
    "month": "monthly",
    "1mo": "monthly",
    "60m": "1h",
    "1min": "1m",
    "minute": "1m",
}


# --------------------------------------------------------------------------------------------- expressions


@dataclass(frozen=True)
class Problem:
    """A syntax problem inside one expression (the caller adds the step and expression text)."""

    message: str
    hint: str | None = None
    method: tuple[str, tuple[str, ...]] | None = None
    """For a method call ``x.name(a)``: ``name`` and the arguments of the same call as a function (``x``, ``a``),
    from which the validator writes a hint naming a function that exists."""


@dataclass(frozen=True)
class ParsedExpr:
    """An expression string and its AST, or the problems that kept it from parsing."""

    text: str
    tree: ast.expr | None
    problems: tuple[Problem, ...] = ()


def show(node: ast.AST) -> str:
    """The source text of a node as a person would write it (``if`` restored)."""
    return ast.unparse(node).replace(IF_NAME, "if")


def _tokens(text: str) -> list[tokenize.TokenInfo]:
    try:
        return list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return []


def _rename_if(text: str) -> str:
    """Rename the ``if`` of ``if(...)`` calls, using tokens so string literals are never touched."""
    tokens = _tokens(text)
    lines = text.split("\n")
    spots = [
        tok.start
        for tok, nxt in itertools.pairwise(tokens)
        if tok.type == tokenize.NAME and tok.string == "if" and nxt.type == tokenize.OP and nxt.string == "("
    ]
    for row, col in reversed(spots):
        line = lines[row - 1]
        lines[row - 1] = line[:col] + IF_NAME + line[col + 2 :]
    return "\n".join(lines)


def _lone_equals_fix(text: str) -> str | None:
    """When ``=`` is used for comparison, the expression with ``==`` instead; None when there is none."""
    tokens = _tokens(text)
    spots = [tok.start for tok in tokens if tok.type == tokenize.OP and tok.string == "="]
    if not spots:
        return None
    lines = text.split("\n")
    for row, col in reversed(spots):
        line = lines[row - 1]
        lines[row - 1] = line[:col] + "==" + line[col + 1 :]
    return "\n".join(lines)


_BINOPS = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
}
_BITWISE = {
    ast.BitAnd: ("&", "and"),
    ast.BitOr: ("|", "or"),
    ast.BitXor: ("^", "!="),
    ast.LShift: ("<<", None),
    ast.RShift: (">>", None),
    ast.MatMult: ("@", None),
}
_COMPARES = (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn)


class _SafetyCheck(ast.NodeTransformer):
    """Rejects everything outside the language and turns ``true``/``false`` (any case) into constants."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def fail(self, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(message, hint))

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id.lower() in ("true", "false"):
            return ast.copy_location(ast.Constant(node.id.lower() == "true"), node)
        if node.id.lower() in ("none", "null", "nan"):
            self.fail(
                f"`{node.id}` is not a value in Barb Script",
                "Missing values are null already; test "
                "them with a comparison, which is false when a value is missing.",
            )
        return node

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if node.value is None or isinstance(node.value, (bytes, complex)) or node.value is Ellipsis:
            self.fail(
                f"`{show(node)}` is not a value in Barb Script", "Use numbers, 'strings', true or false."
            )
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        if type(node.op) in _BITWISE:
            symbol, word = _BITWISE[type(node.op)]
            hint = f"Use `{word}` to combine conditions." if word in ("and", "or") else None
            self.fail(f"the operator `{symbol}` is not supported", hint)
        return self.generic_visit(node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        if isinstance(node.op, ast.Invert):
            self.fail("the operator `~` is not supported", "Use `not` to negate a condition.")
        return self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        for op in node.ops:
            if isinstance(op, (ast.Is, ast.IsNot)):
                self.fail("`is` is not supported", "Compare with `==` or `!=`.")
        for op, right in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, (ast.In, ast.NotIn)) and not isinstance(right, ast.List):
                self.fail(
                    f"`{show(right)}` after `in` must be a list literal",
                    "Write e.g. `dayofweek() in [0, 4]`.",
                )
        return self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        if isinstance(node.func, ast.Attribute):
            args = (show(node.func.value), *map(show, node.args))
            keywords = tuple(f"{kw.arg}={show(kw.value)}" for kw in node.keywords if kw.arg)
            self.problems.append(
                Problem(
                    f"method calls are not supported: `{show(node)}`",
                    "Call functions by name with the column as the first argument.",
                    method=(node.func.attr, args + keywords),
                )
            )
            for arg in node.args:
                self.visit(arg)
            return node
        if not isinstance(node.func, ast.Name):
            self.fail(
                f"`{show(node.func)}` cannot be called", "Call a function by its name, e.g. `sma(close, 20)`."
            )
            return node
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                self.fail("`*args` is not supported", "Pass each argument explicitly.")
        for kw in node.keywords:
            if kw.arg is None:
                self.fail(
                    "`**kwargs` is not supported", "Pass each argument explicitly, e.g. `rsi(close, n=5)`."
                )
        node.args = [self.visit(a) for a in node.args]
        for kw in node.keywords:
            kw.value = self.visit(kw.value)
        return node

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        self.fail(f"attribute access `{show(node)}` is not supported", "Use column and function names only.")
        return node

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        self.fail(
            f"indexing `{show(node)}` is not supported",
            "For an earlier bar use `prev(x, n)`; for a window use `rolling_max(x, n)` and the like.",
        )
        return node

    def visit_IfExp(self, node: ast.IfExp) -> ast.AST:
        self.fail(
            "`a if cond else b` is not supported",
            f"Write `if({show(node.test)}, {show(node.body)}, {show(node.orelse)})`.",
        )
        return node

    def visit_Tuple(self, node: ast.Tuple) -> ast.AST:
        self.fail(
            f"`{show(node)}` is several values where one is expected",
            "Use a list `[...]` after `in`, or put each value in its own field.",
        )
        return node

    def generic_visit(self, node: ast.AST) -> ast.AST:
        allowed = (
            ast.Expression,
            ast.BinOp,
            ast.UnaryOp,
            ast.BoolOp,
            ast.Compare,
            ast.List,
            ast.Load,
            ast.operator,
            ast.unaryop,
            ast.boolop,
            ast.cmpop,
            ast.keyword,
        )
        if not isinstance(node, allowed):
            kind = type(node).__name__
            names = {
                "Lambda": "lambdas",
                "ListComp": "comprehensions",
                "SetComp": "comprehensions",
                "DictComp": "comprehensions",
                "GeneratorExp": "comprehensions",
                "Dict": "objects",
                "Set": "sets",
                "JoinedStr": "f-strings",
                "NamedExpr": "`:=`",
                "Await": "`await`",
                "Starred": "`*`",
                "Yield": "`yield`",
                "YieldFrom": "`yield`",
                "Slice": "slices",
            }
            self.fail(
                f"{names.get(kind, kind)} are not supported in expressions",
                "Use columns, numbers, 'strings', operators and function calls.",
            )
            return node
        return super().generic_visit(node)


def parse_expression(text: str) -> ParsedExpr:
    """Parse one expression of the safe subset; problems are returned, not raised."""
    if not text.strip():
        return ParsedExpr(text, None, (Problem("the expression is empty", "Write e.g. `close > open`."),))
    if len(text) > MAX_EXPRESSION_CHARS:
        return ParsedExpr(
            text,
            None,
            (
                Problem(
                    f"the expression is longer than {MAX_EXPRESSION_CHARS} characters",
                    "Split it into several `map` columns.",
                ),
            ),
        )
    source = _rename_if(text.strip())
    try:
        tree = ast.parse(source, mode="eval").body
    except SyntaxError as exc:
        fixed = _lone_equals_fix(text.strip())
        if fixed is not None:
            return ParsedExpr(text, None, (Problem("use '==' to compare, not '='", f"Write `{fixed}`."),))
        if "&&" in text or "||" in text:
            return ParsedExpr(text, None, (Problem("`&&`/`||` are not operators here", "Use `and` / `or`."),))
        detail = (exc.msg or "invalid syntax").split(". Maybe")[0]
        where = f" at character {exc.offset}" if exc.offset else ""
        return ParsedExpr(
            text,
            None,
            (
                Problem(
                    f"syntax error{where}: {detail}",
                    "Expressions use Python syntax: `close > open and volume > 0`.",
                ),
            ),
        )
    except (ValueError, RecursionError, MemoryError):
        return ParsedExpr(text, None, (Problem("the expression cannot be parsed", "Simplify it."),))
    checker = _SafetyCheck()
    try:
        tree = checker.visit(tree)
    except RecursionError:
        return ParsedExpr(text, None, (Problem("the expression is nested too deeply", "Simplify it."),))
    return ParsedExpr(text, tree, tuple(checker.problems))


def split_select(text: str) -> list[str] | None:
    """Split a ``select`` string at its top-level commas (never inside calls); None when it does not parse."""
    source = _rename_if(text.strip())
    try:
        tree = ast.parse(source, mode="eval").body
    except SyntaxError:
        return None
    if isinstance(tree, ast.Tuple):
        return [show(element) for element in tree.elts]
    return [text.strip()]


def aggregate_name(text: str) -> str:
    """The output column name of a select item: ``count``, ``mean_r`` for ``mean(r)``, else the text."""
    parsed = parse_expression(text)
    tree = parsed.tree
    if isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name) and not tree.keywords:
        name = tree.func.id.replace(IF_NAME, "if")
        if not tree.args:
            return name
        if len(tree.args) == 1 and isinstance(tree.args[0], ast.Name):
            return f"{name}_{tree.args[0].id}"
    return text.strip()


# --------------------------------------------------------------------------------------------- the query


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

    def to_dict(self) -> dict:
        """The normalized query as JSON, as echoed in results."""
        steps = [_step_dict(step, first=i == 0) for i, step in enumerate(self.steps)]
        return {"steps": steps} if self.multi_step else steps[0]


def _step_dict(step: Step, *, first: bool) -> dict:
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


def _suggest(word: str, options: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"Did you mean `{close[0]}`? " if close else ""


class _StepParser:
    """Normalizes one step object, collecting every structural problem."""

    def __init__(self, raw: dict, label: str, errors: list[ScriptError], *, allowed: tuple[str, ...]) -> None:
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
                        f"{_suggest(key, self.allowed)}Valid: {valid}.",
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
                    f"{_suggest(str(value), TIMEFRAMES)}Valid: {', '.join(TIMEFRAMES)}.",
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
