"""The store protocol: every persistence backend (SQLite embedded, Supabase production) implements it.

Both backends subclass :class:`Store`, so the few methods written here (:meth:`Store.begin_answer`) are
declared and documented once and serve both.

Every method that touches user data takes the caller's user id and only ever sees that user's rows:
another user's conversation is indistinguishable from one that does not exist (``None``/``False``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from shared.store.models import CatalogueEntry, Conversation, Message, NewAnswer, Page, QuestionSaved

RATE_WINDOW_S = 60.0
"""The window of :meth:`Store.take_rate` (``*_RATE_PER_MINUTE``)."""


@dataclass(frozen=True)
class NewQuestion:
    """The arguments of :meth:`Store.begin_answer` after the two ids (documented there), as one value for
    each store's ``_begin_answer``."""

    question: str | None
    revises: str | None
    title: str | None
    start_run: bool
    history_after: str | None
    stale_after_s: float


class Store(Protocol):
    async def ping(self) -> None:
        """Raise if the store cannot serve."""

    # Conversations
    async def create_conversation(
        self, user_id: str, instrument: str, title: str | None = None
    ) -> Conversation: ...
    async def get_conversation(self, user_id: str, conversation_id: str) -> Conversation | None: ...
    async def list_conversations(
        self, user_id: str, *, instrument: str | None = None, limit: int = 50, cursor: str | None = None
    ) -> Page: ...
    async def rename_conversation(
        self, user_id: str, conversation_id: str, title: str
    ) -> Conversation | None: ...
    async def remove_conversation(self, user_id: str, conversation_id: str) -> bool: ...
    async def save_summary(
        self, user_id: str, conversation_id: str, summary: str, through_message_id: str
    ) -> None: ...

    # Messages
    async def begin_answer(
        self,
        user_id: str,
        conversation_id: str,
        question: str | None,
        *,
        revises: str | None = None,
        title: str | None = None,
        start_run: bool = True,
        history_after: str | None = None,
        stale_after_s: float,
    ) -> QuestionSaved:
        """Store a question before it is answered, in one transaction (one round trip in production).

        ``question`` follows the conversation's current path; with ``revises`` (a question's id) it is a new
        version of that question instead; ``question=None`` with ``revises`` answers that stored question
        again (regenerate) and stores no new one. Either way the question becomes the current leaf.
        Also sets ``title`` while the conversation still has the default one, and registers the answer's
        run when ``start_run``; returns them with the history the model replays (``QuestionSaved.history``).
        ``LookupError`` when the conversation is not one of the user's active ones or ``revises`` is not one
        of its questions; ``AnswerRunning`` (and nothing stored) when ``start_run`` and a live run is
        answering in the conversation.
        """
        asked = NewQuestion(question, revises, title, start_run, history_after, stale_after_s)
        return await self._begin_answer(user_id, conversation_id, asked)

    async def _begin_answer(self, user_id: str, conversation_id: str, asked: NewQuestion) -> QuestionSaved:
        """The store's own half of :meth:`begin_answer`, which gathers its arguments into one value."""
        ...

    async def save_answer(self, user_id: str, conversation_id: str, answer: NewAnswer) -> Message:
        """Persist an answer, its tool calls and its usage (added to the conversation's) atomically."""
        ...

    async def list_messages(self, user_id: str, conversation_id: str, *, cards: bool = True) -> list[Message]:
        """The conversation's current path in order, each message with its ``versions``; ``cards=False``
        leaves ``data`` empty (the model's replay never needs the cards, and they are most of an answer)."""
        ...

    async def select_version(self, user_id: str, conversation_id: str, message_id: str) -> bool:
        """Show ``message_id``'s branch: the current leaf becomes the newest message under it. False when it
        is not a message of the user's active conversation."""
        ...

    async def recover_answer(self, user_id: str, conversation_id: str, *, stale_after_s: float) -> bool:
        """After a crash: when the current path ends with a question no live run answers, close the
        conversation's runs and store the retryable error answer ``INTERRUPTED`` to it. True when one was
        stored."""
        ...

    # Chat runs (stoppable from any worker)
    async def request_stop(self, user_id: str, conversation_id: str, *, stale_after_s: float) -> bool:
        """Ask the conversation's live run to stop; False when nothing is running (a run that has not beaten
        for ``stale_after_s`` died with its worker)."""
        ...

    async def heartbeat(self, run_id: str) -> None:
        """Record that the run is alive (its worker beats every few seconds)."""
        ...

    async def stop_requested(self, run_id: str) -> bool: ...
    async def finish_run(self, run_id: str) -> None: ...

    # Rate limits (one sliding minute per user and bucket, across every worker and instance)
    async def take_rate(self, user_id: str, bucket: str, per_minute: int) -> float | None:
        """Count one event of ``user_id`` in ``bucket``: None when it is within ``per_minute`` over the last
        60 s (and it is recorded), else the seconds until one would be (and nothing is recorded)."""
        ...

    # Instruments
    async def list_catalogue(
        self, *, search: str | None = None, category: str | None = None
    ) -> list[CatalogueEntry]: ...
    async def get_catalogue_entry(self, symbol: str) -> CatalogueEntry | None: ...
    async def list_workspace(self, user_id: str) -> list[str]: ...
    async def add_to_workspace(self, user_id: str, symbol: str) -> None: ...
    async def remove_from_workspace(self, user_id: str, symbol: str) -> bool: ...
