"""A worker killed mid-answer (SIGKILL, no shutdown): after a restart nothing the user wrote is lost, the
question gets an error answer, and the dead run neither blocks the conversation nor claims to be stoppable."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.assistant.support import write_sample
from tests.chat.conftest import ChatClient
from tests.fake_anthropic import FakeAnthropic, Text, reply
from tests.platform.servers import free_port, server_env, stop, wait_until

STALE_S = 2.0
"""CHAT_RUN_STALE_S for these servers: short, so the test need not wait 20 s for the run to count as dead."""
SLOW = "An answer that is still being written when its server dies. " * 40


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeAnthropic]:
    with FakeAnthropic(
        script=[reply(Text(SLOW, chunk=10, delay_s=0.05)), reply(Text("Back again."))]
    ) as model:
        yield model


def _start(root: Path, fake: FakeAnthropic) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = server_env(
        root, ANTHROPIC_API_KEY="test-key", ANTHROPIC_BASE_URL=fake.base_url, CHAT_RUN_STALE_S=str(STALE_S)
    )
    barb = Path(sys.executable).with_name("barb")
    log = (root / f"barb-{port}.log").open("w")
    process = subprocess.Popen(
        [str(barb), "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    wait_until(
        lambda: httpx.get(f"{url}/health", timeout=1).status_code == 200, process, 60, "barb", Path(log.name)
    )
    return process, url


def _eventually(check, timeout_s: float = 30):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while not (found := check()):
        assert time.monotonic() < deadline, "never happened"
        time.sleep(0.2)
    return found


def test_a_question_whose_server_was_killed_gets_an_error_answer(tmp_path: Path, fake: FakeAnthropic) -> None:
    write_sample(tmp_path / "data")
    first, url = _start(tmp_path, fake)
    user = ChatClient(url, "crash@example.com")
    conversation = user.conversation("NQ")
    streamed = user.ask(conversation, "Will you finish?", until="text_delta")
    assert streamed.status == 200
    first.send_signal(signal.SIGKILL)  # mid-answer: no shutdown, nothing stored after the question
    first.wait(timeout=30)

    second, url = _start(tmp_path, fake)
    try:
        user.http.base_url = httpx.URL(url)
        # While the dead run's last beat is fresh it still counts as live; then it does not.
        _eventually(lambda: not user.stop(conversation).json()["stopping"])
        question, answer = _eventually(lambda: (m := user.messages(conversation)) and len(m) == 2 and m)
        assert question["content"] == "Will you finish?"
        assert (answer["status"], answer["error_code"], answer["retryable"]) == ("error", "INTERRUPTED", True)
        assert answer["reply_to"] == question["id"]
        again = user.ask(conversation, "Will you finish now?")
        assert again.status == 200 and again.names[-2:] == ["done", "persist"]
        assert [m["role"] for m in user.messages(conversation)] == ["user", "assistant", "user", "assistant"]
    finally:
        stop(second)
