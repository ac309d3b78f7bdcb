"""Barb as an MCP server: the tools, the reference resource and the prompt, over Streamable HTTP or stdio."""

from shared.mcp.server import HttpEndpoint, build_server, run_stdio
from shared.mcp.tools import MAX_ROWS, BarbTool, ToolAnswer, build_tools, call_tool

__all__ = [
    "MAX_ROWS",
    "BarbTool",
    "HttpEndpoint",
    "ToolAnswer",
    "build_server",
    "build_tools",
    "call_tool",
    "run_stdio",
]
