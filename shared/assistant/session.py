"""One question answered end to end, with persistence: the chat stream as a transport-free generator.

Order of events (API.md): ``message_saved`` (the question is stored before the model is called),
``title_update`` (first question of a conversation with the default title), the loop's ``text_delta`` /
``tool_start`` / ``tool_end`` / ``data_block``, then ``done`` and ``persist`` once the answer, its tool
calls and usage are stored in one transaction. On failure the partial answer is stored (``persist``) and
``error`` ends the stream. A stop (requested through the store, from any worker) ends the answer early and
keeps what was produced; the run is bounded by ``chat_run_timeout_s``.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache, partial
from typing import Any
from zoneinfo import ZoneInfo

import anthropic

from shared.assistant.context import SummaryWork, replay, summarize, summary_due
from shared.assistant.loop import ChatError, ChatEvent, ModelSettings, Turn, run_chat
from shared.assistant.prompt import PromptContext, build_system
from shared.assistant.runs import LocalStops, watch_stop
from shared.assistant.tools import EngineTools, ToolRunner
from shared.background import background_work
from shared.market import Instrument, get_instrument, instrument_holidays, upcoming_events
from shared.script import StoreBars, StoreUniverse
from shared.settings import Settings
from shared.store import DEFAULT_TITLE, Conversation, MessageStatus, NewAnswer, QuestionSaved, Store

log = logging.getLogger(__name__)

TITLE_CHARS = 60
EVENT_DAYS = 14


def title_from(message: str) -> str:
    """A conversation title from its first question: the first line, cut at a word boundary."""
    line = re.sub(r"\s+", " ", message.strip().splitlines()[0] if message.strip() else "").strip()
    if len(line) <= TITLE_CHARS:
        return line or DEFAULT_TITLE
    cut = line[:TITLE_CHARS].rsplit(" ", 1)[0]
    return (cut or line[:TITLE_CHARS]).rstrip(" ,.;:-") + "…"


def exchange_today(instrument: Instrument) -> date:
    """Today in the instrument's time zone (a US evening is still that day in New York, not tomorrow in UTC)."""
    return datetime.now(ZoneInfo(instrument.timezone)).date()


@dataclass
class ChatDeps:
    """What answering needs from the outside world (tests swap the parts they control)."""

    store: Store
    settings: Settings
    client: anthropic.AsyncAnthropic | None
    bars: Any
    """The bar store: ``scan``, ``data_range``, ``is_sample`` (``shared.bars.get_bar_store()``)."""
    today: Callable[[Instrument], date] = exchange_today
    stops: LocalStops = field(default_factory=LocalStops)
    """Stop events of the runs in this process (a local shortcut to the store's flag)."""

    def tool_runner(self, instrument: Instrument, user_id: str) -> ToolRunner:
        """The tools of ``user_id``'s conversation on ``instrument`` (screens may cover their workspace)."""
        return EngineTools(
            instrument,
            StoreBars(self.bars, instrument.symbol),
            self.settings.query_timeout_s,
            universe=StoreUniverse(self.bars),
            workspace=partial(self.store.list_workspace, user_id),
        )


def _calendar_ahead(instrument: Instrument, today: date) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Scheduled events and closures in the next :data:`EVENT_DAYS` days, one line each."""
    horizon = today + timedelta(days=EVENT_DAYS)
    holidays = [
        h
        for year in {today.year, horizon.year}
        for h in instrument_holidays(instrument, year)
        if today <= h.date <= horizon
    ]
    events = tuple(
        f"{o.date.isoformat()} {o.event.name} ({o.event.impact} impact"
        + (f", {o.event.time}" if o.event.time else "")
        + ")"
        for o in upcoming_events(instrument, today, EVENT_DAYS)
    )
    closures = tuple(
        f"{h.date.isoformat()} {h.name} ("
        + ("closed" if h.kind == "closed" else f"early close {h.close_time:%H:%M}")
        + ")"
        for h in holidays
    )
    return events, closures


@lru_cache(maxsize=256)
def _calendar_lines(symbol: str, today: date) -> tuple[tuple[str, ...], tuple[str, ...]]:
    # Keyed by symbol (an Instrument is not hashable): the calendars are fixed rules, so a day's lines never
    # change, and computing them costs more than the rest of a request's prompt.
    instrument = get_instrument(symbol)
    assert instrument is not None
    return _calendar_ahead(instrument, today)


def calendar_ahead(instrument: Instrument, today: date) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The upcoming events and closures of ``instrument`` from ``today`` (cached per symbol and day)."""
    return _calendar_lines(instrument.symbol, today)


