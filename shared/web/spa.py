"""Serving the built SPA (``front/dist``) from the container, with a fallback to ``index.html``.

Client-side routes (``/i/NQ/c/123``) get the app shell; API paths never do: an unknown ``/api/...`` is the
API's JSON 404, not an HTML page. The shell carries the SPA's Content-Security-Policy (built once, with the
hashes of the build's inline scripts); every other response gets the API's from the security middleware.
"""

from __future__ import annotations

from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from shared.settings import get_settings
from shared.web.security import spa_policy

_API_PREFIXES = ("api/", "auth/", "health")


def spa_routes(dist: Path) -> list[BaseRoute]:
    """Routes serving ``dist`` (hashed assets cached for a year, everything else falls back to the shell)."""
    index = dist / "index.html"
    html = index.read_text(encoding="utf-8") if index.is_file() else ""
    shell_headers = {"Cache-Control": "no-cache", "Content-Security-Policy": spa_policy(get_settings(), html)}

    async def shell(request: Request) -> Response:
        path = request.path_params["path"]
        if path.startswith(_API_PREFIXES):
            raise HTTPException(404)  # the same answer as any unknown API route
        candidate = (dist / path).resolve()
        if (
            path
            and candidate.is_file()
            and candidate.is_relative_to(dist.resolve())
            and candidate != index.resolve()
        ):
            return FileResponse(candidate)
        return FileResponse(index, headers=shell_headers)

    class _ImmutableFiles(StaticFiles):
        async def get_response(self, path: str, scope):  # type: ignore[no-untyped-def]
            response = await super().get_response(path, scope)
            if response.status_code == 200:
                response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
            return response

    return [
        Mount("/assets", app=_ImmutableFiles(directory=dist / "assets", check_dir=False), name="assets"),
        Route("/{path:path}", shell, methods=["GET", "HEAD"]),
    ]
