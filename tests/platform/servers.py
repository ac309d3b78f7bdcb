"""Processes the platform tests start on loopback: a free port, waiting until one serves, stopping it."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _tail(log: Path) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-30:]) if log.exists() else ""


def wait_until(
    ready: Callable[[], bool], process: subprocess.Popen, timeout_s: float, what: str, log: Path
) -> None:
    """Poll ``ready`` until it holds; fail with the log's tail if ``process`` exits or time runs out."""
    deadline = time.monotonic() + timeout_s
    while True:
        # Alive first: a port taken by someone else would otherwise look ready.
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"{what} did not start (exit code {process.poll()}):\n{_tail(log)}")
        try:
            if ready():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextmanager
def serving(
    command: Sequence[str | Path], *, port: int, env: dict[str, str], cwd: Path, log: Path, what: str
) -> Iterator[str]:
    """Run a Barb server ``command`` listening on ``port``; yields its base URL once ``/health`` answers 200.

    A first start may generate the sample set (three years of minutes for four symbols): up to 240 s.
    """
    base_url = f"http://127.0.0.1:{port}"
    with log.open("w") as output:
        process = subprocess.Popen(
            [str(c) for c in command], env=env, cwd=cwd, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            health = f"{base_url}/health"
            wait_until(lambda: httpx.get(health, timeout=1).status_code == 200, process, 240, what, log)
            yield base_url
        finally:
            stop(process)
