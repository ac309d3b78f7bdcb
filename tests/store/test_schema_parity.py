"""The two schemas stay one design, and the committed seed stays the code's catalogue."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg

from shared.store.sqlite import SqliteStore
from tests.store.pg import MIGRATIONS, REPO, PgCluster

# Columns only production has: audit times on the catalogue rows (written by the seed and operator syncs).
PRODUCTION_ONLY = {"instruments": {"created_at", "updated_at"}}


def test_committed_seed_is_what_the_generator_prints_now() -> None:
    seeds = sorted(MIGRATIONS.glob("*_seed.sql"))
    assert len(seeds) == 1, seeds
    printed = subprocess.run(
        [sys.executable, "-m", "shared.store.seed_sql"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    assert printed == seeds[0].read_text(), (
        "the catalogue changed: run `python -m shared.store.seed_sql > "
        + str(seeds[0].relative_to(REPO))
        + "`"
    )


def test_postgres_has_every_sqlite_table_and_column(pg: PgCluster, tmp_path: Path) -> None:
    SqliteStore(tmp_path / "s.sqlite3")
    lite = sqlite3.connect(tmp_path / "s.sqlite3")
    tables = [r[0] for r in lite.execute("select name from sqlite_master where type = 'table'")]
    with psycopg.connect(pg.conninfo) as conn:
        for table in tables:
            sqlite_columns = {r[1] for r in lite.execute(f"pragma table_info({table})")}
            pg_columns = {
                r[0]
                for r in conn.execute(
                    "select column_name from information_schema.columns"
                    " where table_schema = 'public' and table_name = %s",
                    (table,),
                )
            }
            assert pg_columns - sqlite_columns == PRODUCTION_ONLY.get(table, set()), table
            assert sqlite_columns == pg_columns - PRODUCTION_ONLY.get(table, set()), table
        seeded = conn.execute("select count(*) from instruments").fetchone()[0]
    assert seeded == lite.execute("select count(*) from instruments").fetchone()[0] == 31
