"""The production store: Supabase (PostgREST) through supabase-py's async PostgREST client.

Every call on user data carries the caller's own JWT (``current_user().token``), so PostgreSQL's row-level
security decides what the call may see and change; the ``user_id`` arguments only select the caller's rows
and must match the verified caller. The secret (service) key is used for operator tasks only
(:meth:`SupabaseStore.sync_catalogue`). Multi-row writes that must be atomic go through the ``save_answer``
SQL function, because each PostgREST request is its own transaction.

The clients and the mapping of failures are ``supabase_rest``'s.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from postgrest.types import ReturnMethod

from shared.market import catalogue_instruments, list_exchanges
from shared.store.base import RATE_WINDOW_S, NewQuestion, Store
from shared.store.cursor import decode_cursor, encode_cursor
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
from shared.store.seed_sql import catalogue_record
from shared.store.supabase_rest import NOT_FOUND, SupabaseRest, rpc

log = logging.getLogger("barb.store")

TITLE_MAX_CHARS = 200
"""``conversations.title``'s CHECK in the migration; the API refuses longer titles before they get here."""


def _valid_uuid(value: str) -> str | None:
    """``value`` in canonical form if it is a UUID, else None (an id that cannot exist)."""
    try:
        return str(uuid.UUID(value))
    except (ValueError, AttributeError, TypeError):
        return None


def _conversation(row: dict[str, Any]) -> Conversation:
    return Conversation.model_validate({**row, "usage": Usage(**row["usage"], cost_usd=row["cost_usd"])})


def _message(row: dict[str, Any]) -> Message:
    return Message.model_validate(
        {
            **row,
            "usage": Usage(**row["usage"]) if row.get("usage") else None,
            "tool_calls": [ToolCall.model_validate(c) for c in row.get("tool_calls") or []],
        }
    )


