"""Opaque pagination cursors: the position (``updated_at``, ``id``) of the last item of a page."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime


class InvalidCursor(ValueError):
    """The cursor was not produced by :func:`encode_cursor` (tampered with, truncated, from elsewhere)."""


def encode_cursor(updated_at: str, conversation_id: str) -> str:
    """The cursor after the item with this position."""
    return base64.urlsafe_b64encode(f"{updated_at}|{conversation_id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[str, str]:
    """The position in a cursor, re-serialised from parsed values so nothing a client wrote reaches a query."""
    try:
        updated_at, conversation_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|", 1)
        moment = datetime.fromisoformat(updated_at)
        canonical_id = str(uuid.UUID(conversation_id))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidCursor("invalid cursor") from exc
    if moment.tzinfo is None:
        raise InvalidCursor("invalid cursor")
    return moment.isoformat(timespec="microseconds"), canonical_id
