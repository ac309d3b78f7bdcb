from __future__ import annotations

import pytest

from shared.assistant.pricing import PRICES, cost_usd, price_for
from shared.store import Usage


def test_dated_ids_resolve_to_their_family() -> None:
    assert price_for("claude-sonnet-4-5-20250929") == PRICES["claude-sonnet-4-5"]
    assert price_for("claude-sonnet-4-20250514") == PRICES["claude-sonnet-4"]
    assert price_for("claude-haiku-4-5") == PRICES["claude-haiku-4-5"]
    assert price_for("gpt-4o") is None


@pytest.mark.parametrize(
    ("usage", "expected"),
    [
        (Usage(input_tokens=1_000_000), 3.00),
        (Usage(output_tokens=1_000_000), 15.00),
        (Usage(cache_read_tokens=1_000_000), 0.30),
        (Usage(cache_write_tokens=1_000_000), 3.75),
        (
            Usage(input_tokens=2_000, output_tokens=500, cache_read_tokens=10_000, cache_write_tokens=4_000),
            0.0315,
        ),
    ],
)
def test_each_kind_of_token_has_its_own_price(usage: Usage, expected: float) -> None:
    assert cost_usd("claude-sonnet-4-5", usage) == pytest.approx(expected)


def test_the_model_that_served_sets_the_price() -> None:
    usage = Usage(input_tokens=1_000_000, output_tokens=1_000_000)
    assert cost_usd("claude-haiku-4-5-20251001", usage) == pytest.approx(6.0)
    assert cost_usd("claude-opus-4-1", usage) == pytest.approx(90.0)
    assert cost_usd("unknown-model", usage) == 0.0


def test_the_default_model_is_priced_and_still_served() -> None:
    """A default past its end of life breaks every chat (claude-sonnet-4-5 ended on 2026-11-30)."""
    from anthropic._data import DEPRECATED_MODELS  # the SDK's own list: it warns on every call to these

    from shared.settings import Settings

    model = Settings.model_fields["anthropic_model"].default
    assert price_for(model) is not None
    assert model not in DEPRECATED_MODELS
