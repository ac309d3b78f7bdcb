"""The Supabase store's plumbing: PostgREST clients for the caller, the public and the operator, and the
mapping of PostgREST and network failures to store errors.

One ``httpx.AsyncClient`` per event loop carries the connections; the PostgREST client on top of it is
rebuilt per call (tens of microseconds) so that each request has exactly its caller's headers.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any

import httpx
from postgrest import APIError, AsyncPostgrestClient
from postgrest.constants import DEFAULT_POSTGREST_CLIENT_HEADERS

from shared.identity import current_user
from shared.store.errors import (
    AnswerRunning,
    NoCaller,
    StoreAuthExpired,
    StoreConflict,
    StoreError,
    StoreForbidden,
    StoreInvalid,
    StoreUnavailable,
)

log = logging.getLogger("barb.store")

_AUTH_CODES = frozenset({"PGRST301", "PGRST302", "PGRST303"})
_INVALID_CODES = frozenset({"22P02", "22023", "23502", "23503", "23514"})
NOT_FOUND = ("P0002", "PGRST116")


def rpc(client: AsyncPostgrestClient, function: str, params: dict[str, Any]) -> Any:
    """A call of the SQL function ``function`` (postgrest-py types the parameters as strings, but sends them
    as one JSON object, so numbers, booleans, nulls and arrays arrive typed)."""
    return client.rpc(function, params)


def _map_api_error(exc: APIError, missing: tuple[str, ...]) -> Exception:
    code = exc.code or ""
    if code in missing:
        return LookupError(exc.message or "not found")
    if code in _AUTH_CODES:
        return StoreAuthExpired()
    if code == "42501":
        return StoreForbidden()
    if code == "23505":
        return StoreConflict()
    if code == "55P03":  # begin_answer: a live run is answering in the conversation
        return AnswerRunning()
    if code in _INVALID_CODES:
        return StoreInvalid()
    return StoreUnavailable()


class SupabaseRest:
    """Connections and clients to one Supabase project's PostgREST API."""

    def __init__(
        self,
        url: str,
        publishable_key: str,
        service_key: str | None = None,
        *,
        timeout_s: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError("SUPABASE_URL must be an http(s) URL")
        if not publishable_key:
            raise ValueError("SUPABASE_PUBLISHABLE_KEY is required with SUPABASE_URL")
        self.rest_url = f"{url.rstrip('/')}/rest/v1"
        self._publishable_key = publishable_key
        self._service_key = service_key
        self._timeout = httpx.Timeout(timeout_s, connect=min(timeout_s, 3.0))
        self._transport = transport
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient] = (
            weakref.WeakKeyDictionary()
        )

    def _http(self) -> httpx.AsyncClient:
        """The connection pool of the running event loop (a pool cannot be shared between loops)."""
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = httpx.AsyncClient(timeout=self._timeout, transport=self._transport)
            self._clients[loop] = client
        return client

    def _rest(self, api_key: str, bearer: str) -> AsyncPostgrestClient:
        headers = {**DEFAULT_POSTGREST_CLIENT_HEADERS, "apikey": api_key, "Authorization": f"Bearer {bearer}"}
        # Retries off: a failed call becomes a 503 at once instead of sleeping through a Lambda's budget.
        return AsyncPostgrestClient(
            self.rest_url, headers=headers, http_client=self._http(), retry_enabled=False
        )

    def _as_caller(self, user_id: str | None = None) -> AsyncPostgrestClient:
        """A client acting as the verified caller (who must be ``user_id`` when given)."""
        caller = current_user()
        if caller is None or (user_id is not None and caller.id != user_id):
            raise NoCaller()
        return self._rest(self._publishable_key, caller.token)

    def _public(self) -> AsyncPostgrestClient:
        return self._rest(self._publishable_key, self._publishable_key)

    def _service(self) -> AsyncPostgrestClient:
        if not self._service_key:
            raise RuntimeError("SUPABASE_SERVICE_KEY is required for operator tasks")
        return self._rest(self._service_key, self._service_key)

    async def _execute(self, request: Any, *, missing: tuple[str, ...] = NOT_FOUND) -> Any:
        """Run a built request; PostgREST and network failures become store errors (or ``LookupError``)."""
        try:
            response = await request.execute()
        except APIError as exc:
            mapped = _map_api_error(exc, missing)
            if isinstance(mapped, StoreError):
                log.warning("supabase error %s: %s (%s)", exc.code, exc.message, exc.details)
            raise mapped from exc
        except httpx.HTTPError as exc:
            log.warning("supabase unreachable: %r", exc)
            raise StoreUnavailable() from exc
        return response.data
