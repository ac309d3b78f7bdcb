"""The app's bar store: one lazily built :class:`data_store.BarStore` per process, configured from settings.

Symbols imported from vendor files carry their catalogue entry in the manifest; they are registered with
the instrument catalogue whenever the store sees a new manifest, so they survive restarts and reach every
worker.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from pydantic import ValidationError

from data_store import BarStore, StoreConfig
from data_store.manifest import Manifest
from shared.lazy import singleton
from shared.market import Instrument, register_instrument
from shared.settings import Settings, get_settings

log = logging.getLogger(__name__)


def store_config(settings: Settings) -> StoreConfig:
    """The data store's configuration from the app's settings.

    On AWS Lambda only ``/tmp`` is writable, so the cache defaults to ``/tmp/barb-cache`` there.
    """
    cache_dir = settings.cache_dir
    if settings.data_cache_dir is None and os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        cache_dir = Path("/tmp/barb-cache")
    return StoreConfig(
        data_dir=settings.data_dir,
        cache_dir=cache_dir,
        bucket=settings.data_bucket or None,
        prefix=settings.data_prefix,
        endpoint_url=settings.s3_endpoint_url or None,
        region=settings.s3_region,
        cache_max_bytes=settings.data_cache_max_bytes,
        manifest_ttl_s=settings.manifest_ttl_s,
    )


@singleton
def get_bar_store() -> BarStore:
    """The process-wide bar store (rebuilt after ``shared.lazy.reset_singletons()``)."""
    store = BarStore(store_config(get_settings()))
    store.add_listener(register_catalogue_entries)
    # Load the manifest now so imported symbols are registered before anyone looks them up.
    store.manifest()
    return store


def register_catalogue_entries(manifest: Manifest) -> None:
    """Register the catalogue entries the manifest stores for imported symbols."""
    for symbol, entry in manifest.instruments.items():
        if entry.instrument is None:
            continue
        try:
            register_instrument(Instrument.model_validate(entry.instrument))
        except (ValidationError, ValueError) as exc:
            log.warning("manifest entry for %s is not a valid instrument: %s", symbol, exc)
