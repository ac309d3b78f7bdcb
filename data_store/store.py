"""``BarStore``: the app's view of the bars — manifest revalidation, cached files, lazy Polars scans, health.

Every public method first revalidates the manifest when it is due: when ``manifest_ttl_s`` has passed since
the last check, or when the shared generation counter moved (another worker served ``reload-data``). A
revalidation that cannot reach the source keeps the last good manifest (also persisted in the cache folder,
so a restart while the bucket is down still serves) and reports "degraded" until the source answers again.

A bar file is checked against the manifest's sha256 when it is downloaded and when a process first opens it
(a cached or folder file may have been damaged since): a damaged cached file is fetched again; one that
cannot be had intact is never read, raises :class:`IntegrityError` and makes the health "degraded".
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from data_store.cache import FileCache, sha256_of
from data_store.config import StoreConfig
from data_store.errors import DataUnavailable, IntegrityError, ManifestError, SourceUnavailable
from data_store.generation import GenerationCounter
from data_store.manifest import BarFile, Manifest, diff_manifests
from data_store.sources import BucketSource, FolderSource

log = logging.getLogger(__name__)

Listener = Callable[[Manifest], None]
"""Called with the manifest after it changed or after a reload (to drop in-memory caches)."""


class BarStore:
    """Bars by symbol and bar size, from a bucket (cached locally) or from a local folder."""

    def __init__(self, config: StoreConfig, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self._clock = clock
        self._source: BucketSource | FolderSource
        if config.bucket:
            self._source = BucketSource(config.bucket, config.prefix, config.endpoint_url, config.region)
            self._cache: FileCache | None = FileCache(config.cache_dir, config.cache_max_bytes)
        else:
            self._source = FolderSource(config.data_dir)
            self._cache = None
        self._generation = GenerationCounter(config.cache_dir / "generation")
        # Named after the source, so switching buckets never serves another bucket's manifest.
        origin = f"{config.endpoint_url}|{config.bucket}|{config.prefix}".encode()
        self._last_good = (
            config.cache_dir / f"last-good-manifest-{hashlib.sha256(origin).hexdigest()[:12]}.json"
        )
        self._lock = threading.RLock()
        self._manifest: Manifest | None = None
        self._tag: str | None = None
        self._checked_at = -math.inf
        self._seen_generation: int | None = None
        self._problem: str | None = None
        self._listeners: list[Listener] = []
        self._intact: set[str] = set()
        """Keys whose file this process has hashed and found as the manifest says."""
        self._damaged: dict[str, str] = {}
        """Keys whose file could not be had intact, with why (reported by :meth:`health`)."""
        self.stats: Counter[str] = Counter()
        """Counts of manifest requests, 304s, downloads and cache hits (for tests and benchmarks)."""

    # -- the contract used by the app -------------------------------------------------------------

    def scan(self, symbol: str, bar_size: str) -> pl.LazyFrame | None:
        """A lazy frame over the bars (None when the manifest has none for this symbol and bar size).

        Filters and column selections on the frame push down into the Parquet reader, so a period filter
        reads only the row groups it needs. Raises :class:`DataUnavailable` when the file is listed but
        neither cached nor fetchable.
        """
        path = self.path(symbol, bar_size)
        return None if path is None else pl.scan_parquet(path)

    def path(self, symbol: str, bar_size: str) -> Path | None:
        """The local Parquet file for ``symbol`` at ``bar_size``, downloading it into the cache on a miss."""
        manifest = self.manifest()
        bar_file = manifest.bar_file(symbol, bar_size)
        if bar_file is None:
            return None
        if isinstance(self._source, FolderSource):
            path = self._source.path(bar_file.key)
            if not path.is_file():
                raise DataUnavailable(f"{bar_file.key} is listed in the manifest but missing from the folder")
            if not self._is_intact(bar_file, path):
                raise self._damage(
                    bar_file, IntegrityError(f"{bar_file.key}: the file differs from its sha256")
                )
            return path
        assert self._cache is not None
        path, downloaded = self._fetch(bar_file, manifest)
        if not downloaded and not self._is_intact(bar_file, path):
            log.warning("cached %s does not match the manifest's sha256: fetching it again", bar_file.key)
            self._cache.discard(bar_file.key)
            path, _ = self._fetch(bar_file, manifest)  # a download, verified as it is written
        self._intact.add(bar_file.key)
        self._damaged.pop(bar_file.key, None)
        return path

    def data_range(self, symbol: str) -> tuple[datetime, datetime] | None:
        """First and last bar time over every bar size of ``symbol``, from the manifest."""
        entry = self.manifest().instruments.get(symbol.upper())
        if not entry or not entry.bars:
            return None
        return min(f.first for f in entry.bars.values()), max(f.last for f in entry.bars.values())

    def symbols(self) -> list[str]:
        """Symbols with at least one bar file, sorted."""
        return sorted(s for s, entry in self.manifest().instruments.items() if entry.bars)

    def bar_sizes(self, symbol: str) -> list[str]:
        """The bar sizes stored for ``symbol``."""
        entry = self.manifest().instruments.get(symbol.upper())
        return sorted(entry.bars) if entry else []

    def is_sample(self, symbol: str) -> bool:
        """True when the symbol's bars are synthetic sample data."""
        entry = self.manifest().instruments.get(symbol.upper())
        return bool(entry and entry.sample)

    def catalogue_entries(self) -> dict[str, dict[str, Any]]:
        """Catalogue entries stored with the data for symbols outside the built-in catalogue."""
        return {s: e.instrument for s, e in self.manifest().instruments.items() if e.instrument}

    def health(self) -> tuple[str, str | None]:
        """``("ok", None)`` or ``("degraded", reason)``: serving the last good manifest, or files damaged."""
        manifest = self.manifest()
        reasons = [f"{key}: {why}" for key, why in sorted(self._damaged.items())]
        if self._problem is not None:
            reasons.insert(0, f"{self._problem}; serving the last good manifest (version {manifest.version})")
        return ("degraded", "; ".join(reasons)) if reasons else ("ok", None)

    def reload(self) -> dict[str, Any]:
        """Revalidate the manifest now and bump the generation so every worker drops its in-memory caches.

        Returns ``{"generation", "version": {"old", "new"}, "changed": [{symbol, bar_size, old, new}],
        "status", "reason"}``.
        """
        with self._lock:
            self._load_if_empty()
            old = self._manifest
            self._seen_generation = self._generation.bump()
            self._revalidate()
            new = self.manifest()
            self._notify(new)
            status, reason = self.health()
            return {
                "generation": self._seen_generation,
                "version": {"old": old.version if old else None, "new": new.version},
                "changed": diff_manifests(old, new),
                "status": status,
                "reason": reason,
            }

    # -- extras for the app's caches --------------------------------------------------------------

    @property
    def generation(self) -> int:
        """The reload generation this process has caught up with; in-memory caches may key on it."""
        self.manifest()
        return self._seen_generation or 0

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener(manifest)`` after every manifest change and every reload seen by this process."""
        self._listeners.append(listener)

    def manifest(self) -> Manifest:
        """The current manifest, revalidated first when due."""
        if self._due():
            with self._lock:
                if self._due():
                    self._load_if_empty()
                    generation = self._generation.read()
                    self._revalidate()
                    if generation != self._seen_generation:
                        self._seen_generation = generation
                        self._notify(self._manifest or Manifest())
        return self._manifest or Manifest()

    # -- internals --------------------------------------------------------------------------------

    def _due(self) -> bool:
        return (
            self._manifest is None
            or self._clock() - self._checked_at >= self.config.manifest_ttl_s
            or self._generation.read() != self._seen_generation
        )

    def _revalidate(self) -> None:
        self.stats["manifest_requests"] += 1
        try:
            fetched = self._source.fetch_manifest(self._tag)
        except (SourceUnavailable, ManifestError) as exc:
            if self._problem is None:
                log.warning("bar source problem: %s", exc)
            self._problem = str(exc)
            self._checked_at = self._clock()
            if self._manifest is None:
                self._manifest = Manifest()
            return
        self._problem = None
        self._checked_at = self._clock()
        if fetched is None:
            self.stats["manifest_not_modified"] += 1
            return
        changed = self._manifest is None or fetched.manifest != self._manifest
        self._manifest, self._tag = fetched.manifest, fetched.tag
        if self._cache is not None:
            self._persist_last_good()
        if changed:
            self._notify(fetched.manifest)

    def _notify(self, manifest: Manifest) -> None:
        for listener in self._listeners:
            listener(manifest)

    def _fetch(self, bar_file: BarFile, manifest: Manifest) -> tuple[Path, bool]:
        """The cached file (downloaded and verified on a miss) and whether this call downloaded it."""
        assert self._cache is not None and isinstance(self._source, BucketSource)
        source = self._source
        try:
            path, downloaded = self._cache.fetch(
                bar_file.key,
                bar_file.sha256,
                lambda out: source.download(bar_file.key, out),
                keep=manifest.data_keys(),
            )
        except IntegrityError as exc:
            raise self._damage(bar_file, exc) from None
        self.stats["downloads" if downloaded else "cache_hits"] += 1
        return path, downloaded

    def _is_intact(self, bar_file: BarFile, path: Path) -> bool:
        """Whether ``path`` hashes to the manifest's sha256 (hashed once per process and key)."""
        if bar_file.key in self._intact:
            return True
        if sha256_of(path) != bar_file.sha256:
            return False
        self._intact.add(bar_file.key)
        self._damaged.pop(bar_file.key, None)
        return True

    def _damage(self, bar_file: BarFile, error: IntegrityError) -> IntegrityError:
        """Record that ``bar_file`` cannot be had intact (for :meth:`health`) and return ``error``."""
        self._damaged[bar_file.key] = str(error)
        log.error("bar file %s is unavailable: %s", bar_file.key, error)
        return error

    def _load_if_empty(self) -> None:
        """Start from the last good manifest persisted by any worker, revalidating it by its tag."""
        if self._manifest is not None or self._cache is None:
            return
        try:
            saved = json.loads(self._last_good.read_bytes())
            self._manifest = Manifest.model_validate(saved["manifest"])
            self._tag = saved["tag"]
        except (OSError, ValueError, KeyError):
            return
        self._notify(self._manifest)

    def _persist_last_good(self) -> None:
        assert self._manifest is not None
        path = self._last_good
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".tmp-{uuid.uuid4().hex}")
        tmp.write_text(json.dumps({"tag": self._tag, "manifest": self._manifest.model_dump(mode="json")}))
        tmp.replace(path)
