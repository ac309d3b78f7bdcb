"""The engine's worker threads, shared fairly between users.

Polars cannot interrupt a computation already running, so a query past its time budget is abandoned, not
stopped: its thread works on until it finishes. Without a bound, one user looping heavy queries would fill
every thread with abandoned work and make everyone else's trivial query wait. Each owner (a user) may have at
most ``per_owner`` computations in the pool, abandoned ones included; one more is refused at once
(:class:`EngineBusy`), and the other threads stay free for other users.

A caller waits on a :class:`Job` (blocking or awaited), so an async edge hands work to the engine's thread once,
not to a thread that then waits on another.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Generic, ParamSpec, TypeVar

from shared.lazy import singleton
from shared.script.errors import QueryFailed, QueryTimeout

P = ParamSpec("P")
T = TypeVar("T")


class EngineBusy(QueryFailed):
    """The owner already has its share of the pool running (some perhaps abandoned past their budget)."""

    def __init__(self) -> None:
        super().__init__(
            "Your earlier queries are still being computed (a query past its time limit keeps running until it "
            "ends); try again in a few seconds, or narrow the query.",
            "ENGINE_BUSY",
        )


@dataclass(frozen=True)
class Job(Generic[T]):
    """A computation in the pool with its time budget, counted from ``started`` (``time.perf_counter()``)."""

    future: Future[T]
    started: float
    budget_s: float
    timeout: type[QueryTimeout] = QueryTimeout

    def _remaining(self) -> float:
        return max(self.budget_s - (time.perf_counter() - self.started), 0.001)

    def _expired(self) -> QueryTimeout:
        self.future.cancel()  # a job still queued never runs; one running is abandoned (see the module doc)
        return self.timeout(self.budget_s)

    def result(self) -> T:
        """Block until the result; :class:`QueryTimeout` (or ``timeout``) past the budget."""
        try:
            return self.future.result(timeout=self._remaining())
        except FutureTimeout as exc:
            raise self._expired() from exc

    async def wait(self) -> T:
        """Await the result without holding a thread; :class:`QueryTimeout` (or ``timeout``) past the budget."""
        try:
            return await asyncio.wait_for(asyncio.wrap_future(self.future), self._remaining())
        except TimeoutError as exc:
            raise self._expired() from exc


class EnginePool:
    """A thread pool that bounds how many computations each owner has in it."""

    def __init__(self, name: str, workers: int, per_owner: int) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"barb-{name}")
        self._per_owner = per_owner
        self._running: Counter[str] = Counter()
        self._lock = threading.Lock()

    def submit(self, owner: str | None, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Run ``fn`` in the pool for ``owner`` (None: unbounded); :class:`EngineBusy` when it has too many."""
        if owner is None:
            return self._executor.submit(fn, *args, **kwargs)
        with self._lock:
            if self._running[owner] >= self._per_owner:
                raise EngineBusy()
            self._running[owner] += 1

        def counted() -> T:
            try:
                return fn(*args, **kwargs)
            finally:  # before the future completes: whoever waited on it may submit again at once
                self._release(owner)

        try:
            future = self._executor.submit(counted)
        except BaseException:
            self._release(owner)
            raise
        # Cancelled while queued (its caller gave up first), ``counted`` never runs: release the slot here.
        future.add_done_callback(lambda done: self._release(owner) if done.cancelled() else None)
        return future

    def running(self, owner: str) -> int:
        """How many computations ``owner`` has in the pool now."""
        with self._lock:
            return self._running[owner]

    def _release(self, owner: str) -> None:
        with self._lock:
            self._running[owner] -= 1
            if self._running[owner] <= 0:
                del self._running[owner]


@singleton
def query_pool() -> EnginePool:
    """Four threads for queries, at most two of them one user's."""
    return EnginePool("query", workers=4, per_owner=2)


@singleton
def backtest_pool() -> EnginePool:
    """Two threads for backtests (heavier, kept off the query threads), at most one of them one user's."""
    return EnginePool("backtest", workers=2, per_owner=1)
