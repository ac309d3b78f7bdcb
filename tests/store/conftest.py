"""Fixtures for the store tests: one PostgreSQL cluster per session, fresh users per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest

from tests.store.identities import SupabaseIdentities
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
