"""Messages in the embedded store: the SQL of questions, answers, their tool calls and the conversation tree.

Plain functions on a connection; :class:`~shared.store.sqlite.SqliteStore` calls them inside its
transactions. Every function that reads a conversation's rows has been given a conversation the caller
owns (the store checks that first).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from typing import Any

from shared.store.models import Message, NewAnswer, ToolCall, Usage
from shared.store.sqlite_db import now_text, since_text
from shared.store.thread import Node, Thread

_COLUMNS = (
    "id, conversation_id, role, content, usage, status, error, error_code, retryable, reply_to, created_at"
)


def owns_active(conn: sqlite3.Connection, user_id: str, conversation_id: str) -> bool:
    """Whether ``conversation_id`` is one of ``user_id``'s active conversations."""
    row = conn.execute(
        "SELECT 1 FROM conversations WHERE id = ? AND user_id = ? AND status = 'active'",
        (conversation_id, user_id),
    )
    return row.fetchone() is not None


def insert_message(
    conn: sqlite3.Connection, user_id: str, conversation_id: str, values: dict[str, Any]
) -> str | None:
    """Append a message (it becomes the conversation's current leaf); None when the conversation is not the
    user's active one."""
    if not owns_active(conn, user_id, conversation_id):
        return None
    message_id, now = str(uuid.uuid4()), now_text()
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
    conn.execute(
        "UPDATE conversations SET updated_at = ?, current_leaf = ? WHERE id = ?",
        (now, message_id, conversation_id),
    )
    return message_id


def insert_answer(conn: sqlite3.Connection, user_id: str, conversation_id: str, answer: NewAnswer) -> str:
    """Append an answer with its tool calls and add its usage to the conversation's (one transaction: the
    caller's). ``LookupError`` when the conversation is not the user's active one."""
    values = {
        "role": "assistant",
        "content": answer.content,
        "data": answer.data,
        "usage": answer.usage.model_dump_json(),
        "cost_usd": answer.usage.cost_usd,
        "status": answer.status,
        "error": answer.error,
        "error_code": answer.error_code,
        "retryable": answer.retryable,
        "reply_to": answer.reply_to or current_leaf(conn, conversation_id),
    }
    message_id = insert_message(conn, user_id, conversation_id, values)
    if message_id is None:
        raise LookupError("conversation not found")
    now = now_text()
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
    current = conn.execute(
        "SELECT usage, cost_usd FROM conversations WHERE id = ?", (conversation_id,)
    ).fetchone()
    total = Usage(**json.loads(current["usage"]), cost_usd=current["cost_usd"]) + answer.usage
    conn.execute(
        "UPDATE conversations SET usage = ?, cost_usd = ? WHERE id = ?",
        (total.model_dump_json(exclude={"cost_usd"}), total.cost_usd, conversation_id),
    )
    return message_id


def thread(conn: sqlite3.Connection, conversation_id: str) -> Thread:
    """The conversation's messages as a tree."""
    rows = conn.execute(
        "SELECT id, reply_to, role, seq FROM messages WHERE conversation_id = ?", (conversation_id,)
    ).fetchall()
    return Thread.of(Node(r["id"], r["reply_to"], r["role"], r["seq"]) for r in rows)


def leaf(conn: sqlite3.Connection, conversation_id: str, tree: Thread) -> str | None:
    """The conversation's current leaf in ``tree`` (the newest message when it names none of its own)."""
    row = conn.execute("SELECT current_leaf FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
    chosen = row["current_leaf"] if row else None
    return chosen if chosen in tree.nodes else tree.newest()


def current_leaf(conn: sqlite3.Connection, conversation_id: str) -> str | None:
    """:func:`leaf` of the conversation's tree as it is now."""
    return leaf(conn, conversation_id, thread(conn, conversation_id))


def messages_by_id(conn: sqlite3.Connection, ids: list[str], tree: Thread, *, cards: bool) -> list[Message]:
    """The messages ``ids`` in that order, with tool calls and versions (``data`` empty unless ``cards``)."""
    if not ids:
        return []
    data = ", data" if cards else ", '[]' AS data"
    rows = conn.execute(
        f"SELECT {_COLUMNS}{data} FROM messages WHERE id IN ({','.join('?' * len(ids))})", ids
    ).fetchall()
    by_id = {r["id"]: r for r in rows}
    calls: dict[str, list[ToolCall]] = {i: [] for i in ids}
    for c in conn.execute(
        f"SELECT * FROM tool_calls WHERE message_id IN ({','.join('?' * len(ids))}) ORDER BY seq", ids
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
            versions=tree.versions(r["id"]),
            created_at=r["created_at"],
            tool_calls=calls[r["id"]],
        )
        for r in (by_id[i] for i in ids)
    ]


def current_path(conn: sqlite3.Connection, conversation_id: str, *, cards: bool) -> list[Message]:
    """The conversation as it reads: the path from its first question to its current leaf."""
    tree = thread(conn, conversation_id)
    return messages_by_id(conn, tree.path_to(leaf(conn, conversation_id, tree)), tree, cards=cards)


def live_run(conn: sqlite3.Connection, user_id: str, conversation_id: str, stale_after_s: float) -> bool:
    """Whether one of the user's runs is answering in the conversation (only the owner's runs count, as
    under RLS: another user learns nothing about it)."""
    live = conn.execute(
        "SELECT 1 FROM chat_runs WHERE conversation_id = ? AND user_id = ? AND finished_at IS NULL"
        " AND heartbeat_at > ?",
        (conversation_id, user_id, since_text(stale_after_s)),
    )
    return live.fetchone() is not None
