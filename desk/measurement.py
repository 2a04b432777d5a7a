"""Shared measurement: the anonymous usage counts (``bot.analytics.UsageCount``) as tables a
coordinator can read and download, with small counts suppressed so that no one can be singled out.

**Suppression.** The counts are stored per (kind, topic, language, state, ISO week). A table
shows one kind over the chosen weeks, grouped by one or two of topic / language / state / week.
Hiding the small cells of each table is not enough: the tables of one kind count the same
events, so "total of one table minus the shown cells of another" would give a hidden count back,
and so would "last 12 weeks minus last 4 weeks". So suppression is done once, at the source:

1. For each kind, every *weekly* cell of every table of that kind is computed — (topic, week),
   (language, week), (state, week) for questions; (state, topic, week) for unmet needs; (topic,
   week) for referrals.
2. Every stored count that falls in a weekly cell under the threshold (5) is *left out* — of that
   cell and of every other cell and total. Leaving counts out can make another weekly cell
   small; that is repeated until every weekly cell is either 0 or at least 5.
3. The tables are then summed from what is left. Every number shown is an exact count of the
   events that were kept, every table of a kind adds up to the same total, and any difference
   between two numbers (two tables, two periods) is a sum of weekly cells of 5 or more. A value
   whose events were all left out is shown as "<5" (fewer than 5 a week) and counts as nothing.

The counts hold no text, no ids and no place finer than a state.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Engine, func, select

from bot.analytics import Kind, UsageCount

DIMENSIONS = ("topic", "language", "state", "week")


@dataclass(frozen=True, slots=True)
class Fine:
    """One stored count: a topic asked in a language, in a state, in a week."""

    topic: str
    language: str
    state: str
    week: str
    count: int

    def key(self, dimensions: Sequence[str]) -> tuple[str, ...]:
        return tuple(str(getattr(self, d)) for d in dimensions)


@dataclass(frozen=True, slots=True)
class Row:
    keys: tuple[str, ...]
    count: int | None  # None: every event here was in a weekly cell under the threshold

    @property
    def suppressed(self) -> bool:
        return self.count is None


@dataclass(frozen=True, slots=True)
class Table:
    name: str  # stable id, also in the CSV: "questions_by_topic_week"…
    dimensions: tuple[str, ...]  # of "topic", "language", "state", "week"
    rows: tuple[Row, ...]
    threshold: int

    @property
    def total_shown(self) -> int:
        return sum(r.count for r in self.rows if r.count is not None)

    @property
    def suppressed(self) -> int:
        return sum(1 for r in self.rows if r.count is None)

    @property
    def largest(self) -> int:
        return max((r.count for r in self.rows if r.count is not None), default=0)

    def values(self, position: int) -> list[str]:
        """The distinct values of one dimension, in the rows' order."""
        seen: dict[str, None] = {}
        for row in self.rows:
            seen.setdefault(row.keys[position], None)
        return list(seen)

    def cell(self, *keys: str) -> Row | None:
        return next((r for r in self.rows if r.keys == keys), None)

    def total_for(self, position: int, value: str) -> int:
        """Sum of the shown counts whose dimension ``position`` is ``value``."""
        return sum(r.count for r in self.rows if r.keys[position] == value and r.count is not None)


@dataclass(frozen=True, slots=True)
class Dashboard:
    weeks: tuple[str, ...]  # oldest first
    threshold: int
    topics_by_week: Table
    by_language: Table
    by_state: Table
    unmet_by_state_topic: Table
    referrals_by_topic: Table

    @property
    def tables(self) -> tuple[Table, ...]:
        return (
            self.topics_by_week,
            self.by_language,
            self.by_state,
            self.unmet_by_state_topic,
            self.referrals_by_topic,
        )


def recent_weeks(today: date, count: int) -> tuple[str, ...]:
    """The last ``count`` ISO weeks up to the one holding ``today``, oldest first."""
    weeks = []
    for back in range(count - 1, -1, -1):
        year, week, _ = (today - timedelta(weeks=back)).isocalendar()
        weeks.append(f"{year}-W{week:02d}")
    return tuple(weeks)


def leave_out_small(
    counts: Sequence[Fine], weekly: Sequence[tuple[str, ...]], threshold: int
) -> tuple[list[Fine], list[Fine]]:
    """``(kept, left_out)``: every weekly cell (for each grouping in ``weekly``, each including
    ``"week"``) of the kept counts is 0 or at least ``threshold``."""
    kept = [c for c in counts if c.count > 0]
    left: list[Fine] = []
    while True:
        small: list[set[tuple[str, ...]]] = []
        for dims in weekly:
            sums: dict[tuple[str, ...], int] = defaultdict(int)
            for c in kept:
                sums[c.key(dims)] += c.count
            small.append({key for key, total in sums.items() if total < threshold})
        out = [c for c in kept if any(c.key(dims) in s for dims, s in zip(weekly, small, strict=True))]
        if not out:
            return kept, left
        left += out
        gone = {id(c) for c in out}
        kept = [c for c in kept if id(c) not in gone]


