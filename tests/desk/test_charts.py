"""Chart geometry: bars proportional to the counts; a suppressed count has no length to measure."""

from __future__ import annotations

from desk.charts import SUPPRESSED_MARK, bar_chart, sparkline


def test_bars_are_proportional_and_suppressed_ones_all_look_the_same() -> None:
    chart = bar_chart(
        [("a", 40), ("b", 10), ("c", None), ("d", None)], threshold=5, width=500, label_width=100
    )
    a, b, c, d = chart.bars
    assert a.length == chart.bar_area and b.length == chart.bar_area / 4
    assert (c.value, d.value) == ("<5", "<5")
    assert c.length == d.length == SUPPRESSED_MARK and c.suppressed
    assert [bar.y for bar in chart.bars] == sorted(bar.y for bar in chart.bars)


def test_sparkline_columns_by_week() -> None:
    spark = sparkline(
        [("W1", 10), ("W2", None), ("W3", False), ("W4", 5)], largest=10, threshold=5, height=30
    )
    heights = [c.height for c in spark.columns]
    assert heights[0] == 30 and heights[3] == 15 and heights[2] == 0
    assert spark.columns[1].suppressed and spark.columns[1].value == "<5"


def test_an_empty_chart_still_has_a_size() -> None:
    assert bar_chart([], threshold=5).height > 0
