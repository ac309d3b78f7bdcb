"""The chat end to end: uvicorn on a real socket, the real ``anthropic`` client, the scripted model, the engine."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from shared.assistant.loop import FINAL_ROUND_NOTE
from tests.chat.conftest import MAX_ROUNDS, RATE_PER_MINUTE, ChatApp, ChatClient, Stream
from tests.fake_anthropic import (
    DEMO_ANSWER,
    DEMO_QUERY,
    Failure,
    Text,
    ToolUse,
    demo,
    last_user_content,
    reply,
    tool_results,
    tools_allowed,
)

GOOD_QUERY = {
    "session": "RTH",
    "map": {"r": "range()", "dow": "dayofweek()"},
    "group_by": "dow",
    "select": "mean(r)",
}
BAD_QUERY = {
    "session": "RTH",
    "map": {"r": "range()", "dow": "dayofweek()"},
    "group_by": "dow",
    "where": "r = 10",
}
SUCCESS_ORDER = [
    "message_saved", "title_update", "text_delta", "tool_start", "tool_end", "data_block", "text_delta",
]  # fmt: skip


def _corrected(
    first: Any, retry: Any, answer: str, check: Callable[[list[dict[str, Any]]], None] | None = None
) -> Callable[[dict[str, Any]], Any]:
    """A model script: the ``first`` tool call, the ``retry`` once it came back as an error, then ``answer``.

    ``check`` looks at the error results before the retry.
    """

    def script(request: dict[str, Any]) -> Any:
        results = tool_results(request)
        if not results:
            return first
        if results[0].get("is_error"):
            if check:
                check(results)
            return retry
        return reply(answer)

    return script


def collapse(names: list[str]) -> list[str]:
    """Event names with runs of the same name collapsed (many text_delta events become one)."""
    return [n for i, n in enumerate(names) if i == 0 or names[i - 1] != n]


def test_a_question_streams_every_event_in_order_with_a_real_engine_result(chat_app: ChatApp) -> None:
    chat_app.fake.set_script(demo)
    user = chat_app.client()
    conversation = user.conversation("NQ")

    stream = user.ask(conversation, "Show me the last 10 daily bars of NQ")

    assert stream.status == 200
    assert stream.headers["content-type"].startswith("text/event-stream")
    assert stream.headers["x-accel-buffering"] == "no"
    assert stream.chunks[0][1].startswith(b": connected\n\n")
    assert collapse(stream.names) == [*SUCCESS_ORDER, "done", "persist"]
    start, end, block = stream.first("tool_start"), stream.first("tool_end"), stream.first("data_block")
    assert start["tool_name"] == "run_query" and start["input"]["query"] == DEMO_QUERY
    assert start["title"] == "Last 10 daily bars"
    assert end["tool_call_id"] == start["tool_call_id"] == block["tool_call_id"]
    assert end["error"] is None and end["duration_ms"] >= 0
    table = next(b for b in block["blocks"] if b["type"] == "table")
    assert len(table["rows"]) == 10
    assert [c["name"] for c in table["columns"]][:2] == ["date", "chg_pct"]
    done = stream.first("done")
    assert done["answer"].startswith("Let me pull the last 10 daily bars.")
    assert "{{data:0}}" in done["answer"] and done["answer"].rstrip().endswith(DEMO_ANSWER)
    assert done["stop_reason"] == "end_turn"
    usage = done["usage"]
    assert usage["input_tokens"] > 0 and usage["output_tokens"] > 0
    assert usage["cache_write_tokens"] > 0 or usage["cache_read_tokens"] > 0
    assert usage["cost_usd"] > 0
    assert stream.first("persist") == {"message_id": done["message_id"], "persisted": True}
    assert stream.first("title_update")["title"] == "Show me the last 10 daily bars of NQ"
    # The engine's figures reached the model as a compact summary, never as rows.
    result = tool_results(chat_app.fake.requests[1])[0]
    assert result["tool_use_id"] == start["tool_call_id"] and "Source:" in result["content"]
    assert str(table["rows"][0][2]) not in result["content"]


def test_history_reload_shows_the_same_messages_and_cards(chat_app: ChatApp) -> None:
    chat_app.fake.set_script(demo)
    user = chat_app.client()
    conversation = user.conversation("NQ")
    stream = user.ask(conversation, "Last ten days?")

    question, answer = user.messages(conversation)
    assert question["id"] == stream.first("message_saved")["message_id"]
    assert question["content"] == "Last ten days?"
    done, block = stream.first("done"), stream.first("data_block")
    assert answer["id"] == done["message_id"] and answer["content"] == done["answer"]
    assert answer["status"] == "complete"
    assert answer["data"][0]["blocks"] == block["blocks"]
    assert answer["data"][0]["tool_call_id"] == block["tool_call_id"]
    assert answer["usage"] == done["usage"]
    [call] = answer["tool_calls"]
    assert call["tool_use_id"] == block["tool_call_id"] and call["input"]["query"] == DEMO_QUERY
    assert call["error"] is None and "Source:" in call["output_summary"]

    # The next question replays the earlier turn with its real tool_use/tool_result pair.
    chat_app.fake.set_script([reply("Same as before.")])
    user.ask(conversation, "And again?")
    replayed = chat_app.fake.requests[0]["messages"]
    assert [m["role"] for m in replayed] == ["user", "assistant", "user", "assistant", "user"]
    assert replayed[1]["content"][0]["id"] == block["tool_call_id"]
    assert replayed[2]["content"][0]["tool_use_id"] == block["tool_call_id"]
    assert "{{data" not in replayed[3]["content"][0]["text"]
    assert all(m["role"] == "user" for m in replayed[::2])
    assert len(user.messages(conversation)) == 4


def test_an_invalid_query_is_corrected_on_the_next_round(chat_app: ChatApp) -> None:
    def hinted(results: list[dict[str, Any]]) -> None:
        assert "==" in results[0]["content"]  # the validator's hint reached the model

    chat_app.fake.set_script(
        _corrected(
            reply("Checking.", ToolUse("run_query", {"query": BAD_QUERY, "title": "Range by weekday"})),
            reply(ToolUse("run_query", {"query": GOOD_QUERY, "title": "Range by weekday"})),
            "Mondays have the widest range.",
            check=hinted,
        )
    )
    user = chat_app.client()
    conversation = user.conversation("NQ")
    stream = user.ask(conversation, "Average RTH range by weekday?")

    assert collapse(stream.names) == [
        "message_saved", "title_update", "text_delta", "tool_start", "tool_end",
        "tool_start", "tool_end", "data_block", "text_delta", "done", "persist",
    ]  # fmt: skip
    first, second = stream.all("tool_end")
    assert first["error"] and "==" in first["error"]
    assert second["error"] is None
    assert len(stream.first("data_block")["blocks"]) == 2  # bar chart + table
    [answer] = [m for m in user.messages(conversation) if m["role"] == "assistant"]
    assert [c["error"] is None for c in answer["tool_calls"]] == [False, True]
    assert len(answer["data"]) == 1


def test_the_round_limit_still_yields_an_answer(chat_app: ChatApp) -> None:
    def insistent(request: dict[str, Any]) -> Any:
        if tools_allowed(request):
            return reply(ToolUse("run_query", {"query": GOOD_QUERY, "title": "Again"}))
        return reply("Here is what I found so far.")

    chat_app.fake.set_script(insistent)
    user = chat_app.client()
    stream = user.ask(user.conversation("NQ"), "Keep digging")

    requests = chat_app.fake.requests
    assert len(requests) == MAX_ROUNDS
    assert requests[-1]["tool_choice"] == {"type": "none"}
    assert requests[-1]["tools"] == requests[0]["tools"]  # still declared: the cached prefix stays the same
    assert last_user_content(requests[-1])[-1]["text"] == FINAL_ROUND_NOTE
    assert len(stream.all("data_block")) == MAX_ROUNDS - 1
    done = stream.first("done")
    assert done["answer"].endswith("Here is what I found so far.")
    assert stream.names[-2:] == ["done", "persist"]


def test_parallel_tool_calls_run_in_one_round(chat_app: ChatApp) -> None:
    rth = {"session": "RTH", "select": {"avg_rth_range": "mean(range())"}}
    full = {"select": {"avg_full_range": "mean(range())"}}

    def script(request: dict[str, Any]) -> Any:
        if tool_results(request):
            return reply("RTH ranges are narrower.")
        return reply(
            "Comparing both.",
            ToolUse("run_query", {"query": rth, "title": "RTH"}),
            ToolUse("run_query", {"query": full, "title": "Full day"}),
        )

    chat_app.fake.set_script(script)
    user = chat_app.client()
    stream = user.ask(user.conversation("ES"), "RTH vs full session range?")

    names = stream.names
    starts = [i for i, n in enumerate(names) if n == "tool_start"]
    ends = [i for i, n in enumerate(names) if n == "tool_end"]
    assert len(starts) == 2 and len(ends) == 2 and max(starts) < min(ends)
    assert {b["title"] for b in stream.all("data_block")} == {"RTH", "Full day"}
    assert all(b["blocks"][0]["type"] == "metrics-grid" for b in stream.all("data_block"))
    second = chat_app.fake.requests[1]
    assert len(second["messages"][-2]["content"]) == 3  # text + two tool_use blocks
    results = tool_results(second)
    assert [r["tool_use_id"] for r in results] == [s["tool_call_id"] for s in stream.all("tool_start")]
    assert stream.first("done")["answer"].count("{{data:") == 2


def test_stop_from_another_connection_keeps_the_partial_answer(chat_app: ChatApp) -> None:
    user, conversation, answered = _asked_in_background(chat_app, demo)

    stopper = chat_app.client()  # another connection of the same user: a fresh HTTP client
    stopper.headers = user.headers
    response = stopper.stop(conversation)
    assert response.status_code == 200 and response.json()["stopping"] is True
    stream = answered()
    done = stream.first("done")
    assert done["stop_reason"] == "stopped"
    assert stream.names[-2:] == ["done", "persist"]
    assert 0 < len(done["answer"]) < len("Let me pull the last 10 daily bars. ") + len(DEMO_ANSWER)
    [answer] = [m for m in user.messages(conversation) if m["role"] == "assistant"]
    assert answer["status"] == "partial" and answer["content"] == done["answer"]
    assert len(answer["data"]) == 1


def slow_answer(request: dict[str, Any]) -> Any:
    """Like ``demo`` but the final answer takes about 8 s, so a stop polled through the store arrives in time."""
    if tool_results(request):
        return reply(Text("word " * 400, chunk=5, delay_s=0.02))
    return demo(request)


def test_stop_reaches_a_run_on_another_worker_through_the_store(chat_app: ChatApp, other_worker: str) -> None:
    user, conversation, answered = _asked_in_background(chat_app, slow_answer)

    response = httpx.post(f"{other_worker}/api/chat/{conversation}/stop", headers=user.headers)
    assert response.status_code == 200 and response.json()["stopping"] is True
    done = answered().first("done")
    assert done["stop_reason"] == "stopped" and not done["answer"].endswith("word " * 400)


def _asked_in_background(
    chat_app: ChatApp, script: Callable[[dict[str, Any]], Any]
) -> tuple[ChatClient, str, Callable[[], Stream]]:
    """Ask "Last 10 days" on NQ from another thread, the model playing ``script``, and return once the model
    streams its final (slow) answer, i.e. the second model call has started.

    Returns the user, the conversation and ``answered``, which waits for the asking thread and gives its stream.
    """
    chat_app.fake.set_script(script)
    user = chat_app.client()
    conversation = user.conversation("NQ")
    result: dict[str, Stream] = {}
    reader = threading.Thread(target=lambda: result.update(stream=user.ask(conversation, "Last 10 days")))
    reader.start()
    deadline = time.monotonic() + 15
    while len(chat_app.fake.requests) < 2:
        assert time.monotonic() < deadline, "the model was never called a second time"
        time.sleep(0.02)
    time.sleep(0.3)

    def answered() -> Stream:
        reader.join(timeout=15)
        return result["stream"]

    return user, conversation, answered


def test_a_client_disconnect_still_persists_the_full_answer(chat_app: ChatApp) -> None:
    chat_app.fake.set_script(demo)
    user = chat_app.client()
    conversation = user.conversation("NQ")

    partial = user.ask(conversation, "Last 10 days", until="data_block")  # then the connection is closed
    assert "done" not in partial.names

    answer = user.wait_for_answer(conversation)
    assert answer["status"] == "complete"
    assert answer["content"].endswith(DEMO_ANSWER)
    assert len(answer["data"]) == 1 and len(answer["tool_calls"]) == 1


def test_an_overloaded_model_is_retried_then_answers(chat_app: ChatApp) -> None:
    chat_app.fake.set_script([Failure(529, "Overloaded"), reply("All good.")])
    user = chat_app.client()
    stream = user.ask(user.conversation("NQ"), "Hello?")

    assert len(chat_app.fake.requests) == 2
    assert collapse(stream.names) == ["message_saved", "title_update", "text_delta", "done", "persist"]
    assert stream.first("done")["answer"] == "All good."


def test_a_model_failing_before_any_text_stores_a_retryable_error_answer(chat_app: ChatApp) -> None:
    """After a reload the conversation still shows why the question was not answered, and offers a retry."""
    chat_app.fake.set_script([Failure(500, "boom")] * 3)
    user = chat_app.client()
    conversation = user.conversation("NQ")
    stream = user.ask(conversation, "Will this work?")

    assert len(chat_app.fake.requests) == 3  # the first call and the SDK's two retries
    assert stream.names == ["message_saved", "title_update", "persist", "error"]
    error = stream.first("error")
    assert error["retryable"] is True and error["code"] == "LLM_UNAVAILABLE"
    question, answer = user.messages(conversation)
    assert question["role"] == "user" and question["content"] == "Will this work?"
    assert (answer["role"], answer["status"], answer["error_code"], answer["retryable"]) == (
        "assistant",
        "error",
        "LLM_UNAVAILABLE",
        True,
    )
    assert answer["reply_to"] == question["id"] and answer["id"] == stream.first("persist")["message_id"]


def test_a_failure_after_a_tool_call_persists_the_partial_answer(chat_app: ChatApp) -> None:
    chat_app.fake.set_script(
        [
            reply(Text("Looking. "), ToolUse("run_query", {"query": GOOD_QUERY, "title": "Range"})),
            *[Failure(529)] * 3,
        ]
    )
    user = chat_app.client()
    conversation = user.conversation("NQ")
    stream = user.ask(conversation, "Range by weekday?")

    assert stream.names[-2:] == ["persist", "error"]
    assert stream.first("error")["retryable"] is True
    [answer] = [m for m in user.messages(conversation) if m["role"] == "assistant"]
    assert answer["status"] == "error" and answer["content"].startswith("Looking.")
    assert len(answer["data"]) == 1 and answer["id"] == stream.first("persist")["message_id"]


def test_another_users_or_a_removed_conversation_is_a_404_before_streaming(chat_app: ChatApp) -> None:
    owner, stranger = chat_app.client(), chat_app.client()
    conversation = owner.conversation("NQ")

    denied = stranger.ask(conversation, "Mine now?")
    assert denied.status == 404 and denied.headers["content-type"].startswith("application/json")
    assert stranger.stop(conversation).status_code == 404
    assert httpx.Response(404, content=denied.body).json()["code"] == "NOT_FOUND"
    assert owner.messages(conversation) == []

    owner.http.delete(f"/api/conversations/{conversation}", headers=owner.headers)
    assert owner.ask(conversation, "Still there?").status == 404


def test_bad_bodies_are_rejected_with_the_error_shape(chat_app: ChatApp) -> None:
    user = chat_app.client()
    conversation = user.conversation("NQ")
    for body in ({"conversation_id": conversation, "message": ""}, {"conversation_id": conversation}):
        response = user.http.post("/api/chat/stream", json=body, headers=user.headers)
        assert response.status_code == 422 and response.json()["code"] == "VALIDATION_ERROR"
    too_long = {"conversation_id": conversation, "message": "x" * 10_001}
    assert user.http.post("/api/chat/stream", json=too_long, headers=user.headers).status_code == 422
    assert (
        user.http.post(
            "/api/chat/stream", json={"conversation_id": conversation, "message": "hi"}
        ).status_code
        == 401
    )


def test_chat_is_rate_limited_per_user(chat_app: ChatApp) -> None:
    user, other = chat_app.client(), chat_app.client()
    statuses = [user.ask("no-such-conversation", "hi").status for _ in range(RATE_PER_MINUTE + 1)]
    assert statuses == [404] * RATE_PER_MINUTE + [429]
    assert other.ask("no-such-conversation", "hi").status == 404


def test_without_an_api_key_the_question_is_saved_and_the_error_is_clear(
    chat_app: ChatApp, other_worker: str
) -> None:
    user = chat_app.client()
    conversation = user.conversation("NQ")
    keyless = ChatClient(other_worker)
    keyless.headers = user.headers

    stream = keyless.ask(conversation, "Anyone there?")

    assert stream.names == ["message_saved", "title_update", "persist", "error"]
    error = stream.first("error")
    assert error["code"] == "LLM_NOT_CONFIGURED" and error["retryable"] is False
    question, answer = user.messages(conversation)
    assert question["content"] == "Anyone there?"
    assert (answer["error_code"], answer["retryable"], answer["reply_to"]) == (
        "LLM_NOT_CONFIGURED",
        False,
        question["id"],
    )


def test_sse_arrives_incrementally_under_uvicorn(chat_app: ChatApp) -> None:
    chat_app.fake.set_script(demo)
    user = chat_app.client()
    stream = user.ask(user.conversation("NQ"), "Last 10 days")

    connected_at = stream.chunks[0][0]
    deltas = [e.at for e in stream.events if e.name == "text_delta"]
    assert len(stream.chunks) > 20  # many separate chunks, not one buffered body
    assert deltas[0] - connected_at < stream.ended_at - connected_at - 1.0  # text arrived long before the end
    assert deltas[-1] - deltas[0] > 1.0  # and kept arriving while the model streamed


def test_a_backtest_call_produces_its_cards_and_an_invalid_strategy_is_corrected(chat_app: ChatApp) -> None:
    good = {"entry": "streak(red()) >= 3", "direction": "long", "stop_loss": "1.5%", "exit_bars": 5}
    bad = {**good, "entry": "next(close) > close"}

    chat_app.fake.set_script(
        _corrected(
            reply(ToolUse("run_backtest", {"strategy": bad, "title": "Three red days"})),
            reply(ToolUse("run_backtest", {"strategy": good, "title": "Three red days"})),
            "The strategy made few trades.",
        )
    )
    user = chat_app.client()
    conversation = user.conversation("NQ")
    stream = user.ask(conversation, "Backtest buying after three red days")

    first, second = stream.all("tool_end")
    assert first["tool_name"] == "run_backtest" and first["error"] and "next" in first["error"]
    assert second["error"] is None
    card = stream.first("data_block")
    assert card["strategy"] == good
    assert [b["type"] for b in card["blocks"]] == ["metrics-grid", "equity-curve", "trades", "candles"]
    assert "Trades" in tool_results(chat_app.fake.requests[2])[0]["content"]
    [answer] = [m for m in user.messages(conversation) if m["role"] == "assistant"]
    assert answer["data"][0]["blocks"] == card["blocks"]


def test_a_second_question_while_one_is_answered_is_refused_and_answers_name_their_question(
    chat_app: ChatApp,
) -> None:
    """Two streams in one conversation interleaved [user, user, assistant, assistant]: now one at a time."""
    slow = "This answer takes a while to write, one short piece after another. " * 4
    chat_app.fake.set_script([reply(Text(slow, chunk=8, delay_s=0.05)), reply(Text("Second answer."))])
    user = chat_app.client()
    conversation = user.conversation("NQ")
    first = user.ask(conversation, "First question", until="text_delta")  # the run goes on without us
    assert first.status == 200

    second = user.ask(conversation, "Second question, meanwhile")
    assert second.status == 409 and json.loads(second.body)["code"] == "ANSWER_RUNNING"
    answer = user.wait_for_answer(conversation)
    third = user.ask(conversation, "Second question, now")
    assert third.status == 200 and third.names[-2:] == ["done", "persist"]

    messages = user.messages(conversation)
    assert [(m["role"], m["content"][:15]) for m in messages] == [
        ("user", "First question"),
        ("assistant", slow[:15]),
        ("user", "Second question"),
        ("assistant", "Second answer."),
    ]
    assert answer["reply_to"] == messages[0]["id"] and messages[3]["reply_to"] == messages[2]["id"]
