"""A counter in a file that every worker process reads, so one worker's reload reaches all of them."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from data_store.locks import file_lock


class GenerationCounter:
    """An integer stored in ``path``; :meth:`bump` increments it atomically across processes."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> int:
        """The current value (0 before the first bump). Cheap enough to call on every request."""
        try:
            return int(self.path.read_text() or 0)
        except FileNotFoundError:
            return 0

    def bump(self) -> int:
        """Increment the counter and return the new value."""
        with file_lock(self.path.with_name(self.path.name + ".lock")):
            value = self.read() + 1
            tmp = self.path.with_name(f".tmp-{uuid.uuid4().hex}")
            tmp.write_text(str(value))
            os.replace(tmp, self.path)
        return value
