"""Bars on disk and in the bucket: manifest, local cache, lazy Polars scans. Never imports ``shared``."""

from data_store.config import StoreConfig
from data_store.errors import DataStoreError, DataUnavailable, IntegrityError, SourceUnavailable
from data_store.store import BarStore

__all__ = [
    "BarStore",
    "DataStoreError",
    "DataUnavailable",
    "IntegrityError",
    "SourceUnavailable",
    "StoreConfig",
]
