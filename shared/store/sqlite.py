"""The embedded store: one SQLite file (stdlib ``sqlite3``), WAL, foreign keys, versioned migrations.

Safe under several uvicorn workers: every write is one ``BEGIN IMMEDIATE`` transaction, readers never
block writers (WAL), and migrations run under the same lock so two workers starting together migrate once.
Calls run in a worker thread so the event loop never waits on the disk.
"""

from __future__ import annotations

import asyncio
import functools
import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from shared.market.exchanges import get_exchange, list_exchanges
from shared.market.instruments import catalogue_instruments
from shared.store.base import RATE_WINDOW_S
from shared.store.cursor import decode_cursor, encode_cursor
from shared.store.errors import AnswerRunning
from shared.store.models import (
    DEFAULT_TITLE,
    INTERRUPTED_CODE,
    INTERRUPTED_ERROR,
    CatalogueEntry,
    Conversation,
    Message,
    NewAnswer,
    Page,
    QuestionSaved,
    ToolCall,
    Usage,
)
from shared.store.sqlite_schema import MIGRATIONS
from shared.store.thread import Node, Thread

T = TypeVar("T")

# Switching a new file to WAL takes a lock SQLite's busy handler does not wait for, so workers
# starting together on a fresh file can get "database is locked" here and must retry themselves.
_WAL_SWITCH_DEADLINE_S = 10.0
_THREADS = 16
"""Threads (each with its own connection) running the store's calls off the event loop."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _since(seconds: float) -> str:
    """The :func:`_now` of ``seconds`` ago (the stored times compare as text)."""
    return (datetime.now(UTC) - timedelta(seconds=seconds)).isoformat(timespec="microseconds")


def _conversation(row: sqlite3.Row) -> Conversation:
    return Conversation(
        id=row["id"],
        user_id=row["user_id"],
        instrument=row["instrument"],
        title=row["title"],
        status=row["status"],
        usage=Usage(**json.loads(row["usage"]), cost_usd=row["cost_usd"]),
        summary=row["summary"],
        summary_through=row["summary_through"],
        current_leaf=row["current_leaf"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


class SqliteStore:
    """The :class:`~shared.store.base.Store` on a SQLite file."""

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

    # -- plumbing -------------------------------------------------------------------------------------
    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=True)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=10000")
            self._local.conn = conn
        return conn

    def _enable_wal(self) -> None:
        """Put the file in WAL mode (a persistent property of the file, so once per process is enough)."""
        deadline = time.monotonic() + _WAL_SWITCH_DEADLINE_S
        while True:
            try:
                self._connection().execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        conn = self._connection()
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._threads, fn, *args)

    def _migrate(self) -> None:
        with self._write() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in script.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number}")
            self._seed_catalogue(conn)

    def _seed_catalogue(self, conn: sqlite3.Connection) -> None:
        """Upsert the code's catalogue, so a new release's instruments appear without a migration."""
        for ex in list_exchanges():
            conn.execute(
                "INSERT INTO exchanges VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET name = excluded.name,"
                " timezone = excluded.timezone, calendar = excluded.calendar",
                (ex.id, ex.name, ex.timezone, ex.calendar),
            )
        for ins in catalogue_instruments():
            conn.execute(
                "INSERT OR REPLACE INTO instruments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    ins.symbol,
                    ins.name,
                    ins.exchange,
                    ins.type,
                    ins.category,
                    ins.currency,
                    ins.timezone,
                    ins.default_session,
                    json.dumps({name: list(s) for name, s in ins.sessions.items()}),
                    ins.tick_size,
                    ins.tick_value,
                    ins.point_value,
                    ins.calendar,
                    json.dumps(list(ins.events)),
                    ins.notes,
                ),
            )

    # -- health ---------------------------------------------------------------------------------------
    async def ping(self) -> None:
        await self._run(lambda: self._connection().execute("SELECT 1").fetchone())

    # -- conversations --------------------------------------------------------------------------------
    def _get_conversation(self, user_id: str, conversation_id: str) -> Conversation | None:
        row = (
            self._connection()
            .execute(
                "SELECT * FROM conversations WHERE id = ? AND user_id = ? AND status = 'active'",
                (conversation_id, user_id),
            )
            .fetchone()
        )
        return _conversation(row) if row else None

    async def get_conversation(self, user_id: str, conversation_id: str) -> Conversation | None:
        return await self._run(self._get_conversation, user_id, conversation_id)

    async def create_conversation(
        self, user_id: str, instrument: str, title: str | None = None
    ) -> Conversation:
        def create() -> Conversation:
            conversation_id, now = str(uuid.uuid4()), _now()
            with self._write() as conn:
                conn.execute(
                    "INSERT INTO conversations (id, user_id, instrument, title, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (conversation_id, user_id, instrument.upper(), title or DEFAULT_TITLE, now, now),
                )
            conversation = self._get_conversation(user_id, conversation_id)
            assert conversation is not None
            return conversation

        return await self._run(create)

    async def list_conversations(
        self, user_id: str, *, instrument: str | None = None, limit: int = 50, cursor: str | None = None
    ) -> Page:
        def list_page() -> Page:
            sql = "SELECT * FROM conversations WHERE user_id = ? AND status = 'active'"
            params: list[Any] = [user_id]
            if instrument:
                sql += " AND instrument = ?"
                params.append(instrument.upper())
            if cursor:
                updated_at, last_id = decode_cursor(cursor)
                sql += " AND (updated_at < ? OR (updated_at = ? AND id < ?))"
                params += [updated_at, updated_at, last_id]
            sql += " ORDER BY updated_at DESC, id DESC LIMIT ?"
            rows = self._connection().execute(sql, [*params, limit + 1]).fetchall()
            items = [_conversation(r) for r in rows[:limit]]
            more = len(rows) > limit
            next_cursor = (
                encode_cursor(rows[limit - 1]["updated_at"], rows[limit - 1]["id"]) if more else None
            )
            return Page(items=items, next_cursor=next_cursor)

        return await self._run(list_page)

    def _update_conversation(
        self, user_id: str, conversation_id: str, sql: str, params: tuple[Any, ...]
    ) -> bool:
        with self._write() as conn:
            cursor = conn.execute(
                f"UPDATE conversations SET {sql} WHERE id = ? AND user_id = ? AND status = 'active'",
                (*params, conversation_id, user_id),
            )
            return cursor.rowcount > 0

    async def rename_conversation(
        self, user_id: str, conversation_id: str, title: str
    ) -> Conversation | None:
        def rename() -> Conversation | None:
            self._update_conversation(user_id, conversation_id, "title = ?, updated_at = ?", (title, _now()))
            return self._get_conversation(user_id, conversation_id)

        return await self._run(rename)

    async def remove_conversation(self, user_id: str, conversation_id: str) -> bool:
        return await self._run(
            self._update_conversation,
            user_id,
            conversation_id,
            "status = 'removed', updated_at = ?",
            (_now(),),
        )

    async def save_summary(
        self, user_id: str, conversation_id: str, summary: str, through_message_id: str
    ) -> None:
        await self._run(
            self._update_conversation,
            user_id,
            conversation_id,
            "summary = ?, summary_through = ?",
            (summary, through_message_id),
        )

    # -- messages -------------------------------------------------------------------------------------
    def _insert_message(
        self, conn: sqlite3.Connection, user_id: str, conversation_id: str, values: dict[str, Any]
    ) -> str | None:
        owner = conn.execute(
            "SELECT 1 FROM conversations WHERE id = ? AND user_id = ? AND status = 'active'",
            (conversation_id, user_id),
        ).fetchone()
        if owner is None:
            return None
        message_id, now = str(uuid.uuid4()), _now()
        seq = conn.execute(
            "SELECT coalesce(max(seq), 0) + 1 FROM messages WHERE conversation_id = ?", (conversation_id,)
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO messages (id, conversation_id, user_id, role, content, data, usage, cost_usd, status,"
            " error, error_code, retryable, reply_to, seq, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                message_id,
                conversation_id,
                user_id,
                values["role"],
                values["content"],
                json.dumps(values.get("data", [])),
                values.get("usage"),
                values.get("cost_usd"),
                values.get("status", "complete"),
                values.get("error"),
                values.get("error_code"),
                int(values.get("retryable", False)),
                values.get("reply_to"),
                seq,
                now,
            ),
        )
        conn.execute(  # a new message is where the conversation now ends
            "UPDATE conversations SET updated_at = ?, current_leaf = ? WHERE id = ?",
            (now, message_id, conversation_id),
        )
        return message_id

    def _message(self, message_id: str) -> Message:
        conn = self._connection()
        row = conn.execute("SELECT * FROM messages WHERE id = ?", (message_id,)).fetchone()
        return self._messages_from_rows([row], self._thread(conn, row["conversation_id"]))[0]

    def _messages_from_rows(self, rows: list[sqlite3.Row], thread: Thread) -> list[Message]:
        conn = self._connection()
        ids = [r["id"] for r in rows]
        calls: dict[str, list[ToolCall]] = {i: [] for i in ids}
        if ids:
            marks = ",".join("?" * len(ids))
            for c in conn.execute(
                f"SELECT * FROM tool_calls WHERE message_id IN ({marks}) ORDER BY seq", ids
            ).fetchall():
                calls[c["message_id"]].append(
                    ToolCall(
                        id=c["id"],
                        message_id=c["message_id"],
                        tool_use_id=c["tool_use_id"],
                        tool_name=c["tool_name"],
                        title=c["title"],
                        input=json.loads(c["input"]),
                        output_summary=c["output_summary"],
                        error=c["error"],
                        duration_ms=c["duration_ms"],
                        created_at=c["created_at"],
                    )
                )
        return [
            Message(
                id=r["id"],
                conversation_id=r["conversation_id"],
                role=r["role"],
                content=r["content"],
                data=json.loads(r["data"]),
                usage=Usage(**json.loads(r["usage"])) if r["usage"] else None,
                status=r["status"],
                error=r["error"],
                error_code=r["error_code"],
                retryable=bool(r["retryable"]),
                reply_to=r["reply_to"],
                versions=thread.versions(r["id"]),
                created_at=r["created_at"],
                tool_calls=calls[r["id"]],
            )
            for r in rows
        ]

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
        def begin() -> QuestionSaved:
            run_id = str(uuid.uuid4()) if start_run else None
            with self._write() as conn:
                if self._get_conversation(user_id, conversation_id) is None:
                    raise LookupError("conversation not found")
                if start_run and self._live_run(conn, user_id, conversation_id, stale_after_s):
                    raise AnswerRunning()
                thread = self._thread(conn, conversation_id)
                revised = thread.nodes.get(revises) if revises is not None else None
                if revises is not None and (revised is None or revised.role != "user"):
                    raise LookupError("question not found")
                if question is None:  # answer the revised question again
                    if revised is None:
                        raise LookupError("question not found")
                    message_id = revised.id
                    conn.execute(
                        "UPDATE conversations SET current_leaf = ? WHERE id = ?",
                        (message_id, conversation_id),
                    )
                else:
                    parent = revised.reply_to if revised else self._leaf(conn, conversation_id, thread)
                    values = {"role": "user", "content": question, "reply_to": parent}
                    message_id = self._insert_message(conn, user_id, conversation_id, values)
                    assert message_id is not None  # the conversation was checked in this transaction
                    thread = self._thread(conn, conversation_id)
                title_set = title is not None and (
                    conn.execute(
                        "UPDATE conversations SET title = ? WHERE id = ? AND user_id = ? AND title = ?",
                        (title, conversation_id, user_id, DEFAULT_TITLE),
                    ).rowcount
                    > 0
                )
                if run_id is not None:
                    now = _now()
                    conn.execute(
                        "INSERT INTO chat_runs (id, conversation_id, user_id, question_id, started_at, heartbeat_at)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        (run_id, conversation_id, user_id, message_id, now, now),
                    )
                path = thread.path_to(message_id)
                after = path.index(history_after) + 1 if history_after in path else 0
                history = self._messages_by_id(conn, path[after:], thread, cards=False)
            return QuestionSaved(
                message=history[-1],
                title_set=title_set,
                run_id=run_id,
                history=history,
                after_summary=after > 0,
            )

        return await self._run(begin)

    async def save_answer(self, user_id: str, conversation_id: str, answer: NewAnswer) -> Message:
        def save() -> Message:
            with self._write() as conn:
                message_id = self._insert_message(
                    conn,
                    user_id,
                    conversation_id,
                    {
                        "role": "assistant",
                        "content": answer.content,
                        "data": answer.data,
                        "usage": answer.usage.model_dump_json(),
                        "cost_usd": answer.usage.cost_usd,
                        "status": answer.status,
                        "error": answer.error,
                        "error_code": answer.error_code,
                        "retryable": answer.retryable,
                        "reply_to": answer.reply_to or self._current_leaf(conn, conversation_id),
                    },
                )
                if message_id is None:
                    raise LookupError("conversation not found")
                now = _now()
                for seq, call in enumerate(answer.tool_calls):
                    conn.execute(
                        "INSERT INTO tool_calls (id, message_id, user_id, tool_use_id, tool_name, title, input,"
                        " output_summary, error, duration_ms, seq, created_at)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            str(uuid.uuid4()),
                            message_id,
                            user_id,
                            call.tool_use_id,
                            call.tool_name,
                            call.title,
                            json.dumps(call.input),
                            call.output_summary,
                            call.error,
                            call.duration_ms,
                            seq,
                            now,
                        ),
                    )
                row = conn.execute(
                    "SELECT usage, cost_usd FROM conversations WHERE id = ?", (conversation_id,)
                )
                current = row.fetchone()
                total = Usage(**json.loads(current["usage"]), cost_usd=current["cost_usd"]) + answer.usage
                conn.execute(
                    "UPDATE conversations SET usage = ?, cost_usd = ? WHERE id = ?",
                    (total.model_dump_json(exclude={"cost_usd"}), total.cost_usd, conversation_id),
                )
            return self._message(message_id)

        return await self._run(save)

    @staticmethod
    def _thread(conn: sqlite3.Connection, conversation_id: str) -> Thread:
        rows = conn.execute(
            "SELECT id, reply_to, role, seq FROM messages WHERE conversation_id = ?", (conversation_id,)
        ).fetchall()
        return Thread.of(Node(r["id"], r["reply_to"], r["role"], r["seq"]) for r in rows)

    def _current_leaf(self, conn: sqlite3.Connection, conversation_id: str) -> str | None:
        return self._leaf(conn, conversation_id, self._thread(conn, conversation_id))

    @staticmethod
    def _leaf(conn: sqlite3.Connection, conversation_id: str, thread: Thread) -> str | None:
        row = conn.execute(
            "SELECT current_leaf FROM conversations WHERE id = ?", (conversation_id,)
        ).fetchone()
        leaf = row["current_leaf"] if row else None
        return leaf if leaf in thread.nodes else thread.newest()

    def _messages_by_id(
        self, conn: sqlite3.Connection, ids: list[str], thread: Thread, *, cards: bool
    ) -> list[Message]:
        if not ids:
            return []
        data = "data" if cards else "'[]' AS data"
        rows = conn.execute(
            f"SELECT id, conversation_id, role, content, {data}, usage, status, error, error_code, retryable,"
            f" reply_to, created_at FROM messages WHERE id IN ({','.join('?' * len(ids))})",
            ids,
        ).fetchall()
        by_id = {r["id"]: r for r in rows}
        return self._messages_from_rows([by_id[i] for i in ids], thread)

    def _list_messages(self, user_id: str, conversation_id: str, *, cards: bool) -> list[Message]:
        conn = self._connection()
        if self._get_conversation(user_id, conversation_id) is None:
            return []
        thread = self._thread(conn, conversation_id)
        path = thread.path_to(self._leaf(conn, conversation_id, thread))
        return self._messages_by_id(conn, path, thread, cards=cards)

    async def list_messages(self, user_id: str, conversation_id: str, *, cards: bool = True) -> list[Message]:
        return await self._run(functools.partial(self._list_messages, user_id, conversation_id, cards=cards))

    async def select_version(self, user_id: str, conversation_id: str, message_id: str) -> bool:
        def select() -> bool:
            with self._write() as conn:
                if self._get_conversation(user_id, conversation_id) is None:
                    return False
                thread = self._thread(conn, conversation_id)
                if message_id not in thread.nodes:
                    return False
                conn.execute(  # not activity: the conversation keeps its place in the list
                    "UPDATE conversations SET current_leaf = ? WHERE id = ?",
                    (thread.newest_under(message_id), conversation_id),
                )
                return True

        return await self._run(select)

    async def recover_answer(
        self,
        user_id: str,
        conversation_id: str,
        *,
        stale_after_s: float,
    ) -> bool:
        def unanswered(conn: sqlite3.Connection) -> Node | None:
            if self._get_conversation(user_id, conversation_id) is None:
                return None
            thread = self._thread(conn, conversation_id)
            leaf = self._leaf(conn, conversation_id, thread)
            last = thread.nodes[leaf] if leaf is not None else None
            if last is None or last.role != "user":
                return None
            return None if self._live_run(conn, user_id, conversation_id, stale_after_s) else last

        def recover() -> bool:
            if (
                unanswered(self._connection()) is None
            ):  # the usual case, answered without taking the write lock
                return False
            with self._write() as conn:
                last = unanswered(conn)
                if last is None:
                    return False
                conn.execute(
                    "UPDATE chat_runs SET finished_at = ? WHERE conversation_id = ? AND finished_at IS NULL",
                    (_now(), conversation_id),
                )
                values = {"role": "assistant", "content": "", "status": "error", "error": INTERRUPTED_ERROR}
                values |= {"error_code": INTERRUPTED_CODE, "retryable": True, "reply_to": last.id}
                return self._insert_message(conn, user_id, conversation_id, values) is not None

        return await self._run(recover)

    # -- chat runs ------------------------------------------------------------------------------------
    @staticmethod
    def _live_run(conn: sqlite3.Connection, user_id: str, conversation_id: str, stale_after_s: float) -> bool:
        """Whether one of the user's runs is answering in the conversation (only the owner's runs count, as
        under RLS: another user learns nothing about it)."""
        live = conn.execute(
            "SELECT 1 FROM chat_runs WHERE conversation_id = ? AND user_id = ? AND finished_at IS NULL"
            " AND heartbeat_at > ?",
            (conversation_id, user_id, _since(stale_after_s)),
        )
        return live.fetchone() is not None

    async def request_stop(self, user_id: str, conversation_id: str, *, stale_after_s: float) -> bool:
        def stop() -> bool:
            with self._write() as conn:
                cursor = conn.execute(
                    "UPDATE chat_runs SET stop_requested = 1"
                    " WHERE conversation_id = ? AND user_id = ? AND finished_at IS NULL AND heartbeat_at > ?",
                    (conversation_id, user_id, _since(stale_after_s)),
                )
                return cursor.rowcount > 0

        return await self._run(stop)

    async def heartbeat(self, run_id: str) -> None:
        def beat() -> None:
            with self._write() as conn:
                conn.execute("UPDATE chat_runs SET heartbeat_at = ? WHERE id = ?", (_now(), run_id))

        await self._run(beat)

    async def stop_requested(self, run_id: str) -> bool:
        def check() -> bool:
            row = self._connection().execute("SELECT stop_requested FROM chat_runs WHERE id = ?", (run_id,))
            found = row.fetchone()
            return bool(found and found[0])

        return await self._run(check)

    async def finish_run(self, run_id: str) -> None:
        def finish() -> None:
            with self._write() as conn:
                conn.execute("UPDATE chat_runs SET finished_at = ? WHERE id = ?", (_now(), run_id))

        await self._run(finish)

    # -- rate limits ----------------------------------------------------------------------------------
    async def take_rate(self, user_id: str, bucket: str, per_minute: int) -> float | None:
        def take() -> float | None:
            now = datetime.now(UTC)
            window_start = (now - timedelta(seconds=RATE_WINDOW_S)).isoformat(timespec="microseconds")
            with self._write() as conn:
                key = (user_id, bucket)
                conn.execute(
                    "DELETE FROM rate_events WHERE user_id = ? AND bucket = ? AND at <= ?",
                    (*key, window_start),
                )
                count, oldest = conn.execute(
                    "SELECT count(*), min(at) FROM rate_events WHERE user_id = ? AND bucket = ?", key
                ).fetchone()
                if count >= per_minute:
                    return RATE_WINDOW_S - (now - datetime.fromisoformat(oldest)).total_seconds()
                conn.execute("INSERT INTO rate_events (user_id, bucket, at) VALUES (?, ?, ?)", (*key, _now()))
                return None

        return await self._run(take)

    # -- instruments ----------------------------------------------------------------------------------
    def _entry(self, row: sqlite3.Row) -> CatalogueEntry:
        exchange = get_exchange(row["exchange"])
        return CatalogueEntry(
            **{k: row[k] for k in row.keys() if k not in ("sessions", "events")},  # noqa: SIM118 - a Row iterates values
            exchange_name=exchange.name if exchange else row["exchange"],
            sessions=json.loads(row["sessions"]),
            events=json.loads(row["events"]),
        )

    async def list_catalogue(
        self, *, search: str | None = None, category: str | None = None
    ) -> list[CatalogueEntry]:
        def list_rows() -> list[CatalogueEntry]:
            sql, params = "SELECT * FROM instruments WHERE 1", []
            if search:
                # A plain substring match: the search text is data, never part of the query.
                pattern = (
                    "%" + search.upper().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                )
                sql += " AND (upper(symbol) LIKE ? ESCAPE '\\' OR upper(name) LIKE ? ESCAPE '\\')"
                params += [pattern, pattern]
            if category:
                sql += " AND category = ?"
                params.append(category.lower())
            rows = self._connection().execute(sql + " ORDER BY symbol", params).fetchall()
            return [self._entry(r) for r in rows]

        return await self._run(list_rows)

    async def get_catalogue_entry(self, symbol: str) -> CatalogueEntry | None:
        def get() -> CatalogueEntry | None:
            row = self._connection().execute("SELECT * FROM instruments WHERE symbol = ?", (symbol.upper(),))
            found = row.fetchone()
            return self._entry(found) if found else None

        return await self._run(get)

    async def list_workspace(self, user_id: str) -> list[str]:
        def list_symbols() -> list[str]:
            rows = self._connection().execute(
                "SELECT symbol FROM user_instruments WHERE user_id = ? ORDER BY added_at, symbol", (user_id,)
            )
            return [r[0] for r in rows.fetchall()]

        return await self._run(list_symbols)

    async def add_to_workspace(self, user_id: str, symbol: str) -> None:
        def add() -> None:
            with self._write() as conn:
                conn.execute(
                    "INSERT INTO user_instruments (user_id, symbol, added_at) VALUES (?, ?, ?)"
                    " ON CONFLICT DO NOTHING",
                    (user_id, symbol.upper(), _now()),
                )

        await self._run(add)

    async def remove_from_workspace(self, user_id: str, symbol: str) -> bool:
        def remove() -> bool:
            with self._write() as conn:
                cursor = conn.execute(
                    "DELETE FROM user_instruments WHERE user_id = ? AND symbol = ?", (user_id, symbol.upper())
                )
                return cursor.rowcount > 0

        return await self._run(remove)
