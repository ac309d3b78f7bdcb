"""The container app: every function's routes, plus the built SPA, in one Starlette app.

Functions are discovered from the ``functions`` package (each subpackage with an ``app`` module that
defines ``routes``), so a new function is served here as soon as its folder exists.
"""

from __future__ import annotations

import gc
import logging

from starlette.applications import Starlette

import functions
from shared.health_checks import SERVICE_CHECKS
from shared.settings import get_settings
from shared.web import build_app, spa_routes


def create_app() -> Starlette:
    """The container app; serves the SPA too when ``SPA_DIR`` (``front/dist``) holds a build."""
    spa_dir = get_settings().spa_dir
    if (spa_dir / "index.html").is_file():
        return build_app(functions.all_routes(), fallback=spa_routes(spa_dir), checks=SERVICE_CHECKS)
    logging.getLogger("barb.server").warning(
        "no SPA build at %s (build front/ or set SPA_DIR): serving the API only", spa_dir.resolve()
    )
    return build_app(functions.all_routes(), checks=SERVICE_CHECKS)


app = create_app()
# What is imported by now lives as long as the process: keep it out of the collector's full passes, which
# otherwise walk some 200 000 objects (over 100 ms, with every open stream paused).
gc.freeze()
