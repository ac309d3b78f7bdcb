from __future__ import annotations

import pytest

from data_store import BarStore, StoreConfig
from shared.ingest import DEFAULT_SYMBOLS
from tests.assistant.support import write_sample


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> BarStore:
    """A bar store over the whole synthetic sample set (eight co-moving instruments, generated once per session)."""
    root = tmp_path_factory.mktemp("assistant-bars")
    data = write_sample(root / "data", DEFAULT_SYMBOLS)
    return BarStore(StoreConfig(data_dir=data, cache_dir=root / "cache"))
