"""Barb Script expressions: an expression string → a safe AST, and the helpers that read one.

Nothing here reads data or looks up functions: a problem is a :class:`Problem` value, so the validator can
report every problem of a query at once. The query's JSON around the expressions is ``shared.script.query``'s.
"""

from __future__ import annotations

import ast
import io
import itertools
import tokenize
from dataclasses import dataclass

MAX_EXPRESSION_CHARS = 2_000
IF_NAME = "__if__"
"""``if`` is a Python keyword, so ``if(`` is renamed before parsing and shown as ``if`` again in messages."""


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

    def reject(self, node: ast.AST, message: str, hint: str) -> ast.AST:
        """Record why ``node`` is outside the language and keep it unvisited (one problem per construct)."""
        self.fail(message, hint)
        return node

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
            return self.reject(
                node,
                f"`{show(node.func)}` cannot be called",
                "Call a function by its name, e.g. `sma(close, 20)`.",
            )
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
        return self.reject(
            node, f"attribute access `{show(node)}` is not supported", "Use column and function names only."
        )

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        hint = "For an earlier bar use `prev(x, n)`; for a window use `rolling_max(x, n)` and the like."
        return self.reject(node, f"indexing `{show(node)}` is not supported", hint)

    def visit_IfExp(self, node: ast.IfExp) -> ast.AST:
        hint = f"Write `if({show(node.test)}, {show(node.body)}, {show(node.orelse)})`."
        return self.reject(node, "`a if cond else b` is not supported", hint)

    def visit_Tuple(self, node: ast.Tuple) -> ast.AST:
        hint = "Use a list `[...]` after `in`, or put each value in its own field."
        return self.reject(node, f"`{show(node)}` is several values where one is expected", hint)

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
            return self.reject(
                node,
                f"{names.get(kind, kind)} are not supported in expressions",
                "Use columns, numbers, 'strings', operators and function calls.",
            )
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
