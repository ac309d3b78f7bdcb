"""``barb serve``: run the container app under uvicorn."""

from __future__ import annotations

import argparse
import threading

import uvicorn

from shared.ingest import ensure_sample_data
from shared.script import warm_up
from shared.settings import get_settings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("serve", help="run the API (and the built SPA) under uvicorn")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--reload", action="store_true", help="restart on code changes (development)")
    parser.set_defaults(func=serve)


def serve(args: argparse.Namespace) -> int:
    """Prepare the embedded defaults, then serve ``server:app``.

    Sample data is generated here, once, before uvicorn forks its workers, so they never race to write it.
    """
    settings = get_settings()
    if settings.sample_data and not settings.data_bucket:
        ensure_sample_data(settings.data_dir, progress=lambda line: print(f"barb: {line}", flush=True))
    # Compile (first start) or load the indicator kernels off the request path: with one worker this process
    # serves and has them in memory; with several, the workers load them from numba's disk cache.
    threading.Thread(target=warm_up, name="barb-warm-up", daemon=True).start()
    uvicorn.run(
        "server:app",
        host=args.host,
        port=args.port,
        workers=None if args.reload else args.workers,
        reload=args.reload,
        proxy_headers=True,
        access_log=False,  # Barb's own access line carries the request id and user
        timeout_graceful_shutdown=10,  # open streams get 10 s; their answers then get SHUTDOWN_GRACE_S
    )
    return 0
