"""The chat function: ``POST /api/chat/stream`` (SSE) and ``POST /api/chat/{conversation_id}/stop``."""

from __future__ import annotations

from starlette.routing import BaseRoute

from shared.web.app import build_app

routes: list[BaseRoute] = []
app = build_app(routes)
