"""The embedded store's database plumbing: one SQLite file, WAL, a connection per thread, migrations.

Safe under several uvicorn workers: every write is one ``BEGIN IMMEDIATE`` transaction, readers never
block writers (WAL), and migrations run under the same lock so two workers starting together migrate once.
Calls run in a worker thread so the event loop never waits on the disk.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from shared.market import catalogue_instruments, list_exchanges
from shared.store.seed_sql import catalogue_record
from shared.store.sqlite_schema import MIGRATIONS

T = TypeVar("T")

# Switching a new file to WAL takes a lock SQLite's busy handler does not wait for, so workers
# starting together on a fresh file can get "database is locked" here and must retry themselves.
_WAL_SWITCH_DEADLINE_S = 10.0
_THREADS = 16
"""Threads (each with its own connection) running the store's calls off the event loop."""


def now_text() -> str:
    """The current time as the store writes it (ISO 8601 UTC with microseconds: it orders as text)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def since_text(seconds: float) -> str:
    """The :func:`now_text` of ``seconds`` ago."""
    return (datetime.now(UTC) - timedelta(seconds=seconds)).isoformat(timespec="microseconds")


class SqliteDatabase:
    """A migrated SQLite file and the threads that talk to it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        # Writers of this process queue here instead of in SQLite's busy handler, which polls with sleeps
        # of 1, 2, 5, 10… ms; the busy handler is left to arbitrate between worker processes.
        self._write_lock = threading.Lock()
        # A plain executor rather than anyio's to_thread: a chat turn makes about eight store calls, and
        # anyio's cancel scopes and capacity limiter cost more event-loop time than the queries themselves.
        self._threads = ThreadPoolExecutor(_THREADS, thread_name_prefix="barb-sqlite")
        self._enable_wal()
        self._migrate()

    def connection(self) -> sqlite3.Connection:
        """The calling thread's connection (opened on first use)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=True)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=10000")
            self._local.conn = conn
        return conn

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE``), rolled back on any exception."""
        conn = self.connection()
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` on one of the store's threads."""
        return await asyncio.get_running_loop().run_in_executor(self._threads, fn, *args)

    def _enable_wal(self) -> None:
        """Put the file in WAL mode (a persistent property of the file, so once per process is enough)."""
        deadline = time.monotonic() + _WAL_SWITCH_DEADLINE_S
        while True:
            try:
                self.connection().execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    def _migrate(self) -> None:
        with self.write() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in script.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number}")
            _seed_catalogue(conn)


def _seed_catalogue(conn: sqlite3.Connection) -> None:
    """Upsert the code's catalogue, so a new release's instruments appear without a migration."""
    for ex in list_exchanges():
        conn.execute(
            "INSERT INTO exchanges VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET name = excluded.name,"
            " timezone = excluded.timezone, calendar = excluded.calendar",
            tuple(catalogue_record(ex).values()),
        )
    for ins in catalogue_instruments():
        values = [json.dumps(v) if isinstance(v, dict | list) else v for v in catalogue_record(ins).values()]
        conn.execute(f"INSERT OR REPLACE INTO instruments VALUES ({', '.join('?' * len(values))})", values)
