"""The inbox (bot/inbox.py, bot/inbox_worker.py) on SQLite and PostgreSQL: stored before 200,
handled once, in order per person across several workers, and finished by another worker when
the one that had a message died."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, inspect, select, text

from bot.db import create_all, loop_engine, make_engine
from bot.identity import Pseudonymizer
from bot.inbox import InboxMessage, MemoryInbox, NewMessage, Pending, SqlInbox, State
from bot.inbox_worker import Deliveries, InboxWorker, Received, outbound_from_json, outbound_to_json
from bot.messages import Choice, Inbound, Location, Outbound
from bot.pg_direct import DirectEngine
from bot.sealing import Sealer
from bot.sessions import ConversationSession, SqlSessionStore

SEALER = Sealer("test-secret")
KEYS = Pseudonymizer("test-secret")
PAST = datetime(2020, 1, 1, tzinfo=UTC)


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        # as `brujula serve` runs it on PostgreSQL: psycopg's connections on the event loop
        pytest.param("postgres-direct", marks=pytest.mark.postgres),
    ]
)
def databases(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Engine | DirectEngine, Engine]]:
    """The engine the inbox is given, and a SQLAlchemy engine on the same database (to look at
    it from outside a message's calls)."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'inbox.db'}")
    else:
        engine = make_engine(request.getfixturevalue("postgres_url"))
        with engine.begin() as conn:  # a clean schema: migrations run from scratch
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    create_all(engine)
    given = loop_engine(engine) if request.param == "postgres-direct" else engine
    yield given, engine
    given.dispose()
    engine.dispose()


@pytest.fixture
def db(databases: tuple[Engine | DirectEngine, Engine]) -> Engine | DirectEngine:
    return databases[0]


@pytest.fixture
def plain(databases: tuple[Engine | DirectEngine, Engine]) -> Engine:
    return databases[1]


class Person:
    """Records what the engine was asked and what reached the channel."""

    def __init__(self) -> None:
        self.handled: list[str] = []
        self.sent: list[tuple[str, str]] = []  # (user, reply text)

    async def handle(self, inbound: Inbound) -> list[Outbound]:
        self.handled.append(inbound.text)
        await asyncio.sleep(0)  # let other tasks (and workers) interleave
        return [Outbound(f"re:{inbound.text}")]

    async def respond(
        self, sid: str, message: Received, replies: list[Outbound], deliveries: Deliveries
    ) -> None:
        for r in replies:  # one channel send a reply
            if await deliveries.next():
                self.sent.append((message.inbound.user_id, r.text))


def worker(inbox: SqlInbox | MemoryInbox, person: Person, **kwargs: object) -> InboxWorker:
    return InboxWorker(
        channel="whatsapp",
        inbox=inbox,
        handle=person.handle,
        respond=person.respond,
        sealer=SEALER,
        pseudonymize=KEYS,
        **kwargs,  # type: ignore[arg-type]
    )


def message(user: str, text: str, mid: str) -> tuple[str, Received]:
    return (f"sid-{user}", Received(Inbound.from_text("whatsapp", user, text, mid), {"sent_at": "x"}))


def new(mid: str, sid: str = "s1") -> NewMessage:
    return NewMessage("whatsapp", mid, sid, SEALER.seal("{}"))


def left_by(dead: InboxWorker, user: str, text: str, mid: str) -> NewMessage:
    """The row a worker stored before it was killed: the sealed payload as it writes it."""
    payload = {"in": {"channel": "whatsapp", "user": user, "kind": "text", "text": text, "id": mid}}
    return NewMessage("whatsapp", dead.key(mid), f"sid-{user}", dead._seal(payload))


# -- the store -------------------------------------------------------------------------------------


def test_rows_hold_no_plain_text_and_are_emptied_when_done(db: Engine, plain: Engine) -> None:
    person = Person()
    inbox = SqlInbox(db)

    async def go() -> None:
        w = worker(inbox, person)
        await w.submit([message("5215550001", "necesito un doctor", "wamid.1")])
        await w.join()

    asyncio.run(go())
    with plain.connect() as conn:
        (row,) = conn.execute(select(InboxMessage)).all()
    assert row.state == State.DONE and row.payload is None and row.replies is None
    assert row.session_id == "sid-5215550001" and row.message_id == KEYS("whatsapp", "wamid.1")
    assert "wamid.1" not in row.message_id  # a wamid carries the sender's phone number
    columns = {c["name"] for c in inspect(plain).get_columns("inbox_message")}
    assert "text" not in columns and "user_id" not in columns


async def test_a_message_id_is_stored_once_per_channel(db: Engine) -> None:
    inbox = SqlInbox(db)
    assert await inbox.receive([new("m1"), new("m1"), new("m2")]) == [True, False, True]
    assert await inbox.receive([new("m1")]) == [False]
    other = NewMessage("telegram", "m1", "s1", "x")
    assert await inbox.receive([other]) == [True]  # another channel's id space


async def test_the_lease_is_one_workers_until_it_expires_or_is_released(db: Engine) -> None:
    inbox = SqlInbox(db)
    soon = datetime.now(UTC) + timedelta(minutes=5)
    assert await inbox.acquire("s1", "a", soon)
    assert await inbox.acquire("s1", "a", soon)  # renewing one's own lease
    assert not await inbox.acquire("s1", "b", soon)
    await inbox.release("s1", "b")  # not b's to release
    assert not await inbox.acquire("s1", "b", soon)
    assert await inbox.release("s1", "a") is False  # nothing pending for s1
    assert await inbox.claim("s1", "b", soon) == (True, None)
    await inbox.receive([new("m1")])
    assert (await inbox.claim("s1", "a", soon)) == (False, None)
    acquired, first = await inbox.claim("s1", "b", soon)
    assert acquired and first is not None
    assert await inbox.release("s1", "b") is True  # m1 is still pending
    assert await inbox.acquire("s2", "a", PAST)  # a lease that has already run out…
    assert await inbox.acquire("s2", "b", soon)  # …is anyone's


async def test_concurrent_acquires_succeed_exactly_once(db: Engine) -> None:
    inbox = SqlInbox(db)
    until = datetime.now(UTC) + timedelta(minutes=5)
    for n in range(5):  # eight at once: in threads, or on as many connections of the event loop
        won = await asyncio.gather(*(inbox.acquire(f"race{n}", f"w{i}", until) for i in range(8)))
        assert sorted(won) == [False] * 7 + [True]


async def test_concurrent_claims_give_the_oldest_message_to_exactly_one_worker(db: Engine) -> None:
    inbox = SqlInbox(db)
    until = datetime.now(UTC) + timedelta(minutes=5)
    await inbox.receive([new("m1"), new("m2")])
    claims = await asyncio.gather(*(inbox.claim("s1", f"w{i}", until) for i in range(8)))
    won = [row for acquired, row in claims if acquired]
    assert len(won) == 1 and won[0] is not None
    oldest = await inbox.next("s1")
    assert oldest is not None and won[0].id == oldest.id
    assert [row for acquired, row in claims if not acquired] == [None] * 7
    await inbox.acquire("s2", "dead", PAST)  # a worker that died with the lease…
    await inbox.receive([new("m3", sid="s2")])
    acquired, row = await inbox.claim("s2", "w0", until)  # …is taken over, with its message
    assert acquired and row is not None and row.state is State.RECEIVED


async def test_pending_messages_come_in_the_order_received(db: Engine) -> None:
    inbox = SqlInbox(db)
    await inbox.receive([new("m1"), new("m2"), new("x", sid="s2"), new("m3")])
    first = await inbox.next("s1")
    assert first is not None and first.state is State.RECEIVED
    await inbox.answered(first.id, "sealed")
    again = await inbox.next("s1")
    assert again is not None and again.id == first.id and again.state is State.ANSWERED
    assert await inbox.acquire("s1", "a", datetime.now(UTC) + timedelta(minutes=1))
    second, released = await inbox.done(first.id, "s1", "a")
    assert second is not None and second.id > first.id and not released
    assert await inbox.next("s1") == second
    third, released = await inbox.done(second.id, "s1", "a")
    assert third is not None and third.id > second.id and not released
    assert await inbox.done(third.id, "s1", "a") == (None, True)  # nothing left: the lease is given back
    assert await inbox.next("s1") is None
    assert await inbox.acquire("s1", "b", datetime.now(UTC) + timedelta(minutes=1))
    assert await inbox.prune(datetime.now(UTC) + timedelta(seconds=1)) == 3
    assert await inbox.receive([new("m1")]) == [True]  # pruned: no duplicate can come that late


# -- several workers -------------------------------------------------------------------------------


async def test_two_workers_handle_each_persons_messages_once_and_in_order(db: Engine) -> None:
    person = Person()
    workers = [worker(SqlInbox(db), person), worker(SqlInbox(db), person)]
    users = [f"52155500{u:02d}" for u in range(6)]
    for i in range(8):  # each person's messages alternate between the two workers
        for u, user in enumerate(users):
            w = workers[(i + u) % 2]
            await w.submit([message(user, f"{user}:{i}", f"wamid.{user}.{i}")])
        if i == 3:  # WhatsApp delivers a few again
            await workers[1].submit([message(users[0], f"{users[0]}:0", f"wamid.{users[0]}.0")])
    for w in workers:
        await w.join()
    for w in workers:
        await w.join()
    for user in users:
        expected = [f"{user}:{i}" for i in range(8)]
        assert [t for t in person.handled if t.startswith(user)] == expected
        assert [t for u, t in person.sent if u == user] == [f"re:{t}" for t in expected]
    assert len(person.handled) == len(users) * 8


async def test_a_message_stored_by_a_worker_that_died_is_finished_by_the_sweep(db: Engine) -> None:
    """The trap: a dead worker's message must not be lost, nor its retry taken for a duplicate."""
    person = Person()
    inbox = SqlInbox(db)
    dead = worker(inbox, person)
    # The dead worker stored the message and took the lease, then was killed (kill -9): nothing
    # more happened. Its lease runs out (here: it was taken until a moment already past).
    await inbox.receive([left_by(dead, "5215550001", "hola", "wamid.1")])
    assert await inbox.acquire("sid-5215550001", dead.owner, PAST)
    later = datetime.now(UTC) + timedelta(minutes=5)
    alive = worker(inbox, person, clock=lambda: later)
    assert await alive.sweep() == 1
    await alive.join()
    assert person.handled == ["hola"] and person.sent == [("5215550001", "re:hola")]
    assert await alive.sweep() == 0
    # WhatsApp's retry of the same message: answered once, not again.
    await alive.submit([message("5215550001", "hola", "wamid.1")])
    await alive.join()
    assert person.handled == ["hola"]


async def test_the_retry_of_a_dead_workers_message_completes_it(db: Engine) -> None:
    person = Person()
    inbox = SqlInbox(db)
    first, second = worker(inbox, person), worker(inbox, person)
    await inbox.receive([left_by(first, "1", "auxilio", "wamid.9")])
    assert await inbox.acquire("sid-1", first.owner, PAST)  # first died holding an expired lease
    await second.submit([message("1", "auxilio", "wamid.9")])  # the channel delivers it again
    await second.join()
    assert person.handled == ["auxilio"] and person.sent == [("1", "re:auxilio")]


async def test_a_live_lease_is_not_taken_over(db: Engine) -> None:
    person = Person()
    inbox = SqlInbox(db)
    await inbox.receive([new("m1", sid="sid-1")])
    assert await inbox.acquire("sid-1", "busy-worker", datetime.now(UTC) + timedelta(minutes=5))
    later = datetime.now(UTC) + timedelta(minutes=1)
    other = worker(inbox, person, clock=lambda: later)
    assert await other.sweep() == 0
    other.kick("sid-1")
    await other.join()
    assert person.handled == []


async def test_a_message_answered_before_the_worker_died_is_sent_not_handled_again(db: Engine) -> None:
    person = Person()
    inbox = SqlInbox(db)
    dead = worker(inbox, person)
    await inbox.receive([left_by(dead, "1", "hola", "wamid.1")])
    row = await inbox.next("sid-1")
    assert row is not None
    await inbox.answered(row.id, dead._seal([outbound_to_json(Outbound("ya respondido"))]))
    assert await inbox.acquire("sid-1", dead.owner, PAST)
    later = datetime.now(UTC) + timedelta(minutes=5)
    alive = worker(inbox, person, clock=lambda: later)
    await alive.sweep()
    await alive.join()
    assert person.handled == []  # the session already moved on: not handled twice
    assert person.sent == [("1", "ya respondido")]


async def test_a_renewal_never_takes_back_a_lease_given_up_or_taken_over(db: Engine) -> None:
    inbox = SqlInbox(db)
    soon = datetime.now(UTC) + timedelta(minutes=1)
    assert not await inbox.renew("s1", "a", soon)  # nobody's: a renewal does not take it
    assert await inbox.acquire("s1", "a", soon)
    assert await inbox.renew("s1", "a", soon + timedelta(minutes=1))
    assert not await inbox.renew("s1", "b", soon)
    await inbox.release("s1", "a")
    assert not await inbox.renew("s1", "a", soon)
    assert await inbox.acquire("s1", "b", soon)


async def test_a_worker_killed_between_two_sends_is_followed_by_the_rest_only(db: Engine) -> None:
    """kill -9 after the first of three replies went out: the next worker sends the other two."""
    inbox = SqlInbox(db)
    killed = asyncio.Event()

    class Killed(Person):
        async def handle(self, inbound: Inbound) -> list[Outbound]:
            self.handled.append(inbound.text)
            return [Outbound("uno"), Outbound("dos"), Outbound("tres")]

        async def respond(
            self, sid: str, message: Received, replies: list[Outbound], deliveries: Deliveries
        ) -> None:
            for r in replies:
                if await deliveries.next():
                    if len(self.sent) == 1:  # the process dies here: nothing after this runs
                        killed.set()
                        await asyncio.Event().wait()
                    self.sent.append((message.inbound.user_id, r.text))

    first = Killed()
    dying = worker(inbox, first, lease=timedelta(seconds=30))
    await dying.submit([message("1", "hola", "wamid.1")])
    await asyncio.wait_for(killed.wait(), 10)
    for task in list(dying._tasks):  # the kill: its tasks stop where they are, no clean-up runs
        task.cancel()
    await asyncio.gather(*dying._tasks, return_exceptions=True)
    assert first.sent == [("1", "uno")]
    row = await inbox.next("sid-1")
    assert row is not None and row.state is State.ANSWERED and row.sent == 1

    second = Person()
    later = datetime.now(UTC) + timedelta(minutes=5)  # the dead worker's lease has run out
    alive = worker(inbox, second, clock=lambda: later)
    assert await alive.sweep() == 1
    await alive.join()
    assert second.handled == []  # answered already: not handled again
    assert second.sent == [("1", "dos"), ("1", "tres")]  # "uno" is not sent twice
    assert await inbox.next("sid-1") is None


async def test_a_session_is_written_with_the_replies_it_produced_or_not_at_all(db: Engine) -> None:
    """kill -9 after the engine saved the session but before the replies were stored: the message
    is handled again, and must find the session as it was (or it gets another answer, or none)."""
    sessions = SqlSessionStore(db)

    class Steps(Person):  # a conversation that moves one step on with each message
        async def handle(self, inbound: Inbound) -> list[Outbound]:
            session = await sessions.get("sid-1") or ConversationSession(id="sid-1", channel="whatsapp")
            session.topic = str(int(session.topic or 0) + 1)
            await sessions.save(session)
            return [Outbound(f"paso {session.topic}")]

    reached = asyncio.Event()

    class DiesBeforeTheReplies(SqlInbox):
        async def answered(self, message: int, replies: str, sessions: Sequence[dict[str, Any]] = ()) -> None:
            reached.set()
            await asyncio.Event().wait()  # the process is killed here

    first = Steps()
    dying = worker(DiesBeforeTheReplies(db), first)
    await dying.submit([message("1", "hola", "wamid.1")])
    await asyncio.wait_for(reached.wait(), 10)
    for task in list(dying._tasks):
        task.cancel()
    await asyncio.gather(*dying._tasks, return_exceptions=True)
    assert await sessions.get("sid-1") is None  # not saved without its replies

    second = Steps()
    later = datetime.now(UTC) + timedelta(minutes=5)
    alive = worker(SqlInbox(db), second, clock=lambda: later)
    assert await alive.sweep() == 1
    await alive.join()
    assert second.sent == [("1", "paso 1")]  # the same answer the first worker had
    saved = await sessions.get("sid-1")
    assert saved is not None and saved.topic == "1"
    # Outside the inbox (web chat, console) a save writes at once, as before.
    await Steps().handle(Inbound.from_text("web", "1", "otra", "w1"))
    saved = await sessions.get("sid-1")
    assert saved is not None and saved.topic == "2"


async def test_the_session_comes_with_the_message_and_is_the_one_stored(db: Engine) -> None:
    sessions = SqlSessionStore(db)
    reads: list[str] = []

    def seen(conn: object, cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().startswith("SELECT conversation_session"):
            reads.append(statement)  # a read of the session on its own

    if not isinstance(db, Engine):
        pytest.skip("counts the statements through SQLAlchemy's events; the same code on both engines")
    event.listen(db, "before_cursor_execute", seen)

    class Steps(Person):
        async def handle(self, inbound: Inbound) -> list[Outbound]:
            session = await sessions.get("sid-1") or ConversationSession(id="sid-1", channel="whatsapp")
            session.topic = str(int(session.topic or 0) + 1)
            session.place = inbound.text
            await sessions.save(session)
            return [Outbound(f"paso {session.topic} tras {inbound.text}")]

    person = Steps()
    one = worker(SqlInbox(db), person)
    # several messages at once: the next one comes with the session the previous one saved
    await one.submit([message("1", "uno", "wamid.1"), message("1", "dos", "wamid.2")])
    await one.join()
    await one.submit([message("1", "tres", "wamid.3")])
    await one.join()
    assert person.sent == [("1", "paso 1 tras uno"), ("1", "paso 2 tras dos"), ("1", "paso 3 tras tres")]
    assert reads == []
    stored = await sessions.get("sid-1")
    assert stored is not None and (stored.topic, stored.place) == ("3", "tres")


async def test_an_unreadable_payload_does_not_block_the_person(db: Engine) -> None:
    person = Person()
    inbox = SqlInbox(db)
    await inbox.receive([NewMessage("whatsapp", "bad", "sid-1", "not-sealed")])
    w = worker(inbox, person)
    await w.submit([message("1", "hola", "wamid.ok")])
    await w.join()
    assert person.handled == ["hola"]
    assert await inbox.next("sid-1") is None


async def test_a_message_stored_while_its_persons_task_stops_is_not_left_for_the_sweep() -> None:
    """The race: this worker stores a message for a person whose task has already looked for
    more (``done`` found nothing and gave the lease back) but not yet stopped. Left there it
    would wait for the sweep (a lease and more); the task must look once more."""
    person = Person()
    late = [message("1", "segundo", "id2")]

    class RaceyInbox(MemoryInbox):
        async def done(self, message: int, session_id: str, owner: str) -> tuple[Pending | None, bool]:
            following = await super().done(message, session_id, owner)
            while late:  # the webhook of the next message lands right here
                await w.submit([late.pop()])
            return following

    inbox = RaceyInbox()
    w = worker(inbox, person)
    await w.submit([message("1", "primero", "id1")])
    await w.join()
    assert person.handled == ["primero", "segundo"]
    assert await inbox.next("sid-1") is None


# -- the memory inbox and the payloads -------------------------------------------------------------


async def test_the_memory_inbox_behaves_the_same() -> None:
    person = Person()
    inbox = MemoryInbox()
    w1, w2 = worker(inbox, person), worker(inbox, person)
    for i in range(5):
        await (w1 if i % 2 else w2).submit([message("1", f"m{i}", f"id{i}")])
    await w1.submit([message("1", "m0", "id0")])
    await w1.join()
    await w2.join()
    assert person.handled == [f"m{i}" for i in range(5)]
    assert await inbox.prune(datetime.now(UTC) + timedelta(seconds=1)) == 5


def test_replies_survive_the_round_trip_through_the_row() -> None:
    reply = Outbound(
        "Hospital",
        choices=(Choice("topic:health", "Salud"),),
        location=Location(20.59, -100.39),
        location_title="Centro",
        request_location="Compartir ubicación",
        audio=Path("/tmp/x.ogg"),
    )
    assert outbound_from_json(json.loads(json.dumps(outbound_to_json(reply)))) == reply


async def test_people_beyond_max_active_wait_their_turn_and_are_all_answered(db: Engine) -> None:
    person = Person()
    w = worker(SqlInbox(db), person, max_active=2)
    for i in range(3):
        for user in ("1", "2", "3", "4", "5"):
            await w.submit([message(user, f"{user}:{i}", f"id.{user}.{i}")])
        assert len(w.running) <= 2
    await w.join()
    assert w.busy == 0
    for user in ("1", "2", "3", "4", "5"):
        assert [t for u, t in person.sent if u == user] == [f"re:{user}:{i}" for i in range(3)]
