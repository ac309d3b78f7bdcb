"""Server overhead of one chat turn with the scripted model: 1 stream, 50 concurrent streams, a burst.

    python -m bench.bench_chat [--streams 50] [--turns 3] [--single-turns 20] [--workers 1]
                               [--model-pace-s 1]

Three processes, so that none of them measures another's CPU: the app (uvicorn, ``server:app``, on
synthetic sample bars), the scripted Anthropic server, and this one (the clients). Each turn is: a sentence,
one ``run_query`` call executed by the real engine, then a final answer. Three phases:

- **1 stream**: ``--single-turns`` turns one after another;
- **concurrent streams** (the target): ``--streams`` users asking ``--turns`` questions each, their starts
  spread over one turn, so that all of them are open at once (the report shows the peak), with the scripted
  model taking ``--model-pace-s`` per response like a real one (its text arrives in pieces over that time);
- **burst**: the same users all starting in the same instant, with a model that answers instantly. This
  measures throughput, not overhead: every turn's CPU queues behind the others', so its latencies are
  mostly waiting (50 × the CPU per turn).

Per turn it reports, as median and p95:

- time to first byte: request sent → first byte of the response (``: connected``);
- server overhead: the app's own time for the turn (request arrival → last byte sent, from its access log
  line, matched by request id) minus the time the scripted model spent on this turn's calls (request
  arrival → last byte sent, measured by the scripted server) minus the engine's time
  (``tool_end.duration_ms``); "as the client sees it" is the same with the client's wall time (request
  sent → end of the response), so it adds the client's own HTTP work;
- persistence: last ``text_delta`` → ``persist`` (one transaction for answer, tool calls and usage);
- event relay, per text event of the answer: the scripted model sending it → the client receiving the app's
  ``text_delta`` (both stamp ``time.monotonic()``, one clock for every process of the machine);

and the CPU time per turn of each process (user + system, from ``/proc``; the app's includes its workers and
the engine's threads), which shows whether the clients or the scripted model, rather than the app, set the
pace. It also measures the SSE adapter alone: the cost of relaying one event through the background run's
queue and the encoder (in-process, no network).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shared.assistant.loop import ChatEvent  # noqa: E402
from shared.assistant.runs import BackgroundRun  # noqa: E402
from shared.web.sse import sse_stream  # noqa: E402
from tests.assistant.support import write_sample  # noqa: E402
from tests.fake_anthropic import (  # noqa: E402
    FakeAnthropic,
    Step,
    Text,
    ToolUse,
    reply,
    tool_results,
)
from tests.platform.servers import free_port, server_env  # noqa: E402

QUERY = {"period": "last_20", "map": {"chg": "change_pct(close)"}}
QUESTION_PREFIX = "q-"
"""Bench questions are ``q-<model pace in seconds>-<unique hex>``: the scripted model paces each by its own."""


FIRST_TEXT = "Let me look."
STAMP = b"[################]"
"""A placeholder the scripted model replaces with the time it sends the delta (``time.monotonic()``, which
is one clock for every process of the machine), so the clients can time each event's trip through the app."""
CHUNK = len(STAMP) + 1
ANSWER = (STAMP.decode() + " ") * 6
"""The final answer: six deltas, each one stamp."""
STAMPED = re.compile(rb"\[ *(\d+\.\d+)\]")


def question_pace(question: str) -> float:
    """The model pace a bench question asks for (see :data:`QUESTION_PREFIX`)."""
    return float(question.removeprefix(QUESTION_PREFIX).split("-", 1)[0]) if question else 0.0


