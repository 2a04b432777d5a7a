"""Geometry for the dashboard's server-rendered SVG charts (the templates draw them).

A suppressed count has no length: it is drawn as a small outlined box of the same size whatever
it hides, labelled "<5", so the picture tells no more than the number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

SUPPRESSED_MARK = 10.0  # px: the outlined box standing for a suppressed count


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: str  # "42" or "<5"
    y: float
    length: float
    suppressed: bool


@dataclass(frozen=True, slots=True)
class BarChart:
    bars: tuple[Bar, ...]
    width: float
    height: float
    label_width: float
    bar_height: float
    bar_area: float

    @property
    def value_x(self) -> float:
        return self.label_width + 6


def bar_chart(
    items: Sequence[tuple[str, int | None]],
    *,
    threshold: int,
    width: float = 640,
    label_width: float = 220,
    bar_height: float = 22,
    gap: float = 8,
) -> BarChart:
    """Horizontal bars, one per ``(label, count)``; ``None`` is a suppressed count."""
    area = width - label_width - 60  # room for the number after the longest bar
    largest = max((c for _, c in items if c is not None), default=0)
    bars = []
    for i, (label, count) in enumerate(items):
        y = i * (bar_height + gap)
        if count is None:
            bars.append(Bar(label, f"<{threshold}", y, SUPPRESSED_MARK, True))
        else:
            length = area * count / largest if largest else 0.0
            bars.append(Bar(label, str(count), y, max(length, 1.0), False))
    height = max(len(bars) * (bar_height + gap) - gap, bar_height)
    return BarChart(tuple(bars), width, height, label_width, bar_height, area)


@dataclass(frozen=True, slots=True)
class Column:
    week: str
    value: str  # "" for none, "12", "<5"
    x: float
    height: float
    suppressed: bool


@dataclass(frozen=True, slots=True)
class Spark:
    columns: tuple[Column, ...]
    width: float
    height: float
    column_width: float


def sparkline(
    values: Sequence[tuple[str, int | bool | None]],
    *,
    largest: int,
    threshold: int,
    column_width: float = 14,
    gap: float = 3,
    height: float = 32,
) -> Spark:
    """Small columns, one per week: ``(week, count)``; ``None`` suppressed, ``False`` none."""
    columns = []
    for i, (week, count) in enumerate(values):
        x = i * (column_width + gap)
        if count is None:
            columns.append(Column(week, f"<{threshold}", x, 4.0, True))
        elif count is False or count == 0:
            columns.append(Column(week, "", x, 0.0, False))
        else:
            h = height * int(count) / largest if largest else 0.0
            columns.append(Column(week, str(int(count)), x, max(h, 2.0), False))
    width = max(len(columns) * (column_width + gap) - gap, column_width)
    return Spark(tuple(columns), width, height, column_width)
