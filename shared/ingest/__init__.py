"""Bringing bars in: CSV import, the synthetic sample set, and uploads to the bucket."""

from shared.ingest.entries import DEFAULT_TYPE, describe_defaults
from shared.ingest.importer import ImportOptions, import_file
from shared.ingest.sample_set import DEFAULT_SYMBOLS, ensure_sample_data, write_sample_data
from shared.ingest.upload import upload_folder

__all__ = [
    "DEFAULT_SYMBOLS",
    "DEFAULT_TYPE",
    "ImportOptions",
    "describe_defaults",
    "ensure_sample_data",
    "import_file",
    "upload_folder",
    "write_sample_data",
]
