"""The MCP server over Barb's tools (``shared.mcp.tools``), on the official ``mcp`` SDK's low-level ``Server``.

Over HTTP it speaks Streamable HTTP in stateless mode with JSON responses: each POST is answered on its own
by a session manager made for it, so any uvicorn worker or Lambda instance can take any request and nothing
needs an application lifespan (Mangum runs none). The caller is verified first, with the same bearer token
the REST API takes; a refusal is the API's own 401 error. Over stdio (``barb mcp``) there is no caller.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import mcp.types as types
from mcp.server import Server, ServerRequestContext
from mcp.server.stdio import stdio_server
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send

from shared.errors import BarbError
from shared.mcp.tools import BarbTool, RateCheck, build_tools, call_tool
from shared.script import tool_reference
from shared.settings import get_settings

# The SDK logs the start and end of its session manager at INFO, which here is twice per request.
logging.getLogger("mcp.server.streamable_http_manager").setLevel(logging.WARNING)

REFERENCE_URI = "barb://reference"
HOW_TO_ASK = "how_to_ask_barb"

INSTRUCTIONS = (
    "Barb answers questions about market history by running Barb Script queries over OHLCV bars. Find the "
    "instrument with list_instruments, then call run_query (statistics, screens over many instruments) or "
    "run_backtest (a trading rule); an invalid query comes back as an error listing every problem with a "
    "hint: fix them and call again. Say when the data is the synthetic sample set."
)

_GUIDE = """\
Answer with Barb, from its data only:
1. list_instruments, and describe_instrument for sessions and the data range, when the instrument or the \
period is not obvious.
2. Write one Barb Script query per result and call run_query (its description is the language reference; \
barb_reference repeats it). For a trading rule, call run_backtest.
3. When a call returns an error, fix every problem it lists (each has a hint) and call again.
4. Answer from the summaries: name the instrument, session and period used, and say so when the bars are the \
synthetic sample set. Describe what history shows; never promise a result or give financial advice."""


REFERENCE = types.Resource(
    uri=REFERENCE_URI,
    name="barb_script_reference",
    description="The Barb Script language rules and every function, one line each.",
    mime_type="text/plain",
)
PROMPT = types.Prompt(
    name=HOW_TO_ASK,
    description="How to answer with Barb's tools.",
    arguments=[types.PromptArgument(name="question", description="The question about market history.")],
)


ListResult = TypeVar("ListResult")


def _constant(
    result: ListResult,
) -> Callable[[ServerRequestContext[Any], types.PaginatedRequestParams | None], Awaitable[ListResult]]:
    """A ``*/list`` handler answering ``result``: the tools, the resource and the prompt never change."""

    async def handler(
        ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> ListResult:
        return result

    return handler


def _known(kind: str, name: str, expected: str) -> None:
    """Refuse a name the server does not offer (the SDK answers the ValueError as a JSON-RPC error)."""
    if name != expected:
        raise ValueError(f"Unknown {kind} {name!r}; the {kind} is {expected}.")


def _tool_listing(tool: BarbTool) -> types.Tool:
    return types.Tool(name=tool.name, description=tool.description, input_schema=tool.input_schema)


def build_server(check_rate: RateCheck | None = None) -> Server[Any]:
    """The MCP server: Barb's tools, the function reference as a resource and a "how to ask Barb" prompt."""
    tools = build_tools(check_rate)

    async def run_tool(
        ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        answer = await call_tool(tools, params.name, params.arguments or {})
        return types.CallToolResult(
            content=[types.TextContent(text=answer.text)],
            structured_content=answer.structured,
            is_error=answer.is_error,
        )

    async def read_resource(
        ctx: ServerRequestContext[Any], params: types.ReadResourceRequestParams
    ) -> types.ReadResourceResult:
        _known("resource", params.uri, REFERENCE_URI)
        text = types.TextResourceContents(uri=REFERENCE_URI, mime_type="text/plain", text=tool_reference())
        return types.ReadResourceResult(contents=[text])

    async def get_prompt(
        ctx: ServerRequestContext[Any], params: types.GetPromptRequestParams
    ) -> types.GetPromptResult:
        _known("prompt", params.name, HOW_TO_ASK)
        question = (params.arguments or {}).get("question")
        text = f"{_GUIDE}\n\nQuestion: {question}" if question else _GUIDE
        message = types.PromptMessage(role="user", content=types.TextContent(text=text))
        return types.GetPromptResult(description="How to answer with Barb's tools.", messages=[message])

    return Server(
        "barb",
        version=get_settings().version,
        instructions=INSTRUCTIONS,
        on_list_tools=_constant(types.ListToolsResult(tools=[_tool_listing(tool) for tool in tools])),
        on_call_tool=run_tool,
        on_list_resources=_constant(types.ListResourcesResult(resources=[REFERENCE])),
        on_read_resource=read_resource,
        on_list_prompts=_constant(types.ListPromptsResult(prompts=[PROMPT])),
        on_get_prompt=get_prompt,
    )


Authenticate = Callable[[Request], Awaitable[object]]
"""Verifies the caller of a request or raises (``shared.web.require_user``)."""


class HttpEndpoint:
    """An ASGI app serving an MCP server over stateless Streamable HTTP to callers ``authenticate`` accepts.

    A class, not a function, so Starlette's ``Route`` hands it the raw ASGI call (the SDK answers itself).
    """

    def __init__(self, server: Server[Any], authenticate: Authenticate) -> None:
        self.server = server
        self.authenticate = authenticate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.authenticate(Request(scope, receive))
        manager = StreamableHTTPSessionManager(app=self.server, json_response=True, stateless=True)
        refusal = _Refusal(send)
        async with manager.run():
            await manager.handle_request(scope, receive, refusal.send)
        refusal.raise_if_refused()


class _Refusal:
    """Holds back the SDK's own HTTP errors (plain text or a bare JSON-RPC error) to raise them as ours.

    A request the transport refuses (wrong content type, no JSON, unparsable message) is answered in the
    API's error shape with its request id, like every other error of the app; answers pass through.
    """

    def __init__(self, send: Send) -> None:
        self._send = send
        self._status: int | None = None
        self._body = b""

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start" and message["status"] >= 400:
            self._status = message["status"]
        elif self._status is not None and message["type"] == "http.response.body":
            self._body += message.get("body", b"")
        else:
            await self._send(message)

    def raise_if_refused(self) -> None:
        if self._status is None:
            return
        text = self._body.decode(errors="replace").strip()
        with contextlib.suppress(ValueError, KeyError, TypeError):
            text = str(json.loads(text)["error"]["message"])
        raise BarbError(
            self._status, "MCP_INVALID_REQUEST", f"The MCP request was refused: {text or 'no reason'}."
        )


async def run_stdio() -> None:
    """Serve the MCP server over this process's standard input and output until the client closes them."""
    server = build_server()
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())
