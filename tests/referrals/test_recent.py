"""Searches kept a few seconds for the same question in the same minute, and no longer."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, event

from referrals.index import rebuild
from referrals.recent import RecentResults
from referrals.sql_finder import SqlReferralFinder
from tests.referrals.builders import location, organization, service
from tests.referrals.test_finder import PLACES, TUESDAY_11, _registry


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_result_is_kept_for_its_seconds_and_its_generation_only() -> None:
    clock, generation = Clock(), [1]
    recent: RecentResults[str] = RecentResults(30, lambda: generation[0], clock=clock)
    recent.put("q", "answer", 1)
    clock.now += 29
    assert recent.get("q") == "answer"
    clock.now += 1
    assert recent.get("q") is None  # 30 s: a change elsewhere has reached this worker by now
    recent.put("q", "answer", 1)
    generation[0] = 2  # the registry was rebuilt in this process
    assert recent.get("q") is None


def test_the_oldest_results_make_room_and_zero_seconds_keeps_nothing() -> None:
    recent: RecentResults[int] = RecentResults(30, lambda: 0, size=2)
    for n in range(3):
        recent.put(n, n, 0)
    assert [recent.get(n) for n in range(3)] == [None, 1, 2]
    off: RecentResults[int] = RecentResults(0, lambda: 0)
    off.put("q", 1, 0)
    assert off.get("q") is None


class Statements:
    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self.seen)

    def seen(self, *_: object) -> None:
        self.count += 1


def clinic(status: str) -> list[dict[str, object]]:
    place = location("centro", "a", state="MX-QUE", municipality="Querétaro", lat=20.593, lon=-100.392)
    return [
        organization("a", locations=[place], services=[service("clinic", "a", at=["centro"], status=status)])
    ]


class Asking:
    """A finder that keeps results, over a registry of one clinic in Querétaro."""

    def __init__(self, tmp_path: Path, db: Engine) -> None:
        _registry(tmp_path, db, clinic("active"))
        self.finder = SqlReferralFinder(db, remember_for=30)
        self.statements = Statements(db)

    async def ask(self, **change: object) -> tuple[list[bool | None], int]:
        """The clinic's "open now" in the answer, and the SQL statements it took."""
        before = self.statements.count
        question: dict[str, object] = {
            "intent": "health",
            "place": PLACES.by_name("Querétaro, Querétaro"),
            "language": "es",
            "now": TUESDAY_11,
        }
        result = await self.finder.find(**{**question, **change})  # type: ignore[arg-type]
        return [r.open_now for r in result.referrals], self.statements.count - before


async def test_the_same_question_in_the_same_minute_is_answered_from_memory(
    tmp_path: Path, db: Engine
) -> None:
    asking = Asking(tmp_path, db)
    first, searched = await asking.ask()
    assert first and searched > 0
    assert await asking.ask(now=TUESDAY_11 + timedelta(seconds=59)) == (first, 0)  # same minute: no SQL
    assert (await asking.ask(now=TUESDAY_11 + timedelta(minutes=1)))[1] > 0  # open now may differ
    assert (await asking.ask(language="en"))[1] > 0  # another question
    # A coordinator closes the clinic (written in this process): the next answer says so.
    _registry(tmp_path, db, clinic("temporarily closed"))
    closed, searched = await asking.ask()
    assert searched > 0 and closed == [False]


async def test_a_search_during_a_registry_change_is_not_kept_past_its_commit(
    tmp_path: Path, db: Engine
) -> None:
    asking = Asking(tmp_path, db)
    with db.begin() as conn:  # a coordinator's change, not committed yet
        rebuild(conn, ["clinic"])
        assert (await asking.ask())[1] > 0  # reads (and keeps) the rows as they still are
        assert (await asking.ask())[1] == 0
    assert (await asking.ask())[1] > 0  # committed: what was kept is stale