def prompt_context(deps: ChatDeps, instrument: Instrument, summary: str | None) -> PromptContext:
    """Today's context for the system prompt: the date and the data range are read for every request."""
    today = deps.today(instrument)
    symbol = instrument.symbol
    try:
        data_range = deps.bars.data_range(symbol) if symbol in deps.bars.symbols() else None
        is_sample = data_range is not None and deps.bars.is_sample(symbol)
    except Exception:  # the bucket being down must not stop the answer: the model is told there is no data
        log.warning("bar store unavailable while building the prompt", exc_info=True)
        data_range, is_sample = None, False
    events, holidays = calendar_ahead(instrument, today)
    return PromptContext(
        today=today,
        data_range=data_range,
        is_sample=is_sample,
        events=events,
        holidays=holidays,
        summary=summary,
    )


async def _update_summary(deps: ChatDeps, user_id: str, conversation_id: str, work: SummaryWork) -> None:
    """Fold old turns into the rolling summary (best effort: failures are only logged)."""
    assert deps.client is not None
    try:
        summary = await summarize(deps.client, deps.settings.anthropic_model, work)
        if summary:
            await deps.store.save_summary(user_id, conversation_id, summary, work.through_id)
    except Exception:
        log.warning("rolling summary of conversation %s failed", conversation_id, exc_info=True)


@dataclass(frozen=True)
class Begun:
    """A stored question, ready to be answered (or refused with ``refusal``)."""

    saved: QuestionSaved
    title: str | None
    refusal: ChatError | None


async def begin(
    deps: ChatDeps,
    user_id: str,
    conversation: Conversation,
    question: str | None,
    *,
    revises: str | None = None,
) -> Begun:
    """Store the question and register its run (``question``/``revises`` as in ``Store.begin_answer``: a new
    question, a new version of one, or ``question=None`` to answer ``revises`` again).

    Raises ``AnswerRunning`` (nothing stored) while another answer is being written in the conversation, and
    ``LookupError`` when the conversation is gone or ``revises`` is not one of its questions. A question an
    earlier, dead worker left unanswered first gets its error answer, so it is not lost behind the new one.
    """
    store, settings = deps.store, deps.settings
    if deps.client is None or not settings.llm_configured:
        refusal: ChatError | None = ChatError(
            "LLM_NOT_CONFIGURED",
            "The assistant is not configured on this server (no ANTHROPIC_API_KEY). Your question was saved.",
            False,
        )
    elif get_instrument(conversation.instrument) is None:
        refusal = ChatError(
            "INSTRUMENT_UNKNOWN", f"{conversation.instrument} is not a known instrument.", False
        )
    else:
        refusal = None
    title = title_from(question) if question is not None and conversation.title == DEFAULT_TITLE else None
    await store.recover_answer(user_id, conversation.id, stale_after_s=settings.chat_run_stale_s)
    saved = await store.begin_answer(
        user_id,
        conversation.id,
        question,
        revises=revises,
        title=title,
        start_run=refusal is None,
        # The conversation was read by the caller just before: its summary is current.
        history_after=conversation.summary_through,
        stale_after_s=settings.chat_run_stale_s,
    )
    return Begun(saved, title, refusal)


async def answer(
    deps: ChatDeps, user_id: str, conversation: Conversation, question: str
) -> AsyncIterator[ChatEvent]:
    """:func:`begin`, then :func:`continue_answer` (a conversation gone in between ends with an error)."""
    try:
        begun = await begin(deps, user_id, conversation, question)
    except LookupError:  # removed between the request's check and now
        yield ChatError("NOT_FOUND", "Conversation not found.", False).event()
        return
    async for event in continue_answer(deps, user_id, conversation, begun):
        yield event


