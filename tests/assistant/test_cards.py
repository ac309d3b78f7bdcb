"""Engine results (real, on the sample data) become UI blocks and a compact text for the model."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from data_store import BarStore
from shared.assistant.cards import MODEL_TEXT_LIMIT, model_text, result_blocks, result_card
from shared.assistant.tools import EngineTools
from shared.market import get_instrument
from shared.script import StoreBars, StoreUniverse, is_screen, run_query, start_screen
from tests.assistant.questions import question


def _run(store: BarStore, query: dict[str, Any]) -> dict[str, Any]:
    instrument = get_instrument("NQ")
    assert instrument is not None
    return run_query(query, instrument, StoreBars(store, "NQ"), timeout_s=60)


def test_grouped_result_gives_a_bar_chart_of_its_columns_and_the_table(sample_store: BarStore) -> None:
    result = _run(
        sample_store,
        {
            "session": "RTH",
            "map": {"r": "range()", "dow": "dayofweek()"},
            "group_by": "dow",
            "select": "mean(r)",
        },
    )
    chart, table = result_blocks(result)
    assert chart["type"] == "bar-chart" and chart["x"] == "dow" and chart["y"] == ["mean_r"]
    assert [c["name"] for c in chart["columns"]] == ["dow", "mean_r"]
    assert chart["columns"][0]["format"] == "weekday"
    assert chart["rows"] == result["rows"]
    assert table == {"type": "table", "columns": result["columns"], "rows": result["rows"]}


def test_a_table_with_a_line_chart_keeps_only_the_charted_columns(sample_store: BarStore) -> None:
    result = _run(sample_store, {"period": "last_10", "map": {"chg": "change_pct(close)"}})
    chart, table = result_blocks(result)
    assert chart["type"] == "line-chart"
    assert [c["name"] for c in chart["columns"]] == [result["chart"]["x"], *result["chart"]["y"]]
    assert all(len(row) == 2 for row in chart["rows"]) and len(chart["rows"]) == 10
    assert len(table["columns"]) > 2


def test_scalar_and_values_become_metrics(sample_store: BarStore) -> None:
    [scalar] = result_blocks(_run(sample_store, {"where": "green()", "select": "count()"}))
    assert scalar["type"] == "metrics-grid"
    assert scalar["items"][0]["label"] == "count" and scalar["items"][0]["value"] > 0
    [values] = result_blocks(_run(sample_store, {"select": ["count()", "mean(volume)"]}))
    assert [i["label"] for i in values["items"]] == ["count", "mean_volume"]
    assert values["items"][0]["type"] == "integer"


def test_the_card_and_the_model_text(sample_store: BarStore) -> None:
    result = _run(sample_store, {"session": "RTH", "map": {"r": "range()"}, "sort": "r desc", "limit": 5})
    card = result_card(result, tool_call_id="toolu_1", title="Widest days")
    assert card["tool_call_id"] == "toolu_1" and card["title"] == "Widest days"
    assert card["query"] == result["query"] and card["source"]["session"] == "RTH"
    text = model_text(result)
    assert text.startswith(result["summary"])
    assert "session RTH" in text and "bars scanned" in text
    for row in result["rows"]:
        assert str(row[2]) not in text.replace(result["summary"], "")


def test_model_text_is_bounded_and_shows_warnings() -> None:
    result = {
        "kind": "table",
        "rows": [],
        "summary": "x" * 10_000,
        "warnings": ["period clipped to the data"],
    }
    text = model_text(result)
    assert len(text) <= MODEL_TEXT_LIMIT and text.endswith("[summary cut]")
    assert "Warning: period clipped" in model_text({**result, "summary": "3 rows"})


def _universe_run(store: BarStore, query: dict[str, Any]) -> dict[str, Any]:
    instrument = get_instrument("NQ")
    assert instrument is not None
    universe = StoreUniverse(store)
    if is_screen(query):
        return start_screen(query, universe, timeout_s=60).result()
    return run_query(query, instrument, StoreBars(store, "NQ"), timeout_s=60, universe=universe)


def test_a_screen_is_a_ranked_table_titled_with_its_size_and_a_bar_chart_of_the_ranking(
    sample_store: BarStore,
) -> None:
    result = _universe_run(sample_store, question("volatility_screen_all")["queries"][0])
    chart, table = result_blocks(result)
    assert table["title"] == "Screen of 8 instruments, ranked by vol_20d (highest first)"
    assert [c["name"] for c in table["columns"]] == ["rank", "instrument", "vol_20d"]
    assert chart["type"] == "bar-chart" and chart["x"] == "instrument" and chart["y"] == ["vol_20d"]
    assert chart["rows"] == [row[1:] for row in result["rows"]]
    vols = [row[1] for row in chart["rows"]]
    assert vols == sorted(vols, reverse=True)


def test_a_limited_list_screen_counts_the_instruments_it_screened(sample_store: BarStore) -> None:
    query = {
        "screen": ["nq", "ES", "CL", "es"],
        "map": {"r": "range()"},
        "select": {"avg_range": "mean(r)"},
        "sort": "avg_range",
        "limit": 1,
    }
    [table] = result_blocks(_universe_run(sample_store, query))  # one row: nothing to chart
    assert table["title"] == "Screen of 3 instruments, ranked by avg_range (lowest first)"
    assert len(table["rows"]) == 1


def test_prices_of_several_instruments_are_overlaid_as_change_since_the_first_row(
    sample_store: BarStore,
) -> None:
    query = {"period": "last_60", "map": {"es": "on('ES', close)"}, "columns": ["date", "close", "es"]}
    result = _universe_run(sample_store, query)
    overlay, table = result_blocks(result)
    assert overlay["type"] == "line-chart" and overlay["y"] == ["NQ", "ES"]
    assert overlay["title"] == f"NQ and ES, % change since {result['rows'][0][0]}"
    (_, nq0, es0), (day, nq, es) = result["rows"][0], result["rows"][-1]
    assert overlay["rows"][0][1:] == [0.0, 0.0]
    assert overlay["rows"][-1] == [
        day,
        pytest.approx((nq / nq0 - 1) * 100),
        pytest.approx((es / es0 - 1) * 100),
    ]
    assert table["rows"] == result["rows"]


def test_returns_of_two_instruments_get_a_scatter_beside_the_engine_chart(sample_store: BarStore) -> None:
    query = {
        "period": "last_60",
        "map": {"nq_r": "change_pct(close)", "es_r": "change_pct(on('ES', close))"},
        "columns": ["date", "nq_r", "es_r"],
    }
    result = _universe_run(sample_store, query)
    line, scatter, _ = result_blocks(result)
    assert line["type"] == "line-chart" and line["y"] == ["nq_r", "es_r"]  # the engine's own suggestion
    assert scatter["type"] == "scatter" and (scatter["x"], scatter["y"]) == ("nq_r", ["es_r"])
    assert scatter["title"] == "Returns: NQ (nq_r) against ES (es_r)"
    assert scatter["rows"] == [row[1:] for row in result["rows"] if None not in row]
    assert len(scatter["rows"]) >= 55


def test_a_ratio_and_its_z_score_are_not_taken_for_prices(sample_store: BarStore) -> None:
    result = _universe_run(sample_store, question("nq_es_ratio_zscore")["queries"][0])
    chart, _ = result_blocks(result)
    assert chart["type"] == "line-chart" and chart["y"] == ["ratio", "z"]


def test_a_workspace_screen_with_an_empty_workspace_asks_for_instruments(sample_store: BarStore) -> None:
    nq = get_instrument("NQ")
    assert nq is not None

    async def empty() -> list[str]:
        return []

    tools = EngineTools(nq, StoreBars(sample_store, "NQ"), 60, StoreUniverse(sample_store), empty)
    query = question("gap_fill_screen_workspace")["queries"][0]
    outcome = asyncio.run(tools("run_query", {"query": query, "title": "Gap fills"}, "toolu_1"))
    assert outcome.is_error and outcome.card is None
    assert 'name them in "screen" (a list) or use "all"' in outcome.content
