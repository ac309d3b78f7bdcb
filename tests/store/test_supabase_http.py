"""SupabaseStore at its HTTP boundary: who each request acts as, and how failures surface.

Success paths run against the PostgREST stand-in on real PostgreSQL (``postgrest_lite``); failures that the
stand-in cannot produce on demand (a gateway's HTML 502, a timeout, a unique violation) come from canned
responses shaped like PostgREST's.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path

import httpx
import psycopg
import pytest

from shared.identity import User, current_user, set_current_user
from shared.lazy import reset_singletons
from shared.store import get_store
from shared.store.errors import (
    NoCaller,
    StoreAuthExpired,
    StoreConflict,
    StoreForbidden,
    StoreInvalid,
    StoreUnavailable,
)
from shared.store.sqlite import SqliteStore
from shared.store.supabase import SupabaseStore
from tests.store.identities import SupabaseIdentities
from tests.store.postgrest_lite import PUBLISHABLE_KEY, SERVICE_KEY

pytestmark = pytest.mark.anyio
CONVERSATION = "4b0d3c1e-7a39-4d7e-9d0c-1f2e3a4b5c6d"


@pytest.fixture
def ids(supabase_identities: SupabaseIdentities) -> SupabaseIdentities:
    set_current_user(None)
    return supabase_identities


def canned(respond: Callable[[httpx.Request], httpx.Response]) -> tuple[SupabaseStore, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return respond(request)

    store = SupabaseStore("https://ref.supabase.co", PUBLISHABLE_KEY, transport=httpx.MockTransport(handler))
    return store, seen


def postgrest_error(status: int, code: str, message: str) -> Callable[[httpx.Request], httpx.Response]:
    return lambda _: httpx.Response(
        status, json={"code": code, "message": message, "details": None, "hint": None}
    )


async def test_user_data_travels_with_the_callers_token_and_the_catalogue_with_the_public_key(
    ids: SupabaseIdentities,
) -> None:
    alice = ids.new()
    ids.become(alice)
    token = current_user().token
    conversation = await ids.store.create_conversation(alice, "NQ")
    await ids.store.begin_answer(alice, conversation.id, "hi", stale_after_s=20.0)
    await ids.store.list_messages(alice, conversation.id)
    user_requests = list(ids.rest.requests)
    await ids.store.list_catalogue()
    catalogue_request = ids.rest.requests[-1]
    assert [(r.method, r.url.path) for r in user_requests] == [
        ("POST", "/rest/v1/conversations"),
        ("POST", "/rest/v1/rpc/begin_answer"),
        ("POST", "/rest/v1/rpc/conversation_messages"),
    ]
    for request in user_requests:
        assert request.headers["authorization"] == f"Bearer {token}"
        assert request.headers["apikey"] == PUBLISHABLE_KEY
    assert catalogue_request.headers["authorization"] == f"Bearer {PUBLISHABLE_KEY}"
    assert all(SERVICE_KEY not in r.headers.get("authorization", "") for r in ids.rest.requests)
    listing = json.loads(user_requests[2].content)
    assert listing == {"p_conversation_id": conversation.id, "p_cards": True}


async def test_no_call_on_user_data_without_the_matching_verified_caller(ids: SupabaseIdentities) -> None:
    alice, bob = ids.new(), ids.new()
    with pytest.raises(NoCaller):
        await ids.store.list_conversations(alice)
    ids.become(bob)
    with pytest.raises(NoCaller):
        await ids.store.create_conversation(alice, "NQ")
    with pytest.raises(NoCaller):
        await ids.store.list_workspace(alice)
    assert ids.rest.requests == []


async def test_an_expired_token_is_auth_expired(ids: SupabaseIdentities) -> None:
    alice = ids.new()
    ids.become(alice, ttl_s=-120)
    with pytest.raises(StoreAuthExpired) as caught:
        await ids.store.list_conversations(alice)
    assert (caught.value.status, caught.value.code) == (401, "AUTH_EXPIRED")


async def test_ids_and_cursors_that_cannot_be_valid_never_reach_the_database(ids: SupabaseIdentities) -> None:
    alice = ids.new()
    ids.become(alice)
    assert await ids.store.get_conversation(alice, "1 or 1=1") is None
    assert await ids.store.list_messages(alice, "x") == []
    assert await ids.store.remove_conversation(alice, "x") is False
    with pytest.raises(LookupError):
        await ids.store.begin_answer(alice, "x", "hi", stale_after_s=20.0)
    forged = base64.urlsafe_b64encode(
        b'2026-01-01T00:00:00+00:00"),id.gt.0|' + CONVERSATION.encode()
    ).decode()
    for cursor in (forged, "%%%", base64.urlsafe_b64encode(b"2026-01-01|" + CONVERSATION.encode()).decode()):
        with pytest.raises(ValueError):
            await ids.store.list_conversations(alice, cursor=cursor)
    assert ids.rest.requests == []


async def test_sync_catalogue_writes_with_the_secret_key(ids: SupabaseIdentities) -> None:
    with psycopg.connect(ids.conninfo, autocommit=True) as conn:
        conn.execute("update instruments set notes = 'tampered' where symbol = 'ES'")
        assert await ids.store.sync_catalogue() == 31
        assert conn.execute("select notes from instruments where symbol = 'ES'").fetchone() == (None,)
    writes = [r for r in ids.rest.requests if r.method == "POST"]
    assert [r.url.path for r in writes] == ["/rest/v1/exchanges", "/rest/v1/instruments"]
    assert all(r.headers["authorization"] == f"Bearer {SERVICE_KEY}" for r in writes)
    assert all("resolution=merge-duplicates" in r.headers["prefer"] for r in writes)
    no_secret = SupabaseStore("https://ref.supabase.co", PUBLISHABLE_KEY)
    with pytest.raises(RuntimeError, match="SUPABASE_SERVICE_KEY"):
        await no_secret.sync_catalogue()


@pytest.mark.parametrize(
    ("respond", "error"),
    [
        (postgrest_error(403, "42501", "new row violates row-level security policy"), StoreForbidden),
        (postgrest_error(409, "23505", "duplicate key value violates unique constraint"), StoreConflict),
        (postgrest_error(400, "23514", "new row violates check constraint"), StoreInvalid),
        (postgrest_error(401, "PGRST301", "JWT could not be decoded"), StoreAuthExpired),
        (postgrest_error(500, "XX000", "internal error"), StoreUnavailable),
        (lambda _: httpx.Response(502, text="<html>Bad Gateway</html>"), StoreUnavailable),
        (lambda _: httpx.Response(503, text="upstream connect error"), StoreUnavailable),
    ],
)
async def test_postgrest_failures_become_clear_store_errors(
    respond: Callable[[httpx.Request], httpx.Response], error: type[Exception]
) -> None:
    store, seen = canned(respond)
    set_current_user(User(id="u1", email=None, is_anonymous=False, token="t"))
    with pytest.raises(error):
        await store.list_conversations("u1")
    assert len(seen) == 1  # no retries: the caller gets an answer at once


async def test_network_failures_are_store_unavailable_and_not_found_is_lookup_error() -> None:
    set_current_user(User(id="u1", email=None, is_anonymous=False, token="t"))

    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("timed out", request=request)

    store, _ = canned(timeout)
    with pytest.raises(StoreUnavailable) as caught:
        await store.ping()
    assert (caught.value.status, caught.value.code) == (503, "STORE_UNAVAILABLE")
    store, _ = canned(postgrest_error(404, "P0002", "conversation not found"))
    with pytest.raises(LookupError):
        await store.begin_answer("u1", CONVERSATION, "hi", stale_after_s=20.0)


def test_get_store_picks_the_backend_from_settings(barb_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(get_store(), SqliteStore)
    monkeypatch.setenv("SUPABASE_URL", "https://ref.supabase.co")
    reset_singletons()
    assert isinstance(get_store(), SqliteStore)  # Supabase Auth in front of the embedded store
    monkeypatch.setenv("SUPABASE_PUBLISHABLE_KEY", "sb_publishable_x")
    reset_singletons()
    store = get_store()
    assert isinstance(store, SupabaseStore)
    assert store.rest_url == "https://ref.supabase.co/rest/v1"
    monkeypatch.delenv("SUPABASE_PUBLISHABLE_KEY")
    monkeypatch.setenv("ENV", "production")
    monkeypatch.setenv("CORS_ORIGINS", "https://barb.example")
    reset_singletons()
    with pytest.raises(RuntimeError, match="SUPABASE_PUBLISHABLE_KEY"):
        get_store()


async def test_a_long_generated_title_is_clipped_not_refused(ids: SupabaseIdentities) -> None:
    alice = ids.new()
    ids.become(alice)
    conversation = await ids.store.create_conversation(alice, "NQ")
    saved = await ids.store.begin_answer(alice, conversation.id, "q", title="t" * 300, stale_after_s=20.0)
    assert saved.title_set is True
    assert (await ids.store.get_conversation(alice, conversation.id)).title == "t" * 200
