"""Security headers on every response of the app itself, not only behind Caddy (Lambda, a bare ``barb serve``).

Every response gets ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: strict-origin-when-cross-origin``,
``X-Frame-Options: DENY`` and a ``Content-Security-Policy``. API responses (JSON, SSE, files) get the
minimal :data:`API_POLICY`; the SPA's HTML shell sets its own, fuller policy (:func:`spa_policy`, attached in
``shared/web/spa.py``), which the middleware leaves alone: it only adds a header the response does not carry.

HSTS is deliberately absent: it belongs to the TLS terminator (Caddy sets it; Vercel's ``vercel.json`` too).
An app that may be reached over plain HTTP (local ``barb serve``, tests) must not send it.

The middleware is pure ASGI (never ``BaseHTTPMiddleware``): it edits the headers of ``http.response.start``
and passes every body message on untouched, so Server-Sent Events stream unbuffered.
"""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.settings import Settings
from shared.web.asgi import HttpMiddleware

API_POLICY = "default-src 'none'; frame-ancestors 'none'"
"""JSON, SSE and files: nothing may load from them, and nobody may frame them."""

# lightweight-charts (attributionLogo: true, which its licence asks for) inserts one <style> element with
# this constant text for the TradingView logo. Allowing it by hash keeps 'unsafe-inline' out of style-src.
# A library update that changes it shows up as a CSP violation in front/e2e/csp.e2e.test.mjs and in
# tests/platform/test_security_headers.py, which looks for the text in the installed package.
CHART_LOGO_STYLE = (
    "a#tv-attr-logo{--fill:#131722;--stroke:#fff;position:absolute;left:10px;bottom:10px;height:19px;"
    "width:35px;margin:0;padding:0;border:0;z-index:3;}a#tv-attr-logo[data-dark]{--fill:#D1D4DC;--stroke:#131722;}"
)

_HOST = re.compile(r"^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])$")


def source_hash(text: str) -> str:
    """The CSP source expression allowing an inline ``<script>``/``<style>`` whose content is ``text``."""
    digest = hashlib.sha256(text.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def origin(url: str | None) -> str | None:
    """``scheme://host[:port]`` of an http(s) URL, or None when there is none (nothing else can get into
    the policy: a value with spaces or ``;`` cannot add directives)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if parts.scheme not in {"http", "https"} or not host:
        return None
    host = f"[{host}]" if ":" in host else host
    if not _HOST.match(host):
        return None
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


class _InlineBlocks(HTMLParser):
    """The contents of a page's inline ``<script>`` (no ``src``) and ``<style>`` elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self._open: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" and not any(name == "src" for name, _ in attrs):
            self._open = self.scripts
        elif tag == "style":
            self._open = self.styles
        else:
            return
        self._open.append("")

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open[-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._open = None


def spa_policy(settings: Settings, index_html: str = "") -> str:
    """The policy of the SPA's HTML: same-origin code and styles, plus exactly what the page needs.

    ``index_html`` is the built shell: its inline scripts and styles (Vite keeps ``index.html``'s pre-paint
    theme script inline) are allowed by hash. ``connect-src`` adds the origins the browser talks to besides
    this one that the server knows: Supabase (auth in production) and the chat stream's (AWS Function URL).
    An API at another origin (``VITE_API_URL``) only exists for an SPA hosted elsewhere, which this policy
    does not cover. React's ``style`` props are set through the CSSOM, which CSP does not restrict, so no
    ``'unsafe-inline'`` is needed for styles.
    """
    blocks = _InlineBlocks()
    blocks.feed(index_html)
    blocks.close()
    scripts = ["'self'", *dict.fromkeys(source_hash(s) for s in blocks.scripts)]
    styles = ["'self'", *dict.fromkeys(source_hash(s) for s in [*blocks.styles, CHART_LOGO_STYLE])]
    connect = [
        "'self'",
        *dict.fromkeys(filter(None, map(origin, (settings.supabase_url, settings.chat_stream_url)))),
    ]
    directives = {
        "default-src": ["'self'"],
        "script-src": scripts,
        "style-src": styles,
        "img-src": ["'self'", "data:"],
        "connect-src": connect,
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def _headers(policy: str) -> list[tuple[bytes, bytes]]:
    return [
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"strict-origin-when-cross-origin"),
        (b"x-frame-options", b"DENY"),
        (b"content-security-policy", policy.encode("latin-1")),
    ]


class SecurityHeadersMiddleware(HttpMiddleware):
    """Adds the security headers to every HTTP response that does not set them itself (the SPA shell sets
    its own ``Content-Security-Policy``). Only the start message is touched; the body passes as sent."""

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app)
        self.headers = _headers(API_POLICY)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [header for header in self.headers if header[0] not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
