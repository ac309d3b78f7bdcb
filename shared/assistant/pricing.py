"""What an answer costs: Anthropic's list prices per model, cache reads and writes priced separately.

Prices are USD per million tokens. Anthropic reports ``input_tokens`` without the cached part, so the four
counts are disjoint and each is priced on its own. An answer is priced with the model that actually
served it (the response's ``model``), matched by family so dated ids (``…-20250929``) resolve too.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from shared.store import Usage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelPrice:
    """USD per million tokens. ``cache_write`` is the 5-minute ephemeral cache write price."""

    input: float
    output: float
    cache_read: float
    cache_write: float


PRICES: dict[str, ModelPrice] = {
    "claude-opus-4-5": ModelPrice(5.00, 25.00, 0.50, 6.25),
    "claude-opus-4-1": ModelPrice(15.00, 75.00, 1.50, 18.75),
    "claude-opus-4": ModelPrice(15.00, 75.00, 1.50, 18.75),
    "claude-sonnet-4-6": ModelPrice(3.00, 15.00, 0.30, 3.75),
    "claude-sonnet-4-5": ModelPrice(3.00, 15.00, 0.30, 3.75),
    "claude-sonnet-4": ModelPrice(3.00, 15.00, 0.30, 3.75),
    "claude-haiku-4-5": ModelPrice(1.00, 5.00, 0.10, 1.25),
    "claude-3-5-haiku": ModelPrice(0.80, 4.00, 0.08, 1.00),
}


def price_for(model: str) -> ModelPrice | None:
    """The price of ``model``: an exact family name or a dated id of one (longest family wins)."""
    name = model.lower()
    for family in sorted(PRICES, key=len, reverse=True):
        if name == family or name.startswith(family + "-"):
            return PRICES[family]
    return None


def cost_usd(model: str, usage: Usage) -> float:
    """The cost of ``usage`` on ``model``; 0 (with a warning) for a model missing from the table."""
    price = price_for(model)
    if price is None:
        log.warning("no price for model %s; its cost is reported as 0", model)
        return 0.0
    total = (
        usage.input_tokens * price.input
        + usage.output_tokens * price.output
        + usage.cache_read_tokens * price.cache_read
        + usage.cache_write_tokens * price.cache_write
    )
    return round(total / 1_000_000, 6)
