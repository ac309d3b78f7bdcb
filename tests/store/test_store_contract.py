"""The store protocol's contract, run against every implementation.

``sqlite`` is the embedded store on a temp file. ``supabase`` is :class:`SupabaseStore` speaking HTTP to the
PostgREST stand-in of ``postgrest_lite`` on the real PostgreSQL cluster with the real migrations and RLS,
with each call carrying the caller's JWT as in production.
"""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from shared.store import Store
from shared.store.errors import AnswerRunning, StoreInvalid, StoreUnavailable
from shared.store.models import DEFAULT_TITLE, INTERRUPTED_CODE, NewAnswer, NewToolCall, Usage
from shared.store.sqlite import SqliteStore
from shared.store.supabase import SupabaseStore
from tests.store.identities import Identities, SupabaseIdentities
from tests.store.postgrest_lite import PUBLISHABLE_KEY

pytestmark = pytest.mark.anyio
STALE = 20.0
"""How long a run may go without beating before it counts as dead, in these tests."""


@pytest.fixture
def other_worker(store: Store, ids: Identities) -> Store:
    """A second store instance on the same database, as another uvicorn worker or Lambda would hold."""
    if isinstance(store, SqliteStore):
        return SqliteStore(store.path)
    assert isinstance(ids, SupabaseIdentities)
    return SupabaseStore("http://supabase.test", PUBLISHABLE_KEY, transport=ids.rest.transport())


