"""Shared measurement: weekly counts under 5 are left out everywhere, so nothing can be subtracted
back — not between tables, not between periods — and every table of one kind adds up the same."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from bot.analytics import Kind, UsageCount
from bot.db import create_all, make_engine
from desk.measurement import Fine, build_dashboard, leave_out_small, recent_weeks, table, to_csv

TODAY = date(2026, 11, 23)  # ISO week 2026-W48
WEEKS = recent_weeks(TODAY, 6)


def test_recent_weeks_are_iso_weeks_oldest_first() -> None:
    assert recent_weeks(TODAY, 3) == ("2026-W46", "2026-W47", "2026-W48")
    assert recent_weeks(date(2027, 1, 4), 2) == ("2026-W53", "2027-W01")


@pytest.fixture
def engine(tmp_path: Path):  # type: ignore[no-untyped-def]
    db = make_engine(f"sqlite:///{tmp_path / 'm.sqlite'}")
    create_all(db)
    yield db
    db.dispose()


def add(engine, rows) -> None:  # type: ignore[no-untyped-def]
    with Session(engine) as db:
        for kind, topic, language, state, week, count in rows:
            db.add(UsageCount(kind=kind, topic=topic, language=language, state=state, week=week, count=count))
        db.commit()


def test_a_small_count_cannot_be_recovered_by_subtracting_tables(engine) -> None:  # type: ignore[no-untyped-def]
    w = WEEKS[-1]
    add(
        engine,
        [
            (Kind.QUESTION, "asylum", "es", "MX-CHP", w, 14),
            (Kind.QUESTION, "asylum", "ht", "MX-CHP", w, 9),
            # 2 questions in K'iche' about violence: every table that could show them hides them
            (Kind.QUESTION, "violence", "quc", "MX-CHP", w, 2),
        ],
    )
    board = build_dashboard(engine, today=TODAY, weeks=4, threshold=5)

    quc = board.by_language.cell("quc")
    assert quc is not None and quc.count is None
    assert board.topics_by_week.cell("violence", w).count is None  # type: ignore[union-attr]
    # Chiapas had 25 questions, but 2 were in weekly cells under 5: 23 is shown, and every
    # table of questions adds up to the same 23 — nothing to subtract.
    assert board.by_state.cell("MX-CHP").count == 23  # type: ignore[union-attr]
    totals = {board.topics_by_week.total_shown, board.by_language.total_shown, board.by_state.total_shown}
    assert totals == {23}


def test_leaving_out_cascades_until_every_weekly_cell_is_zero_or_at_least_five() -> None:
    w = "2026-W48"
    counts = [
        Fine("asylum", "es", "MX-CHP", w, 6),
        Fine("asylum", "en", "MX-QUE", w, 3),  # English that week: 3 → left out …
        Fine("health", "es", "MX-QUE", w, 2),  # … and Querétaro: 3 + 2 → both left out
    ]
    kept, left = leave_out_small(counts, [("topic", "week"), ("language", "week"), ("state", "week")], 5)
    assert kept == [counts[0]]
    assert sorted(c.count for c in left) == [2, 3]
    states = table("s", ("state",), kept, left, 5)
    assert [(r.keys, r.count) for r in states.rows] == [(("MX-CHP",), 6), (("MX-QUE",), None)]


def test_a_longer_period_minus_a_shorter_one_never_reveals_a_small_count(engine) -> None:  # type: ignore[no-untyped-def]
    # 3 Haitian Creole questions eight weeks ago: in a 12-week view but not a 4-week one.
    add(
        engine,
        [
            (Kind.QUESTION, "asylum", "es", "MX-CHP", WEEKS[-1], 10),
            (Kind.QUESTION, "asylum", "ht", "MX-CHP", recent_weeks(TODAY, 9)[0], 3),
        ],
    )
    short = build_dashboard(engine, today=TODAY, weeks=4, threshold=5)
    long = build_dashboard(engine, today=TODAY, weeks=12, threshold=5)
    assert long.by_language.total_shown - short.by_language.total_shown == 0
    assert long.by_language.cell("ht").count is None  # type: ignore[union-attr]


def test_the_csv_shows_suppressed_values_as_under_five_and_totals_only_what_is_shown(engine) -> None:  # type: ignore[no-untyped-def]
    w = WEEKS[-1]
    add(
        engine,
        [
            (Kind.QUESTION, "shelter", "es", "MX-QUE", w, 8),
            (Kind.UNMET, "health", "es", "MX-QUE", w, 7),
            (Kind.UNMET, "legal_aid", "es", "MX-QUE", w, 3),
            (Kind.REFERRAL, "education", "es", "MX-QUE", w, 2),
        ],
    )
    rows = list(csv.reader(io.StringIO(to_csv(build_dashboard(engine, today=TODAY, weeks=4, threshold=5)))))
    assert rows[0] == ["table", "key_1", "key_2", "count"]
    unmet = [r for r in rows if r[0] == "unmet_by_state_topic"]
    assert ["unmet_by_state_topic", "MX-QUE", "legal_aid", "<5"] in unmet
    assert unmet[-1][1].startswith("total") and unmet[-1][3] == "7"
    assert ["referrals_by_topic", "education", "", "<5"] in rows
    assert not any(r[-1] in {"2", "3"} for r in rows[2:])  # the hidden values appear nowhere


def test_the_csv_cannot_carry_a_spreadsheet_formula() -> None:
    from desk.measurement import Dashboard

    weird = table("t", ("topic",), [Fine("=cmd()", "es", "MX-QUE", "2026-W48", 9)], [], 5)
    empty = table("e", ("topic",), [], [], 5)
    text = to_csv(Dashboard(("2026-W48",), 5, weird, empty, empty, empty, empty))
    assert "'=cmd()" in text and ",=cmd()" not in text


fine_rows = st.lists(
    st.builds(
        Fine,
        topic=st.sampled_from(["asylum", "health", "shelter"]),
        language=st.sampled_from(["es", "en", "ht", "quc"]),
        state=st.sampled_from(["MX-CHP", "MX-QUE", "MX-CMX", "unknown"]),
        week=st.sampled_from(["2026-W46", "2026-W47", "2026-W48"]),
        count=st.integers(min_value=1, max_value=12),
    ),
    max_size=40,
    unique_by=lambda f: (f.topic, f.language, f.state, f.week),
)


@settings(max_examples=200, deadline=None)
@given(fine_rows)
def test_property_no_number_shown_depends_on_a_small_weekly_count(rows: list[Fine]) -> None:
    weekly = [("topic", "week"), ("language", "week"), ("state", "week")]
    kept, left = leave_out_small(rows, weekly, 5)
    assert sorted(map(id, kept + left)) == sorted(map(id, rows))
    for dims in weekly:
        sums: dict[tuple[str, ...], int] = defaultdict(int)
        for c in kept:
            sums[c.key(dims)] += c.count
        assert all(total >= 5 for total in sums.values())
    tables = [table(n, (d,), kept, left, 5) for n, d in (("t", "topic"), ("l", "language"), ("s", "state"))]
    assert len({t.total_shown for t in tables}) == 1  # the same total: nothing to subtract
    true: dict[str, int] = defaultdict(int)
    for c in rows:
        true[c.language] += c.count
    for row in tables[1].rows:  # shown numbers are never above the real ones
        assert row.count is None or row.count <= true[row.keys[0]]
