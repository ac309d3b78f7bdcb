"""Local cache of immutable bucket files: atomic writes, one download per key across processes, LRU limit.

Keys are content-addressed, so a cached file is never stale and never revalidated. A download goes to a
temporary file in the cache folder, is checked against the manifest's sha256, and is renamed into place; the
rename is atomic, so readers see either no file or the whole file. A per-key file lock makes concurrent
workers wait for the one that downloads instead of downloading again.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

from data_store.errors import IntegrityError
from data_store.locks import file_lock
from data_store.manifest import check_key

Writer = Callable[[BinaryIO], None]
"""Writes the object's bytes to the given binary file (e.g. streams an S3 GET into it)."""

_CHUNK = 1 << 20


class FileCache:
    """Files under ``root`` named by their bucket key, within ``max_bytes`` (least recently used go first)."""

    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes

    def path(self, key: str) -> Path:
        """Where ``key`` lives in the cache (refuses keys that could escape the cache folder)."""
        return self.root / check_key(key)

    def get(self, key: str) -> Path | None:
        """The cached file for ``key``, marked as recently used, or None on a miss."""
        path = self.path(key)
        try:
            os.utime(path)
        except FileNotFoundError:
            return None
        return path

    def fetch(self, key: str, sha256: str, write: Writer, *, keep: Iterable[str] = ()) -> tuple[Path, bool]:
        """The cached file for ``key``, downloading it with ``write`` on a miss.

        Returns the path and whether this call downloaded it. Raises :class:`IntegrityError` (and keeps
        nothing) when the bytes do not hash to ``sha256``. After a download, files beyond the size limit are
        evicted, never those in ``keep`` (the keys the current manifest references).
        """
        hit = self.get(key)
        if hit is not None:
            return hit, False
        path = self.path(key)
        with file_lock(self._lock_path(key)):
            hit = self.get(key)
            if hit is not None:
                return hit, False
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.root / f".tmp-{uuid.uuid4().hex}"
            try:
                with open(tmp, "wb") as out:
                    hasher = _HashingWriter(out)
                    write(hasher)  # type: ignore[arg-type]
                if hasher.hexdigest() != sha256:
                    raise IntegrityError(
                        f"{key}: sha256 {hasher.hexdigest()[:12]}… differs from the manifest's {sha256[:12]}…"
                    )
                os.replace(tmp, path)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    tmp.unlink()
        self.evict(keep={key, *keep})
        return path, True

    def discard(self, key: str) -> None:
        """Remove ``key``'s file (found damaged), so the next :meth:`fetch` downloads it again."""
        with file_lock(self._lock_path(key)), contextlib.suppress(FileNotFoundError):
            self.path(key).unlink()

    def evict(self, *, keep: Iterable[str] = ()) -> list[str]:
        """Remove least-recently-used files until the cache fits ``max_bytes``; returns the evicted keys."""
        protected = {self.path(k) for k in keep}
        with file_lock(self.root / ".locks" / "evict.lock"):
            files = []
            for path in self.root.rglob("*.parquet"):
                with contextlib.suppress(FileNotFoundError):
                    stat = path.stat()
                    files.append((stat.st_mtime_ns, stat.st_size, path))
            total = sum(size for _, size, _ in files)
            evicted = []
            for _, size, path in sorted(files):
                if total <= self.max_bytes:
                    break
                if path in protected:
                    continue
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                total -= size
                evicted.append(path.relative_to(self.root).as_posix())
            return evicted

    def _lock_path(self, key: str) -> Path:
        return self.root / ".locks" / (key.replace("/", "__") + ".lock")


class _HashingWriter:
    """A write-only file wrapper that hashes what passes through it."""

    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self._hash = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self._hash.update(data)
        return self._out.write(data)

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def sha256_of(path: Path) -> str:
    """The hex sha256 of a file, read in chunks."""
    hasher = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            hasher.update(chunk)
    return hasher.hexdigest()
