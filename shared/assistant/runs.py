"""A chat run's lifecycle outside the answer itself: it runs in the background, beats, and can be stopped.

An answer runs as a task of its own (:class:`BackgroundRun`), decoupled from the response that relays its
events, so a client that disconnects does not stop it. While it runs, :func:`watch_stop` beats in the store
(every worker sees the run is alive) and polls the store's stop flag (any worker can stop it);
:class:`LocalStops` lets a stop that arrives at the run's own process act at once instead of at the next poll.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from shared.assistant.loop import ChatEvent
from shared.background import background_work
from shared.store import Store

log = logging.getLogger(__name__)

STOP_POLL_S = 0.5
"""How often a running answer asks the store whether a stop was requested (from any worker)."""


class LocalStops:
    """The stop events of the runs in this process, by conversation (a shortcut to the store's flag)."""

    def __init__(self) -> None:
        self._events: dict[str, asyncio.Event] = {}

    def register(self, conversation_id: str) -> asyncio.Event:
        """A new stop event for the run starting in ``conversation_id``."""
        event = asyncio.Event()
        self._events[conversation_id] = event
        return event

    def release(self, conversation_id: str, event: asyncio.Event) -> None:
        """Forget ``event`` once its run ended (unless a newer run of the conversation replaced it)."""
        if self._events.get(conversation_id) is event:
            del self._events[conversation_id]

    def signal(self, conversation_id: str) -> bool:
        """Stop the conversation's run now if it runs in this process; whether one did."""
        event = self._events.get(conversation_id)
        if event is not None:
            event.set()
        return event is not None


async def request_stop(
    store: Store, stops: LocalStops, user_id: str, conversation_id: str, *, stale_after_s: float
) -> bool:
    """Ask the conversation's live run to stop, wherever it runs; False when none is running (a run that has
    not beaten for ``stale_after_s`` died with its worker and is not stoppable)."""
    stopping = await store.request_stop(user_id, conversation_id, stale_after_s=stale_after_s)
    stops.signal(conversation_id)
    return stopping


async def watch_stop(store: Store, run_id: str, stop: asyncio.Event, beat_every_s: float) -> None:
    """Poll the run's stop flag, and beat so every worker sees the run is alive (until ``stop`` is set or the
    task is cancelled)."""
    loop = asyncio.get_running_loop()
    beaten_at = loop.time()
    while not stop.is_set():
        await asyncio.sleep(STOP_POLL_S)
        try:
            if loop.time() - beaten_at >= beat_every_s:
                await store.heartbeat(run_id)
                beaten_at = loop.time()
            if await store.stop_requested(run_id):
                stop.set()
        except Exception:  # a store hiccup must not end the answer
            log.warning("could not check the stop flag of run %s", run_id, exc_info=True)


class BackgroundRun:
    """Runs an event generator to completion in its own task; one reader gets its events as they come.

    Events wait in a buffer; the reader takes everything buffered at once (:meth:`batches`), so a burst of
    events leaves in one write instead of one write (and one pass through the middleware) per event.
    """

    def __init__(self, events: AsyncIterator[ChatEvent]) -> None:
        self._buffer: list[ChatEvent] = []
        self._ended = False
        self._waiter: asyncio.Future[None] | None = None
        self.task = background_work().spawn(self._pump(events))

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def _pump(self, events: AsyncIterator[ChatEvent]) -> None:
        try:
            async for event in events:
                self._buffer.append(event)
                self._wake()
        finally:
            self._ended = True
            self._wake()

    async def batches(self) -> AsyncIterator[list[ChatEvent]]:
        """The run's events in batches (all that arrived since the last one); ends when the run ends."""
        while True:
            if self._buffer:
                batch, self._buffer = self._buffer, []
                yield batch
            elif self._ended:
                return
            else:
                self._waiter = asyncio.get_running_loop().create_future()
                try:
                    await self._waiter
                finally:
                    self._waiter = None

    async def events(self) -> AsyncIterator[ChatEvent]:
        """The run's events one by one (reading can stop at any time)."""
        async for batch in self.batches():
            for event in batch:
                yield event
