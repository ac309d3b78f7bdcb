"""Persistence behind one protocol (:class:`~shared.store.base.Store`)."""

from __future__ import annotations

from shared.lazy import singleton
from shared.settings import get_settings
from shared.store.base import Store


@singleton
def get_store() -> Store:
    """The process's store (lazy singleton): Supabase when ``SUPABASE_URL`` is set, else SQLite."""
    settings = get_settings()
    if settings.supabase_url:
        from shared.store.supabase import SupabaseStore

        return SupabaseStore(
            settings.supabase_url, settings.supabase_publishable_key or "", settings.supabase_service_key
        )
    from shared.store.sqlite import SqliteStore

    return SqliteStore(settings.sqlite_path)
