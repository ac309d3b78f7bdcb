"""The MCP server's overhead: ``tools/call run_query`` on ``POST /mcp`` against ``POST /api/query``, same run.

    python -m bench.bench_mcp [--calls 200]

The app runs under uvicorn in a thread of this process on a loopback port (the same in-process server the tests
use), over a month of seeded NQ bars; one signed-in client sends the same daily query both ways, alternating, and
the medians and their difference are printed (target: the MCP round trip ≤ 3 ms above the API's).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from data_store.layout import DataFolder
from tests.conftest import _BARB_VARIABLES
from tests.platform.servers import app_in_thread
from tests.script.bars_fixture import nq_january, settlement_bars

QUERY = {"period": "2024-01", "map": {"r": "range()"}, "select": "mean(r)"}
TARGET_MS = 3.0


def _timed(send: Callable[[], httpx.Response]) -> float:
    began = time.perf_counter()
    response = send()
    elapsed = (time.perf_counter() - began) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{response.status_code}: {response.text[:300]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    calls = parser.parse_args().calls
    root = Path(tempfile.mkdtemp(prefix="barb-bench-mcp-"))
    minutes = nq_january(seed=5)
    folder = DataFolder(root / "data")
    folder.add_bars("NQ", "1m", minutes, sample=True)
    folder.add_bars("NQ", "1d", settlement_bars(minutes), sample=True)
    env = {
        "VAR_DIR": str(root / "var"),
        "DATA_DIR": str(root / "data"),
        "SAMPLE_DATA": "false",
        "QUERY_RATE_PER_MINUTE": str(10 * calls + 100),
    }
    call = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": "run_query", "arguments": {"instrument": "NQ", "query": QUERY}},
    }
    with app_in_thread(env, _BARB_VARIABLES, lifespan="off") as url:
        token = httpx.post(f"{url}/api/auth/local/sign-in", json={"email": "bench@example.com"}).json()
        headers = {
            "Authorization": f"Bearer {token['access_token']}",
            "Accept": "application/json, text/event-stream",
        }
        with httpx.Client(headers=headers, timeout=30) as client:

            def api() -> httpx.Response:
                return client.post(f"{url}/api/query", json={"instrument": "NQ", "query": QUERY})

            def mcp() -> httpx.Response:
                return client.post(f"{url}/mcp", json=call)

            api(), mcp()
            api_ms, mcp_ms = [], []
            for _ in range(calls):
                api_ms.append(_timed(api))
                mcp_ms.append(_timed(mcp))
    a, m = statistics.median(api_ms), statistics.median(mcp_ms)
    print(f"{calls} calls each, alternating; medians")
    print(f"POST /api/query                 {a:7.2f} ms")
    print(f"POST /mcp tools/call run_query  {m:7.2f} ms")
    print(
        f"MCP overhead                    {m - a:7.2f} ms (target ≤ {TARGET_MS:.0f} ms){'' if m - a <= TARGET_MS else ' !'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
