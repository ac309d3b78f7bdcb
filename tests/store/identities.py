"""Signed-in users for the contract tests: how each backend learns who the caller is.

The web layer verifies a token and records the caller in ``shared.web.auth``'s context variable; the
Supabase store forwards that caller's token. Tests stand in for the web layer by setting the same variable.
"""

from __future__ import annotations

import uuid
from typing import Protocol

import psycopg

from shared.identity import User, set_current_user
from shared.store.supabase import SupabaseStore
from tests.store.postgrest_lite import PUBLISHABLE_KEY, SERVICE_KEY, PostgrestLite, mint_token


class Identities(Protocol):
    def new(self) -> str:
        """A new user's id."""
        ...

    def become(self, user_id: str) -> None:
        """Make ``user_id`` the verified caller of the current task."""
        ...


class SqliteIdentities:
    def new(self) -> str:
        return str(uuid.uuid4())

    def become(self, user_id: str) -> None:
        set_current_user(User(id=user_id, email=None, is_anonymous=False, token="unused"))


class SupabaseIdentities:
    """Users in ``auth.users`` with HS256 tokens the PostgREST stand-in accepts."""

    def __init__(self, conninfo: str) -> None:
        self.conninfo = conninfo
        self.rest = PostgrestLite(conninfo)
        self.store = SupabaseStore(
            "http://supabase.test", PUBLISHABLE_KEY, SERVICE_KEY, transport=self.rest.transport()
        )

    def new(self) -> str:
        user_id = str(uuid.uuid4())
        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            conn.execute("insert into auth.users (id) values (%s)", (user_id,))
        return user_id

    def become(self, user_id: str, *, ttl_s: int = 600) -> None:
        token = mint_token(user_id, ttl_s=ttl_s)
        set_current_user(User(id=user_id, email=None, is_anonymous=False, token=token))
