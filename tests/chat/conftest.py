"""End-to-end chat fixtures: the app under uvicorn on a real socket, the scripted Anthropic server, sample bars.

Package-scoped: one app server and one fake model serve every chat test; each test signs in as its own user
and scripts the model for itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.assistant.support import write_sample
from tests.fake_anthropic import FakeAnthropic
from tests.platform.servers import app_in_thread, free_port

MAX_ROUNDS = 3
RATE_PER_MINUTE = 8
_CLEARED = (
    "ENV", "CORS_ORIGINS", "SUPABASE_URL", "SUPABASE_SERVICE_KEY", "SUPABASE_PUBLISHABLE_KEY", "ADMIN_TOKEN",
    "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "DATA_BUCKET", "DATA_PREFIX", "S3_ENDPOINT_URL", "DATA_CACHE_DIR",
    "DATABASE_PATH",
)  # fmt: skip


@dataclass(frozen=True)
class Event:
    """One SSE event as the client received it, with its arrival time (``time.monotonic``)."""

    name: str
    data: dict[str, Any]
    at: float


@dataclass
class Stream:
    """What one chat request returned: status, headers, the raw chunks with times, the parsed events."""

    status: int
    headers: httpx.Headers
    chunks: list[tuple[float, bytes]]
    events: list[Event]
    ended_at: float
    body: bytes = b""

    @property
    def names(self) -> list[str]:
        return [e.name for e in self.events]

    def first(self, name: str) -> dict[str, Any]:
        return next(e.data for e in self.events if e.name == name)

    def all(self, name: str) -> list[dict[str, Any]]:
        return [e.data for e in self.events if e.name == name]


def parse_frames(buffer: bytes) -> tuple[list[tuple[str | None, str]], bytes]:
    """Complete SSE frames in ``buffer`` as (event name, data) — comments give (None, text) — and the rest."""
    frames = []
    while b"\n\n" in buffer:
        raw, buffer = buffer.split(b"\n\n", 1)
        name, data, comment = None, [], None
        for line in raw.decode().split("\n"):
            if line.startswith(":"):
                comment = line[1:].strip()
            elif line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
        frames.append((name, "\n".join(data)) if name else (None, comment or ""))
    return frames, buffer


class ChatClient:
    """A signed-in user of the app under test."""

    def __init__(self, base_url: str, email: str | None = None) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=60)
        token = self.http.post(
            "/api/auth/local/sign-in", json={"email": email or f"{uuid.uuid4().hex}@test.dev"}
        )
        assert token.status_code == 200, token.text
        self.headers = {"Authorization": f"Bearer {token.json()['access_token']}"}

    def conversation(self, instrument: str = "NQ") -> str:
        response = self.http.post("/api/conversations", json={"instrument": instrument}, headers=self.headers)
        assert response.status_code == 201, response.text
        return response.json()["id"]

    def messages(self, conversation_id: str) -> list[dict[str, Any]]:
        response = self.http.get(f"/api/conversations/{conversation_id}/messages", headers=self.headers)
        assert response.status_code == 200, response.text
        return response.json()["messages"]

    def stop(self, conversation_id: str) -> httpx.Response:
        return self.http.post(f"/api/chat/{conversation_id}/stop", headers=self.headers)

    def ask(
        self,
        conversation_id: str,
        message: str | None,
        *,
        revises: str | None = None,
        until: str | None = None,
    ) -> Stream:
        """Send a question (a new version of ``revises``, or ``revises`` again when ``message`` is None) and
        read the SSE stream (to its end, or until the event ``until`` arrives)."""
        body = {"conversation_id": conversation_id, "message": message, "revises": revises}
        body = {key: value for key, value in body.items() if value is not None}
        chunks: list[tuple[float, bytes]] = []
        events: list[Event] = []
        with self.http.stream("POST", "/api/chat/stream", json=body, headers=self.headers) as response:
            if response.status_code != 200:
                response.read()
                return Stream(
                    response.status_code, response.headers, [], [], time.monotonic(), response.content
                )
            buffer = b""
            for chunk in response.iter_raw():
                now = time.monotonic()
                chunks.append((now, chunk))
                frames, buffer = parse_frames(buffer + chunk)
                for name, data in frames:
                    if name is not None:
                        events.append(Event(name, json.loads(data), now))
                if until is not None and any(e.name == until for e in events):
                    break
            return Stream(200, response.headers, chunks, events, time.monotonic())

    def wait_for_answer(self, conversation_id: str, timeout_s: float = 15) -> dict[str, Any]:
        """Poll the stored messages until the assistant's answer is there."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            answers = [m for m in self.messages(conversation_id) if m["role"] == "assistant"]
            if answers:
                return answers[-1]
            time.sleep(0.1)
        raise AssertionError("the answer was never persisted")


@dataclass(frozen=True)
class ChatApp:
    base_url: str
    fake: FakeAnthropic
    root: Path
    env: dict[str, str]

    def client(self, email: str | None = None) -> ChatClient:
        return ChatClient(self.base_url, email)


@pytest.fixture(scope="package")
def chat_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChatApp]:
    root = tmp_path_factory.mktemp("chat")
    data_dir = write_sample(root / "data")
    with FakeAnthropic() as fake:
        env = {
            "ENV": "test",
            "VAR_DIR": str(root / "var"),
            "DATA_DIR": str(data_dir),
            "SAMPLE_DATA": "false",
            "ANTHROPIC_API_KEY": "test-key",
            "ANTHROPIC_BASE_URL": fake.base_url,
            "CHAT_MAX_ROUNDS": str(MAX_ROUNDS),
            "CHAT_RATE_PER_MINUTE": str(RATE_PER_MINUTE),
        }
        with app_in_thread(env, _CLEARED, lifespan="off") as base_url:
            yield ChatApp(base_url, fake, root, env)


@pytest.fixture(scope="package")
def other_worker(chat_app: ChatApp) -> Iterator[str]:
    """A second app process on the same database and bars, without an Anthropic key (another worker)."""
    port = free_port()
    env = {k: v for k, v in chat_app.env.items() if not k.startswith("ANTHROPIC")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "server:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env={
            **{k: v for k, v in os.environ.items() if k not in env and not k.startswith("ANTHROPIC")},
            **env,
        },
        cwd=Path(__file__).resolve().parents[2],
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180  # importing the app takes long on a busy machine
        while True:
            try:
                if httpx.get(f"{base_url}/health", timeout=1).status_code in (200, 503):
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, "the second worker did not start"
            time.sleep(0.1)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=10)
