"""``barb mcp``: Barb's MCP server over standard input and output, for a local AI client (no sign-in).

Standard output is the protocol's wire, so everything else (the sample data's progress, logs) goes to
standard error. It reads the configured bar store; on the embedded defaults it first makes the sample set.
"""

from __future__ import annotations

import argparse
import sys

import anyio


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``mcp`` command."""
    parser = subparsers.add_parser(
        "mcp", help="serve Barb's MCP tools over stdio (for Claude Desktop, Cursor…)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Prepare the embedded defaults, then serve MCP over stdio until the client closes it."""
    from shared.ingest import ensure_sample_data
    from shared.mcp import run_stdio
    from shared.settings import get_settings

    settings = get_settings()
    if settings.sample_data and not settings.data_bucket:
        ensure_sample_data(settings.data_dir, progress=lambda line: print(f"barb: {line}", file=sys.stderr))
    anyio.run(run_stdio)
    return 0
