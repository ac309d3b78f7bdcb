"""``barb import``, ``barb upload`` and ``barb sample-data``: getting bars into a data folder and the bucket.

Command bodies import the importer, uploader and generator when they run, so building the parser for
``barb serve`` does not load them.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

from pydantic import ValidationError

from data_store.manifest import STORED_BAR_SIZES
from data_store.s3 import make_s3_client
from shared.ingest import DEFAULT_SYMBOLS, DEFAULT_TYPE, describe_defaults, formats
from shared.settings import get_settings

_HELP_WIDTH = 78
"""Columns of the pre-wrapped help paragraphs (argparse leaves them as they are)."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the three data commands."""
    settings = get_settings()
    imp = subparsers.add_parser(
        "import",
        help="import a vendor CSV/TXT of one-minute or daily bars",
        description="Import a vendor CSV/TXT of one-minute or daily bars into a data folder.",
        # The accepted columns, formats and zones come from the reader's own tables (shared.ingest.formats).
        epilog=formats.describe(_HELP_WIDTH),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    imp.add_argument("file", type=Path, help="the vendor file (see below for what it may look like)")
    imp.add_argument("--symbol", required=True)
    imp.add_argument(
        "--data", "--data-dir", dest="data_dir", type=Path, default=settings.data_dir, help="data folder"
    )
    imp.add_argument(
        "--timezone",
        default=formats.DEFAULT_TIMEZONE,
        help=f"IANA zone of timestamps without a UTC offset (default {formats.DEFAULT_TIMEZONE})",
    )
    imp.add_argument("--bar-size", choices=STORED_BAR_SIZES, help="detected from the timestamps when omitted")
    new = imp.add_argument_group(
        "a symbol outside the catalogue",
        textwrap.fill(
            "A new symbol gets its catalogue entry from these options and the defaults of its type "
            f"({describe_defaults()}). Importing it again with any of them updates its entry. "
            "Built-in instruments cannot be changed.",
            _HELP_WIDTH,
        ),
    )
    new.add_argument("--type", choices=("stock", "futures"), help=f"default: {DEFAULT_TYPE}")
    new.add_argument("--name", help="default: the symbol")
    new.add_argument("--exchange")
    new.add_argument(
        "--session", nargs=2, metavar=("START", "END"), help="default session, HH:MM HH:MM in --timezone"
    )
    new.add_argument("--tick-size", type=float)
    imp.set_defaults(func=run_import)

    up = subparsers.add_parser("upload", help="push a data folder to the bucket (data first, manifest last)")
    up.add_argument(
        "--data", "--data-dir", dest="data_dir", type=Path, default=settings.data_dir, help="data folder"
    )
    up.add_argument("--bucket", default=settings.data_bucket, required=not settings.data_bucket)
    up.add_argument("--prefix", default=settings.data_prefix)
    up.add_argument("--endpoint-url", default=settings.s3_endpoint_url)
    up.set_defaults(func=run_upload)

    sample = subparsers.add_parser("sample-data", help="generate deterministic synthetic sample bars")
    sample.add_argument(
        "--data", "--data-dir", dest="data_dir", type=Path, default=settings.data_dir, help="data folder"
    )
    sample.add_argument(
        "--symbols", default=",".join(DEFAULT_SYMBOLS), help="comma-separated catalogue symbols"
    )
    sample.add_argument("--years", type=float, default=3)
    sample.add_argument("--seed", type=int, default=0)
    sample.set_defaults(func=run_sample_data)


def run_import(args: argparse.Namespace) -> int:
    """Import one file and print the report; exit code 2 with the problems when the file is refused."""
    from shared.ingest import ImportOptions, import_file

    try:
        options = ImportOptions(
            symbol=args.symbol,
            timezone=args.timezone,
            bar_size=args.bar_size,
            type=args.type,
            name=args.name,
            exchange=args.exchange,
            session=tuple(args.session) if args.session else None,
            tick_size=args.tick_size,
        )
        report = import_file(args.file, args.data_dir, options)
    except ValidationError as exc:
        for error in exc.errors():
            # Pydantic prefixes the messages of our own validators with "Value error, ": noise to a user.
            message = error["msg"].removeprefix("Value error, ")
            print(f"{'.'.join(map(str, error['loc']))}: {message}", file=sys.stderr)
        return 2
    except (ValueError, OSError) as exc:
        print(exc, file=sys.stderr)
        return 2
    print("\n".join(report.lines()))
    return 0


def run_upload(args: argparse.Namespace) -> int:
    """Upload the data folder and print what was sent."""
    from shared.ingest import upload_folder

    client = make_s3_client(args.endpoint_url, get_settings().s3_region)
    try:
        report = upload_folder(args.data_dir, client, args.bucket, args.prefix)
    except FileNotFoundError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(
        f"uploaded {len(report.uploaded)} files, {len(report.skipped)} already in the bucket; "
        f"manifest version {report.version} written to {args.bucket}"
    )
    return 0


def run_sample_data(args: argparse.Namespace) -> int:
    """Generate the sample set into the data folder."""
    from shared.ingest import write_sample_data

    symbols = [s.strip() for s in args.symbols.split(",") if s.strip()]
    write_sample_data(args.data_dir, symbols, args.years, args.seed)
    return 0
