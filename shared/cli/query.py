"""``barb query --instrument NQ [--data DIR] 'JSON'``: run a Barb Script query and print the result JSON.

Exit codes: 0 with the result on standard output; 2 when the query is invalid (every error as JSON on
standard error); 1 when it could not run (unknown instrument, no data, timeout, failure).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from data_store import BarStore


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``query`` command."""
    parser = subparsers.add_parser("query", help="run a Barb Script query and print the result JSON")
    parser.add_argument("query", help="the query as JSON, or - to read it from standard input")
    parser.add_argument("--instrument", required=True, help="symbol, e.g. NQ")
    parser.add_argument("--data", type=Path, help="data folder (default: the configured bar store)")
    parser.add_argument("--explain", action="store_true", help="include the rows that fed an aggregate")
    parser.add_argument("--timeout", type=float, help="seconds (default: QUERY_TIMEOUT_S)")
    parser.set_defaults(func=run)


def _store(data: Path | None) -> BarStore:
    """The bar store to query: the configured one, or the folder ``data`` read exactly as ``DATA_DIR``."""
    from shared.bars import get_bar_store, register_catalogue_entries, store_config
    from shared.settings import get_settings

    if data is None:
        return get_bar_store()
    from data_store import BarStore as FolderStore

    store = FolderStore(replace(store_config(get_settings()), data_dir=data, bucket=None))
    store.add_listener(register_catalogue_entries)
    # As get_bar_store does: load the manifest now, so the symbols imported into the folder (their entries
    # live in its manifest) are registered before the instrument is looked up.
    store.manifest()
    return store


def _fail(message: str, code: int = 1) -> int:
    print(message, file=sys.stderr)
    return code


def run(args: argparse.Namespace) -> int:
    """Parse, validate and run; see the module docstring for exit codes."""
    from shared.market import get_instrument
    from shared.script import (
        QueryError,
        QueryInvalid,
        StoreBars,
        StoreUniverse,
        is_screen,
        run_query,
        start_screen,
    )
    from shared.settings import get_settings

    text = sys.stdin.read() if args.query == "-" else args.query
    try:
        query = json.loads(text)
    except json.JSONDecodeError as exc:
        return _fail(
            json.dumps(
                {
                    "errors": [
                        {
                            "step": "query",
                            "expression": text[:200],
                            "message": f"the query is not valid JSON: {exc.msg}",
                            "hint": 'Quote the JSON for the shell: \'{"from": "daily"}\'.',
                        }
                    ]
                }
            ),
            2,
        )
    store = _store(args.data)
    instrument = get_instrument(args.instrument)
    if instrument is None:
        held = ", ".join(store.symbols()) or "none"
        return _fail(f"Unknown instrument {args.instrument!r} (symbols with bars in the data: {held}).")
    if instrument.symbol not in store.symbols():
        return _fail(f"There are no bars for {instrument.symbol} in the data.")
    timeout = args.timeout if args.timeout is not None else get_settings().query_timeout_s
    try:
        if is_screen(query):
            result = start_screen(query, StoreUniverse(store), timeout_s=timeout).result()
        else:
            result = run_query(
                query,
                instrument,
                StoreBars(store, instrument.symbol),
                explain=args.explain,
                timeout_s=timeout,
                universe=StoreUniverse(store),
            )
    except QueryInvalid as exc:
        return _fail(json.dumps({"errors": [e.to_dict() for e in exc.errors]}, indent=2), 2)
    except QueryError as exc:
        return _fail(exc.message)
    print(json.dumps(result, indent=2, allow_nan=False))
    return 0
