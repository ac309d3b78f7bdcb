"""Conversations and their messages: create, list (paginated), read, rename, soft delete."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from shared.catalogue import require_instrument
from shared.errors import BarbError, not_found
from shared.health_checks import SERVICE_CHECKS
from shared.settings import get_settings
from shared.store import Conversation, ConversationView, InvalidCursor, Message, get_store
from shared.web import accepts, build_app, parse_body, query_params, require_user, returns


class NewConversation(BaseModel):
    instrument: str = Field(min_length=1, max_length=20)
    title: str | None = Field(default=None, max_length=200)


class Rename(BaseModel):
    title: str = Field(min_length=1, max_length=200)

    @field_validator("title")
    @classmethod
    def _strip(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the title cannot be blank")
        return value.strip()


class ListParams(BaseModel):
    instrument: str | None = None
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = None


class ConversationPage(BaseModel):
    conversations: list[ConversationView]
    next_cursor: str | None


class MessageList(BaseModel):
    messages: list[Message]


def public(conversation: Conversation) -> dict[str, Any]:
    """A conversation as clients see it: the fields of :class:`ConversationView` (the current path's bookkeeping,
    the model's rolling summary and the owner's id stay inside)."""
    return conversation.model_dump(mode="json", include=set(ConversationView.model_fields))


@accepts(body=NewConversation)
@returns(ConversationView, status=201)
async def create(request: Request) -> JSONResponse:
    """Start a conversation about `{instrument}` (201)."""
    user = await require_user(request)
    body = await parse_body(request, NewConversation)
    entry = await require_instrument(body.instrument)
    conversation = await get_store().create_conversation(user.id, entry.symbol, body.title)
    return JSONResponse(public(conversation), status_code=201)


@accepts(query=ListParams)
@returns(ConversationPage)
async def list_conversations(request: Request) -> JSONResponse:
    """The caller's conversations, newest activity first (`?instrument=&limit=&cursor=`)."""
    user = await require_user(request)
    params = query_params(request, ListParams)
    try:
        page = await get_store().list_conversations(
            user.id, instrument=params.instrument, limit=params.limit, cursor=params.cursor
        )
    except InvalidCursor:
        raise BarbError(422, "VALIDATION_ERROR", "The cursor is not valid; start again without it.") from None
    return JSONResponse({"conversations": [public(c) for c in page.items], "next_cursor": page.next_cursor})


async def _owned(request: Request) -> tuple[str, str]:
    user = await require_user(request)
    conversation_id = request.path_params["conversation_id"]
    if await get_store().get_conversation(user.id, conversation_id) is None:
        raise not_found("Conversation")
    return user.id, conversation_id


@returns(ConversationView)
async def read(request: Request) -> JSONResponse:
    """One conversation."""
    user_id, conversation_id = await _owned(request)
    conversation = await get_store().get_conversation(user_id, conversation_id)
    assert conversation is not None
    return JSONResponse(public(conversation))


@accepts(body=Rename)
@returns(ConversationView)
async def rename(request: Request) -> JSONResponse:
    """Rename a conversation (`{title}`)."""
    user_id, conversation_id = await _owned(request)
    body = await parse_body(request, Rename)
    conversation = await get_store().rename_conversation(user_id, conversation_id, body.title)
    if conversation is None:
        raise not_found("Conversation")
    return JSONResponse(public(conversation))


@returns(None, status=204)
async def remove(request: Request) -> Response:
    """Soft-delete a conversation: it disappears and can no longer be chatted in."""
    user_id, conversation_id = await _owned(request)
    await get_store().remove_conversation(user_id, conversation_id)
    return Response(status_code=204)


async def _current_path(user_id: str, conversation_id: str) -> JSONResponse:
    store = get_store()
    await store.recover_answer(user_id, conversation_id, stale_after_s=get_settings().chat_run_stale_s)
    items = await store.list_messages(user_id, conversation_id)
    return JSONResponse(MessageList(messages=items).model_dump(mode="json"))


@returns(MessageList)
async def messages(request: Request) -> JSONResponse:
    """The conversation's messages, oldest first, with their data cards, tool calls and versions.

    The messages are the conversation's current path: where an answer was regenerated or a question edited,
    the message shown is the chosen version and ``versions`` lists them all (oldest first). A question whose
    answer died with its worker gets its error answer (``INTERRUPTED``, retryable) first.
    """
    user_id, conversation_id = await _owned(request)
    return await _current_path(user_id, conversation_id)


@returns(MessageList)
async def select_version(request: Request) -> JSONResponse:
    """Show a version of a message: the conversation continues down its branch; returns the new messages.

    ``message_id`` is any id from a message's ``versions``; what follows it is its newest continuation.
    Nothing is deleted: the other versions stay one step away. 404 when it is not a message of the conversation.
    """
    user_id, conversation_id = await _owned(request)
    if not await get_store().select_version(user_id, conversation_id, request.path_params["message_id"]):
        raise not_found("Message")
    return await _current_path(user_id, conversation_id)


routes: list[BaseRoute] = [
    Route("/api/conversations", create, methods=["POST"]),
    Route("/api/conversations", list_conversations, methods=["GET"]),
    Route("/api/conversations/{conversation_id}", read, methods=["GET"]),
    Route("/api/conversations/{conversation_id}", rename, methods=["PATCH"]),
    Route("/api/conversations/{conversation_id}", remove, methods=["DELETE"]),
    Route("/api/conversations/{conversation_id}/messages", messages, methods=["GET"]),
    Route(
        "/api/conversations/{conversation_id}/messages/{message_id}/select", select_version, methods=["POST"]
    ),
]
app = build_app(routes, checks=SERVICE_CHECKS)
