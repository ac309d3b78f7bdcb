from __future__ import annotations

import pytest

from data_store import BarStore, StoreConfig
from tests.assistant.support import write_sample


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> BarStore:
    """A bar store over the synthetic sample set (generated once per test session)."""
    root = tmp_path_factory.mktemp("assistant-bars")
    return BarStore(StoreConfig(data_dir=write_sample(root / "data"), cache_dir=root / "cache"))
