"""The shared measurement dashboard (coordinators): charts, tables and the CSV download."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from bot.dialogue.menus import topic_label
from desk.charts import BarChart, Spark, bar_chart, sparkline
from desk.context import Desk
from desk.guard import Visitor
from desk.measurement import Dashboard, Table, build_dashboard, shown, to_csv
from desk.text import language_name

PERIODS = (4, 12, 26, 52)  # weeks
DEFAULT_PERIOD = 12


@dataclass(frozen=True, slots=True)
class TopicRow:
    label: str
    spark: Spark
    total: int
    suppressed: int


def _weeks(request: Request) -> int:
    raw = request.query_params.get("weeks", "")
    return int(raw) if raw.isdigit() and int(raw) in PERIODS else DEFAULT_PERIOD


class DashboardPages:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    def _build(self, weeks: int) -> Dashboard:
        return build_dashboard(
            self.desk.db, today=self.desk.today(), weeks=weeks, threshold=self.desk.policy.suppress_below
        )

    def _state(self, code: str, visitor: Visitor) -> str:
        place = self.desk.gazetteer.state(code)
        return place.name if place else visitor.text.gettext("State not given")

    def _label(self, dimension: str, value: str, visitor: Visitor) -> str:
        if dimension == "topic":
            return topic_label(visitor.text.catalog, value)
        if dimension == "language":
            return language_name(value)
        if dimension == "state":
            return self._state(value, visitor)
        return value

    def _chart(self, table: Table, visitor: Visitor) -> BarChart:
        items = [
            (
                " — ".join(self._label(d, v, visitor) for d, v in zip(table.dimensions, r.keys, strict=True)),
                r.count,
            )
            for r in table.rows
        ]
        return bar_chart(items, threshold=table.threshold)

    def _topic_rows(self, dashboard: Dashboard, visitor: Visitor) -> list[TopicRow]:
        table = dashboard.topics_by_week
        largest = table.largest
        rows = []
        for topic in table.values(0):
            values: list[tuple[str, int | bool | None]] = []
            for week in dashboard.weeks:
                cell = table.cell(topic, week)
                values.append((week, False if cell is None else cell.count))
            rows.append(
                TopicRow(
                    label=topic_label(visitor.text.catalog, topic),
                    spark=sparkline(values, largest=largest, threshold=table.threshold),
                    total=table.total_for(0, topic),
                    suppressed=sum(1 for r in table.rows if r.keys[0] == topic and r.count is None),
                )
            )
        return rows

    async def page(self, request: Request, visitor: Visitor) -> Response:
        weeks = _weeks(request)
        dashboard = await asyncio.to_thread(self._build, weeks)
        labelled = {
            table.name: [
                (
                    [self._label(d, v, visitor) for d, v in zip(table.dimensions, row.keys, strict=True)],
                    shown(row, table.threshold),
                    row.suppressed,
                )
                for row in table.rows
            ]
            for table in dashboard.tables
        }
        return self.desk.render(
            request,
            visitor,
            "dashboard.html",
            {
                "dashboard": dashboard,
                "weeks": weeks,
                "periods": PERIODS,
                "topic_rows": self._topic_rows(dashboard, visitor),
                "chart_data": {
                    "language": self._chart(dashboard.by_language, visitor),
                    "state": self._chart(dashboard.by_state, visitor),
                    "unmet": self._chart(dashboard.unmet_by_state_topic, visitor),
                    "referrals": self._chart(dashboard.referrals_by_topic, visitor),
                },
                "labelled": labelled,
            },
            title=visitor.text.gettext("Shared measurement"),
        )

    async def csv(self, request: Request, visitor: Visitor) -> Response:
        weeks = _weeks(request)
        dashboard = await asyncio.to_thread(self._build, weeks)
        name = f"brujula-measurement-{dashboard.weeks[0]}-{dashboard.weeks[-1]}.csv"
        return Response(
            to_csv(dashboard),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
