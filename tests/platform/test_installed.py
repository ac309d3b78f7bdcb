"""Barb as shipped: the ``web`` image replayed without Docker, and the Lambda package layout.

The Lambda layout is the ``lambda-mangum`` stage's: the runtime lock and the wheel installed into one folder
with ``--target``; each handler is imported by a plain interpreter whose only path into the project is that
folder, as the Lambda runtime does, and answers the sample events of ``events/`` exactly as the installed
uvicorn server answers the same requests.

The web stage is replayed from the Dockerfile itself: its runtime lock installed into a fresh venv, the
project's wheel installed non-editably, only the files the stage copies laid out under a stand-in for
``/app``, its ENV (paths moved there) and its CMD. Nothing of the checkout is importable from there.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.chat.conftest import ChatClient
from tests.fake_anthropic import FakeAnthropic, demo
from tests.platform import compose
from tests.platform.dockerfile import stages
from tests.platform.installed import BASE_PYTHON, ROOT, build_wheel, in_image, install_target, install_venv
from tests.platform.lambda_events import (
    EVENT_KINDS,
    TEST_ADMIN_TOKEN,
    Answer,
    HttpRequest,
    answer_of,
    assert_same_answer,
    request_of,
    rewrite,
    sample_event,
)
from tests.platform.servers import free_port, serving

WEB, LAMBDA = stages()["web"], stages()["lambda-mangum"]
# Runs in a plain interpreter (-I -S: no site-packages, no PYTHON* variables, not even the working directory
# on the path): the task root is its only way to the project, as under the Lambda runtime.
LAMBDA_RUNTIME = """
import asyncio, importlib, json, sys
task, calls, out = sys.argv[1:4]
sys.path.insert(0, task)

class Context:
    function_name = "barb"
    memory_limit_in_mb = 2048
    invoked_function_arn = "arn:aws:lambda:eu-central-1:123456789012:function:barb"
    def __init__(self, request_id):
        self.aws_request_id = request_id
    def get_remaining_time_in_millis(self):
        return 29_000

results = []
for call in json.load(open(calls)):
    module = importlib.import_module("functions." + call["function"] + ".handler")
    assert module.__file__.startswith(task), module.__file__
    asyncio.set_event_loop(asyncio.new_event_loop())
    results.append(module.handler(call["event"], Context(call["request_id"])))
assert not [p for p in sys.path if "site-packages" in p], sys.path
json.dump(results, open(out, "w"))
"""


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
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> Installed:
    root = tmp_path_factory.mktemp("installed")
    python = install_venv(root / "venv", wheel)
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
    port = free_port()
    command = [installed.python.parent / WEB.cmd[0], *WEB.cmd[1:]]
    command[command.index("--host") + 1] = "127.0.0.1"
    command[command.index("--port") + 1] = str(port)
    with FakeAnthropic(script=demo) as fake:
        installed.env |= {
            "ANTHROPIC_API_KEY": "test-key",
            "ANTHROPIC_BASE_URL": fake.base_url,
            "ADMIN_TOKEN": TEST_ADMIN_TOKEN,
        }
        log = installed.app_dir.parent / "barb.log"
        env = _clean_env(**installed.env)
        with serving(
            command, port=port, env=env, cwd=installed.app_dir, log=log, what="the installed app"
        ) as url:
            yield url


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
    service = compose.load(compose.BASE)["services"]["api"]
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


def _ask_server(base_url: str, request: HttpRequest) -> Answer:
    headers = {k: v for k, v in request.headers.items() if k not in {"host", "content-length"}}
    url = f"{base_url}{request.path}" + (f"?{request.query}" if request.query else "")
    response = httpx.request(request.method, url, headers=headers, content=request.body, timeout=30)
    return Answer(response.status_code, {k.lower(): v for k, v in response.headers.items()}, response.text)


def test_the_lambda_package_answers_like_the_installed_server(installed, served, wheel, tmp_path):
    """Every sample event, and each function's sample moved to the routes every app serves, through the
    handlers of the --target layout, in one process like a warm Lambda container."""
    task = tmp_path / "task"
    install_target(task, wheel)
    token = ChatClient(served, "lambda@example.com").headers["Authorization"].removeprefix("Bearer ")
    calls = []
    for function in sorted({p.parent.name for p in (ROOT / "events").glob("*/*.json")}):
        for kind in EVENT_KINDS:
            sample = sample_event(function, kind, token=token)
            common = [rewrite(sample, "GET", path) for path in ("/health", "/api/config", "/api/nowhere")]
            for index, event in enumerate([sample, *common]):
                calls.append(
                    {"function": function, "event": event, "request_id": f"{function}-{kind}-{index}"}
                )
    (tmp_path / "calls.json").write_text(json.dumps(calls))

    # The stage's ENV with /tmp moved here; state and bars shared with the server so both answer alike.
    env = in_image(LAMBDA.env, "/tmp", tmp_path / "lambda-tmp") | {
        "AWS_LAMBDA_FUNCTION_NAME": "barb",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "2048",
        "AWS_REGION": "eu-central-1",
        "LAMBDA_TASK_ROOT": str(task),
    }
    env |= {
        k: installed.env[k]
        for k in ("VAR_DIR", "DATA_DIR", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "ADMIN_TOKEN")
    }
    result = subprocess.run(
        [BASE_PYTHON, "-I", "-S", "-c", LAMBDA_RUNTIME, task, tmp_path / "calls.json", tmp_path / "out.json"],
        env=_clean_env(**env),
        cwd=task,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    default_handler = LAMBDA.cmd[0].rsplit(".", 1)[0]  # the image's CMD: module.attribute
    assert (task / f"{default_handler.replace('.', '/')}.py").is_file()

    answers = [answer_of(r) for r in json.loads((tmp_path / "out.json").read_text())]
    statuses = set()
    for call, answer in zip(calls, answers, strict=True):
        expected = _ask_server(served, request_of(call["event"]))
        assert_same_answer(
            answer, expected, call["request_id"], (call["function"], request_of(call["event"]).path)
        )
        statuses.add(answer.status)
    assert {200, 201, 404} <= statuses
