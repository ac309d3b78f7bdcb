"""The instruments a query may read beside its own: ``on('ES', close)`` and screens over many instruments.

A :class:`Universe` says which symbols have bars and hands out their :class:`BarsInput`. The engine asks it only
for what a validated plan names, so a query over NQ that never mentions ES never touches ES's file. Callers pass
one explicitly (the HTTP edge and the CLI over the bar store, tests over frames in memory); without one a query
can use only its own instrument.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from shared.script.bars import BarsInput, StoreBars


class Universe(Protocol):
    """Where a query finds other instruments' bars."""

    def symbols(self) -> frozenset[str]:
        """The symbols that have bars."""
        ...

    def bars(self, symbol: str) -> BarsInput:
        """The bars of ``symbol`` (one of :meth:`symbols`)."""
        ...


@dataclass(frozen=True)
class FramesUniverse:
    """A :class:`Universe` over bars already in memory (tests, the benchmark)."""

    by_symbol: Mapping[str, BarsInput] = field(default_factory=dict)

    def symbols(self) -> frozenset[str]:
        return frozenset(self.by_symbol)

    def bars(self, symbol: str) -> BarsInput:
        return self.by_symbol[symbol]


@dataclass(frozen=True)
class StoreUniverse:
    """A :class:`Universe` over a bar store (``symbols()``, and ``path``/``scan`` as :class:`StoreBars` reads)."""

    store: Any

    def symbols(self) -> frozenset[str]:
        return frozenset(self.store.symbols())

    def bars(self, symbol: str) -> BarsInput:
        return StoreBars(self.store, symbol)
