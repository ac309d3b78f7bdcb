"""Server overhead of one chat turn with the scripted model, for many concurrent streams.

    python -m bench.bench_chat [--streams 50] [--turns 3] [--workers 1]

The app runs as its own process (uvicorn, ``server:app``) on synthetic sample bars; the scripted Anthropic
server and the clients run in this process. Each turn is: a sentence, one ``run_query`` call executed by the
real engine, then a final answer (no artificial delays). Per turn it reports, as median and p95:

- time to first byte: request sent → ``: connected`` received;
- overhead: the turn's wall time minus the time the model spent answering (measured by the scripted server,
  request arrival → last byte) minus the engine's time (``tool_end.duration_ms``);
- persistence: last ``text_delta`` → ``persist`` (one transaction for answer, tool calls and usage).

It also measures the SSE adapter alone: the cost of relaying one event through the background run's queue
and the encoder (in-process, no network).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from functions.chat.app import BackgroundRun  # noqa: E402
from shared.assistant.loop import ChatEvent  # noqa: E402
from shared.web.sse import sse_stream  # noqa: E402
from tests.assistant.support import write_sample  # noqa: E402
from tests.fake_anthropic import FakeAnthropic, Step, ToolUse, reply, tool_results  # noqa: E402

QUERY = {"period": "last_20", "map": {"chg": "change_pct(close)"}}


def scenario(request: dict[str, Any]) -> Step:
    """A sentence and one query, then a short answer: the shape of a typical turn, without delays."""
    if tool_results(request):
        return reply("Over the last 20 sessions the average change was small; the card has every day.")
    return reply("Let me look.", ToolUse("run_query", {"query": QUERY, "title": "Last 20 sessions"}))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def start_app(root: Path, fake_url: str, workers: int) -> tuple[subprocess.Popen, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC", "SUPABASE", "DATA_"))},
        "ENV": "test",
        "VAR_DIR": str(root / "var"),
        "DATA_DIR": str(root / "data"),
        "SAMPLE_DATA": "false",
        "ANTHROPIC_API_KEY": "bench",
        "ANTHROPIC_BASE_URL": fake_url,
        "CHAT_RATE_PER_MINUTE": "100000",
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "uvicorn", "server:app", "--port", str(port), "--log-level", "warning"]
    command += ["--workers", str(workers)]
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            httpx.get(f"{base_url}/health", timeout=2)
            return process, base_url
        except httpx.HTTPError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the app did not start") from None
            time.sleep(0.2)


async def one_turn(
    client: httpx.AsyncClient, headers: dict[str, str], conversation: str, question: str
) -> dict[str, Any]:
    sent = time.monotonic()
    first_byte = last_delta = persisted = None
    engine_ms = 0
    buffer = b""
    body = {"conversation_id": conversation, "message": question}
    async with client.stream("POST", "/api/chat/stream", json=body, headers=headers) as response:
        assert response.status_code == 200, await response.aread()
        async for chunk in response.aiter_raw():
            now = time.monotonic()
            first_byte = first_byte or now
            buffer += chunk
            while b"\n\n" in buffer:
                frame, buffer = buffer.split(b"\n\n", 1)
                if not frame.startswith(b"event:"):
                    continue
                name_line, data_line = frame.split(b"\n", 1)
                name = name_line[6:].strip().decode()
                if name == "text_delta":
                    last_delta = now
                elif name == "tool_end":
                    engine_ms += json.loads(data_line[5:])["duration_ms"]
                elif name == "persist":
                    persisted = now
                elif name == "error":
                    raise RuntimeError(data_line.decode())
    ended = time.monotonic()
    assert first_byte and last_delta and persisted
    return {
        "question": question,
        "sent": sent,
        "ended": ended,
        "ttfb_ms": (first_byte - sent) * 1000,
        "persist_ms": (persisted - last_delta) * 1000,
        "engine_ms": engine_ms,
    }


async def run_streams(base_url: str, streams: int, turns: int) -> list[dict[str, Any]]:
    limits = httpx.Limits(max_connections=streams * 2, max_keepalive_connections=streams * 2)
    async with httpx.AsyncClient(base_url=base_url, timeout=120, limits=limits) as client:

        async def user_session(i: int) -> list[dict[str, Any]]:
            token = await client.post("/api/auth/local/sign-in", json={"email": f"bench{i}@example.com"})
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            created = await client.post("/api/conversations", json={"instrument": "NQ"}, headers=headers)
            conversation = created.json()["id"]
            return [
                await one_turn(client, headers, conversation, f"q-{uuid.uuid4().hex}") for _ in range(turns)
            ]

        await user_session(-1)  # warm-up: imports, first bar load, first engine run
        results = await asyncio.gather(*(user_session(i) for i in range(streams)))
    return [turn for session in results for turn in session]


async def adapter_cost(events: int) -> float:
    """Microseconds to relay one event through a background run and the SSE encoder."""

    async def produce() -> Any:
        for i in range(events):
            yield ChatEvent("text_delta", {"delta": f"token {i} "})

    started = time.perf_counter()
    run = BackgroundRun(produce())
    count = sum([1 async for _ in sse_stream(run.events())])
    assert count == events + 1
    return (time.perf_counter() - started) / events * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--streams", type=int, default=50)
    parser.add_argument("--turns", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers of the app")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request would drown the figures
    with tempfile.TemporaryDirectory() as tmp, FakeAnthropic(script=scenario) as fake:
        root = Path(tmp)
        write_sample(root / "data")
        process, base_url = start_app(root, fake.base_url, args.workers)
        try:
            turns = asyncio.run(run_streams(base_url, args.streams, args.turns))
        finally:
            process.terminate()
            process.wait(timeout=15)
        model_ms: dict[str, float] = {}
        for question, arrived, finished in fake.timings:
            model_ms[question] = model_ms.get(question, 0.0) + (finished - arrived) * 1000
    for turn in turns:
        wall_ms = (turn["ended"] - turn["sent"]) * 1000
        turn["overhead_ms"] = wall_ms - model_ms.get(turn["question"], 0.0) - turn["engine_ms"]
        turn["wall_ms"] = wall_ms
    print(
        f"chat turns: {len(turns)} ({args.streams} concurrent streams x {args.turns} turns), "
        f"{args.workers} worker(s), {os.cpu_count()} CPUs"
    )
    print(f"{'metric':<22}{'median':>10}{'p95':>10}")
    for key, label in [
        ("ttfb_ms", "time to first byte"),
        ("overhead_ms", "server overhead/turn"),
        ("persist_ms", "persistence"),
        ("engine_ms", "engine (run_query)"),
        ("wall_ms", "turn wall time"),
    ]:
        values = [t[key] for t in turns]
        print(f"{label:<22}{statistics.median(values):>9.1f}ms{percentile(values, 0.95):>8.1f}ms")
    per_event = statistics.median([asyncio.run(adapter_cost(2000)) for _ in range(5)])
    print(f"{'SSE relay per event':<22}{per_event:>9.1f}µs")


if __name__ == "__main__":
    main()
