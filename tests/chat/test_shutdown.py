"""A graceful shutdown waits for answers still running in the background, so none is lost half-way."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.chat.conftest import ChatApp, ChatClient
from tests.fake_anthropic import DEMO_ANSWER, demo


def start_worker(chat_app: ChatApp) -> tuple[subprocess.Popen, str]:
    """Another app process on the same database, bars and scripted model."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "server:app", "--port", str(port), "--log-level", "warning"],
        env={**os.environ, **chat_app.env},
        cwd=Path(__file__).resolve().parents[2],
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180  # importing the app takes long on a busy machine
    while True:
        try:
            if httpx.get(f"{base_url}/health", timeout=1).status_code == 200:
                return process, base_url
        except httpx.HTTPError:
            pass
        assert process.poll() is None and time.monotonic() < deadline, "the worker did not start"
        time.sleep(0.1)


def test_sigterm_lets_a_running_answer_finish_and_persist(chat_app: ChatApp) -> None:
    chat_app.fake.set_script(demo)  # the final answer streams for about 2 s
    process, base_url = start_worker(chat_app)
    try:
        user = ChatClient(base_url, email="shutdown@test.dev")
        conversation = user.conversation("NQ")
        user.ask(conversation, "Last 10 days", until="data_block")  # the client leaves mid-answer
        process.send_signal(signal.SIGTERM)
        # uvicorn shuts down gracefully, then re-raises the signal, so the exit status is -SIGTERM.
        assert process.wait(timeout=60) == -signal.SIGTERM
    finally:
        if process.poll() is None:
            process.kill()
    # The same user, through the other server: the answer was completed and stored before the exit.
    question, answer = chat_app.client(email="shutdown@test.dev").messages(conversation)
    assert question["role"] == "user"
    assert answer["role"] == "assistant" and answer["status"] == "complete"
    assert answer["content"].endswith(DEMO_ANSWER)
