"""The embedded store: the :class:`~shared.store.base.Store` on one SQLite file.

The database plumbing (connections, WAL, migrations, threads) is in ``sqlite_db``, the SQL of messages and
the conversation tree in ``sqlite_messages``, the instrument tables in ``sqlite_instruments``; this module is
the protocol's other methods, each one call on a store thread and at most one ``BEGIN IMMEDIATE`` transaction.
"""

from __future__ import annotations

import functools
import json
import sqlite3
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from shared.store import sqlite_messages as sm
from shared.store.base import RATE_WINDOW_S, NewQuestion, Store
from shared.store.cursor import decode_cursor, encode_cursor
from shared.store.errors import AnswerRunning
from shared.store.models import (
    DEFAULT_TITLE,
    INTERRUPTED_CODE,
    INTERRUPTED_ERROR,
    Conversation,
    Message,
    NewAnswer,
    Page,
    QuestionSaved,
    Usage,
)
from shared.store.sqlite_db import SqliteDatabase, now_text, since_text
from shared.store.sqlite_instruments import SqliteInstruments
from shared.store.thread import Node


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


class SqliteStore(SqliteInstruments, Store):
    """The :class:`~shared.store.base.Store` on a SQLite file (safe under several worker processes)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = SqliteDatabase(path)
        self._run = self._db.run
        self._write = self._db.write
        self._connection = self._db.connection

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
            conversation_id, now = str(uuid.uuid4()), now_text()
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
            self._update_conversation(
                user_id, conversation_id, "title = ?, updated_at = ?", (title, now_text())
            )
            return self._get_conversation(user_id, conversation_id)

        return await self._run(rename)

    async def remove_conversation(self, user_id: str, conversation_id: str) -> bool:
        return await self._run(
            self._update_conversation,
            user_id,
            conversation_id,
            "status = 'removed', updated_at = ?",
            (now_text(),),
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
    async def _begin_answer(self, user_id: str, conversation_id: str, asked: NewQuestion) -> QuestionSaved:
        def begin() -> QuestionSaved:
            run_id = str(uuid.uuid4()) if asked.start_run else None
            with self._write() as conn:
                if not sm.owns_active(conn, user_id, conversation_id):
                    raise LookupError("conversation not found")
                if asked.start_run and sm.live_run(conn, user_id, conversation_id, asked.stale_after_s):
                    raise AnswerRunning()
                tree = sm.thread(conn, conversation_id)
                revised = tree.nodes.get(asked.revises) if asked.revises is not None else None
                if asked.revises is not None and (revised is None or revised.role != "user"):
                    raise LookupError("question not found")
                if asked.question is None:  # answer the revised question again
                    if revised is None:
                        raise LookupError("question not found")
                    message_id = revised.id
                    conn.execute(
                        "UPDATE conversations SET current_leaf = ? WHERE id = ?",
                        (message_id, conversation_id),
                    )
                else:
                    parent = revised.reply_to if revised else sm.leaf(conn, conversation_id, tree)
                    values = {"role": "user", "content": asked.question, "reply_to": parent}
                    inserted = sm.insert_message(conn, user_id, conversation_id, values)
                    assert inserted is not None  # the conversation was checked in this transaction
                    message_id = inserted
                    tree = sm.thread(conn, conversation_id)
                title_set = asked.title is not None and (
                    conn.execute(
                        "UPDATE conversations SET title = ? WHERE id = ? AND user_id = ? AND title = ?",
                        (asked.title, conversation_id, user_id, DEFAULT_TITLE),
                    ).rowcount
                    > 0
                )
                if run_id is not None:
                    now = now_text()
                    conn.execute(
                        "INSERT INTO chat_runs (id, conversation_id, user_id, question_id, started_at, heartbeat_at)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        (run_id, conversation_id, user_id, message_id, now, now),
                    )
                path = tree.path_to(message_id)
                after = path.index(asked.history_after) + 1 if asked.history_after in path else 0
                history = sm.messages_by_id(conn, path[after:], tree, cards=False)
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
                message_id = sm.insert_answer(conn, user_id, conversation_id, answer)
            conn = self._connection()
            return sm.messages_by_id(conn, [message_id], sm.thread(conn, conversation_id), cards=True)[0]

        return await self._run(save)

    def _list_messages(self, user_id: str, conversation_id: str, *, cards: bool) -> list[Message]:
        conn = self._connection()
        if not sm.owns_active(conn, user_id, conversation_id):
            return []
        return sm.current_path(conn, conversation_id, cards=cards)

    async def list_messages(self, user_id: str, conversation_id: str, *, cards: bool = True) -> list[Message]:
        return await self._run(functools.partial(self._list_messages, user_id, conversation_id, cards=cards))

    async def select_version(self, user_id: str, conversation_id: str, message_id: str) -> bool:
        def select() -> bool:
            with self._write() as conn:
                if not sm.owns_active(conn, user_id, conversation_id):
                    return False
                tree = sm.thread(conn, conversation_id)
                if message_id not in tree.nodes:
                    return False
                conn.execute(  # not activity: the conversation keeps its place in the list
                    "UPDATE conversations SET current_leaf = ? WHERE id = ?",
                    (tree.newest_under(message_id), conversation_id),
                )
                return True

        return await self._run(select)

    async def recover_answer(self, user_id: str, conversation_id: str, *, stale_after_s: float) -> bool:
        def unanswered(conn: sqlite3.Connection) -> Node | None:
            if not sm.owns_active(conn, user_id, conversation_id):
                return None
            tree = sm.thread(conn, conversation_id)
            leaf = sm.leaf(conn, conversation_id, tree)
            last = tree.nodes[leaf] if leaf is not None else None
            if last is None or last.role != "user":
                return None
            return None if sm.live_run(conn, user_id, conversation_id, stale_after_s) else last

        def recover() -> bool:
            if unanswered(self._connection()) is None:  # the usual case: no write lock taken
                return False
            with self._write() as conn:
                last = unanswered(conn)
                if last is None:
                    return False
                conn.execute(
                    "UPDATE chat_runs SET finished_at = ? WHERE conversation_id = ? AND finished_at IS NULL",
                    (now_text(), conversation_id),
                )
                values: dict[str, Any] = {"role": "assistant", "content": "", "status": "error"}
                values |= {"error": INTERRUPTED_ERROR, "error_code": INTERRUPTED_CODE, "retryable": True}
                values["reply_to"] = last.id
                return sm.insert_message(conn, user_id, conversation_id, values) is not None

        return await self._run(recover)

    # -- chat runs ------------------------------------------------------------------------------------
    async def request_stop(self, user_id: str, conversation_id: str, *, stale_after_s: float) -> bool:
        def stop() -> bool:
            with self._write() as conn:
                cursor = conn.execute(
                    "UPDATE chat_runs SET stop_requested = 1"
                    " WHERE conversation_id = ? AND user_id = ? AND finished_at IS NULL AND heartbeat_at > ?",
                    (conversation_id, user_id, since_text(stale_after_s)),
                )
                return cursor.rowcount > 0

        return await self._run(stop)

    async def _stamp_run(self, run_id: str, column: Literal["heartbeat_at", "finished_at"]) -> None:
        def stamp() -> None:
            with self._write() as conn:
                conn.execute(f"UPDATE chat_runs SET {column} = ? WHERE id = ?", (now_text(), run_id))

        await self._run(stamp)

    async def heartbeat(self, run_id: str) -> None:
        await self._stamp_run(run_id, "heartbeat_at")

    async def stop_requested(self, run_id: str) -> bool:
        def check() -> bool:
            row = self._connection().execute("SELECT stop_requested FROM chat_runs WHERE id = ?", (run_id,))
            found = row.fetchone()
            return bool(found and found[0])

        return await self._run(check)

    async def finish_run(self, run_id: str) -> None:
        await self._stamp_run(run_id, "finished_at")

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
                conn.execute(
                    "INSERT INTO rate_events (user_id, bucket, at) VALUES (?, ?, ?)", (*key, now_text())
                )
                return None

        return await self._run(take)
