"""The store's configuration: a plain value object so ``data_store`` never depends on the app's settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, kw_only=True)
class StoreConfig:
    """Where bars come from and where they are cached.

    With ``bucket`` set, bars come from that S3-compatible bucket under ``prefix`` and are cached in
    ``cache_dir``; without it they are read in place from ``data_dir`` (same layout). ``cache_dir`` also holds
    the generation counter shared by every worker process, in both modes.
    """

    data_dir: Path = Path("data")
    cache_dir: Path = Path("var/cache")
    bucket: str | None = None
    prefix: str = ""
    endpoint_url: str | None = None
    region: str | None = None
    cache_max_bytes: int = 4 * 1024**3
    manifest_ttl_s: float = 60.0

    @property
    def uses_bucket(self) -> bool:
        """True when bars come from a bucket rather than a local folder."""
        return bool(self.bucket)
