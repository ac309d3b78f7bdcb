"""Processes the platform tests start on loopback: a free port, waiting until one serves, stopping it."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import httpx
import pytest
import uvicorn

from shared.lazy import reset_singletons

# Variables of the developer's or CI's configuration that must not reach the processes under test.
_LEAKS = ("ANTHROPIC", "SUPABASE", "DATA_", "S3_", "BARB_", "CADDY_", "CHAT_")
_LEAK_NAMES = {"ENV", "CORS_ORIGINS", "ADMIN_TOKEN", "DATABASE_PATH"}


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without the configuration that would leak into a process under test, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_LEAKS) and k not in _LEAK_NAMES}
    return env | extra


def server_env(root: Path, **settings: str) -> dict[str, str]:
    """The environment of a Barb server under ``root``: state in ``var/``, bars in ``data/``, no sample set.

    ``settings`` come on top (``SAMPLE_DATA="true"`` lets it generate the sample set).
    """
    return clean_env(VAR_DIR=str(root / "var"), DATA_DIR=str(root / "data"), SAMPLE_DATA="false") | settings


def free_port() -> int:
    """A loopback port nobody listens on now."""
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


@contextmanager
def app_in_thread(
    env: dict[str, str], cleared: Iterable[str], *, lifespan: Literal["auto", "on", "off"] = "auto"
) -> Iterator[str]:
    """The app under uvicorn in a thread of this process, on a loopback port; yields its base URL.

    ``env`` is set and the ``cleared`` variables unset while it runs; the environment is restored afterwards.
    """
    saved = dict(os.environ)
    for name in cleared:
        os.environ.pop(name, None)
    os.environ.update(env)
    reset_singletons()
    import server

    config = uvicorn.Config(
        server.create_app(), host="127.0.0.1", port=0, log_level="warning", lifespan=lifespan
    )
    app_server = uvicorn.Server(config)
    thread = threading.Thread(target=app_server.run, daemon=True)
    thread.start()
    try:
        while not app_server.started:
            assert thread.is_alive(), "the app server did not start"
            time.sleep(0.01)
        yield f"http://127.0.0.1:{app_server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        app_server.should_exit = True
        thread.join(timeout=30)
        os.environ.clear()
        os.environ.update(saved)
        reset_singletons()
