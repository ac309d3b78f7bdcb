"""Versions of answers and questions (regenerate, edit), in both stores: nothing is lost, the conversation reads
once, and a chosen version brings its branch back. Also the upgrade of conversations stored before versions."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import psycopg
import pytest

from shared.store import Store
from shared.store.models import INTERRUPTED_CODE, Message, NewAnswer
from shared.store.sqlite import SqliteStore
from shared.store.sqlite_schema import MIGRATIONS as SQLITE_MIGRATIONS
from tests.store.identities import Identities
from tests.store.pg import BOOTSTRAP, MIGRATIONS, PgCluster

pytestmark = pytest.mark.anyio
STALE = 20.0
VERSIONS_MIGRATION = "20261207060000_message_versions.sql"


async def turn(store: Store, user: str, conversation: str, question: str | None, **kwargs: object) -> Message:
    """Ask (or re-ask) and store an answer ``"<question> → answer"``; returns the stored answer."""
    saved = await store.begin_answer(user, conversation, question, stale_after_s=STALE, **kwargs)  # type: ignore[arg-type]
    assert saved.run_id is not None
    await store.finish_run(saved.run_id)
    text = f"{saved.message.content} → answer"
    return await store.save_answer(user, conversation, NewAnswer(content=text, reply_to=saved.message.id))


async def new_conversation(store: Store, ids: Identities) -> tuple[str, str]:
    """A new user, signed in, and a new NQ conversation of theirs."""
    user = ids.new()
    ids.become(user)
    return user, (await store.create_conversation(user, "NQ")).id


def shown(messages: list[Message]) -> list[str]:
    return [m.content for m in messages]


async def test_regenerate_keeps_both_answers_and_reads_once(store: Store, ids: Identities) -> None:
    alice, conversation = await new_conversation(store, ids)
    first = await turn(store, alice, conversation, "q1")
    question = first.reply_to
    assert question is not None
    second = await turn(store, alice, conversation, None, revises=question)
    listed = await store.list_messages(alice, conversation)
    assert shown(listed) == ["q1", "q1 → answer"]  # the question once, the newest answer
    assert listed[1].id == second.id and listed[1].reply_to == question
    assert listed[1].versions == [first.id, second.id] == second.versions
    assert listed[0].versions == [question]
    assert await store.select_version(alice, conversation, first.id) is True
    assert [m.id for m in await store.list_messages(alice, conversation)] == [question, first.id]


async def test_edit_forks_and_the_earlier_branch_comes_back_whole(store: Store, ids: Identities) -> None:
    alice, conversation = await new_conversation(store, ids)
    a1 = await turn(store, alice, conversation, "q1")
    a2 = await turn(store, alice, conversation, "q2")
    a3 = await turn(store, alice, conversation, "q3")
    q2 = a2.reply_to
    assert q2 is not None
    edited = await store.begin_answer(alice, conversation, "q2 edited", revises=q2, stale_after_s=STALE)
    assert shown(edited.history) == ["q1", "q1 → answer", "q2 edited"]  # the model replays the new branch
    assert edited.message.reply_to == a1.id and edited.message.versions == [q2, edited.message.id]
    assert edited.run_id is not None
    await store.finish_run(edited.run_id)
    await store.save_answer(alice, conversation, NewAnswer(content="new", reply_to=edited.message.id))
    assert shown(await store.list_messages(alice, conversation)) == ["q1", "q1 → answer", "q2 edited", "new"]
    # Back to the first wording: its whole continuation returns, down to the newest message under it.
    assert await store.select_version(alice, conversation, q2) is True
    back = await store.list_messages(alice, conversation)
    assert [m.id for m in back][2:] == [q2, a2.id, a3.reply_to, a3.id]
    assert back[2].versions == [q2, edited.message.id]
    # A new question follows what is shown.
    follow = await turn(store, alice, conversation, "q4")
    assert shown(await store.list_messages(alice, conversation))[-2:] == ["q4", "q4 → answer"]
    assert (await store.list_messages(alice, conversation))[-2].reply_to == a3.id != follow.id


async def test_the_first_question_can_be_edited_too(store: Store, ids: Identities) -> None:
    alice, conversation = await new_conversation(store, ids)
    first = await turn(store, alice, conversation, "q1")
    assert first.reply_to is not None
    other = await turn(store, alice, conversation, "q1, said better", revises=first.reply_to)
    listed = await store.list_messages(alice, conversation)
    assert shown(listed) == ["q1, said better", "q1, said better → answer"]
    assert listed[0].reply_to is None and listed[0].versions == [first.reply_to, other.reply_to]


async def test_versions_of_what_is_not_a_question_of_yours_are_refused(store: Store, ids: Identities) -> None:
    alice, bob = ids.new(), ids.new()
    ids.become(alice)
    conversation = (await store.create_conversation(alice, "NQ")).id
    mine = (await store.create_conversation(alice, "ES")).id
    answer = await turn(store, alice, conversation, "q1")
    assert answer.reply_to is not None
    for revises in (answer.id, str(uuid.uuid4()), "not-an-id"):  # an answer, no message, no id at all
        with pytest.raises(LookupError):
            await store.begin_answer(alice, conversation, None, revises=revises, stale_after_s=STALE)
        with pytest.raises(LookupError):
            await store.begin_answer(alice, conversation, "edit", revises=revises, stale_after_s=STALE)
    with pytest.raises(LookupError):  # a question of another conversation
        await store.begin_answer(alice, mine, None, revises=answer.reply_to, stale_after_s=STALE)
    assert await store.select_version(alice, mine, answer.id) is False
    assert await store.select_version(alice, conversation, "not-an-id") is False
    ids.become(bob)
    assert await store.select_version(bob, conversation, answer.id) is False
    with pytest.raises(LookupError):
        await store.begin_answer(bob, conversation, None, revises=answer.reply_to, stale_after_s=STALE)
    ids.become(alice)
    assert shown(await store.list_messages(alice, conversation)) == ["q1", "q1 → answer"]


async def test_choosing_a_version_does_not_move_the_conversation_up(store: Store, ids: Identities) -> None:
    alice, older = await new_conversation(store, ids)
    first = await turn(store, alice, older, "q1")
    await turn(store, alice, older, None, revises=first.reply_to)
    newer = (await store.create_conversation(alice, "NQ")).id
    await turn(store, alice, newer, "other")
    before = await store.get_conversation(alice, older)
    assert await store.select_version(alice, older, first.id) is True
    after = await store.get_conversation(alice, older)
    assert before is not None and after is not None and after.updated_at == before.updated_at
    assert [c.id for c in (await store.list_conversations(alice)).items] == [newer, older]


async def test_an_edit_above_the_summary_replays_its_whole_path(store: Store, ids: Identities) -> None:
    alice, conversation = await new_conversation(store, ids)
    a1 = await turn(store, alice, conversation, "q1")
    a2 = await turn(store, alice, conversation, "q2")
    below = await store.begin_answer(
        alice, conversation, "q3", history_after=a1.id, start_run=False, stale_after_s=STALE
    )
    assert below.after_summary and shown(below.history) == ["q2", "q2 → answer", "q3"]
    await store.save_answer(alice, conversation, NewAnswer(content="a3", reply_to=below.message.id))
    assert a1.reply_to is not None and a2.reply_to is not None
    above = await store.begin_answer(
        alice, conversation, "q1 again", revises=a1.reply_to, history_after=a1.id, stale_after_s=STALE
    )
    assert not above.after_summary and shown(above.history) == ["q1 again"]


async def test_a_regenerate_cut_by_a_crash_ends_in_an_error_version(store: Store, ids: Identities) -> None:
    alice, conversation = await new_conversation(store, ids)
    first = await turn(store, alice, conversation, "q1")
    await store.begin_answer(alice, conversation, None, revises=first.reply_to, stale_after_s=STALE)
    # The worker dies before storing the new answer; the question still ends with one.
    assert await store.recover_answer(alice, conversation, stale_after_s=0) is True
    _question, recovered = await store.list_messages(alice, conversation)
    assert recovered.error_code == INTERRUPTED_CODE and recovered.versions == [first.id, recovered.id]


def _linear_rows(conversation: str, user: str) -> list[tuple[str, str, str, int]]:
    """(id, role, content, seq) of a conversation written before versions: two turns, the second a repeat."""
    return [
        (str(uuid.uuid4()), role, content, seq)
        for seq, (role, content) in enumerate(
            [("user", "q1"), ("assistant", "a1"), ("user", "q1"), ("assistant", "a1 again")], start=1
        )
    ]


async def test_sqlite_conversations_from_before_versions_read_as_they_did(tmp_path: Path) -> None:
    path, user, conversation = tmp_path / "old.sqlite3", str(uuid.uuid4()), str(uuid.uuid4())
    old = sqlite3.connect(path)
    for script in SQLITE_MIGRATIONS[:3]:
        old.executescript(script)
    old.execute("PRAGMA user_version = 3")
    now = "2026-12-01T00:00:00.000000+00:00"
    old.execute(
        "INSERT INTO conversations (id, user_id, instrument, title, created_at, updated_at)"
        " VALUES (?, ?, 'NQ', 't', ?, ?)",
        (conversation, user, now, now),
    )
    rows = _linear_rows(conversation, user)
    old.executemany(
        "INSERT INTO messages (id, conversation_id, user_id, role, content, seq, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(i, conversation, user, role, content, seq, now) for i, role, content, seq in rows],
    )
    old.commit()
    old.close()
    listed = await SqliteStore(path).list_messages(user, conversation)
    assert [m.id for m in listed] == [r[0] for r in rows]
    assert [m.reply_to for m in listed] == [None, *[r[0] for r in rows[:-1]]]
    assert all(m.versions == [m.id] for m in listed)


def test_postgres_conversations_from_before_versions_read_as_they_did(pg: PgCluster) -> None:
    admin = pg.conninfo.replace("dbname=barb", "dbname=postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("create database barb_upgrade")
    upgrade = pg.conninfo.replace("dbname=barb", "dbname=barb_upgrade")
    migrations = sorted(MIGRATIONS.glob("*.sql"))
    at = [m.name for m in migrations].index(VERSIONS_MIGRATION)
    user, conversation = str(uuid.uuid4()), str(uuid.uuid4())
    rows = _linear_rows(conversation, user)
    with psycopg.connect(upgrade, autocommit=True) as conn:
        for script in [BOOTSTRAP, *migrations[:at]]:
            conn.execute(script.read_text())
        conn.execute("insert into auth.users (id) values (%s)", (user,))
        conn.execute(
            "insert into public.conversations (id, user_id, instrument, title) values (%s, %s, 'NQ', 't')",
            (conversation, user),
        )
        for message_id, role, content, _ in rows:
            conn.execute(
                "insert into public.messages (id, conversation_id, user_id, role, content) values (%s, %s, %s, %s, %s)",
                (message_id, conversation, user, role, content),
            )
        for script in migrations[at:]:
            conn.execute(script.read_text())
        listed = conn.execute("select public.conversation_messages(%s)", (conversation,)).fetchone()[0]
    assert [m["id"] for m in listed] == [r[0] for r in rows]
    assert [m["reply_to"] for m in listed] == [None, *[r[0] for r in rows[:-1]]]
    assert all(m["versions"] == [m["id"]] for m in listed)
