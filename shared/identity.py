"""Who the request being served is for: the verified caller, set by the web layer once per request.

It sits below the store and the web layer alike: the web layer sets it after verifying a token, and the
production store forwards the caller's token so that row-level security applies to every call.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class User:
    """The caller, from a verified token. ``token`` is forwarded to Supabase so RLS applies."""

    id: str
    email: str | None
    is_anonymous: bool
    token: str


_caller: ContextVar[User | None] = ContextVar("caller", default=None)


def current_user() -> User | None:
    """The user verified for the request being served (None outside a signed-in request)."""
    return _caller.get()


def set_current_user(user: User | None) -> None:
    """Make ``user`` the caller of the current context (the web layer, after verifying a token)."""
    _caller.set(user)
