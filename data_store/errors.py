"""Errors raised by the data store. Callers at the HTTP edge map them to API errors."""

from __future__ import annotations


class DataStoreError(Exception):
    """Base class of every data-store error."""


class IntegrityError(DataStoreError):
    """A downloaded file does not have the sha256 the manifest promises; it was discarded."""


class SourceUnavailable(DataStoreError):
    """The bucket (or data folder) cannot be reached."""


class DataUnavailable(DataStoreError):
    """The manifest lists the data but the file is neither cached nor fetchable right now."""


class ManifestError(DataStoreError):
    """The manifest is not valid JSON of the expected shape."""
