"""The app's own security headers: on every response (SPA, API, errors, streams), with a CSP that fits each.

The SPA shell gets the page policy (inline scripts allowed by hash, connect-src with the origins the server
knows the browser talks to); everything else gets ``default-src 'none'``. HSTS is left to Caddy. The browser
side (the built SPA runs under the policy without a violation) is ``front/e2e/csp.e2e.test.mjs``.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.requests import Request
from starlette.routing import Route
from starlette.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from shared.lazy import reset_singletons
from shared.settings import Settings
from shared.web import build_app
from shared.web.security import (
    API_POLICY,
    CHART_LOGO_STYLE,
    SecurityHeadersMiddleware,
    origin,
    source_hash,
    spa_policy,
)
from tests.chat.conftest import parse_frames

ROOT = Path(__file__).resolve().parents[2]
LIGHTWEIGHT_CHARTS = ROOT / "front" / "node_modules" / "lightweight-charts" / "dist"
THEME_SCRIPT = "\n      document.documentElement.dataset.theme = 'dark';\n    "
INDEX_HTML = f"""<!doctype html>
<html lang="en"><head><title>Barb</title>
    <script>{THEME_SCRIPT}</script>
    <script type="module" crossorigin src="/assets/index-abc.js"></script>
</head><body><div id="root"></div></body></html>
"""
FIXED = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "DENY",
}


def sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def page_policy(*connect: str) -> str:
    connect_src = " ".join(["'self'", *connect])
    return (
        "default-src 'self'; "
        f"script-src 'self' {sha256(THEME_SCRIPT)}; "
        f"style-src 'self' {sha256(CHART_LOGO_STYLE)}; "
        "img-src 'self' data:; "
        f"connect-src {connect_src}; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )


def assert_headers(response, policy: str) -> None:
    for name, value in {**FIXED, "content-security-policy": policy}.items():
        assert response.headers.get_list(name) == [value], (response.request.url, name, response.headers)
    assert "strict-transport-security" not in response.headers  # the TLS terminator's (Caddy's) header


@pytest.fixture
def spa_dir(barb_env: Path) -> Path:
    dist = barb_env / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(INDEX_HTML)
    (dist / "assets" / "index-abc.js").write_text("console.log('barb');\n")
    (dist / "favicon.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    return dist


def container(monkeypatch: pytest.MonkeyPatch, spa_dir: Path, **env: str) -> TestClient:
    """The container app (``server.create_app``) serving ``spa_dir``, with ``env`` on top of ``barb_env``."""
    import server

    monkeypatch.setenv("SPA_DIR", str(spa_dir))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    reset_singletons()
    return TestClient(server.create_app())


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch, spa_dir: Path) -> Iterator[TestClient]:
    with container(monkeypatch, spa_dir) as client:
        yield client


def sign_in(client: TestClient) -> dict[str, str]:
    token = client.post("/api/auth/local/sign-in", json={"email": "csp@example.com"}).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


# -- the app -------------------------------------------------------------------------------------------
def test_the_spa_shell_gets_the_page_policy_on_every_route_that_serves_it(app: TestClient) -> None:
    for path in ("/", "/i/NQ/query", "/sign-in?next=%2F", "/index.html"):
        response = app.get(path)
        assert response.status_code == 200 and response.text == INDEX_HTML, path
        assert response.headers["cache-control"] == "no-cache"
        assert_headers(response, page_policy())
    assert_headers(app.head("/"), page_policy())


def test_assets_files_and_api_answers_get_the_api_policy(app: TestClient) -> None:
    asset = app.get("/assets/index-abc.js")
    assert asset.status_code == 200 and "immutable" in asset.headers["cache-control"]
    assert_headers(asset, API_POLICY)
    assert_headers(app.get("/favicon.svg"), API_POLICY)
    instruments = app.get("/api/instruments")
    assert instruments.status_code == 200 and instruments.json()["instruments"]
    assert_headers(instruments, API_POLICY)
    assert_headers(app.get("/health"), API_POLICY)
    assert_headers(app.get("/api/config"), API_POLICY)


def test_errors_get_the_headers_too(app: TestClient) -> None:
    headers = sign_in(app)
    cases = {
        404: app.get("/api/nothing-here"),
        401: app.get("/api/user-instruments"),
        405: app.delete("/health"),
        413: app.post("/api/conversations", content=b"x" * 70_000, headers=headers),
        415: app.post("/api/conversations", content=b"x", headers={**headers, "content-type": "text/plain"}),
        422: app.post("/api/conversations", json={"title": "x"}, headers=headers),
    }
    for status, response in cases.items():
        assert response.status_code == status, (status, response.text)
        assert_headers(response, API_POLICY)
    # An API path under the SPA's catch-all is the API's JSON 404, with the API's policy.
    missing = app.get("/api/instruments/NQ/nope")
    assert missing.status_code == 404 and missing.json()["code"] == "NOT_FOUND"
    assert_headers(missing, API_POLICY)


def test_a_cors_preflight_answered_by_the_cors_middleware_gets_them(app: TestClient) -> None:
    preflight = app.options(
        "/api/conversations",
        headers={"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 200
    assert_headers(preflight, API_POLICY)


def test_the_last_resort_500_gets_them(barb_env: Path) -> None:
    async def boom(request: Request) -> None:
        raise RuntimeError("boom")

    with TestClient(build_app([Route("/boom", boom)]), raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500 and response.json()["code"] == "INTERNAL_ERROR"
    assert_headers(response, API_POLICY)


def test_a_chat_stream_gets_them_and_still_streams_its_events(app: TestClient) -> None:
    headers = sign_in(app)
    conversation = app.post("/api/conversations", json={"instrument": "NQ"}, headers=headers).json()["id"]
    body = {"conversation_id": conversation, "message": "Anyone there?"}
    with app.stream("POST", "/api/chat/stream", json=body, headers=headers) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["x-accel-buffering"] == "no"
        assert_headers(response, API_POLICY)
        chunks = list(response.iter_bytes())
    frames, rest = parse_frames(b"".join(chunks))
    assert rest == b""
    assert frames[0] == (None, "connected")
    names = [name for name, _ in frames if name]
    assert names[0] == "message_saved" and names[-1] == "error", names
    assert '"LLM_NOT_CONFIGURED"' in frames[-1][1]


def test_connect_src_names_the_chat_stream_and_supabase_origins_the_server_knows(
    monkeypatch: pytest.MonkeyPatch, spa_dir: Path
) -> None:
    stream = "https://abc123.lambda-url.eu-central-1.on.aws/"
    with container(monkeypatch, spa_dir, CHAT_STREAM_URL=stream) as client:
        assert_headers(client.get("/"), page_policy("https://abc123.lambda-url.eu-central-1.on.aws"))
        assert_headers(client.get("/api/config"), API_POLICY)
    # Development with a Supabase project (auth through it; the store stays SQLite without the key).
    supabase = {"SUPABASE_URL": "https://Proj.supabase.co", "CHAT_STREAM_URL": stream}
    with container(monkeypatch, spa_dir, **supabase) as client:
        expected = page_policy("https://proj.supabase.co", "https://abc123.lambda-url.eu-central-1.on.aws")
        assert_headers(client.get("/i/NQ"), expected)


# -- the policy and the middleware on their own --------------------------------------------------------
def test_the_production_page_policy() -> None:
    settings = Settings(
        env="production",
        supabase_url="https://proj.supabase.co/",
        supabase_publishable_key="sb_publishable_x",
        cors_origins="https://getbarb.trade",
        chat_stream_url="https://abc123.lambda-url.eu-central-1.on.aws/api/chat/stream",
    )
    policy = spa_policy(settings, INDEX_HTML)
    assert policy == page_policy("https://proj.supabase.co", "https://abc123.lambda-url.eu-central-1.on.aws")
    assert "unsafe" not in policy and "*" not in policy
    # The same origin twice is named once; nothing but the origin of a URL gets in.
    same = Settings(supabase_url="https://x.example.com", chat_stream_url="https://x.example.com/stream")
    assert "connect-src 'self' https://x.example.com;" in spa_policy(same)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://Proj.Supabase.co/", "https://proj.supabase.co"),
        ("http://127.0.0.1:8100/path?q=1#f", "http://127.0.0.1:8100"),
        ("https://user:pw@host.example.com:8443/x", "https://host.example.com:8443"),
        ("http://[::1]:9000/", "http://[::1]:9000"),
        ("https://a.example.com; script-src *", None),
        ("https://a.example.com 'unsafe-inline'", None),
        ("javascript:alert(1)", None),
        ("ftp://files.example.com", None),
        ("https://host:notaport/", None),
        ("", None),
        (None, None),
    ],
)
def test_origin_keeps_only_scheme_host_and_port(url: str | None, expected: str | None) -> None:
    assert origin(url) == expected


def test_every_inline_script_and_style_of_the_page_is_allowed_by_its_hash() -> None:
    html = (
        "<head><script>a()</script><script type=module>b()</script><script src=/x.js></script>"
        "<style>body{margin:0}</style><script>a()</script></head>"
    )
    policy = spa_policy(Settings(), html)
    assert f"script-src 'self' {sha256('a()')} {sha256('b()')};" in policy
    assert f"style-src 'self' {sha256('body{margin:0}')} {sha256(CHART_LOGO_STYLE)};" in policy
    assert source_hash("a()") == sha256("a()")


def test_the_built_spa_inline_scripts_are_in_its_policy() -> None:
    index = ROOT / "front" / "dist" / "index.html"
    if not index.is_file():
        pytest.fail("front/dist is missing: build the SPA first (./dev test and ./dev serve build it)")
    html = index.read_text()
    inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, re.S)
    assert inline, "the shell's pre-paint theme script is expected inline"
    policy = spa_policy(Settings(), html)
    for script in inline:
        assert sha256(script) in policy


def test_the_chart_logo_style_is_the_installed_lightweight_charts_one() -> None:
    bundle = LIGHTWEIGHT_CHARTS / "lightweight-charts.production.mjs"
    if not bundle.is_file():
        pytest.fail(f"{bundle.relative_to(ROOT)} is missing: run `npm ci` in front/ (./dev test does)")
    assert CHART_LOGO_STYLE in bundle.read_text(), (
        "lightweight-charts changed the <style> of its attribution logo: update CHART_LOGO_STYLE"
    )


def test_the_middleware_passes_the_body_on_as_sent_and_keeps_headers_a_response_set() -> None:
    """Each body message reaches the server before the app writes the next one: nothing is buffered."""
    sent: list[Message] = []
    first_chunk_out = asyncio.Event()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        start_headers = [(b"content-type", b"text/event-stream"), (b"x-frame-options", b"SAMEORIGIN")]
        await send({"type": "http.response.start", "status": 200, "headers": start_headers})
        await send({"type": "http.response.body", "body": b": connected\n\n", "more_body": True})
        await asyncio.wait_for(first_chunk_out.wait(), timeout=5)
        await send({"type": "http.response.body", "body": b"event: done\ndata: {}\n\n", "more_body": False})

    async def send(message: Message) -> None:
        sent.append(message)
        if message.get("body") == b": connected\n\n":
            first_chunk_out.set()

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    scope = {"type": "http", "method": "GET", "path": "/", "headers": []}
    asyncio.run(SecurityHeadersMiddleware(app)(scope, receive, send))

    start, *body = sent
    headers = dict(start["headers"])
    assert headers[b"x-frame-options"] == b"SAMEORIGIN"  # the response's own value wins
    assert headers[b"content-security-policy"] == API_POLICY.encode()
    assert headers[b"x-content-type-options"] == b"nosniff"
    assert len(start["headers"]) == 5
    assert body == [
        {"type": "http.response.body", "body": b": connected\n\n", "more_body": True},
        {"type": "http.response.body", "body": b"event: done\ndata: {}\n\n", "more_body": False},
    ]
