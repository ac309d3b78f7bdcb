"""Barb's functions: each subpackage with an ``app`` module is one function (its routes, app and handler)."""

from __future__ import annotations

import importlib.util
import pkgutil

from starlette.routing import BaseRoute


def names() -> list[str]:
    """The function folders, in package order."""
    return sorted(
        info.name
        for info in pkgutil.iter_modules(__path__)
        if info.ispkg and importlib.util.find_spec(f"{__name__}.{info.name}.app") is not None
    )


def all_routes() -> list[BaseRoute]:
    """The routes of every function, in package order (imports every function's app)."""
    routes: list[BaseRoute] = []
    for name in names():
        routes += importlib.import_module(f"{__name__}.{name}.app").routes
    return routes
