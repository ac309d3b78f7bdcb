"""One user's runaway queries cannot take the engine from everyone else.

A query past its budget is abandoned but keeps its thread until Polars finishes; the pool counts it against
its user, so a user looping heavy queries is told to wait while other users' queries still run at once.
"""

from __future__ import annotations

import threading

import polars as pl
import pytest

from shared.script import FrameBars, QueryFailed, QueryTimeout, run_query
from shared.script.pool import EngineBusy, EnginePool

DAILY = {"from": "daily", "map": {"r": "range()"}, "select": "mean(r)"}


class StuckBars:
    """Bars whose read blocks until released: a computation that outlives its time budget."""

    def __init__(self, bars: FrameBars) -> None:
        self.bars, self.release = bars, threading.Event()

    def minute(self) -> pl.LazyFrame:
        assert self.release.wait(timeout=60), "never released"
        return self.bars.minute()

    def daily(self) -> pl.LazyFrame | None:
        assert self.release.wait(timeout=60), "never released"
        return self.bars.daily()


def test_abandoned_queries_count_against_their_user_only(nq, bars):
    stuck = StuckBars(bars)
    try:
        for _ in range(2):  # alice's two queries time out, and their threads stay busy
            with pytest.raises(QueryTimeout):
                run_query(DAILY, nq, stuck, timeout_s=0.05, owner="alice")
        with pytest.raises(QueryFailed) as refused:
            run_query(DAILY, nq, bars, owner="alice")
        assert refused.value.code == "ENGINE_BUSY"
        assert run_query(DAILY, nq, bars, owner="bob")["value"] > 0  # bob is not held up
    finally:
        stuck.release.set()
    for _ in range(100):  # alice's abandoned work ends; then she may query again
        try:
            assert run_query(DAILY, nq, bars, owner="alice")["value"] > 0
            break
        except QueryFailed as exc:
            assert exc.code == "ENGINE_BUSY"
            threading.Event().wait(0.05)
    else:
        pytest.fail("alice's slots were never released")


def test_the_pool_frees_a_slot_when_the_work_ends_even_if_it_failed():
    pool = EnginePool("test", workers=2, per_owner=1)
    gate = threading.Event()

    def fail() -> None:
        gate.wait(timeout=30)
        raise RuntimeError("boom")

    running = pool.submit("alice", fail)
    with pytest.raises(EngineBusy):
        pool.submit("alice", lambda: None)
    assert pool.submit("bob", lambda: 7).result(timeout=10) == 7
    gate.set()
    with pytest.raises(RuntimeError):
        running.result(timeout=10)
    assert pool.submit("alice", lambda: 8).result(timeout=10) == 8
    assert pool.running("alice") == 0


def test_work_cancelled_before_it_started_gives_its_slot_back():
    pool = EnginePool("test", workers=1, per_owner=2)
    gate = threading.Event()
    blocking = pool.submit("bob", gate.wait, 30)
    queued = pool.submit("alice", lambda: None)
    assert queued.cancel() and pool.running("alice") == 0
    gate.set()
    assert blocking.result(timeout=10) is True