async def continue_answer(
    deps: ChatDeps, user_id: str, conversation: Conversation, begun: Begun
) -> AsyncIterator[ChatEvent]:
    """Answer a stored question with the tool loop and store the answer; see the module doc."""
    store, settings, saved = deps.store, deps.settings, begun.saved
    yield ChatEvent("message_saved", {"message_id": saved.message.id})
    if saved.title_set:
        yield ChatEvent("title_update", {"title": begun.title})
    if begun.refusal is not None:  # stored as the question's error answer, like any failure
        async for event in _persist(deps, user_id, conversation, Turn(error=begun.refusal), saved, None):
            yield event
        return
    instrument = get_instrument(conversation.instrument)
    run_id = saved.run_id
    assert instrument is not None and deps.client is not None and run_id is not None  # no refusal

    history = saved.history  # what the rolling summary does not cover
    # A question on another branch than the summarised turns (an edit above them) replays its whole path.
    summary, through = (
        (conversation.summary, conversation.summary_through) if saved.after_summary else (None, None)
    )
    system = build_system(instrument, prompt_context(deps, instrument, summary))
    messages = replay(history, summary_through=through)
    # The answer joins the last turn, so whether a summary is due is known before the model is called.
    summary_work = summary_due(history, through, summary)
    model = ModelSettings(
        settings.anthropic_model,
        settings.anthropic_max_tokens,
        settings.anthropic_temperature,
        settings.chat_max_rounds,
    )
    turn = Turn()
    stop = deps.stops.register(conversation.id)
    watcher = asyncio.ensure_future(watch_stop(store, run_id, stop, settings.chat_run_stale_s / 4))
    try:
        async with asyncio.timeout(settings.chat_run_timeout_s):
            async for event in run_chat(
                deps.client,
                system=system,
                messages=messages,
                tools=deps.tool_runner(instrument, user_id),
                settings=model,
                turn=turn,
                stop=stop,
            ):
                if event.name != "error":  # the loop's error is reported after persisting
                    yield event
    except TimeoutError:
        turn.error = ChatError("CHAT_TIMEOUT", "The answer took too long and was cut short.", True)
    except Exception:
        log.exception("chat run failed")
        turn.error = ChatError("INTERNAL", "The answer failed because of an internal error.", True)
    finally:
        watcher.cancel()
        deps.stops.release(conversation.id, stop)
        await store.finish_run(run_id)

    async for event in _persist(deps, user_id, conversation, turn, saved, summary_work):
        yield event


async def _persist(
    deps: ChatDeps,
    user_id: str,
    conversation: Conversation,
    turn: Turn,
    saved: QuestionSaved,
    summary_work: SummaryWork | None,
) -> AsyncIterator[ChatEvent]:
    """Store the answer to ``saved``'s question — an error too, even with nothing produced, so a reload shows
    it and can offer the retry — then report it (``done`` only for a finished answer, ``persist``, ``error``)."""
    stop_reason = turn.stop_reason
    status: MessageStatus = "error" if turn.error else "partial" if stop_reason == "stopped" else "complete"
    record = NewAnswer(
        content=turn.answer,
        data=turn.cards,
        tool_calls=turn.tool_calls,
        usage=turn.usage,
        status=status,
        error=turn.error.message if turn.error else None,
        error_code=turn.error.code if turn.error else None,
        retryable=turn.error.retryable if turn.error else False,
        reply_to=saved.message.id,
    )
    try:
        stored = await deps.store.save_answer(user_id, conversation.id, record)
        message_id: str | None = stored.id
        persisted: dict[str, Any] = {"message_id": stored.id, "persisted": True}
    except Exception as exc:
        log.exception("saving the answer failed")
        message_id = None
        persisted = {
            "message_id": None,
            "persisted": False,
            "reason": f"The answer could not be saved ({type(exc).__name__}).",
        }
    log.info(
        "answer %s: %s, %d rounds, %d tool calls, %d+%d tokens (cache %d read, %d written), $%.4f",
        message_id,
        status,
        turn.rounds,
        len(turn.tool_calls),
        turn.usage.input_tokens,
        turn.usage.output_tokens,
        turn.usage.cache_read_tokens,
        turn.usage.cache_write_tokens,
        turn.usage.cost_usd,
    )
    if turn.error is None:
        usage = turn.usage.model_dump()
        yield ChatEvent(
            "done",
            {"message_id": message_id, "answer": turn.answer, "usage": usage, "stop_reason": stop_reason},
        )
    yield ChatEvent("persist", persisted)
    if message_id is not None and turn.error is None and summary_work is not None:
        # Off the stream: the client has everything once it sees `persist`.
        background_work().spawn(_update_summary(deps, user_id, conversation.id, summary_work))
    if turn.error is not None:
        yield turn.error.event()
