"""Common market factors that make the synthetic instruments move together.

An instrument's unit-variance shock mixes a few market-wide factors with its own noise,
``z = sum_k b_k f_k + sqrt(1 - sum_k b_k**2) e``, so the shocks of two instruments correlate by
``sum_k b_ik * b_jk``. The factor draws depend only on the seed and on the position (a trade date, or a UTC
minute), never on the instrument or the range asking for them: instruments generated one at a time, over
different ranges or on different calendars, share the same market moves wherever their dates or minutes meet.
"""

from __future__ import annotations

from math import fsum, sqrt
from typing import Literal

import numpy as np

from shared.market import Instrument

Factor = Literal["equity", "rates", "energy", "metals", "dollar"]
Kind = Literal["daily", "gap", "minute"]

FACTORS: tuple[Factor, ...] = ("equity", "rates", "energy", "metals", "dollar")
_KINDS: tuple[Kind, ...] = ("daily", "gap", "minute")
_T_DOF = 5
_CHUNK = 1 << 16  # positions drawn per generator, so a position's draw never depends on the range around it
_STREAM = 0xBA4B  # keeps the factor streams apart from the instruments' own ([seed, symbol key])

# Loadings per category, then the instruments that differ from their category. "dollar" is the dollar's
# strength: currency futures are quoted in dollars per unit, so they load on it negatively.
_CATEGORY_LOADINGS: dict[str, dict[Factor, float]] = {
    "index": {"equity": 0.9},
    "energy": {"equity": 0.3, "energy": 0.88, "metals": 0.15, "dollar": -0.2},
    "metals": {"equity": 0.05, "rates": 0.25, "metals": 0.85, "dollar": -0.3},
    "currency": {"equity": 0.15, "rates": 0.1, "dollar": -0.9},
    "treasury": {"equity": -0.3, "rates": 0.9},
    "agriculture": {"equity": 0.1, "dollar": -0.15},
    "crypto": {"equity": 0.35},
}
_SYMBOL_LOADINGS: dict[str, dict[Factor, float]] = {
    "ES": {"equity": 0.985},
    "NQ": {"equity": 0.94},
    "YM": {"equity": 0.955},
    "RTY": {"equity": 0.87},
    "FDAX": {"equity": 0.75},
    "FESX": {"equity": 0.75},
    "NG": {"equity": 0.1, "energy": 0.35},
    "HG": {"equity": 0.35, "metals": 0.6, "dollar": -0.2},
    "6J": {"equity": -0.3, "rates": 0.4, "dollar": -0.5},
}


def loadings(instrument: Instrument) -> dict[Factor, float]:
    """The instrument's factor loadings (empty: it moves on its own noise only)."""
    return _SYMBOL_LOADINGS.get(instrument.symbol) or _CATEGORY_LOADINGS.get(instrument.category, {})


def fat_tailed(rng: np.random.Generator, size: int) -> np.ndarray:
    """Student-t draws scaled to unit variance."""
    draws: np.ndarray = rng.standard_t(_T_DOF, size) / np.sqrt(_T_DOF / (_T_DOF - 2))
    return draws


def co_moving(
    instrument: Instrument, seed: int, kind: Kind, positions: np.ndarray, own: np.ndarray
) -> np.ndarray:
    """Unit-variance shocks: the instrument's loadings on the common draws at ``positions``, plus ``own``.

    ``own`` holds the instrument's own unit-variance draws, one per position; it carries the variance the factors
    leave. ``positions`` are trade-date ordinals for ``daily`` and ``gap`` shocks, UTC minutes for ``minute``.
    """
    weights = loadings(instrument)
    mixed = own * sqrt(1.0 - fsum(weight * weight for weight in weights.values()))
    for factor, weight in weights.items():
        mixed += weight * _common_draws(seed, factor, kind, positions)
    return mixed


def _common_draws(seed: int, factor: Factor, kind: Kind, positions: np.ndarray) -> np.ndarray:
    """One factor's unit-variance draws at integer ``positions``, generated a chunk of positions at a time."""
    if positions.size == 0:
        return np.empty(0)
    first, last = int(positions.min()) // _CHUNK, int(positions.max()) // _CHUNK
    draws = np.concatenate([_chunk(seed, factor, kind, chunk) for chunk in range(first, last + 1)])
    picked: np.ndarray = draws[positions - first * _CHUNK]
    return picked


def _chunk(seed: int, factor: Factor, kind: Kind, chunk: int) -> np.ndarray:
    rng = np.random.default_rng([seed, _STREAM, FACTORS.index(factor), _KINDS.index(kind), chunk])
    if kind == "daily":
        return fat_tailed(rng, _CHUNK)  # daily returns keep their fat tails however much of them is common
    # Minute factors are normal: a fifth of the cost of Student-t, and each minute's own part stays fat-tailed.
    normal: np.ndarray = rng.standard_normal(_CHUNK)
    return normal
