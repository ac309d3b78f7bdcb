"""``manifest.json``: the immutable file holding each instrument's bars; catalogue entries of imports.

Shape::

    {"format": 1, "version": 7, "updated_at": "...",
     "instruments": {"NQ": {"sample": true, "instrument": null,
                            "bars": {"1m": {"key": "bars/1m/NQ.<sha12>.parquet", "rows": ..., "first": ...,
                                            "last": ..., "sha256": ..., "bytes": ...}}}}}

``instrument`` holds the catalogue entry of a symbol that is not in the built-in catalogue (e.g. an imported
stock), as plain JSON, so it survives restarts and travels with the data.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BaseModel, Field, ValidationError

from data_store.errors import ManifestError

StoredBarSize = Literal["1m", "1d"]
"""The bar sizes a data set stores; every bar size a query asks for is built from these."""
STORED_BAR_SIZES: tuple[StoredBarSize, ...] = get_args(StoredBarSize)
MANIFEST_NAME = "manifest.json"
_SAFE_KEY = re.compile(r"^[A-Za-z0-9_.=-]+(/[A-Za-z0-9_.=-]+)*$")


def check_key(key: str) -> str:
    """``key`` if it is a relative path of plain segments (no ``..``, no absolute path), else ValueError.

    Keys name files in the cache and in the data folder, so a manifest must not be able to point outside.
    """
    if not _SAFE_KEY.match(key) or ".." in key.split("/"):
        raise ValueError(f"unsafe data key {key!r}")
    return key


class BarFile(BaseModel):
    """One immutable Parquet file of bars."""

    key: Annotated[str, AfterValidator(check_key)]
    rows: int
    first: datetime
    last: datetime
    sha256: str
    bytes: int


class InstrumentData(BaseModel):
    """Everything the manifest knows about one symbol."""

    sample: bool = False
    instrument: dict[str, Any] | None = None
    bars: dict[str, BarFile] = Field(default_factory=dict)


class Manifest(BaseModel):
    """The whole manifest; ``version`` grows by one on every write."""

    format: int = 1
    version: int = 0
    updated_at: datetime | None = None
    instruments: dict[str, InstrumentData] = Field(default_factory=dict)

    def bar_file(self, symbol: str, bar_size: str) -> BarFile | None:
        """The file for ``symbol`` at ``bar_size``, if any."""
        entry = self.instruments.get(symbol.upper())
        return entry.bars.get(bar_size) if entry else None

    def data_keys(self) -> set[str]:
        """Every data key the manifest references."""
        return {f.key for entry in self.instruments.values() for f in entry.bars.values()}


def parse_manifest(raw: bytes | str) -> Manifest:
    """Parse manifest JSON, raising :class:`ManifestError` with the reason when it is malformed."""
    try:
        return Manifest.model_validate_json(raw)
    except ValidationError as exc:
        raise ManifestError(f"manifest.json is invalid: {exc.errors()[0]['msg']}") from exc


def dump_manifest(manifest: Manifest) -> bytes:
    """Serialise a manifest (stable key order, readable)."""
    return json.dumps(manifest.model_dump(mode="json"), indent=1, sort_keys=True).encode()


def read_manifest_file(path: Path) -> Manifest | None:
    """The manifest stored at ``path``, or None when there is none."""
    try:
        return parse_manifest(path.read_bytes())
    except FileNotFoundError:
        return None


def write_manifest_file(path: Path, manifest: Manifest) -> None:
    """Write ``manifest`` atomically (temporary file, then rename) so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".tmp-{uuid.uuid4().hex}-{path.name}")
    tmp.write_bytes(dump_manifest(manifest))
    os.replace(tmp, path)


def bump(manifest: Manifest) -> Manifest:
    """A copy of ``manifest`` with the next version and the current time."""
    return manifest.model_copy(update={"version": manifest.version + 1, "updated_at": datetime.now(UTC)})


def diff_manifests(old: Manifest | None, new: Manifest) -> list[dict[str, Any]]:
    """Per symbol and bar size, the keys that changed: ``{symbol, bar_size, old, new}`` (None = absent)."""
    changes = []
    old_instruments = old.instruments if old else {}
    for symbol in sorted(set(old_instruments) | set(new.instruments)):
        before = old_instruments.get(symbol, InstrumentData()).bars
        after = new.instruments.get(symbol, InstrumentData()).bars
        for size in sorted(set(before) | set(after)):
            old_key = before[size].key if size in before else None
            new_key = after[size].key if size in after else None
            if old_key != new_key:
                changes.append({"symbol": symbol, "bar_size": size, "old": old_key, "new": new_key})
    return changes
