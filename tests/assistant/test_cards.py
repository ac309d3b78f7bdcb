"""Engine results (real, on the sample data) become UI blocks and a compact text for the model."""

from __future__ import annotations

from typing import Any

from data_store import BarStore
from shared.assistant.cards import MODEL_TEXT_LIMIT, model_text, result_blocks, result_card
from shared.market import get_instrument
from shared.script import StoreBars, run_query


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
