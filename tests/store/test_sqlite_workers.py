"""The embedded store under several worker processes sharing one SQLite file (uvicorn --workers N)."""

from __future__ import annotations

import asyncio
import multiprocessing
import sqlite3
import uuid
from pathlib import Path

from shared.store.sqlite import SqliteStore
from shared.store.sqlite_schema import MIGRATIONS
from tests.store.sqlite_workers import open_and_create, write_turns

WORKERS = 4
TURNS = 12


def _context() -> multiprocessing.context.BaseContext:
    """A fork server that imported the store once: children start fast and from a process with no threads."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["tests.store.sqlite_workers"])
    return ctx


def _run_all(processes: list[multiprocessing.Process]) -> None:
    for p in processes:
        p.start()
    for p in processes:
        p.join(timeout=120)
    assert [p.exitcode for p in processes] == [0] * len(processes)


def test_workers_starting_together_migrate_once_and_all_write(tmp_path: Path) -> None:
    ctx = _context()
    path, user = str(tmp_path / "barb.sqlite3"), str(uuid.uuid4())
    start, results = ctx.Barrier(WORKERS), ctx.Queue()
    _run_all([ctx.Process(target=open_and_create, args=(path, user, start, results)) for _ in range(WORKERS)])
    created = {results.get(timeout=5) for _ in range(WORKERS)}
    db = sqlite3.connect(path)
    assert db.execute("pragma user_version").fetchone()[0] == len(MIGRATIONS)
    assert db.execute("select count(*) from instruments").fetchone()[0] == 31
    assert {r[0] for r in db.execute("select id from conversations")} == created
    assert len(created) == WORKERS


def test_concurrent_writers_lose_nothing_and_keep_one_message_order(tmp_path: Path) -> None:
    ctx = _context()
    path, user = tmp_path / "barb.sqlite3", str(uuid.uuid4())
    store = SqliteStore(path)
    conversation = asyncio.run(store.create_conversation(user, "NQ"))
    start = ctx.Barrier(WORKERS)
    _run_all(
        [
            ctx.Process(target=write_turns, args=(str(path), user, conversation.id, TURNS, start))
            for _ in range(WORKERS)
        ]
    )
    messages = asyncio.run(store.list_messages(user, conversation.id))
    assert len(messages) == 2 * WORKERS * TURNS
    seqs = [r[0] for r in sqlite3.connect(path).execute("select seq from messages order by seq")]
    assert seqs == list(range(1, 2 * WORKERS * TURNS + 1))
    assert sum(len(m.tool_calls) for m in messages) == WORKERS * TURNS
    # Usage is read-modify-written per answer: any lost update would show here.
    total = asyncio.run(store.get_conversation(user, conversation.id)).usage
    assert (total.input_tokens, total.output_tokens) == (3 * WORKERS * TURNS, WORKERS * TURNS)
    assert total.cost_usd == 0.5 * WORKERS * TURNS
    assert sorted(asyncio.run(store.list_workspace(user))) == ["ES", "GC", "NQ"]
