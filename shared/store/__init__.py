"""Persistence behind one protocol (:class:`~shared.store.base.Store`)."""

from __future__ import annotations

from shared.lazy import singleton
from shared.settings import get_settings
from shared.store.base import Store


@singleton
def get_store() -> Store:
    """The process's store (lazy singleton): SQLite in the embedded mode."""
    from shared.store.sqlite import SqliteStore

    return SqliteStore(get_settings().sqlite_path)
