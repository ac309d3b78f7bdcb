"""The container app: every function's routes, plus the built SPA, in one Starlette app.

Functions are discovered from the ``functions`` package (each subpackage with an ``app`` module that
defines ``routes``), so a new function is served here as soon as its folder exists.
"""

from __future__ import annotations

import gc
import importlib
import pkgutil
from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import BaseRoute

import functions
from shared.web.app import build_app
from shared.web.spa import spa_routes

SPA_DIST = Path(__file__).resolve().parent / "front" / "dist"


def function_routes() -> list[BaseRoute]:
    """The routes of every function, in package order."""
    routes: list[BaseRoute] = []
    for info in sorted(pkgutil.iter_modules(functions.__path__), key=lambda m: m.name):
        if info.ispkg and importlib.util.find_spec(f"functions.{info.name}.app") is not None:
            routes += importlib.import_module(f"functions.{info.name}.app").routes
    return routes


def create_app() -> Starlette:
    """The container app; serves the SPA too when ``front/dist`` has been built."""
    spa = spa_routes(SPA_DIST) if (SPA_DIST / "index.html").is_file() else []
    return build_app(function_routes(), fallback=spa)


app = create_app()
# What is imported by now lives as long as the process: keep it out of the collector's full passes, which
# otherwise walk some 200 000 objects (over 100 ms, with every open stream paused).
gc.freeze()
