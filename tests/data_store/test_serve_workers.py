"""``barb serve --workers 2``: one reload-data call reaches both worker processes.

An HTTP/1.1 keep-alive connection stays with the worker that accepted it. The test opens one connection per
worker (pausing the other worker while it connects) and checks from ``/proc`` which worker holds it (the
server-side socket's inode among the worker's file descriptors). Both workers serve requests before the
reload, only one serves the reload, and both see the new data after it although the manifest TTL is an hour.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from data_store.layout import DataFolder
from shared.ingest.sample import generate_minute_bars
from tests.platform.servers import free_port, server_env

TOKEN = "workers-admin-token"


def _children(pid: int) -> list[int]:
    kids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(entry.name))
    return kids


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in (Path("/proc") / str(pid) / "fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def _server_inode(server_port: int, client_port: int) -> str | None:
    """The inode of the server-side socket of the connection from ``client_port``."""
    wanted = (f"{server_port:04X}", f"{client_port:04X}")
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if (fields[1].rsplit(":", 1)[1], fields[2].rsplit(":", 1)[1]) == wanted:
                return fields[9]
    return None


class Connection:
    """A keep-alive connection, with the worker process that serves it."""

    def __init__(self, port: int, workers: list[int]) -> None:
        self.http = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.http.connect()
        self.port = port
        self.workers = workers
        self.worker: int | None = None

    def request(self, method: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict]:
        self.http.request(method, path, headers=headers or {})
        response = self.http.getresponse()
        body = json.loads(response.read() or b"{}")
        if self.worker is None:
            inode = _server_inode(self.port, self.http.sock.getsockname()[1])
            self.worker = next((w for w in self.workers if inode in _socket_inodes(w)), None)
        return response.status, body


@pytest.fixture
def served(tmp_path: Path):
    folder = DataFolder(tmp_path / "data")
    folder.add_bars("NQ", "1m", generate_minute_bars("NQ", date(2024, 3, 4), date(2024, 3, 8), seed=2))
    port = free_port()
    env = server_env(tmp_path, MANIFEST_TTL_S="3600", ADMIN_TOKEN=TOKEN, LOG_LEVEL="WARNING")
    barb = shutil.which("barb", path=str(Path(sys.executable).parent)) or "barb"
    server = subprocess.Popen(
        [barb, "serve", "--workers", "2", "--port", str(port)],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        workers: list[int] = []
        while time.monotonic() < deadline:
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
            workers = [w for w in _children(server.pid) if _socket_inodes(w)]
            try:
                probe = Connection(port, workers)
                if len(workers) == 2 and probe.request("GET", "/health")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            pytest.fail("barb serve did not start two workers within 60 s")
        yield folder, port, workers
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def _connect_to(worker: int, port: int, workers: list[int]) -> Connection:
    """A connection served by ``worker``: the other workers are paused (SIGSTOP) while it is accepted.

    The pause lasts one request, far below uvicorn's 5 s worker health-check timeout.
    """
    others = [w for w in workers if w != worker]
    for pid in others:
        os.kill(pid, signal.SIGSTOP)
    try:
        connection = Connection(port, workers)
        status, body = connection.request("GET", "/api/instruments/ES")
    finally:
        for pid in others:
            os.kill(pid, signal.SIGCONT)
    assert connection.worker == worker
    assert status == 200 and body["data"]["available"] is False  # the manifest has no ES yet
    return connection


def test_reload_data_reaches_both_workers(served) -> None:
    folder, port, workers = served
    by_worker = {worker: _connect_to(worker, port, workers) for worker in workers}

    folder.add_bars("ES", "1m", generate_minute_bars("ES", date(2024, 3, 4), date(2024, 3, 8), seed=3))
    for connection in by_worker.values():  # the hour-long TTL hides the new data from both workers
        assert connection.request("GET", "/api/instruments/ES")[1]["data"]["available"] is False

    serving, other = by_worker.values()
    status, body = serving.request("POST", "/api/admin/reload-data", {"Authorization": f"Bearer {TOKEN}"})
    assert status == 200 and body["instruments"] == ["ES"]
    for connection in (other, serving):
        status, body = connection.request("GET", "/api/instruments/ES")
        assert status == 200 and body["data"]["available"] is True, body
        assert body["data"]["bar_sizes"] == ["1m"]
        status, body = connection.request("GET", "/api/instruments/ES/bars?tf=daily")
        assert status == 200 and len(body["data"]["time"]) == 5, body