def answer(text: str = "An answer.", *, tokens: int = 10, cost: float = 0.001, calls: int = 1) -> NewAnswer:
    return NewAnswer(
        content=text,
        data=[{"type": "table", "columns": ["x"], "rows": [[1]]}],
        tool_calls=[
            NewToolCall(
                tool_use_id=f"tu_{i}",
                tool_name="run_query",
                title=f"Query {i}",
                input={"query": {"from": "daily"}, "i": i},
                output_summary=f"{i} rows",
                duration_ms=5 + i,
            )
            for i in range(calls)
        ],
        usage=Usage(input_tokens=tokens, output_tokens=tokens // 2, cache_read_tokens=1, cost_usd=cost),
    )


async def test_conversation_crud(store: Store, ids: Identities) -> None:
    alice = ids.new()
    ids.become(alice)
    created = await store.create_conversation(alice, "nq")
    assert (created.instrument, created.title, created.status, created.user_id) == (
        "NQ",
        DEFAULT_TITLE,
        "active",
        alice,
    )
    assert created.usage == Usage()
    assert await store.get_conversation(alice, created.id) == created
    renamed = await store.rename_conversation(alice, created.id, "Gap fills")
    assert renamed is not None and renamed.title == "Gap fills" and renamed.updated_at >= created.updated_at
    late = await store.begin_answer(
        alice, created.id, "q", title="Too late", start_run=False, stale_after_s=STALE
    )
    assert late.title_set is False
    assert (await store.get_conversation(alice, created.id)).title == "Gap fills"
    fresh = await store.create_conversation(alice, "ES", "Own title")
    assert fresh.title == "Own title"
    untitled = await store.create_conversation(alice, "ES")
    first = await store.begin_answer(
        alice, untitled.id, "q1", title="Auto title", start_run=False, stale_after_s=STALE
    )
    assert first.title_set is True
    second = await store.begin_answer(
        alice, untitled.id, "q2", title="Another title", start_run=False, stale_after_s=STALE
    )
    assert second.title_set is False
    assert (await store.get_conversation(alice, untitled.id)).title == "Auto title"
    await store.save_summary(
        alice, created.id, "They asked about gaps.", "00000000-0000-4000-8000-000000000001"
    )
    summarised = await store.get_conversation(alice, created.id)
    assert summarised.summary == "They asked about gaps."
    assert summarised.summary_through == "00000000-0000-4000-8000-000000000001"
    assert await store.get_conversation(alice, "not-a-conversation") is None


async def test_pagination_walks_every_conversation_once_newest_activity_first(
    store: Store, ids: Identities
) -> None:
    alice = ids.new()
    ids.become(alice)
    made = [await store.create_conversation(alice, "GC" if i % 2 else "NQ", f"c{i}") for i in range(7)]
    # Activity reorders: a message moves the oldest conversation to the top.
    await store.begin_answer(alice, made[0].id, "bump", start_run=False, stale_after_s=STALE)
    expected = [made[0].id, *[c.id for c in reversed(made[1:])]]
    seen, cursor = [], None
    while True:
        page = await store.list_conversations(alice, limit=3, cursor=cursor)
        assert len(page.items) <= 3
        seen += [c.id for c in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == expected
    gold = await store.list_conversations(alice, instrument="gc", limit=50)
    assert [c.id for c in gold.items] == [c.id for c in reversed(made) if c.instrument == "GC"]
    assert gold.next_cursor is None
    with pytest.raises(ValueError):
        await store.list_conversations(alice, cursor="not a cursor")


async def test_removed_conversations_are_invisible_and_closed(store: Store, ids: Identities) -> None:
    alice = ids.new()
    ids.become(alice)
    kept = await store.create_conversation(alice, "ES")
    gone = await store.create_conversation(alice, "ES")
    await store.begin_answer(alice, gone.id, "hello", start_run=False, stale_after_s=STALE)
    assert await store.remove_conversation(alice, gone.id) is True
    assert await store.remove_conversation(alice, gone.id) is False
    assert await store.get_conversation(alice, gone.id) is None
    assert [c.id for c in (await store.list_conversations(alice)).items] == [kept.id]
    assert await store.list_messages(alice, gone.id) == []
    assert await store.rename_conversation(alice, gone.id, "back?") is None
    with pytest.raises(LookupError):
        await store.begin_answer(alice, gone.id, "still there?", stale_after_s=STALE)
    with pytest.raises(LookupError):
        await store.save_answer(alice, gone.id, answer())


async def test_another_users_rows_are_invisible(store: Store, ids: Identities) -> None:
    alice, bob = ids.new(), ids.new()
    ids.become(alice)
    conversation = await store.create_conversation(alice, "CL")
    await store.begin_answer(alice, conversation.id, "mine", start_run=False, stale_after_s=STALE)
    await store.save_answer(alice, conversation.id, answer())
    run = (await store.begin_answer(alice, conversation.id, "again", stale_after_s=STALE)).run_id
    await store.add_to_workspace(alice, "CL")
    ids.become(bob)
    assert await store.get_conversation(bob, conversation.id) is None
    assert (await store.list_conversations(bob)).items == []
    assert await store.list_messages(bob, conversation.id) == []
    assert await store.rename_conversation(bob, conversation.id, "stolen") is None
    assert await store.remove_conversation(bob, conversation.id) is False
    assert await store.request_stop(bob, conversation.id, stale_after_s=STALE) is False
    with pytest.raises(LookupError):
        await store.begin_answer(bob, conversation.id, "intrusion", title="stolen", stale_after_s=STALE)
    with pytest.raises(LookupError):
        await store.save_answer(bob, conversation.id, answer())
    assert await store.list_workspace(bob) == []
    assert await store.remove_from_workspace(bob, "CL") is False
    ids.become(alice)
    assert (await store.get_conversation(alice, conversation.id)).title == DEFAULT_TITLE
    contents = [m.content for m in await store.list_messages(alice, conversation.id)]
    assert contents == ["mine", "An answer.", "again"]
    assert await store.stop_requested(run) is False
    assert await store.list_workspace(alice) == ["CL"]


async def test_save_answer_keeps_tool_calls_and_adds_usage(store: Store, ids: Identities) -> None:
    alice = ids.new()
    ids.become(alice)
    conversation = await store.create_conversation(alice, "NQ")
    question = (
        await store.begin_answer(
            alice, conversation.id, "What % of gaps fill?", start_run=False, stale_after_s=STALE
        )
    ).message
    assert (question.role, question.content, question.usage, question.tool_calls) == (
        "user",
        "What % of gaps fill?",
        None,
        [],
    )
    first = await store.save_answer(
        alice, conversation.id, answer("71% fill.", tokens=100, cost=0.25, calls=3)
    )
    assert (first.role, first.status, first.content) == ("assistant", "complete", "71% fill.")
    assert [c.tool_use_id for c in first.tool_calls] == ["tu_0", "tu_1", "tu_2"]
    assert first.tool_calls[2].input == {"query": {"from": "daily"}, "i": 2}
    assert first.data == [{"type": "table", "columns": ["x"], "rows": [[1]]}]
    assert first.usage == Usage(input_tokens=100, output_tokens=50, cache_read_tokens=1, cost_usd=0.25)
    partial = NewAnswer(
        content="Stopped", status="partial", error="stopped by user", usage=Usage(input_tokens=7)
    )
    await store.save_answer(alice, conversation.id, partial)
    await store.save_answer(alice, conversation.id, answer("Again.", tokens=20, cost=0.125, calls=0))
    total = (await store.get_conversation(alice, conversation.id)).usage
    assert (total.input_tokens, total.output_tokens, total.cache_read_tokens) == (127, 60, 2)
    assert total.cost_usd == pytest.approx(0.375)
    history = await store.list_messages(alice, conversation.id)
    assert [(m.role, m.status) for m in history] == [
        ("user", "complete"),
        ("assistant", "complete"),
        ("assistant", "partial"),
        ("assistant", "complete"),
    ]
    assert history[1] == first
    assert history[2].error == "stopped by user"
    assert [len(m.tool_calls) for m in history] == [0, 3, 0, 0]
    # The model's replay reads everything but the cards.
    replayed = await store.list_messages(alice, conversation.id, cards=False)
    assert [m.model_copy(update={"data": history[i].data}) for i, m in enumerate(replayed)] == history
    assert [m.data for m in replayed] == [[], [], [], []]
    # The next question comes back with that history, itself last, and its run registered.
    follow_up = await store.begin_answer(alice, conversation.id, "And for ES?", stale_after_s=STALE)
    assert follow_up.history == [*replayed, follow_up.message]
    assert (follow_up.message.role, follow_up.message.content) == ("user", "And for ES?")
    assert await store.request_stop(alice, conversation.id, stale_after_s=STALE) is True
    assert await store.stop_requested(follow_up.run_id) is True
    # Only what the rolling summary does not cover is read back; an unknown boundary reads everything.
    later = await store.begin_answer(
        alice,
        conversation.id,
        "Why?",
        start_run=False,
        history_after=follow_up.message.id,
        stale_after_s=STALE,
    )
    assert [m.content for m in later.history] == ["Why?"]
    unknown = "00000000-0000-4000-8000-000000000009"
    again = await store.begin_answer(
        alice, conversation.id, "Again?", start_run=False, history_after=unknown, stale_after_s=STALE
    )
    assert [m.id for m in again.history] == [
        *(m.id for m in follow_up.history),
        later.message.id,
        again.message.id,
    ]


async def test_a_failed_save_leaves_nothing_behind(store: Store, ids: Identities) -> None:
    alice = ids.new()
    ids.become(alice)
    conversation = await store.create_conversation(alice, "NQ")
    await store.begin_answer(alice, conversation.id, "q", start_run=False, stale_after_s=STALE)
    broken = answer(calls=2)
    # The second tool call breaks a NOT NULL column after the message and the first call were written.
    broken.tool_calls[1].tool_name = None  # type: ignore[assignment]
    with pytest.raises((sqlite3.IntegrityError, StoreInvalid)):
        await store.save_answer(alice, conversation.id, broken)
    assert [m.role for m in await store.list_messages(alice, conversation.id)] == ["user"]
    assert (await store.get_conversation(alice, conversation.id)).usage == Usage()


async def test_runs_can_be_stopped_until_they_finish(store: Store, ids: Identities) -> None:
    alice = ids.new()
    ids.become(alice)
    conversation = await store.create_conversation(alice, "NQ")
    assert await store.request_stop(alice, conversation.id, stale_after_s=STALE) is False
    assert (
        await store.begin_answer(alice, conversation.id, "q", start_run=False, stale_after_s=STALE)
    ).run_id is None
    assert await store.request_stop(alice, conversation.id, stale_after_s=STALE) is False
    run = (await store.begin_answer(alice, conversation.id, "q", stale_after_s=STALE)).run_id
    assert run is not None
    # A run that has not beaten for the stale time was left by a worker that went away: nothing to stop.
    assert await store.request_stop(alice, conversation.id, stale_after_s=0) is False
    assert await store.stop_requested(run) is False
    assert await store.request_stop(alice, conversation.id, stale_after_s=STALE) is True
    assert await store.stop_requested(run) is True
    await store.finish_run(run)
    assert await store.request_stop(alice, conversation.id, stale_after_s=STALE) is False


async def test_a_stop_requested_on_another_worker_reaches_the_running_one(
    store: Store, other_worker: Store, ids: Identities
) -> None:
    alice = ids.new()
    ids.become(alice)
    conversation = await store.create_conversation(alice, "NQ")
    run = (await store.begin_answer(alice, conversation.id, "q", stale_after_s=STALE)).run_id
    assert await other_worker.request_stop(alice, conversation.id, stale_after_s=STALE) is True
    assert await store.stop_requested(run) is True
    await store.finish_run(run)
    assert await other_worker.request_stop(alice, conversation.id, stale_after_s=STALE) is False


async def test_workspace_add_is_idempotent_and_normalised(store: Store, ids: Identities) -> None:
    alice = ids.new()
    ids.become(alice)
    await store.add_to_workspace(alice, "es")
    await store.add_to_workspace(alice, "ES")
    await store.add_to_workspace(alice, "gc")
    assert await store.list_workspace(alice) == ["ES", "GC"]
    assert await store.remove_from_workspace(alice, "es") is True
    assert await store.remove_from_workspace(alice, "ES") is False
    assert await store.list_workspace(alice) == ["GC"]


async def test_catalogue_search_and_category(store: Store) -> None:
    everything = await store.list_catalogue()
    assert len(everything) == 31
    assert [e.symbol for e in everything] == sorted(e.symbol for e in everything)
    assert [e.symbol for e in await store.list_catalogue(search="gold")] == ["GC"]
    assert {e.symbol for e in await store.list_catalogue(search="nq")} == {"NQ"}
    # Plain substring: wildcard and quoting characters are text, not patterns or filter syntax.
    for text in ("%", "_", "*", "a,b)", '"', "\\"):
        assert await store.list_catalogue(search=text) == []
    metals = await store.list_catalogue(category="METALS")
    assert metals and {e.category for e in metals} == {"metals"}
    es = await store.get_catalogue_entry("es")
    assert es is not None
    assert (es.exchange, es.exchange_name, es.default_session) == (
        "CME",
        "Chicago Mercantile Exchange",
        "ETH",
    )
    assert es.sessions == {"ETH": ["18:00", "17:00"], "RTH": ["09:30", "16:15"]}
    assert (es.tick_size, es.point_value, es.calendar) == (0.25, 50.0, "CME_EQUITY")
    assert await store.get_catalogue_entry("NOPE") is None


async def test_ping_answers_when_the_store_serves_and_raises_when_it_cannot(store: Store) -> None:
    await store.ping()
    unreachable = SupabaseStore("http://127.0.0.1:9", PUBLISHABLE_KEY, timeout_s=1.0)  # discard port
    with pytest.raises(StoreUnavailable):
        await unreachable.ping()


async def test_one_answer_at_a_time_and_each_names_its_question(store: Store, ids: Identities) -> None:
    alice = ids.new()
    ids.become(alice)
    conversation = await store.create_conversation(alice, "NQ")
    first = await store.begin_answer(alice, conversation.id, "first", stale_after_s=STALE)
    with pytest.raises(AnswerRunning):
        await store.begin_answer(alice, conversation.id, "second, at the same time", stale_after_s=STALE)
    assert [m.content for m in await store.list_messages(alice, conversation.id)] == ["first"]
    refused = NewAnswer(
        content="",
        status="error",
        error="The model is overloaded.",
        error_code="LLM_UNAVAILABLE",
        retryable=True,
        reply_to=first.message.id,
    )
    stored = await store.save_answer(alice, conversation.id, refused)
    assert (stored.error_code, stored.retryable, stored.reply_to) == (
        "LLM_UNAVAILABLE",
        True,
        first.message.id,
    )
    assert first.run_id is not None
    await store.finish_run(first.run_id)
    second = await store.begin_answer(alice, conversation.id, "second", stale_after_s=STALE)
    # A run that stopped beating died with its worker: it holds nothing up.
    third = await store.begin_answer(alice, conversation.id, "third", stale_after_s=0)
    assert second.run_id and third.run_id and second.run_id != third.run_id
    listed = await store.list_messages(alice, conversation.id)
    assert [(m.role, m.reply_to) for m in listed][:2] == [("user", None), ("assistant", first.message.id)]
    assert listed[1] == stored


async def test_a_question_left_by_a_dead_worker_gets_an_error_answer(store: Store, ids: Identities) -> None:
    alice, bob = ids.new(), ids.new()
    ids.become(alice)
    conversation = await store.create_conversation(alice, "NQ")
    assert await store.recover_answer(alice, conversation.id, stale_after_s=STALE) is False  # nothing asked
    asked = await store.begin_answer(alice, conversation.id, "q", stale_after_s=STALE)
    assert (
        await store.recover_answer(alice, conversation.id, stale_after_s=STALE) is False
    )  # its run is alive
    ids.become(bob)
    assert await store.recover_answer(bob, conversation.id, stale_after_s=0) is False
    ids.become(alice)
    assert await store.recover_answer(alice, conversation.id, stale_after_s=0) is True
    question, recovered = await store.list_messages(alice, conversation.id)
    assert (recovered.role, recovered.status, recovered.error_code, recovered.retryable) == (
        "assistant",
        "error",
        INTERRUPTED_CODE,
        True,
    )
    assert recovered.reply_to == question.id == asked.message.id
    assert (
        await store.request_stop(alice, conversation.id, stale_after_s=STALE) is False
    )  # the dead run was closed
    assert await store.recover_answer(alice, conversation.id, stale_after_s=0) is False  # answered now


async def test_a_beating_run_stays_live(store: Store, ids: Identities) -> None:
    alice = ids.new()
    ids.become(alice)
    conversation = await store.create_conversation(alice, "NQ")
    run = (await store.begin_answer(alice, conversation.id, "q", stale_after_s=STALE)).run_id
    assert run is not None
    await asyncio.sleep(2.5)
    assert await store.request_stop(alice, conversation.id, stale_after_s=2) is False  # silent: dead
    await store.heartbeat(run)
    assert await store.request_stop(alice, conversation.id, stale_after_s=2) is True


async def test_rate_limits_hold_across_workers(store: Store, other_worker: Store, ids: Identities) -> None:
    """Two workers (or Lambda instances) share one limit: alternating between them does not double it."""
    alice, bob = ids.new(), ids.new()
    ids.become(alice)
    for worker in (store, other_worker, store):
        assert await worker.take_rate(alice, "query", 3) is None
    wait = await other_worker.take_rate(alice, "query", 3)
    assert wait is not None and 0 < wait <= 60
    assert await store.take_rate(alice, "chat", 3) is None  # buckets are separate
    ids.become(bob)
    assert await store.take_rate(bob, "query", 3) is None  # and users
