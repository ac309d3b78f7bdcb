"""Bearer-token authentication against a JWKS (Supabase Auth in production, the local issuer otherwise).

Signature algorithms are pinned (ES256, RS256), ``aud``/``iss``/``exp``/``iat``/``sub`` are required, and the
JWKS is cached with a TTL and refetched on an unknown ``kid`` at most once per cooldown, without blocking
the event loop. Local mode differs only in where the JWKS comes from.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import jwt
from starlette.requests import Request

from shared.errors import BarbError
from shared.identity import User, set_current_user
from shared.lazy import singleton
from shared.settings import Settings, get_settings
from shared.web.local_issuer import LocalIssuer, local_issuer

ALGORITHMS = ("ES256", "RS256")
JwksFetcher = Callable[[], Awaitable[dict[str, Any]]]


class JwksUnavailable(Exception):
    """The JWKS could not be fetched (network, timeout, bad document)."""


class JwksVerifier:
    """Verifies tokens against keys from ``fetch``, caching them for ``ttl_s``."""

    def __init__(
        self,
        fetch: JwksFetcher,
        *,
        issuer: str,
        audience: str,
        ttl_s: float,
        cooldown_s: float,
        leeway_s: int,
    ) -> None:
        self._fetch = fetch
        self.issuer = issuer
        self.audience = audience
        self.ttl_s = ttl_s
        self.cooldown_s = cooldown_s
        self.leeway_s = leeway_s
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()

    async def _refresh(self, *, force: bool) -> None:
        async with self._lock:
            age = time.monotonic() - self._fetched_at
            if (force and age < self.cooldown_s) or (not force and age < self.ttl_s):
                return
            document = await self._fetch()
            keys = {}
            for raw in document.get("keys", []):
                try:
                    key = jwt.PyJWK.from_dict(raw)
                except jwt.PyJWTError:
                    continue  # a key type we do not use (e.g. a symmetric one) must not hide the others
                if key.algorithm_name in ALGORITHMS and key.key_id:
                    keys[key.key_id] = key
            self._keys = keys
            self._fetched_at = time.monotonic()

    async def _key_for(self, kid: str) -> jwt.PyJWK | None:
        await self._refresh(force=False)
        if kid not in self._keys:
            await self._refresh(force=True)
        return self._keys.get(kid)

    async def verify(self, token: str) -> dict[str, Any]:
        """The token's claims; raises ``BarbError`` (401) or ``JwksUnavailable``."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise _invalid("The token is malformed.") from None
        if header.get("alg") not in ALGORITHMS:
            raise _invalid("The token's signing algorithm is not accepted.")
        key = await self._key_for(str(header.get("kid", "")))
        if key is None:
            raise _invalid("The token was signed by an unknown key.")
        # The key decides the algorithm: a header naming another one (an RSA signature under an EC key's
        # id, say) is a forgery, never a reason to verify with that algorithm.
        if header["alg"] != key.algorithm_name:
            raise _invalid("The token's algorithm does not match its key.")
        try:
            return jwt.decode(
                token,
                key=key.key,
                algorithms=[key.algorithm_name],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway_s,
                options={"require": ["exp", "iat", "sub", "aud", "iss"]},
            )
        except jwt.ExpiredSignatureError:
            raise BarbError(401, "AUTH_EXPIRED", "Your session has expired; sign in again.") from None
        except jwt.PyJWTError as exc:
            raise _invalid(f"The token is not valid ({exc}).") from None


def _invalid(message: str) -> BarbError:
    return BarbError(401, "AUTH_INVALID", message)


def _http_fetcher(url: str, timeout_s: float) -> JwksFetcher:
    async def fetch() -> dict[str, Any]:
        try:
            async with httpx.AsyncClient(timeout=timeout_s) as client:
                response = await client.get(url)
                response.raise_for_status()
                document = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise JwksUnavailable(f"{url}: {exc}") from exc
        if not isinstance(document, dict):
            raise JwksUnavailable(f"{url}: not a JWKS document")
        return document

    return fetch


def _local_fetcher(settings: Settings) -> JwksFetcher:
    async def fetch() -> dict[str, Any]:
        return local_issuer_for(settings).jwks()

    return fetch


def local_issuer_for(settings: Settings) -> LocalIssuer:
    """The local issuer configured by ``settings`` (local mode only)."""
    return local_issuer(
        settings.var_dir / "local-signing-key.pem",
        settings.jwt_issuer,
        settings.jwt_audience,
        settings.local_token_ttl_s,
    )


@singleton
def get_verifier() -> JwksVerifier:
    """The process's verifier for the current settings (lazy singleton)."""
    settings = get_settings()
    if settings.auth_mode == "supabase":
        fetch = _http_fetcher(f"{settings.jwt_issuer}/.well-known/jwks.json", settings.jwks_timeout_s)
    else:
        fetch = _local_fetcher(settings)
    return JwksVerifier(
        fetch,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        ttl_s=settings.jwks_ttl_s,
        cooldown_s=settings.jwks_refetch_cooldown_s,
        leeway_s=settings.jwt_leeway_s,
    )


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer`` header, if any."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


async def require_user(request: Request, *, allow_anonymous: bool = False) -> User:
    """The verified caller; 401 ``AUTH_MISSING|AUTH_INVALID|AUTH_EXPIRED``, 503 ``AUTH_UNAVAILABLE``."""
    token = bearer_token(request)
    if token is None:
        raise BarbError(401, "AUTH_MISSING", "Sign in to use this endpoint (no Bearer token was sent).")
    try:
        claims = await get_verifier().verify(token)
    except JwksUnavailable:
        raise BarbError(
            503, "AUTH_UNAVAILABLE", "Sign-in keys cannot be fetched right now; try again."
        ) from None
    is_anonymous = bool(claims.get("is_anonymous", False))
    if is_anonymous and not allow_anonymous:
        raise BarbError(401, "AUTH_INVALID", "Sign in with a real account to use this endpoint.")
    user = User(id=str(claims["sub"]), email=claims.get("email"), is_anonymous=is_anonymous, token=token)
    request.state.user_id = user.id
    set_current_user(user)
    return user
