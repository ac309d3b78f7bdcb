"""What the store holds: conversations, messages, tool calls, the user's workspace."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

DEFAULT_TITLE = "New chat"
Role = Literal["user", "assistant"]
MessageStatus = Literal["complete", "partial", "error"]


class Usage(BaseModel):
    """Token usage and cost of one answer (or the sum over a conversation)."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    cost_usd: float = 0.0

    def __add__(self, other: Usage) -> Usage:
        return Usage(**{name: getattr(self, name) + getattr(other, name) for name in Usage.model_fields})


class ConversationView(BaseModel):
    """A conversation as clients see it."""

    id: str
    instrument: str
    title: str
    status: Literal["active", "removed"] = "active"
    usage: Usage = Field(default_factory=Usage)
    created_at: datetime
    updated_at: datetime


class Conversation(ConversationView):
    """A stored conversation: what clients see plus its owner and the bookkeeping of the model and the tree."""

    user_id: str
    summary: str | None = None
    """Rolling summary of the turns older than the context window (for the model, never shown as a message)."""
    summary_through: str | None = None
    """Id of the last message the summary covers."""
    current_leaf: str | None = None
    """The last message of the path the conversation reads as (see ``shared.store.thread``); None: the newest."""


class NewToolCall(BaseModel):
    """A tool call to persist with an answer."""

    tool_use_id: str
    tool_name: str
    title: str | None = None
    input: dict[str, Any]
    output_summary: str | None = None
    error: str | None = None
    duration_ms: int | None = None


class ToolCall(NewToolCall):
    """A stored tool call: what was persisted plus its id, its answer's id and when it was stored."""

    id: str
    message_id: str
    created_at: datetime


INTERRUPTED_CODE = "INTERRUPTED"
INTERRUPTED_ERROR = "The answer was interrupted (the server stopped while answering). Ask again."
"""The error answer a question gets when the worker answering it went away (``Store.recover_answer``)."""


class Message(BaseModel):
    id: str
    conversation_id: str
    role: Role
    content: str
    data: list[dict[str, Any]] = Field(default_factory=list)
    """Data cards shown with the message (tables, charts), in the order their tools ran."""
    usage: Usage | None = None
    status: MessageStatus = "complete"
    error: str | None = None
    error_code: str | None = None
    """What went wrong, for programs (``LLM_UNAVAILABLE``, ``INTERRUPTED``…), when ``status`` is ``error``."""
    retryable: bool = False
    """Whether asking the same question again may succeed (the SPA offers a retry)."""
    reply_to: str | None = None
    """The message this one follows: an answer's question, a question's previous answer (None: the first)."""
    versions: list[str] = Field(default_factory=list)
    """This message's versions, itself included, oldest first: the other answers to its question (regenerate),
    or the other wordings of a question (edit). Choosing one shows its branch of the conversation."""
    created_at: datetime
    tool_calls: list[ToolCall] = Field(default_factory=list)


class QuestionSaved(BaseModel):
    """What :meth:`~shared.store.base.Store.begin_answer` stored, and what the answer needs next."""

    message: Message
    """The stored question."""
    title_set: bool
    """Whether the question's title replaced the default one."""
    run_id: str | None
    """The answer's run (stoppable from any worker), when one was started."""
    history: list[Message]
    """The path to the question without the cards, the question last (what the model replays): the messages
    after ``history_after`` when it is on the path, else all of them."""
    after_summary: bool
    """Whether ``history`` starts after ``history_after`` (so the rolling summary covers what comes before);
    False when it is the whole path, e.g. after an edit above the summarised turns."""


class NewAnswer(BaseModel):
    """An assistant answer with everything that is persisted together with it, in one transaction."""

    content: str
    data: list[dict[str, Any]] = Field(default_factory=list)
    tool_calls: list[NewToolCall] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    status: MessageStatus = "complete"
    error: str | None = None
    error_code: str | None = None
    retryable: bool = False
    reply_to: str | None = None
    """The question answered (``QuestionSaved.message.id``); None: the conversation's current leaf."""


class Page(BaseModel):
    items: list[Conversation]
    next_cursor: str | None = None


class CatalogueEntry(BaseModel):
    """An instrument row as the catalogue tables hold it (``instrument_full`` in production)."""

    symbol: str
    name: str
    exchange: str
    exchange_name: str
    type: str
    category: str
    currency: str
    timezone: str
    default_session: str
    sessions: dict[str, list[str]]
    tick_size: float
    tick_value: float
    point_value: float
    calendar: str
    events: list[str]
    notes: str | None = None
