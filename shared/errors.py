"""The root of every error a caller may see: each carries its HTTP status, a stable code and a sentence.

The web layer renders any :class:`BarbError` as ``{"error", "code", "request_id"}`` (plus ``details``) with
its status, in one handler; the store, the engine and the edges raise subclasses of it, so an error is
translated once, where it is raised, not again on its way out.
"""

from __future__ import annotations

from typing import Any


class BarbError(Exception):
    """An error the caller should see, with its HTTP status and a stable UPPER_SNAKE ``code``."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        details: list[Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers or {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.status}, {self.code!r}, {self.message!r})"


def not_found(what: str) -> BarbError:
    """404 for a resource that does not exist (or is not the caller's: the two are indistinguishable)."""
    return BarbError(404, "NOT_FOUND", f"{what} not found.")