def scenario(request: dict[str, Any]) -> Step:
    """A sentence and one query, then a short answer: the shape of a typical turn.

    The question says how long each response takes (0: at once); its text is spread over that time,
    like a real model's tokens.
    """
    pace_s = question_pace(turn_question(request))

    def text(value: str) -> Text:
        return Text(value, chunk=CHUNK, delay_s=pace_s / -(-len(value) // CHUNK))

    if tool_results(request):
        return reply(text(ANSWER))
    return reply(text(FIRST_TEXT), ToolUse("run_query", {"query": QUERY, "title": "Last 20 sessions"}))


def turn_question(request: dict[str, Any]) -> str:
    """The question of the turn a model request belongs to: the newest bench question in its messages."""
    for message in reversed(request.get("messages", [])):
        if message["role"] != "user":
            continue
        content = message["content"]
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
        for block in reversed(blocks):
            text = block.get("text", "") if block.get("type") == "text" else ""
            if text.startswith(QUESTION_PREFIX):
                return text
    return ""


class TurnTimedFake(FakeAnthropic):
    """The scripted server, with its timings keyed by the turn's question rather than the conversation's first.

    ``_next_step`` and ``_timed`` run back to back for one request (no await between them, one event loop),
    so the key noted by the first is the one of the request the second times.
    """

    _turn_key: str = ""

    def _next_step(self, request: dict[str, Any]) -> Step:
        self._turn_key = turn_question(request)
        return super()._next_step(request)

    def _timed(self, key: str, arrived: float, chunks: Any) -> Any:
        return super()._timed(self._turn_key, arrived, _stamped(chunks))


async def _stamped(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """The response's chunks with every :data:`STAMP` replaced by the time the chunk leaves."""
    async for chunk in chunks:
        if STAMP in chunk:
            chunk = chunk.replace(STAMP, f"[{time.monotonic():16.6f}]".encode())
        yield chunk


def serve_model(port_out: Connection, stop: Any) -> None:
    """The scripted server's process: report its URL, serve until told to stop, then send the timings back."""
    with TurnTimedFake(script=scenario) as fake:
        port_out.send(fake.base_url)
        stop.wait()
        port_out.send(list(fake.timings))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def cpu_seconds(pid: int, *, children: bool = False) -> float:
    """User + system CPU time of a process and its threads, and of its live child processes if asked."""
    fields = _stat(pid)
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    if not children:
        return own
    kids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int(_stat(int(entry.name))[1]) == pid:
                    kids.append(int(entry.name))
            except (OSError, IndexError):  # gone meanwhile
                continue
    return own + sum(cpu_seconds(kid, children=True) for kid in kids)


ACCESS_LINE = re.compile(r"\[(bench-[0-9a-f]+)\] POST /api/chat/stream 200 ([0-9.]+)ms")


class AccessLog:
    """The app's access lines (one per request, written when the response has ended), read as they come.

    The app logs each request's latency from its arrival to its last byte: with the client's request id,
    that is the server's own wall time for a turn, free of the clients' HTTP work. Other lines of the app
    go through to this process's stderr, except the INFO ones.
    """

    def __init__(self, stream: Any) -> None:
        self.latency_ms: dict[str, float] = {}
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: Any) -> None:
        for raw in stream:
            line = raw.decode(errors="replace")
            if match := ACCESS_LINE.search(line):
                self.latency_ms[match[1]] = float(match[2])
            elif line.split(" ", 3)[2:3] != ["INFO"]:
                sys.stderr.write(line)

    def wait(self) -> None:
        """Wait until every line is read (the app has exited)."""
        self._thread.join(timeout=10)


def start_app(root: Path, fake_url: str, workers: int) -> tuple[subprocess.Popen, str, AccessLog]:
    port = free_port()
    env = server_env(
        root,
        ENV="test",
        ANTHROPIC_API_KEY="bench",
        ANTHROPIC_BASE_URL=fake_url,
        CHAT_RATE_PER_MINUTE="100000",
        LOG_LEVEL="INFO",  # the access lines, as in production
    )
    command = [sys.executable, "-m", "uvicorn", "server:app", "--port", str(port), "--log-level", "warning"]
    command += ["--workers", str(workers), "--no-access-log"]
    process = subprocess.Popen(command, env=env, cwd=ROOT, stderr=subprocess.PIPE)
    access = AccessLog(process.stderr)
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            httpx.get(f"{base_url}/health", timeout=2)
            return process, base_url, access
        except httpx.HTTPError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the app did not start") from None
            time.sleep(0.2)


@dataclass(frozen=True)
class Phase:
    label: str
    streams: int
    turns: int
    pace_s: float
    """The scripted model's time per response."""
    spread_s: float
    """Stream starts are spread evenly over this time."""


@dataclass
class OpenStreams:
    """How many responses are open right now, and the most there were."""

    now: int = 0
    peak: int = 0

    def __enter__(self) -> None:
        self.now += 1
        self.peak = max(self.peak, self.now)

    def __exit__(self, *_: object) -> None:
        self.now -= 1


async def one_turn(
    client: httpx.AsyncClient, headers: dict[str, str], conversation: str, pace_s: float, open_: OpenStreams
) -> dict[str, Any]:
    question = f"{QUESTION_PREFIX}{pace_s}-{uuid.uuid4().hex}"
    first_byte = last_delta = persisted = None
    engine_ms = chunks = events = 0
    relay_ms: list[float] = []
    buffer = b""
    body = {"conversation_id": conversation, "message": question}
    request_id = f"bench-{uuid.uuid4().hex}"
    sent = time.monotonic()
    with open_:
        async with client.stream(
            "POST", "/api/chat/stream", json=body, headers={**headers, "X-Request-Id": request_id}
        ) as response:
            assert response.status_code == 200, await response.aread()
            async for chunk in response.aiter_raw():
                now = time.monotonic()
                first_byte = first_byte or now
                chunks += 1
                buffer += chunk
                while b"\n\n" in buffer:
                    frame, buffer = buffer.split(b"\n\n", 1)
                    if not frame.startswith(b"event:"):
                        continue
                    name_line, data_line = frame.split(b"\n", 1)
                    name = name_line[6:].strip().decode()
                    events += 1
                    if name == "text_delta":
                        last_delta = now
                        relay_ms += [(now - float(sent_at)) * 1000 for sent_at in STAMPED.findall(data_line)]
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
        "request_id": request_id,
        "wall_ms": (ended - sent) * 1000,
        "ttfb_ms": (first_byte - sent) * 1000,
        "persist_ms": (persisted - last_delta) * 1000,
        "engine_ms": engine_ms,
        "relay_ms": relay_ms,
        "events": events,
        "chunks": chunks,
    }


async def open_session(client: httpx.AsyncClient, i: int) -> tuple[dict[str, str], str]:
    """A signed-in bench user and a new conversation of theirs."""
    token = await client.post("/api/auth/local/sign-in", json={"email": f"bench{i}@example.com"})
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    created = await client.post("/api/conversations", json={"instrument": "NQ"}, headers=headers)
    return headers, created.json()["id"]


async def run_streams(
    client: httpx.AsyncClient, sessions: list[tuple[dict[str, str], str]], phase: Phase, open_: OpenStreams
) -> list[dict[str, Any]]:
    """Every session asking ``phase.turns`` questions in a row, their starts spread over ``phase.spread_s``."""

    async def ask(headers: dict[str, str], conversation: str, delay_s: float) -> list[dict[str, Any]]:
        await asyncio.sleep(delay_s)
        return [
            await one_turn(client, headers, conversation, phase.pace_s, open_) for _ in range(phase.turns)
        ]

    step_s = phase.spread_s / len(sessions)
    results = await asyncio.gather(
        *(ask(headers, conversation, i * step_s) for i, (headers, conversation) in enumerate(sessions))
    )
    return [turn for session in results for turn in session]


@dataclass
class PhaseResult:
    turns: list[dict[str, Any]]
    cpu_s: dict[str, float]
    """CPU seconds each process spent during the phase."""
    seconds: float
    peak_streams: int


async def run_phases(base_url: str, pids: dict[str, int], phases: list[Phase]) -> dict[str, PhaseResult]:
    """Each phase's turns, CPU and duration (after a warm-up of every worker).

    Users sign in and open their conversation before a phase is timed, so a phase is only chat turns.
    """
    limits = httpx.Limits(max_connections=500, max_keepalive_connections=500)
    out: dict[str, PhaseResult] = {}
    async with httpx.AsyncClient(base_url=base_url, timeout=120, limits=limits) as client:
        warm_up = [await open_session(client, -i) for i in range(1, 9)]
        # imports, first bar load, first engine run, pools, in every worker
        await run_streams(client, warm_up, Phase("warm-up", 8, 2, 0.0, 0.0), OpenStreams())
        for number, phase in enumerate(phases):
            sessions = [await open_session(client, number * 1000 + i) for i in range(phase.streams)]
            cpu = {name: cpu_seconds(pid, children=name == "app") for name, pid in pids.items()}
            open_, started = OpenStreams(), time.monotonic()
            turns = await run_streams(client, sessions, phase, open_)
            out[phase.label] = PhaseResult(
                turns,
                {name: cpu_seconds(pid, children=name == "app") - cpu[name] for name, pid in pids.items()},
                time.monotonic() - started,
                open_.peak,
            )
    return out


async def adapter_cost(events: int) -> float:
    """Microseconds to relay one event through a background run and the SSE encoder."""

    async def produce() -> Any:
        for i in range(events):
            yield ChatEvent("text_delta", {"delta": f"token {i} "})

    started = time.perf_counter()
    run = BackgroundRun(produce())
    count = sum([chunk.count(b"event: ") async for chunk in sse_stream(run.events())])
    assert count == events
    return (time.perf_counter() - started) / events * 1e6


def report(
    phase: Phase, result: PhaseResult, model_ms: dict[str, float], server_ms: dict[str, float]
) -> None:
    turns = result.turns
    for turn in turns:
        turn["model_ms"] = model_ms.get(turn["question"], 0.0)
        waited_ms = turn["model_ms"] + turn["engine_ms"]
        turn["server_overhead_ms"] = server_ms[turn["request_id"]] - waited_ms
        turn["client_overhead_ms"] = turn["wall_ms"] - waited_ms
    cpu = ", ".join(f"{name} {seconds * 1000 / len(turns):.1f}" for name, seconds in result.cpu_s.items())
    pace = f"model {phase.pace_s:g} s per response" if phase.pace_s else "model answers at once"
    print(f"\n{phase.label}: {len(turns)} turns, {pace}, at most {result.peak_streams} streams open at once")
    print(f"{len(turns) / result.seconds:.1f} turns/s; CPU ms per turn: {cpu}")
    events, chunks = (statistics.median([t[key] for t in turns]) for key in ("events", "chunks"))
    print(f"events per turn {events:.0f}, received in {chunks:.0f} chunks (median)")
    print(f"{'metric':<24}{'median':>10}{'p95':>10}")
    for key, name in [
        ("ttfb_ms", "time to first byte"),
        ("server_overhead_ms", "server overhead/turn"),
        ("client_overhead_ms", "  as the client sees it"),
        ("persist_ms", "persistence"),
        ("engine_ms", "engine (run_query)"),
        ("model_ms", "scripted model"),
        ("wall_ms", "turn wall time"),
    ]:
        values = [t[key] for t in turns]
        print(f"{name:<24}{statistics.median(values):>8.1f}ms{percentile(values, 0.95):>8.1f}ms")
    relays = [ms for t in turns for ms in t["relay_ms"]]
    name = f"event relay ({len(relays)})"
    print(f"{name:<24}{statistics.median(relays):>8.1f}ms{percentile(relays, 0.95):>8.1f}ms")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--streams", type=int, default=50)
    parser.add_argument("--turns", type=int, default=3)
    parser.add_argument("--single-turns", type=int, default=20, help="turns of the single-stream phase")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers of the app")
    parser.add_argument(
        "--model-pace-s",
        type=float,
        default=1.0,
        help="seconds the scripted model takes per response in the first two phases (a real model takes "
        "longer); the burst phase always answers at once",
    )
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request would drown the figures
    pace = args.model_pace_s
    phases = [
        Phase("1 stream", 1, args.single_turns, pace, 0.0),
        # Starts spread over one turn's model time (two responses): all streams are open together.
        Phase(f"{args.streams} concurrent streams", args.streams, args.turns, pace, 2 * pace),
        Phase(f"burst: {args.streams} streams started at once", args.streams, args.turns, 0.0, 0.0),
    ]
    context = multiprocessing.get_context("spawn")
    model_pipe, model_end = context.Pipe()
    model_stop = context.Event()
    model = context.Process(target=serve_model, args=(model_end, model_stop), daemon=True)
    model.start()
    fake_url = model_pipe.recv()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_sample(root / "data")
        process, base_url, access = start_app(root, fake_url, args.workers)
        try:
            pids = {"app": process.pid, "scripted model": model.pid, "clients": os.getpid()}
            results = asyncio.run(run_phases(base_url, pids, phases))
        finally:
            process.terminate()
            process.wait(timeout=15)
            access.wait()
            model_stop.set()
    model_ms: dict[str, float] = {}
    for question, arrived, finished in model_pipe.recv():
        model_ms[question] = model_ms.get(question, 0.0) + (finished - arrived) * 1000
    model.join(timeout=10)
    print(
        f"chat turns, {args.workers} uvicorn worker(s), {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
    )
    for phase in phases:
        report(phase, results[phase.label], model_ms, access.latency_ms)
    per_event = statistics.median([asyncio.run(adapter_cost(2000)) for _ in range(5)])
    print(f"\n{'SSE adapter per event':<24}{per_event:>8.1f}µs (in-process: queue + encoder)")


if __name__ == "__main__":
    main()