def table(
    name: str,
    dimensions: tuple[str, ...],
    kept: Sequence[Fine],
    left: Sequence[Fine],
    threshold: int,
    *,
    order: str = "count",
) -> Table:
    """Sum the kept counts by ``dimensions``; a value seen only in left-out counts is "<N".

    ``order="count"``: largest first, suppressed last; ``order="keys"``: by the keys.
    """
    sums: dict[tuple[str, ...], int] = defaultdict(int)
    for c in kept:
        sums[c.key(dimensions)] += c.count
    rows = [Row(key, total) for key, total in sums.items()]
    rows += [Row(key, None) for key in {c.key(dimensions) for c in left} if key not in sums]
    if order == "count":
        rows.sort(key=lambda r: (r.count is None, -(r.count or 0), r.keys))
    else:
        rows.sort(key=lambda r: r.keys)
    return Table(name=name, dimensions=dimensions, rows=tuple(rows), threshold=threshold)


def _fine(engine: Engine, kind: Kind, weeks: Sequence[str]) -> list[Fine]:
    t = UsageCount.__table__  # type: ignore[attr-defined]
    query = (
        select(t.c.topic, t.c.language, t.c.state, t.c.week, func.sum(t.c.count))
        .where(t.c.kind == kind, t.c.week.in_(list(weeks)))
        .group_by(t.c.topic, t.c.language, t.c.state, t.c.week)
    )
    with engine.connect() as conn:
        return [Fine(str(a), str(b), str(c), str(d), int(n or 0)) for a, b, c, d, n in conn.execute(query)]


def build_dashboard(engine: Engine, *, today: date, weeks: int, threshold: int) -> Dashboard:
    span = recent_weeks(today, weeks)

    questions, q_left = leave_out_small(
        _fine(engine, Kind.QUESTION, span),
        [("topic", "week"), ("language", "week"), ("state", "week")],
        threshold,
    )
    unmet, u_left = leave_out_small(_fine(engine, Kind.UNMET, span), [("state", "topic", "week")], threshold)
    referrals, r_left = leave_out_small(_fine(engine, Kind.REFERRAL, span), [("topic", "week")], threshold)
    return Dashboard(
        weeks=span,
        threshold=threshold,
        topics_by_week=_topic_week(
            table("questions_by_topic_week", ("topic", "week"), questions, q_left, threshold, order="keys")
        ),
        by_language=table("questions_by_language", ("language",), questions, q_left, threshold),
        by_state=table("questions_by_state", ("state",), questions, q_left, threshold),
        unmet_by_state_topic=table("unmet_by_state_topic", ("state", "topic"), unmet, u_left, threshold),
        referrals_by_topic=table("referrals_by_topic", ("topic",), referrals, r_left, threshold),
    )


def _topic_week(by_keys: Table) -> Table:
    """Topics ordered by their shown total (most asked first), weeks in time order."""
    totals = {topic: by_keys.total_for(0, topic) for topic in by_keys.values(0)}
    rows = sorted(by_keys.rows, key=lambda r: (-totals[r.keys[0]], r.keys[0], r.keys[1]))
    return Table(by_keys.name, by_keys.dimensions, tuple(rows), by_keys.threshold)


def shown(row: Row, threshold: int) -> str:
    return str(row.count) if row.count is not None else f"<{threshold}"


def _cell(value: str) -> str:
    """No spreadsheet formulas: a value starting with = + - @ is prefixed with an apostrophe."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def to_csv(dashboard: Dashboard) -> str:
    """One CSV for every table: ``table,key_1,key_2,count``. Suppressed values are "<5"; each
    table ends with the total of the counts kept (the same for every table of one kind)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["table", "key_1", "key_2", "count"])
    writer.writerow(["weeks", dashboard.weeks[0], dashboard.weeks[-1], len(dashboard.weeks)])
    for t in dashboard.tables:
        for row in t.rows:
            keys = [_cell(k) for k in [*row.keys, ""][:2]]
            writer.writerow([t.name, *keys, shown(row, t.threshold)])
        writer.writerow([t.name, f"total (weekly counts under {t.threshold} left out)", "", t.total_shown])
    return out.getvalue()
