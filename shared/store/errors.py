"""Store failures the caller should see, already shaped for the API edge.

A missing or foreign row is not an error class here: reads return ``None``/``False`` and writes into a
conversation that is not the caller's raise ``LookupError``, the same in every store. These classes cover
what only a remote database can do: be unreachable, reject an expired token, refuse a write.
"""

from __future__ import annotations

from shared.errors import BarbError


class StoreError(BarbError):
    """A store failure, rendered by the web layer as ``{"error", "code", "request_id"}``."""


class StoreUnavailable(StoreError):
    def __init__(self) -> None:
        super().__init__(503, "STORE_UNAVAILABLE", "The database cannot be reached right now; try again.")


class StoreAuthExpired(StoreError):
    def __init__(self) -> None:
        super().__init__(401, "AUTH_EXPIRED", "Your session has expired; sign in again.")


class StoreForbidden(StoreError):
    def __init__(self) -> None:
        super().__init__(403, "FORBIDDEN", "You are not allowed to change this.")


class StoreConflict(StoreError):
    def __init__(self) -> None:
        super().__init__(409, "CONFLICT", "This already exists.")


class AnswerRunning(StoreError):
    """A conversation answers one question at a time (a second answer would interleave with the first)."""

    def __init__(self) -> None:
        super().__init__(
            409,
            "ANSWER_RUNNING",
            "An answer is still being written in this conversation: wait for it or stop it.",
        )


class StoreInvalid(StoreError):
    def __init__(self) -> None:
        super().__init__(422, "VALIDATION_ERROR", "The database refused this value.")


class NoCaller(StoreError):
    """User data was requested outside a request verified for that user (a programming error)."""

    def __init__(self) -> None:
        super().__init__(500, "INTERNAL_ERROR", "The request could not be attributed to a signed-in user.")
