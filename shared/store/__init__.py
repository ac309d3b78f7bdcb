"""Persistence behind one protocol (:class:`~shared.store.base.Store`)."""

from __future__ import annotations

from shared.lazy import singleton
from shared.settings import get_settings
from shared.store.base import Store
from shared.store.cursor import InvalidCursor
from shared.store.models import (
    DEFAULT_TITLE,
    CatalogueEntry,
    Conversation,
    ConversationView,
    Message,
    MessageStatus,
    NewAnswer,
    NewToolCall,
    QuestionSaved,
    Usage,
)


@singleton
def get_store() -> Store:
    """The process's store (lazy singleton).

    Supabase when ``SUPABASE_URL`` and ``SUPABASE_PUBLISHABLE_KEY`` are set. A URL without the key is Supabase
    Auth in front of the embedded SQLite store (development); in production it is a configuration error,
    never a silent fall-back to a local file.
    """
    settings = get_settings()
    if settings.supabase_url and settings.supabase_publishable_key:
        from shared.store.supabase import SupabaseStore

        return SupabaseStore(
            settings.supabase_url, settings.supabase_publishable_key, settings.supabase_service_key
        )
    if settings.env == "production":
        raise RuntimeError("ENV=production needs SUPABASE_URL and SUPABASE_PUBLISHABLE_KEY for the store")
    from shared.store.sqlite import SqliteStore

    return SqliteStore(settings.sqlite_path)


__all__ = [
    "DEFAULT_TITLE",
    "CatalogueEntry",
    "Conversation",
    "ConversationView",
    "InvalidCursor",
    "Message",
    "MessageStatus",
    "NewAnswer",
    "NewToolCall",
    "QuestionSaved",
    "Store",
    "Usage",
]
