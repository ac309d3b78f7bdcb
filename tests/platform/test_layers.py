"""Imports point one way: from the function apps down to the data store, with no cycle anywhere.

The layers, top to bottom (a module may import its own layer or any below it, never above):

    functions
    shared.web, shared.cli, shared.mcp     the edges
    shared.assistant                       the chat
    shared.backtest, shared.catalogue,     what the chat and the edges use
    shared.health_checks
    shared.script, shared.store, shared.ingest, shared.bars
    shared.market, shared.settings, ...    facts, configuration, the error root, the caller
    data_store                             bars from the bucket
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OURS = ("shared", "functions", "data_store")
LAYERS: dict[str, int] = {
    "functions": 6,
    "shared.web": 5,
    "shared.cli": 5,
    "shared.mcp": 5,
    "shared.assistant": 4,
    "shared.backtest": 3,
    "shared.catalogue": 3,
    "shared.health_checks": 3,
    "shared.script": 2,
    "shared.store": 2,
    "shared.ingest": 2,
    "shared.bars": 2,
    "shared.market": 1,
    "shared.settings": 1,
    "shared.secrets": 1,
    "shared.background": 1,
    "shared.errors": 1,
    "shared.identity": 1,
    "shared.lazy": 1,
    "data_store": 0,
}


def _modules() -> dict[str, Path]:
    found = {}
    for base in OURS:
        for path in (REPO / base).rglob("*.py"):
            parts = list(path.relative_to(REPO).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _imports(path: Path) -> Iterator[str]:
    """Every module of ours that ``path`` imports, at the top or inside a function."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.split(".")[0] in OURS)
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in OURS:
            # `from shared.script import compile` may name a module or a name in the package.
            yield from (f"{node.module}.{a.name}" for a in node.names)
            yield node.module


def _layer(module: str) -> str:
    parts = module.split(".")
    return (
        "functions" if parts[0] == "functions" else ".".join(parts[:2]) if parts[0] == "shared" else parts[0]
    )


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = defaultdict(set)
    for module, path in modules.items():
        graph[module] |= {target for target in _imports(path) if target in modules and target != module}
    return graph


def test_every_package_has_a_layer() -> None:
    assert {_layer(m) for m in _modules()} - {"shared", "functions.__init__"} <= set(LAYERS)


def test_no_module_imports_a_higher_layer() -> None:
    upward = sorted(
        f"{module} -> {target}"
        for module, targets in _graph().items()
        for target in targets
        if module != "shared" and LAYERS[_layer(target)] > LAYERS[_layer(module)]
    )
    assert upward == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles of ``graph`` (each as the modules along it, the first repeated at the end)."""
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    return cycles


def test_no_import_cycle() -> None:
    graph = _graph()
    # A package's __init__ re-exports its modules: an edge from a module to its own package is not a cycle.
    assert _cycles({m: {t for t in ts if not m.startswith(f"{t}.")} for m, ts in graph.items()}) == []


def test_the_checks_see_an_upward_import_and_a_cycle(tmp_path: Path) -> None:
    """The graph is read from the code, and a cycle anywhere in it is found."""
    planted = tmp_path / "m.py"
    planted.write_text("def f():\n    from functions.query.app import app\nimport data_store.layout\n")
    assert set(_imports(planted)) >= {"functions.query.app", "data_store.layout"}
    assert LAYERS[_layer("functions.query.app")] > LAYERS[_layer("shared.store.sqlite")]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []
