"""The production ``Caddyfile`` with the real ``caddy`` binary, on loopback in front of ``barb serve``.

The file validates and is formatted; through Caddy, text is compressed, every response carries the security
headers and no ``Server`` header, and the chat's Server-Sent Events pass unencoded, event by event. "Event by
event" is shown by order, never by time: the scripted model (or upstream) holds its next chunk back until the
test has received the previous one through Caddy, so a proxy that buffered the stream would never deliver it.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.chat.conftest import parse_frames
from tests.fake_anthropic import DEMO_QUERY, FakeAnthropic, Step, Text, ToolUse, reply, tool_results
from tests.platform.servers import clean_env, free_port, server_env, serving, stop, wait_until

ROOT = Path(__file__).resolve().parents[2]
CADDYFILE = ROOT / "Caddyfile"
COMPOSE_PROD = ROOT / "docker-compose.prod.yml"
GATE_TIMEOUT_S = 60  # how long a held-back chunk waits for the test: only reached when the proxy buffers
SECURITY_HEADERS = {
    "strict-transport-security": "max-age=31536000; includeSubDomains",
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "content-security-policy": "frame-ancestors 'none'",
    "x-frame-options": "DENY",
}


# -- helpers -------------------------------------------------------------------------------------------
def _caddy() -> str:
    path = shutil.which("caddy")
    if path is None:
        pytest.fail("caddy is not on PATH: install it (`apt-get install caddy`; ./dev test does)")
    return path


def _caddy_env(home: Path, **extra: str) -> dict[str, str]:
    """Caddy's state (autosave, storage) under ``home``, never the user's."""
    return clean_env(
        HOME=str(home), XDG_DATA_HOME=str(home / "data"), XDG_CONFIG_HOME=str(home / "config"), **extra
    )


@contextmanager
def _caddy_in_front_of(upstream: str, home: Path) -> Iterator[str]:
    """``caddy run`` with the real Caddyfile on a loopback port, proxying to ``upstream`` (host:port)."""
    port = free_port()
    env = _caddy_env(home, BARB_DOMAIN=f"http://127.0.0.1:{port}", BARB_UPSTREAM=upstream, CADDY_ADMIN="off")
    log_path = home / "caddy.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [_caddy(), "run", "--adapter", "caddyfile", "--config", str(CADDYFILE)],
            env=env,
            cwd=home,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            # Any answer (even the upstream's 404) means Caddy is serving this site.
            wait_until(
                lambda: httpx.get(f"{url}/health", timeout=1).status_code > 0, process, 60, "caddy", log_path
            )
            yield url
        finally:
            stop(process)


def assert_secured(response: httpx.Response) -> None:
    """Each security header exactly once (Caddy adds HSTS, the app the rest) and no ``Server``."""
    for name, value in SECURITY_HEADERS.items():
        values = response.headers.get_list(name)
        assert len(values) == 1 and value in values[0], (response.url, name, response.headers)
    assert "server" not in response.headers, (response.url, response.headers)


def _raw(url: str, accept_encoding: str) -> tuple[httpx.Response, bytes]:
    """A response and its body as sent (not decoded)."""
    with httpx.stream("GET", url, headers={"Accept-Encoding": accept_encoding}, timeout=30) as response:
        return response, b"".join(response.iter_raw())


@contextmanager
def _chat(http: httpx.Client, question: str) -> Iterator[httpx.Response]:
    """A new conversation on NQ, and the chat stream answering ``question`` in it (asking for gzip)."""
    auth = _sign_in(http)
    created = http.post("/api/conversations", json={"instrument": "NQ"}, headers=auth)
    assert created.status_code == 201, created.text
    body = {"conversation_id": created.json()["id"], "message": question}
    headers = {**auth, "Accept-Encoding": "gzip"}
    with http.stream("POST", "/api/chat/stream", json=body, headers=headers) as response:
        yield response


def _sign_in(http: httpx.Client) -> dict[str, str]:
    token = http.post("/api/auth/local/sign-in", json={"email": "caddy@example.com"})
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def _values(node: Any, key: str) -> Iterator[Any]:
    """Every value of ``key`` anywhere in a JSON document."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                yield v
            yield from _values(v, key)
    elif isinstance(node, list):
        for item in node:
            yield from _values(item, key)


# -- fixtures ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def fake_model() -> Iterator[FakeAnthropic]:
    with FakeAnthropic() as fake:
        yield fake


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, fake_model: FakeAnthropic) -> Iterator[str]:
    """``barb serve`` on a loopback port, with sample data and the scripted model."""
    _caddy()  # fail at once, before the sample data is generated
    root = tmp_path_factory.mktemp("caddy-app")
    port = free_port()
    env = server_env(
        root, SAMPLE_DATA="true", ANTHROPIC_API_KEY="test", ANTHROPIC_BASE_URL=fake_model.base_url
    )
    barb = Path(sys.executable).with_name("barb")
    command = [barb, "serve", "--port", str(port)]
    with serving(command, port=port, env=env, cwd=ROOT, log=root / "barb.log", what="barb serve") as url:
        yield url


@pytest.fixture(scope="module")
def caddy_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The state and the output (``caddy.log``) of the Caddy in front of the app."""
    return tmp_path_factory.mktemp("caddy")


@pytest.fixture(scope="module")
def proxy(app: str, caddy_home: Path) -> Iterator[str]:
    """Caddy in front of the app."""
    with _caddy_in_front_of(app.removeprefix("http://"), caddy_home) as url:
        yield url


@pytest.fixture(scope="module")
def spa(app: str) -> dict[str, str]:
    """Paths of the SPA shell and its entry script and stylesheet, read from the served HTML."""
    if not (ROOT / "front" / "dist" / "index.html").exists():
        pytest.fail("front/dist is missing: build the SPA first (./dev test and ./dev serve build it)")
    html = httpx.get(f"{app}/").text
    script = re.search(r'<script[^>]+src="(/assets/[^"]+\.js)"', html)
    style = re.search(r'<link[^>]+href="(/assets/[^"]+\.css)"', html)
    assert script and style, html
    return {"shell": "/", "script": script[1], "style": style[1]}


# A stand-in upstream for what the app cannot show: its event stream starts with ": connected" (13 bytes) and
# has no length, so Caddy's encode (512-byte minimum) would not compress it even without the path exclusion.
# This one announces a length above the minimum, so only the type and the path decide, and it sends no
# "Cache-Control: no-transform" (which newer Caddy also honours).
BIG_FRAME = (
    b"event: text_delta\ndata: " + json.dumps({"delta": "compressible text " * 100}).encode() + b"\n\n"
)
LAST_FRAME = b'event: done\ndata: {"stop_reason":"end_turn"}\n\n'


class _Upstream(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _UpstreamHandler)
        self.gate = threading.Event()
        self.released: list[bool] = []


class _UpstreamHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Upstream

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/broken":
            self.close_connection = True  # no answer at all: Caddy responds 502 itself
        else:
            self._stream(gated=False)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._stream(gated=self.path == "/api/chat/stream")

    def _stream(self, gated: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Content-Length", str(len(BIG_FRAME + LAST_FRAME)))
        self.end_headers()
        self.wfile.write(BIG_FRAME)
        self.wfile.flush()
        if gated:  # the next frame waits until the test has received the first one through Caddy
            self.server.released.append(self.server.gate.wait(GATE_TIMEOUT_S))
        self.wfile.write(LAST_FRAME)
        self.wfile.flush()


@pytest.fixture(scope="module")
def scripted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[_Upstream, str]]:
    """Caddy in front of the stand-in upstream."""
    upstream = _Upstream()
    thread = threading.Thread(target=upstream.serve_forever, daemon=True)
    thread.start()
    try:
        address = f"127.0.0.1:{upstream.server_address[1]}"
        with _caddy_in_front_of(address, tmp_path_factory.mktemp("caddy-scripted")) as url:
            yield upstream, url
    finally:
        upstream.gate.set()
        upstream.shutdown()
        upstream.server_close()
        thread.join(timeout=10)


# -- the file ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("domain", [None, "barb.example.com"])
def test_the_caddyfile_validates_with_the_production_environment(tmp_path: Path, domain: str | None):
    env = _caddy_env(tmp_path, **({"BARB_DOMAIN": domain} if domain else {}))
    command = [_caddy(), "validate", "--adapter", "caddyfile", "--config", str(CADDYFILE)]
    validated = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "Valid configuration" in validated.stdout + validated.stderr

    command[1] = "adapt"
    adapted = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert adapted.returncode == 0, adapted.stderr
    config = json.loads(adapted.stdout)
    assert config["admin"] == {"listen": "localhost:2019"}  # the container's default admin endpoint
    # the site's routes and its error routes both match the domain
    assert {host for hosts in _values(config, "host") for host in hosts} == {domain or "api.getbarb.trade"}
    assert list(_values(config, "listen")) == ["localhost:2019", [":443"]]  # automatic TLS
    assert list(_values(config, "upstreams")) == [[{"dial": "api:8000"}]]


def test_caddy_admin_off_disables_the_admin_endpoint(tmp_path: Path):
    env = _caddy_env(tmp_path, CADDY_ADMIN="off")
    command = [_caddy(), "adapt", "--adapter", "caddyfile", "--config", str(CADDYFILE)]
    adapted = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert adapted.returncode == 0, adapted.stderr
    assert json.loads(adapted.stdout)["admin"] == {"disabled": True}


def test_the_caddyfile_is_formatted(tmp_path: Path):
    # `caddy fmt --diff` prints every line (unchanged ones indented), so compare the output instead.
    formatted = subprocess.run(
        [_caddy(), "fmt", str(CADDYFILE)], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert formatted.returncode == 0, formatted.stderr
    assert formatted.stdout == CADDYFILE.read_text(), "run `caddy fmt --overwrite Caddyfile`"


# -- through Caddy -------------------------------------------------------------------------------------
def test_text_is_compressed(app: str, proxy: str, spa: dict[str, str]):
    paths = [spa["shell"], spa["script"], spa["style"], "/api/instruments"]
    for path in paths:
        negotiated, _ = _raw(proxy + path, "gzip, zstd")
        assert negotiated.status_code == 200, path
        assert negotiated.headers.get("content-encoding") in {"zstd", "gzip"}, (path, negotiated.headers)
        assert "accept-encoding" in negotiated.headers.get("vary", "").lower(), path

        direct = httpx.get(app + path, timeout=30)
        compressed, body = _raw(proxy + path, "gzip")
        assert compressed.headers["content-encoding"] == "gzip", path
        assert gzip.decompress(body) == direct.content, path
        assert len(body) < len(direct.content), path
        plain, body = _raw(proxy + path, "identity")
        assert "content-encoding" not in plain.headers and body == direct.content, path
    script = httpx.get(app + spa["script"])
    assert script.headers["content-type"].startswith(("text/javascript", "application/javascript"))


def test_every_response_carries_the_security_headers_and_no_server(proxy: str, spa: dict[str, str]):
    with httpx.Client(base_url=proxy, timeout=30, headers={"Accept-Encoding": "gzip"}) as http:
        responses = [
            (200, http.get("/")),
            (200, http.head("/")),
            (200, http.get(spa["script"])),
            (200, http.get("/favicon.svg")),
            (200, http.get("/health")),
            (200, http.get("/api/instruments")),
            (404, http.get("/api/not-a-route")),
            (401, http.get("/api/conversations")),
            (200, http.get("/api/conversations", headers=_sign_in(http))),
        ]
    for status, response in responses:
        assert response.status_code == status, (response.url, response.text)
        assert_secured(response)


def test_requests_are_logged_as_json_on_stdout_without_credentials(proxy: str, caddy_home: Path):
    uri = f"/health?log={uuid.uuid4().hex}"
    assert httpx.get(proxy + uri, headers={"Authorization": "Bearer not-for-logs"}).status_code == 200
    deadline = time.monotonic() + 30
    while True:
        text = (caddy_home / "caddy.log").read_text()
        lines = [json.loads(line) for line in text[: text.rfind("\n") + 1].splitlines()]  # whole lines
        access = [e for e in lines if e.get("logger", "").startswith("http.log.access")]
        logged = [e for e in access if e["request"]["uri"] == uri]
        if logged or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert [e["status"] for e in logged] == [200], access[-3:]
    assert "not-for-logs" not in json.dumps(logged)


def test_the_chat_stream_arrives_event_by_event_and_unencoded(proxy: str, fake_model: FakeAnthropic):
    first, second = "Let me pull the last 10 daily bars. ", "Here they are, with the change in percent."
    gate = threading.Event()  # set by the test when the first text event has come through Caddy
    released: list[bool] = []

    def model(request: dict[str, Any]) -> Step:
        if not tool_results(request):
            return reply(
                Text(first), ToolUse("run_query", {"query": DEMO_QUERY, "title": "Last 10 daily bars"})
            )
        released.append(gate.wait(GATE_TIMEOUT_S))  # the answer's text waits for the test
        return reply(second)

    fake_model.set_script(model)
    events: list[tuple[str, dict[str, Any]]] = []
    raw = b""
    try:
        with (
            httpx.Client(base_url=proxy, timeout=GATE_TIMEOUT_S + 60) as http,
            _chat(http, "Last 10 daily bars?") as response,
        ):
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            assert "content-encoding" not in response.headers
            assert_secured(response)
            buffer = b""
            for chunk in response.iter_raw():
                raw += chunk
                frames, buffer = parse_frames(buffer + chunk)
                events += [(name, json.loads(data)) for name, data in frames if name is not None]
                if any(name == "text_delta" for name, _ in events):
                    gate.set()
    finally:
        gate.set()
    assert released == [True], "the first text event did not come through Caddy before the next one was sent"
    assert raw.startswith(b": connected\n\n"), raw[:40]  # plain SSE, not a compressed body
    names = [name for name, _ in events]
    text = "".join(data["delta"] for name, data in events if name == "text_delta")
    assert text == first + second, names
    assert names.index("tool_start") < names.index("data_block") < names.index("done"), names


def test_the_chat_path_is_never_compressed_though_other_event_streams_are(scripted: tuple[_Upstream, str]):
    upstream, url = scripted
    # An event stream anywhere else is compressed (text/*), and so held back by the compressor.
    elsewhere, body = _raw(f"{url}/api/elsewhere/stream", "gzip")
    assert elsewhere.headers["content-encoding"] == "gzip"
    assert gzip.decompress(body) == BIG_FRAME + LAST_FRAME

    upstream.gate.clear()
    upstream.released.clear()
    received = b""
    try:
        with httpx.stream(
            "POST",
            f"{url}/api/chat/stream",
            content=b"{}",
            headers={"Accept-Encoding": "gzip", "Content-Type": "application/json"},
            timeout=GATE_TIMEOUT_S + 60,
        ) as response:
            assert response.status_code == 200
            assert "content-encoding" not in response.headers
            # A stand-in upstream: only what Caddy itself adds.
            assert (
                response.headers["strict-transport-security"] == SECURITY_HEADERS["strict-transport-security"]
            )
            assert "server" not in response.headers
            for chunk in response.iter_raw():
                received += chunk
                if received.startswith(BIG_FRAME):
                    upstream.gate.set()
    finally:
        upstream.gate.set()
    assert upstream.released == [True], "the first frame did not come through Caddy before the next was sent"
    assert received == BIG_FRAME + LAST_FRAME


def test_caddys_own_errors_carry_the_security_headers(scripted: tuple[_Upstream, str]):
    _, url = scripted
    response = httpx.get(f"{url}/broken", timeout=30)
    assert response.status_code == 502
    assert_secured(response)
    assert response.text == "502 Bad Gateway"
