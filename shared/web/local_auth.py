"""Routes of the local issuer (embedded mode only): e-mail sign-in and the JWKS it signs with."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from shared.settings import get_settings
from shared.web.auth import local_issuer_for
from shared.web.openapi import accepts, public, returns
from shared.web.requests import parse_body

_EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class SignIn(BaseModel):
    email: str = Field(pattern=_EMAIL, max_length=254)

    @field_validator("email", mode="before")
    @classmethod
    def _normalize(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value


class LocalUser(BaseModel):
    id: str
    email: str


class LocalSession(BaseModel):
    access_token: str
    token_type: str
    expires_at: int
    """Epoch seconds."""
    user: LocalUser


class Jwks(BaseModel):
    keys: list[dict[str, Any]]


@public
@accepts(body=SignIn)
@returns(LocalSession)
async def sign_in(request: Request) -> JSONResponse:
    """Issue a token for an e-mail address; the user id is stable per address."""
    body = await parse_body(request, SignIn)
    token, expires_at, user_id = local_issuer_for(get_settings()).issue(body.email)
    return JSONResponse(
        {
            "access_token": token,
            "token_type": "bearer",
            "expires_at": expires_at,
            "user": {"id": user_id, "email": body.email},
        }
    )


@public
@returns(Jwks)
async def jwks(request: Request) -> JSONResponse:
    """The public key that signs local tokens (JWKS)."""
    return JSONResponse(local_issuer_for(get_settings()).jwks(), headers={"Cache-Control": "max-age=300"})


routes = [
    Route("/api/auth/local/sign-in", sign_in, methods=["POST"]),
    Route("/auth/v1/.well-known/jwks.json", jwks, methods=["GET"]),
]
