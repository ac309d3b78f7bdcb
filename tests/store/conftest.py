"""Fixtures for the store tests: one PostgreSQL cluster per session, fresh users per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from shared.store import Store
from shared.store.sqlite import SqliteStore
from tests.store.identities import Identities, SqliteIdentities, SupabaseIdentities
from tests.store.pg import PgCluster


@pytest.fixture
def anyio_backend() -> str:
    """The store runs under asyncio (uvicorn, Mangum)."""
    return "asyncio"


@pytest.fixture(scope="session")
def pg() -> Iterator[PgCluster]:
    cluster = PgCluster()
    try:
        cluster.start()
        cluster.apply_schema()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def db(pg: PgCluster) -> Iterator[psycopg.Connection]:
    """A superuser connection; tests impersonate API callers with ``acting_as``."""
    with psycopg.connect(pg.conninfo, autocommit=True) as conn:
        yield conn


def make_user(conn: psycopg.Connection) -> str:
    """A new row in auth.users (what signing up does in Supabase)."""
    user_id = str(uuid.uuid4())
    conn.execute("insert into auth.users (id, email) values (%s, %s)", (user_id, f"{user_id}@example.com"))
    return user_id


@pytest.fixture
def supabase_identities(pg: PgCluster) -> SupabaseIdentities:
    """SupabaseStore over HTTP to the PostgREST stand-in on the session's cluster."""
    return SupabaseIdentities(pg.conninfo)


@pytest.fixture(params=["sqlite", "supabase"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Store, Identities]]:
    """Each store implementation with its way of acting as a user (the contract tests run on both)."""
    if request.param == "sqlite":
        yield SqliteStore(tmp_path / "barb.sqlite3"), SqliteIdentities()
    else:
        ids: SupabaseIdentities = request.getfixturevalue("supabase_identities")
        yield ids.store, ids


@pytest.fixture
def store(backend: tuple[Store, Identities]) -> Store:
    return backend[0]


@pytest.fixture
def ids(backend: tuple[Store, Identities]) -> Identities:
    return backend[1]
