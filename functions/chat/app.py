"""The chat function: ``POST /api/chat/stream`` (SSE) and ``POST /api/chat/{conversation_id}/stop``.

An answer runs as a background task (``shared.assistant.runs``), decoupled from the response, which only
relays its events: a client that disconnects does not stop the answer; it runs to completion (bounded by
``chat_run_timeout_s``) and is stored. Stopping goes through the store, so any worker can stop any run.
"""

from __future__ import annotations

import asyncio
import weakref
from dataclasses import replace

import anthropic
from pydantic import BaseModel, Field, field_validator, model_validator
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from shared.assistant import BackgroundRun, ChatDeps, begin, continue_answer, request_stop
from shared.bars import get_bar_store
from shared.errors import not_found
from shared.health_checks import SERVICE_CHECKS
from shared.lazy import singleton
from shared.settings import get_settings
from shared.store import get_store
from shared.web import accepts, build_app, check_rate, parse_body, require_user, returns, sse_response


class ChatRequest(BaseModel):
    conversation_id: str = Field(min_length=1, max_length=100)
    message: str | None = Field(default=None, min_length=1, max_length=10_000)
    """The question; omitted (with ``revises``) to answer the ``revises`` question again."""
    revises: str | None = Field(default=None, min_length=1, max_length=100)
    """A question's id: ``message`` is a new version of it (edit), or without ``message`` it is answered again
    (regenerate). The earlier versions stay, one ``versions`` arrow away."""

    @field_validator("message")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("the message cannot be blank")
        return value

    @model_validator(mode="after")
    def _asks_something(self) -> ChatRequest:
        if self.message is None and self.revises is None:
            raise ValueError("send a message, or the id of the question to answer again as revises")
        return self


@singleton
def chat_deps() -> ChatDeps:
    """The process's chat dependencies (``reset_singletons()`` drops them after a settings change)."""
    return ChatDeps(store=get_store(), settings=get_settings(), client=None, bars=get_bar_store())


@singleton
def _anthropic_clients() -> weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anthropic.AsyncAnthropic]:
    """One Anthropic client per event loop (entries go away with their loop)."""
    return weakref.WeakKeyDictionary()


def request_deps() -> ChatDeps:
    """The chat dependencies with an Anthropic client of the running event loop (None without a key).

    The client's connection pool belongs to the loop it was first used on, so each loop gets its own (one
    in a uvicorn worker; Mangum and tests may run several).
    """
    deps = chat_deps()
    if not deps.settings.llm_configured:
        return deps
    clients = _anthropic_clients()
    loop = asyncio.get_running_loop()
    client = clients.get(loop)
    if client is None:
        client = anthropic.AsyncAnthropic(
            api_key=deps.settings.secret("anthropic_api_key"), base_url=deps.settings.anthropic_base_url
        )
        clients[loop] = client
    return replace(deps, client=client)


@accepts(body=ChatRequest)
@returns(None, media_type="text/event-stream")
async def stream(request: Request) -> Response:
    """Ask a question in a conversation; the answer streams as Server-Sent Events.

    Body ``{conversation_id, message, revises}``: ``message`` (1–10 000 characters) follows the conversation;
    with ``revises`` (a question's id) it is a new version of that question, and ``revises`` alone answers
    that question again; either way the earlier version is kept in ``versions``. Events in order: ``message_saved``,
    ``title_update``, ``text_delta``, ``tool_start``, ``tool_end``, ``data_block``, ``done``, ``persist``;
    ``error`` ends the stream early. A comment ``: connected`` comes at once and ``: ping`` after 15 s of silence.
    404 for a removed or another user's conversation or a ``revises`` that is not one of its questions, 409 ``ANSWER_RUNNING`` while another answer is being
    written in it, 429 when the per-user rate limit is reached.
    """
    user = await require_user(request)
    body = await parse_body(request, ChatRequest)
    deps = request_deps()
    await check_rate(user.id, "chat", deps.settings.chat_rate_per_minute)
    conversation = await deps.store.get_conversation(user.id, body.conversation_id)
    if conversation is None:
        raise not_found("Conversation")
    try:  # before the stream starts, so a second answer in the conversation is a plain 409 ANSWER_RUNNING
        begun = await begin(deps, user.id, conversation, body.message, revises=body.revises)
    except LookupError:
        raise not_found("Question" if body.revises else "Conversation") from None
    run = BackgroundRun(continue_answer(deps, user.id, conversation, begun))
    return await sse_response(request, run.batches())


class Stopping(BaseModel):
    conversation_id: str
    stopping: bool
    """False when no answer was running."""


@returns(Stopping)
async def stop(request: Request) -> JSONResponse:
    """Stop the answer in progress in a conversation; what was produced so far is kept and stored.

    Works from any worker (the request is recorded in the store). Returns ``{conversation_id, stopping}``,
    ``stopping`` false when no answer was running.
    """
    user = await require_user(request)
    deps = chat_deps()
    conversation_id = request.path_params["conversation_id"]
    if await deps.store.get_conversation(user.id, conversation_id) is None:
        raise not_found("Conversation")
    stopping = await request_stop(
        deps.store, deps.stops, user.id, conversation_id, stale_after_s=deps.settings.chat_run_stale_s
    )
    return JSONResponse({"conversation_id": conversation_id, "stopping": stopping})


routes: list[BaseRoute] = [
    Route("/api/chat/stream", stream, methods=["POST"]),
    Route("/api/chat/{conversation_id}/stop", stop, methods=["POST"]),
]
app = build_app(routes, checks=SERVICE_CHECKS)
