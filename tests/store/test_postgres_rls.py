"""The production schema on a real PostgreSQL: row-level security, the save-answer RPC, triggers, seed.

Every statement runs the way PostgREST runs a request: inside a transaction with ``role`` set to the JWT's
role and ``request.jwt.claims`` holding the claims (see ``acting_as``).
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

import psycopg
import pytest
from psycopg import errors
from psycopg.types.json import Jsonb

from tests.store.conftest import make_user
from tests.store.pg import acting_as

USER_TABLES = ("conversations", "messages", "tool_calls", "user_instruments", "chat_runs", "rate_events")


def new_conversation(db: psycopg.Connection, user: str, instrument: str = "NQ") -> str:
    with acting_as(db, user) as cur:
        cur.execute("insert into conversations (instrument) values (%s) returning id", (instrument,))
        return str(cur.fetchone()[0])


def save_answer(db: psycopg.Connection, user: str, conversation: str, answer: dict[str, Any]) -> dict:
    with acting_as(db, user) as cur:
        cur.execute("select save_answer(%s, %s)", (conversation, Jsonb(answer)))
        return cur.fetchone()[0]


def add_message(db: psycopg.Connection, user: str, conversation: str, content: str = "hi") -> str:
    with acting_as(db, user) as cur:
        cur.execute(
            "insert into messages (conversation_id, role, content) values (%s, 'user', %s) returning id",
            (conversation, content),
        )
        return str(cur.fetchone()[0])


ANSWER = {
    "content": "Gaps fill 71% of the time.",
    "data": [{"type": "table", "columns": ["n"], "rows": [[1]]}],
    "usage": {"input_tokens": 100, "output_tokens": 20, "cache_read_tokens": 5, "cost_usd": 0.0125},
    "tool_calls": [
        {
            "tool_use_id": "tu_1",
            "tool_name": "run_query",
            "title": "Gaps",
            "input": {"q": 1},
            "duration_ms": 12,
        },
        {"tool_use_id": "tu_2", "tool_name": "run_query", "input": {"q": 2}, "error": "bad column"},
    ],
}


@pytest.fixture
def alice(db: psycopg.Connection) -> str:
    return make_user(db)


@pytest.fixture
def bob(db: psycopg.Connection) -> str:
    return make_user(db)


def test_rls_is_enabled_on_every_table_and_policies_evaluate_the_uid_once(db: psycopg.Connection) -> None:
    tables = db.execute(
        "select relname, relrowsecurity from pg_class where relnamespace = 'public'::regnamespace"
        " and relkind = 'r'"
    ).fetchall()
    assert {name for name, _ in tables} >= {*USER_TABLES, "instruments", "exchanges"}
    assert all(enabled for _, enabled in tables)
    policies = db.execute(
        "select policyname, coalesce(qual, '') || ' ' || coalesce(with_check, '') from pg_policies"
        " where schemaname = 'public'"
    ).fetchall()
    for name, text in policies:
        # Every auth.uid() call sits inside a scalar sub-select (an init plan), never per row.
        assert text.count("auth.uid()") == text.count("SELECT auth.uid() AS uid"), name


def test_owner_reads_their_conversation_and_a_stranger_cannot_touch_it(
    db: psycopg.Connection, alice: str, bob: str
) -> None:
    conversation = new_conversation(db, alice)
    with acting_as(db, alice) as cur:
        cur.execute("select user_id::text, title, status from conversations where id = %s", (conversation,))
        assert cur.fetchone() == (alice, "New chat", "active")
    with acting_as(db, bob) as cur:
        cur.execute("select count(*) from conversations where id = %s", (conversation,))
        assert cur.fetchone()[0] == 0
        cur.execute("update conversations set title = 'mine' where id = %s", (conversation,))
        assert cur.rowcount == 0
        cur.execute("delete from conversations where id = %s", (conversation,))
        assert cur.rowcount == 0
    with acting_as(db, alice) as cur:
        cur.execute("select title from conversations where id = %s", (conversation,))
        assert cur.fetchone()[0] == "New chat"


def test_nobody_can_create_or_hand_over_rows_for_someone_else(
    db: psycopg.Connection, alice: str, bob: str
) -> None:
    with pytest.raises(errors.InsufficientPrivilege), acting_as(db, bob) as cur:
        cur.execute("insert into conversations (user_id, instrument) values (%s, 'NQ')", (alice,))
    conversation = new_conversation(db, bob)
    with pytest.raises(errors.InsufficientPrivilege), acting_as(db, bob) as cur:
        cur.execute("update conversations set user_id = %s where id = %s", (alice, conversation))
    with pytest.raises(errors.InsufficientPrivilege), acting_as(db, bob) as cur:
        cur.execute("insert into user_instruments (user_id, symbol) values (%s, 'ES')", (alice,))


def test_messages_and_tool_calls_are_private(db: psycopg.Connection, alice: str, bob: str) -> None:
    conversation = new_conversation(db, alice)
    add_message(db, alice, conversation)
    saved = save_answer(db, alice, conversation, ANSWER)
    with acting_as(db, bob) as cur:
        cur.execute("select count(*) from messages where conversation_id = %s", (conversation,))
        assert cur.fetchone()[0] == 0
        cur.execute("select count(*) from tool_calls where message_id = %s", (saved["id"],))
        assert cur.fetchone()[0] == 0
        cur.execute("delete from messages where conversation_id = %s", (conversation,))
        assert cur.rowcount == 0
        cur.execute("update tool_calls set error = 'x' where message_id = %s", (saved["id"],))
        assert cur.rowcount == 0
    # Posting into someone else's conversation looks exactly like posting into a missing one.
    with pytest.raises(errors.NoDataFound), acting_as(db, bob) as cur:
        cur.execute("insert into messages (conversation_id, role) values (%s, 'user')", (conversation,))
    # Forging the author does not help: the insert trigger runs as the caller and cannot see the conversation.
    with pytest.raises(errors.NoDataFound), acting_as(db, bob) as cur:
        cur.execute(
            "insert into messages (conversation_id, user_id, role) values (%s, %s, 'user')",
            (conversation, alice),
        )
    with pytest.raises(errors.InsufficientPrivilege), acting_as(db, bob) as cur:
        cur.execute(
            "insert into tool_calls (message_id, tool_use_id, tool_name, input, seq)"
            " values (%s, 'x', 'run_query', '{}', 9)",
            (saved["id"],),
        )
    with pytest.raises(errors.NoDataFound), acting_as(db, bob) as cur:
        cur.execute("select save_answer(%s, %s)", (conversation, Jsonb(ANSWER)))
    with acting_as(db, alice) as cur:
        cur.execute("select count(*) from messages where conversation_id = %s", (conversation,))
        assert cur.fetchone()[0] == 2
        # History is append-only, even for its owner.
        cur.execute("update messages set content = 'edited' where conversation_id = %s", (conversation,))
        assert cur.rowcount == 0


def test_a_removed_conversation_hides_its_history_and_refuses_new_messages(
    db: psycopg.Connection, alice: str
) -> None:
    conversation = new_conversation(db, alice)
    add_message(db, alice, conversation)
    with acting_as(db, alice) as cur:
        cur.execute(
            "update conversations set status = 'removed' where id = %s returning status", (conversation,)
        )
        assert cur.fetchone()[0] == "removed"
        cur.execute("select count(*) from messages where conversation_id = %s", (conversation,))
        assert cur.fetchone()[0] == 0
        cur.execute(
            "update conversations set status = 'active', title = 'back' where id = %s", (conversation,)
        )
        assert cur.rowcount == 0
    with pytest.raises(errors.NoDataFound), acting_as(db, alice) as cur:
        cur.execute("insert into messages (conversation_id, role) values (%s, 'user')", (conversation,))
    with pytest.raises(errors.InsufficientPrivilege), acting_as(db, alice) as cur:
        cur.execute("insert into chat_runs (conversation_id) values (%s)", (conversation,))


def test_workspace_rows_are_private_upper_case_and_catalogue_symbols_only(
    db: psycopg.Connection, alice: str, bob: str
) -> None:
    with acting_as(db, alice) as cur:
        cur.execute("insert into user_instruments (symbol) values ('GC')")
        cur.execute("insert into user_instruments (symbol) values ('GC') on conflict do nothing")
        assert cur.rowcount == 0
    with acting_as(db, bob) as cur:
        cur.execute("select count(*) from user_instruments")
        assert cur.fetchone()[0] == 0
        cur.execute("delete from user_instruments where symbol = 'GC'")
        assert cur.rowcount == 0
    with pytest.raises(errors.CheckViolation), acting_as(db, alice) as cur:
        cur.execute("insert into user_instruments (symbol) values ('es')")
    with pytest.raises(errors.ForeignKeyViolation), acting_as(db, alice) as cur:
        cur.execute("insert into user_instruments (symbol) values ('NOPE')")
    with pytest.raises(errors.CheckViolation), acting_as(db, alice) as cur:
        cur.execute("insert into conversations (instrument) values ('nq')")
    with acting_as(db, alice) as cur:
        cur.execute("select symbol from user_instruments")
        assert cur.fetchall() == [("GC",)]


def test_chat_runs_are_private(db: psycopg.Connection, alice: str, bob: str) -> None:
    conversation = new_conversation(db, alice)
    with acting_as(db, alice) as cur:
        cur.execute("insert into chat_runs (conversation_id) values (%s) returning id", (conversation,))
        run = cur.fetchone()[0]
    with acting_as(db, bob) as cur:
        cur.execute("update chat_runs set stop_requested = true where id = %s", (run,))
        assert cur.rowcount == 0
        cur.execute("select count(*) from chat_runs where id = %s", (run,))
        assert cur.fetchone()[0] == 0
    with pytest.raises(errors.InsufficientPrivilege), acting_as(db, bob) as cur:
        cur.execute("insert into chat_runs (conversation_id) values (%s)", (conversation,))


def test_catalogue_is_public_read_and_service_role_write(db: psycopg.Connection, alice: str) -> None:
    with acting_as(db, None, role="anon") as cur:
        cur.execute("select count(*) from instruments")
        assert cur.fetchone()[0] == 31
        cur.execute("select count(*) from exchanges")
        assert cur.fetchone()[0] == 7
        cur.execute("select exchange_name, sessions -> 'RTH' from instrument_full where symbol = 'ES'")
        assert cur.fetchone() == ("Chicago Mercantile Exchange", ["09:30", "16:15"])
        # Anonymous callers see no user data at all.
        cur.execute("select count(*) from conversations")
        assert cur.fetchone()[0] == 0
    for role, sub in (("anon", None), ("authenticated", alice)):
        for statement in (
            "update instruments set tick_size = 1 where symbol = 'ES'",
            "delete from exchanges where id = 'EUREX'",
            "insert into exchanges values ('X', 'x', 'UTC', 'X')",
        ):
            with pytest.raises(errors.InsufficientPrivilege), acting_as(db, sub, role=role) as cur:
                cur.execute(statement)
    with pytest.raises(errors.InsufficientPrivilege), acting_as(db, None, role="anon") as cur:
        cur.execute("select save_answer(gen_random_uuid(), '{}')")
    with acting_as(db, None, role="service_role") as cur:
        cur.execute(
            "update instruments set notes = 'checked' where symbol = 'ES' returning updated_at > created_at"
        )
        assert cur.fetchone()[0] is True
        cur.execute("update instruments set notes = null where symbol = 'ES'")


def test_save_answer_persists_message_tool_calls_and_usage_together(
    db: psycopg.Connection, alice: str
) -> None:
    conversation = new_conversation(db, alice)
    add_message(db, alice, conversation)
    first = save_answer(db, alice, conversation, ANSWER)
    assert (first["role"], first["seq"], first["content"]) == ("assistant", 2, ANSWER["content"])
    assert [(c["tool_use_id"], c["seq"], c["error"]) for c in first["tool_calls"]] == [
        ("tu_1", 0, None),
        ("tu_2", 1, "bad column"),
    ]
    assert first["tool_calls"][0]["input"] == {"q": 1}
    save_answer(db, alice, conversation, {"content": "again", "usage": {"input_tokens": 1, "cost_usd": 0.5}})
    with acting_as(db, alice) as cur:
        cur.execute("select usage, cost_usd::float from conversations where id = %s", (conversation,))
        usage, cost = cur.fetchone()
    assert usage == {
        "input_tokens": 101,
        "output_tokens": 20,
        "cache_read_tokens": 5,
        "cache_write_tokens": 0,
    }
    assert cost == pytest.approx(0.5125)


def test_save_answer_rolls_back_everything_when_a_tool_call_is_invalid(
    db: psycopg.Connection, alice: str
) -> None:
    conversation = new_conversation(db, alice)
    broken = {**ANSWER, "tool_calls": [ANSWER["tool_calls"][0], {"tool_use_id": "tu_3", "input": {}}]}
    with pytest.raises(errors.NotNullViolation), acting_as(db, alice) as cur:
        cur.execute("select save_answer(%s, %s)", (conversation, Jsonb(broken)))
    with acting_as(db, alice) as cur:
        cur.execute("select count(*) from messages where conversation_id = %s", (conversation,))
        assert cur.fetchone()[0] == 0
        cur.execute("select count(*) from tool_calls")
        assert cur.fetchone()[0] == 0
        cur.execute("select usage, cost_usd::float from conversations where id = %s", (conversation,))
        assert cur.fetchone() == ({}, 0.0)


def test_messages_advance_the_conversation_and_rename_touches_updated_at(
    db: psycopg.Connection, alice: str
) -> None:
    conversation = new_conversation(db, alice)

    def updated_at() -> Any:
        return db.execute("select updated_at from conversations where id = %s", (conversation,)).fetchone()[0]

    created = updated_at()
    add_message(db, alice, conversation)
    after_message = updated_at()
    with acting_as(db, alice) as cur:
        cur.execute("update conversations set title = 'Gaps' where id = %s", (conversation,))
    assert created < after_message < updated_at()


def test_concurrent_writers_get_unique_gap_free_message_order(
    db: psycopg.Connection, pg: Any, alice: str
) -> None:
    conversation = new_conversation(db, alice)
    failures: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            with psycopg.connect(pg.conninfo, autocommit=True) as conn:
                for i in range(10):
                    add_message(conn, alice, conversation, f"{n}-{i}")
        except BaseException as exc:  # surfaced by the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    seqs = [r[0] for r in db.execute("select seq from messages where conversation_id = %s", (conversation,))]
    assert sorted(seqs) == list(range(1, 41))


@pytest.mark.parametrize(
    ("query", "index"),
    [
        (
            "select * from conversations where user_id = %(u)s and status = 'active'"
            " order by updated_at desc, id desc limit 21",
            "conversations_by_user",
        ),
        (
            "select * from conversations where user_id = %(u)s and status = 'active'"
            " and (updated_at < %(t)s or (updated_at = %(t)s and id < %(c)s))"
            " order by updated_at desc, id desc limit 21",
            "conversations_by_user",
        ),
        (
            "select * from messages where conversation_id = %(c)s::uuid order by seq",
            "messages_conversation_id_seq_key",
        ),
        ("select * from user_instruments where user_id = %(u)s order by added_at", "user_instruments_pkey"),
        (
            "select * from chat_runs where conversation_id = %(c)s::uuid and finished_at is null",
            "chat_runs_by_conversation",
        ),
    ],
)
def test_access_paths_have_an_index(db: psycopg.Connection, alice: str, query: str, index: str) -> None:
    with acting_as(db, alice) as cur:
        cur.execute("set local enable_seqscan = off")
        cur.execute(
            "explain " + query, {"u": alice, "c": str(uuid.uuid4()), "t": "2026-01-01T00:00:00+00:00"}
        )
        plan = "\n".join(r[0] for r in cur.fetchall())
    assert index in plan, plan