class SupabaseStore(SupabaseRest, Store):
    """The :class:`~shared.store.base.Store` on a Supabase project."""

    # -- health ---------------------------------------------------------------------------------------
    async def ping(self) -> None:
        await self._execute(self._public().table("exchanges").select("id").limit(1))

    # -- conversations --------------------------------------------------------------------------------
    async def create_conversation(
        self, user_id: str, instrument: str, title: str | None = None
    ) -> Conversation:
        row = {"user_id": user_id, "instrument": instrument.upper(), "title": title or DEFAULT_TITLE}
        rows = await self._execute(self._as_caller(user_id).table("conversations").insert(row))
        return _conversation(rows[0])

    async def get_conversation(self, user_id: str, conversation_id: str) -> Conversation | None:
        client = self._as_caller(user_id)
        if (cid := _valid_uuid(conversation_id)) is None:
            return None
        rows = await self._execute(
            client.table("conversations")
            .select("*")
            .eq("id", cid)
            .eq("user_id", user_id)
            .eq("status", "active")
        )
        return _conversation(rows[0]) if rows else None

    async def list_conversations(
        self, user_id: str, *, instrument: str | None = None, limit: int = 50, cursor: str | None = None
    ) -> Page:
        query = (
            self._as_caller(user_id)
            .table("conversations")
            .select("*")
            .eq("user_id", user_id)
            .eq("status", "active")
        )
        if instrument:
            query = query.eq("instrument", instrument.upper())
        if cursor:
            updated_at, last_id = decode_cursor(cursor)
            query = query.or_(
                f'updated_at.lt."{updated_at}",and(updated_at.eq."{updated_at}",id.lt.{last_id})'
            )
        query = query.order("updated_at", desc=True).order("id", desc=True).limit(limit + 1)
        rows = await self._execute(query)
        more = len(rows) > limit
        last = rows[limit - 1] if more else None
        return Page(
            items=[_conversation(r) for r in rows[:limit]],
            next_cursor=encode_cursor(last["updated_at"], last["id"]) if last else None,
        )

    async def _update_active(
        self, user_id: str, conversation_id: str, values: dict[str, Any]
    ) -> list[dict[str, Any]]:
        client = self._as_caller(user_id)
        if (cid := _valid_uuid(conversation_id)) is None:
            return []
        query = client.table("conversations").update(values).eq("id", cid).eq("user_id", user_id)
        rows: list[dict[str, Any]] = await self._execute(query.eq("status", "active"))
        return rows

    async def rename_conversation(
        self, user_id: str, conversation_id: str, title: str
    ) -> Conversation | None:
        rows = await self._update_active(user_id, conversation_id, {"title": title})
        return _conversation(rows[0]) if rows else None

    async def remove_conversation(self, user_id: str, conversation_id: str) -> bool:
        return bool(await self._update_active(user_id, conversation_id, {"status": "removed"}))

    async def save_summary(
        self, user_id: str, conversation_id: str, summary: str, through_message_id: str
    ) -> None:
        values = {"summary": summary, "summary_through": _valid_uuid(through_message_id)}
        await self._update_active(user_id, conversation_id, values)

    # -- messages -------------------------------------------------------------------------------------
    async def _begin_answer(self, user_id: str, conversation_id: str, asked: NewQuestion) -> QuestionSaved:
        client = self._as_caller(user_id)
        if (cid := _valid_uuid(conversation_id)) is None:
            raise LookupError("conversation not found")
        revised = None if asked.revises is None else _valid_uuid(asked.revises)
        if asked.revises is not None and revised is None:
            raise LookupError("question not found")
        params = {
            "p_conversation_id": cid,
            "p_question": asked.question,
            "p_revises": revised,
            # A generated title must not fail the question on the table's length check (the API's limit).
            "p_title": asked.title[:TITLE_MAX_CHARS] if asked.title is not None else None,
            "p_start_run": asked.start_run,
            "p_history_after": _valid_uuid(asked.history_after) if asked.history_after else None,
            "p_stale_after_s": asked.stale_after_s,
        }
        # A conversation that is not the caller's active one: the insert trigger (P0002) or policy (42501).
        saved = await self._execute(rpc(client, "begin_answer", params), missing=(*NOT_FOUND, "42501"))
        history = [_message(row) for row in saved["history"]]
        run_id = saved["run_id"]
        return QuestionSaved(
            message=history[-1],
            title_set=saved["title_set"],
            run_id=None if run_id is None else str(run_id),
            history=history,
            after_summary=saved["after_summary"],
        )

    async def save_answer(self, user_id: str, conversation_id: str, answer: NewAnswer) -> Message:
        client = self._as_caller(user_id)
        if (cid := _valid_uuid(conversation_id)) is None:
            raise LookupError("conversation not found")
        params = {"p_conversation_id": cid, "p_answer": answer.model_dump(mode="json")}
        return _message(await self._execute(rpc(client, "save_answer", params)))

    async def list_messages(self, user_id: str, conversation_id: str, *, cards: bool = True) -> list[Message]:
        client = self._as_caller(user_id)
        if (cid := _valid_uuid(conversation_id)) is None:
            return []
        params = {"p_conversation_id": cid, "p_cards": cards}
        return [_message(r) for r in await self._execute(rpc(client, "conversation_messages", params))]

    async def select_version(self, user_id: str, conversation_id: str, message_id: str) -> bool:
        client = self._as_caller(user_id)
        cid, mid = _valid_uuid(conversation_id), _valid_uuid(message_id)
        if cid is None or mid is None:
            return False
        params = {"p_conversation_id": cid, "p_message_id": mid}
        return bool(await self._execute(rpc(client, "select_version", params)))

    async def recover_answer(self, user_id: str, conversation_id: str, *, stale_after_s: float) -> bool:
        client = self._as_caller(user_id)
        if (cid := _valid_uuid(conversation_id)) is None:
            return False
        params = {
            "p_conversation_id": cid,
            "p_error": INTERRUPTED_ERROR,
            "p_error_code": INTERRUPTED_CODE,
            "p_stale_after_s": stale_after_s,
        }
        # Not the caller's active conversation: nothing to recover (the insert is refused, P0002/42501).
        try:
            return bool(
                await self._execute(rpc(client, "recover_answer", params), missing=(*NOT_FOUND, "42501"))
            )
        except LookupError:
            return False

    # -- chat runs ------------------------------------------------------------------------------------
    async def request_stop(self, user_id: str, conversation_id: str, *, stale_after_s: float) -> bool:
        client = self._as_caller(user_id)
        if (cid := _valid_uuid(conversation_id)) is None:
            return False
        since = datetime.now(UTC) - timedelta(seconds=stale_after_s)
        rows = await self._execute(
            client.table("chat_runs")
            .update({"stop_requested": True})
            .eq("conversation_id", cid)
            .eq("user_id", user_id)
            .is_("finished_at", "null")
            .gt("heartbeat_at", since.isoformat())
        )
        return bool(rows)

    async def heartbeat(self, run_id: str) -> None:
        beat = {"heartbeat_at": datetime.now(UTC).isoformat()}
        await self._execute(self._as_caller().table("chat_runs").update(beat).eq("id", run_id))

    async def stop_requested(self, run_id: str) -> bool:
        client = self._as_caller()
        rows = await self._execute(client.table("chat_runs").select("stop_requested").eq("id", run_id))
        return bool(rows and rows[0]["stop_requested"])

    async def finish_run(self, run_id: str) -> None:
        finished = {"finished_at": datetime.now(UTC).isoformat()}
        await self._execute(self._as_caller().table("chat_runs").update(finished).eq("id", run_id))

    # -- rate limits ----------------------------------------------------------------------------------
    async def take_rate(self, user_id: str, bucket: str, per_minute: int) -> float | None:
        params = {"p_bucket": bucket, "p_per_minute": per_minute, "p_window_s": RATE_WINDOW_S}
        wait = await self._execute(rpc(self._as_caller(user_id), "take_rate", params))
        return None if wait is None else float(wait)

    # -- instruments ----------------------------------------------------------------------------------
    async def list_catalogue(
        self, *, search: str | None = None, category: str | None = None
    ) -> list[CatalogueEntry]:
        query = self._public().table("instrument_full").select("*").order("symbol")
        if category:
            query = query.eq("category", category.strip().lower())
        entries = [CatalogueEntry.model_validate(r) for r in await self._execute(query)]
        # The substring match runs here, on a few dozen rows: the search text never becomes a filter.
        needle = search.strip().lower() if search else ""
        return [e for e in entries if needle in e.symbol.lower() or needle in e.name.lower()]

    async def get_catalogue_entry(self, symbol: str) -> CatalogueEntry | None:
        query = self._public().table("instrument_full").select("*").eq("symbol", symbol.strip().upper())
        rows = await self._execute(query)
        return CatalogueEntry.model_validate(rows[0]) if rows else None

    async def list_workspace(self, user_id: str) -> list[str]:
        query = (
            self._as_caller(user_id)
            .table("user_instruments")
            .select("symbol")
            .eq("user_id", user_id)
            .order("added_at")
            .order("symbol")
        )
        return [r["symbol"] for r in await self._execute(query)]

    async def add_to_workspace(self, user_id: str, symbol: str) -> None:
        row = {"user_id": user_id, "symbol": symbol.strip().upper()}
        await self._execute(
            self._as_caller(user_id)
            .table("user_instruments")
            .upsert(row, on_conflict="user_id,symbol", ignore_duplicates=True, returning=ReturnMethod.minimal)
        )

    async def remove_from_workspace(self, user_id: str, symbol: str) -> bool:
        query = (
            self._as_caller(user_id)
            .table("user_instruments")
            .delete()
            .eq("user_id", user_id)
            .eq("symbol", symbol.strip().upper())
        )
        return bool(await self._execute(query))

    # -- operator tasks (secret key) ------------------------------------------------------------------
    async def sync_catalogue(self) -> int:
        """Upsert the built-in exchanges and instruments (as the seed migration does); returns the count."""
        client = self._service()
        instruments = [catalogue_record(i) for i in catalogue_instruments()]
        await self._execute(
            client.table("exchanges").upsert(
                [catalogue_record(e) for e in list_exchanges()],
                on_conflict="id",
                returning=ReturnMethod.minimal,
            )
        )
        await self._execute(
            client.table("instruments").upsert(
                instruments, on_conflict="symbol", returning=ReturnMethod.minimal
            )
        )
        return len(instruments)
