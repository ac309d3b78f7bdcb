"""Barb as shipped: the ``web`` image replayed without Docker, and the Lambda package layout.

The web stage is replayed from the Dockerfile itself: its runtime lock installed into a fresh venv, the
project's wheel installed non-editably, only the files the stage copies laid out under a stand-in for
``/app``, its ENV (paths moved there) and its CMD. Nothing of the checkout is importable from there.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml

from tests.chat.conftest import ChatClient
from tests.fake_anthropic import FakeAnthropic, demo
from tests.platform.dockerfile import stages
from tests.platform.installed import ROOT, build_wheel, in_image, install_venv

WEB = stages()["web"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _clean_env(**extra: str) -> dict[str, str]:
    """What a container starts with: no project paths, no credentials, no settings of this test run."""
    keep = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ}
    return keep | extra


@dataclass
class Installed:
    python: Path
    app_dir: Path
    """The stand-in for the image's WORKDIR (/app)."""
    env: dict[str, str]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("installed")
    python = install_venv(root / "venv", build_wheel(root))
    app_dir = root / "app"
    for origin, sources, destination in WEB.copies:
        if origin == "spa":  # the SPA stage's build: the one ./dev test made before pytest
            dist = ROOT / "front" / "dist"
            assert (dist / "index.html").is_file(), (
                "front/dist is missing: build the SPA first (./dev test does)"
            )
            shutil.copytree(dist, app_dir / destination)
        elif origin is None:
            for source in sources:
                (app_dir / destination).mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / source, app_dir / destination)
    for folder in ("var", "data"):
        (app_dir / folder).mkdir(parents=True, exist_ok=True)
    env = in_image(WEB.env, WEB.workdir, app_dir)
    env["PATH"] = f"{python.parent}:{os.environ['PATH']}"
    return Installed(python, app_dir, env)


@pytest.fixture(scope="module")
def served(installed: Installed) -> Iterator[str]:
    """The web stage's CMD (host and port moved to loopback), with the scripted model as Anthropic."""
    port = _free_port()
    command = [installed.python.parent / WEB.cmd[0], *WEB.cmd[1:]]
    command[command.index("--host") + 1] = "127.0.0.1"
    command[command.index("--port") + 1] = str(port)
    with FakeAnthropic(script=demo) as fake:
        env = _clean_env(**installed.env, ANTHROPIC_API_KEY="test-key", ANTHROPIC_BASE_URL=fake.base_url)
        process = subprocess.Popen(
            [str(c) for c in command], env=env, cwd=installed.app_dir, stdout=subprocess.DEVNULL
        )
        base_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 240  # the first start generates the sample set
        try:
            while True:
                try:
                    if httpx.get(f"{base_url}/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert process.poll() is None and time.monotonic() < deadline, (
                    "the installed app did not start"
                )
                time.sleep(0.2)
            yield base_url
        finally:
            process.terminate()
            process.wait(timeout=60)


def test_the_installed_app_imports_nothing_from_the_checkout(installed):
    probe = "import json, server, shared, functions, data_store; print(json.dumps([m.__file__ for m in (server, shared, functions, data_store)]))"
    result = subprocess.run(
        [installed.python, "-c", probe],
        env=_clean_env(**installed.env),
        cwd=installed.app_dir,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    for path in json.loads(result.stdout):
        assert "site-packages" in path and not path.startswith(str(ROOT)), path


def test_the_image_holds_no_test_tooling(installed):
    probe = "import importlib.util as u; print([m for m in ('pytest', 'moto', 'ruff', 'cfnlint', 'hypothesis') if u.find_spec(m)])"
    result = subprocess.run([installed.python, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == "[]", result.stdout + result.stderr


def test_the_spa_and_its_assets_are_served(served):
    page = httpx.get(f"{served}/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assets = re.findall(r'(?:src|href)="(/assets/[^"]+)"', page.text)
    assert any(a.endswith(".js") for a in assets), page.text
    for asset in assets:
        response = httpx.get(f"{served}{asset}")
        assert response.status_code == 200 and response.content, asset
        assert "immutable" in response.headers["cache-control"]
    deep_link = httpx.get(f"{served}/i/NQ/c/some-conversation")
    assert deep_link.status_code == 200 and deep_link.text == page.text
    missing = httpx.get(f"{served}/api/not-a-route")
    assert missing.status_code == 404 and missing.json()["code"] == "NOT_FOUND"


def test_sign_in_a_query_and_a_chat_stream(served):
    user = ChatClient(served, "installed@example.com")
    query = {"from": "daily", "period": "last_10", "map": {"r": "range()"}, "select": "mean(r)"}
    answer = user.http.post("/api/query", json={"instrument": "NQ", "query": query}, headers=user.headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["kind"] == "scalar" and answer.json()["value"] > 0

    conversation = user.conversation("NQ")
    stream = user.ask(conversation, "Show me the last ten days")
    assert stream.status == 200 and stream.names[-2:] == ["done", "persist"], stream.names
    assert "tool_end" in stream.names and "text_delta" in stream.names
    assert stream.first("persist")["persisted"] is True
    stored = user.wait_for_answer(conversation)
    assert stored["role"] == "assistant" and stored["content"]


def test_the_dev_compose_runs_the_mounted_source(installed, tmp_path):
    """docker-compose.yml mounts the sources over /app and reloads: they must win over the installed wheel."""
    service = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["api"]
    app_dir = tmp_path / "app"
    for volume in service["volumes"]:
        source, target = volume.split(":")[:2]
        if Path(ROOT / source).exists() and target.startswith(WEB.workdir):
            mounted = app_dir / Path(target).relative_to(WEB.workdir)
            mounted.parent.mkdir(parents=True, exist_ok=True)
            mounted.symlink_to(ROOT / source)
    env = in_image(WEB.env | service.get("environment", {}), WEB.workdir, app_dir)
    probe = "import server, shared.settings; print(server.__file__); print(shared.settings.__file__)"
    result = subprocess.run(
        [installed.python, "-c", probe], env=_clean_env(**env), cwd=app_dir, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    for path in result.stdout.split():
        assert path.startswith(str(app_dir)), path
    assert "--reload" in service["command"]
