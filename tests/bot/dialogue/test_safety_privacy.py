"""Safety, privacy and the human handoff, as conversations over a real SQLite database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.analytics import SqlCounter, UsageCount
from bot.background import deliver_outbox_once
from bot.db import create_all, make_engine
from bot.dialogue.engine import DialogueEngine
from bot.handoff import HandoffDesk, HandoffTicket, TicketMessage
from bot.identity import Pseudonymizer
from bot.office_hours import OfficeHours
from bot.privacy import erase_async, purge, references
from bot.ratelimit import RateLimiter
from bot.sealing import Sealer
from bot.sessions import ConversationSession, SqlSessionStore
from content import AnswerBook
from referrals import PlaceholderReferrals
from referrals.places import default_gazetteer
from tests.conftest import Chat
from tests.fakes import FakeClassifier

MONDAY_11_CDMX = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
SATURDAY_11_CDMX = datetime(2026, 11, 28, 17, 0, tzinfo=UTC)
PSEUDO = Pseudonymizer("test-secret")


@dataclass
class Clock:
    now: datetime = MONDAY_11_CDMX

    def __call__(self) -> datetime:
        return self.now


@dataclass
class RecordingDeliverer:
    sent: list[tuple[str, str]] = field(default_factory=list)

    async def deliver(self, address: str, text: str) -> None:
        self.sent.append((address, text))


@pytest.fixture
def db(tmp_path: Path) -> Engine:
    import bot.analytics
    import bot.handoff  # noqa: F401  (registers the tables)

    engine = make_engine(f"sqlite:///{tmp_path / 'brujula.db'}")
    create_all(engine)
    return engine


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def desk(db: Engine, clock: Clock) -> HandoffDesk:
    return HandoffDesk(db, Sealer("test-secret"), clock=clock)


def build(db: Engine, desk: HandoffDesk, clock: Clock, limiter: RateLimiter | None = None) -> DialogueEngine:
    async def erase(session_id: str) -> int:
        return await erase_async(db, session_id)

    return DialogueEngine(
        sessions=SqlSessionStore(db),
        classifier=FakeClassifier(),
        answers=AnswerBook(),
        referrals=PlaceholderReferrals(),
        places=default_gazetteer(),
        pseudonymize=PSEUDO,
        eraser=erase,
        handoff=desk,
        counter=SqlCounter(db),
        rate_limiter=limiter,
        office_hours=OfficeHours.parse("Mon-Fri 09:00-18:00", "America/Mexico_City"),
        clock=clock,
    )


@pytest.fixture
def chat(db: Engine, desk: HandoffDesk, clock: Clock) -> Chat:
    return Chat(build(db, desk, clock), user="5215512345678", channel="whatsapp")


# -- emergencies ---------------------------------------------------------------------------------

EMERGENCIES = [
    ("es", "hola", "ayuda nos tienen secuestrados en una casa"),
    ("es", "hola", "hay hombres armados siguiendonos"),
    ("en", "hello", "please help they are going to kill us"),
    ("en", "hello", "my baby is not breathing"),
    ("ht", "bonjou", "yo kidnape nou, ede nou"),
    ("ht", "bonjou", "pitit mwen pa respire"),
]


@pytest.mark.parametrize(("lang", "greeting", "message"), EMERGENCIES)
async def test_the_emergency_message_comes_first(chat: Chat, lang: str, greeting: str, message: str) -> None:
    await chat.begin(lang, greeting)
    await chat.send(message)
    first = chat.last[0].text
    assert "911" in first and "911" in first[:200]
    assert "handoff:open" in chat.buttons


async def test_emergency_before_language_or_consent(chat: Chat) -> None:
    await chat.send("nos van a matar ayudaa")
    assert "911" in chat.last[0].text
    assert chat.last[-1].choices[0].id == "lang:es"  # then the language menu
    await chat.tap("lang:es")
    await chat.send("me quiero morir")  # not yet accepted the notice: still answered
    assert "911" in chat.last[0].text


async def test_self_harm_gets_a_calm_specific_crisis_answer(chat: Chat) -> None:
    await chat.begin("es")
    await chat.send("ya no quiero vivir")
    texts = [r.text for r in chat.last]
    assert "911" in texts[0]
    assert "800 911 2000" in texts[1]  # Línea de la Vida, in the crisis section
    assert "no entend" not in chat.text.lower()


async def test_emergency_flags_the_conversation_high_risk_for_staff(chat: Chat, desk: HandoffDesk) -> None:
    await chat.begin("es")
    await chat.send("nos tienen secuestrados")
    await chat.tap("handoff:open")
    (ticket,) = desk.open_tickets()
    assert ticket.risk == "high" and ticket.topic == "emergency" and ticket.language == "es"


# -- handoff ---------------------------------------------------------------------------------------


async def test_talk_to_a_person_then_staff_reply_reaches_the_channel(
    chat: Chat, desk: HandoffDesk, db: Engine
) -> None:
    await chat.begin("es")
    await chat.tap("topic:asylum")
    await chat.send("quiero hablar con una persona")
    assert "Pasé tu conversación" in chat.text
    assert "lunes" in chat.text and "viernes" in chat.text and "Ahora está trabajando" in chat.text
    (ticket,) = desk.open_tickets()
    assert (ticket.language, ticket.topic, ticket.risk, ticket.channel) == (
        "es",
        "asylum",
        "normal",
        "whatsapp",
    )
    assert ticket.address_sealed and "5215512345678" not in ticket.address_sealed  # sealed, not plain

    await chat.send("me rechazaron en la comar que hago")
    assert "Tu mensaje se pasó al equipo" in chat.text
    await chat.send("tengo miedo")
    assert chat.last == []  # the bot does not answer over the human
    assert [m.text for m in desk.messages(ticket.id or 0)] == [
        "me rechazaron en la comar que hago",
        "tengo miedo",
    ]

    assert desk.reply(ticket.id or 0, "Hola, soy Ana del equipo. ¿En qué ciudad estás?", "Ana")
    channel = RecordingDeliverer()
    assert await deliver_outbox_once(desk, {"whatsapp": channel}) == 1
    assert channel.sent == [("5215512345678", "Hola, soy Ana del equipo. ¿En qué ciudad estás?")]
    assert await deliver_outbox_once(desk, {"whatsapp": channel}) == 0  # delivered once

    assert desk.close(ticket.id or 0, "El equipo cerró la conversación. Vuelves con el asistente.")
    await deliver_outbox_once(desk, {"whatsapp": channel})
    assert len(channel.sent) == 2
    await chat.send("donde puedo dormir")
    assert "albergue" in chat.text.lower()  # back with the bot


async def test_outside_office_hours_the_person_is_told_honestly(chat: Chat, clock: Clock) -> None:
    clock.now = SATURDAY_11_CDMX
    await chat.begin("en", "hello")
    await chat.tap("handoff:open")
    assert "not working" in chat.text and "from Monday" in chat.text


async def test_leaving_the_handoff_returns_to_the_bot(chat: Chat, desk: HandoffDesk) -> None:
    await chat.begin("ht", "bonjou")
    await chat.send("/persona")
    assert desk.open_tickets()
    await chat.tap("handoff:leave")
    assert desk.open_tickets() == []
    assert "topic:asylum" in chat.buttons


# -- deletion ------------------------------------------------------------------------------------


async def test_delete_my_data_removes_every_row_about_the_person(
    chat: Chat, desk: HandoffDesk, db: Engine
) -> None:
    await chat.begin("es")
    await chat.send("estoy en qro y necesito un doctor")
    await chat.send("/persona")
    await chat.send("hola?")
    (ticket,) = desk.open_tickets()
    desk.reply(ticket.id or 0, "Hola")
    sid = PSEUDO("whatsapp", "5215512345678")
    assert references(db, sid) >= 4  # session, ticket, messages, outbox

    await chat.send("/borrar")
    assert chat.buttons == ["privacy:delete:yes", "privacy:delete:no"]
    await chat.tap("privacy:delete:yes")
    assert "se borró todo" in chat.text
    assert references(db, sid) == 0
    with Session(db) as s:
        assert s.exec(select(HandoffTicket)).all() == []
        assert s.exec(select(TicketMessage)).all() == []

    await chat.send("hola")
    assert chat.buttons[0] == "lang:es"  # a new first contact


@pytest.mark.parametrize(
    ("lang", "greeting", "phrase"),
    [
        ("es", "hola", "quiero borrar mis datos"),
        ("en", "hello", "delete my data"),
        ("ht", "bonjou", "efase done mwen"),
    ],
)
async def test_delete_phrases_in_every_language_ask_for_confirmation(
    chat: Chat, lang: str, greeting: str, phrase: str
) -> None:
    await chat.begin(lang, greeting)
    await chat.send(phrase)
    assert chat.buttons == ["privacy:delete:yes", "privacy:delete:no"]
    await chat.tap("privacy:delete:no")
    assert "topic:asylum" in chat.buttons


# -- data minimisation ------------------------------------------------------------------------------


async def test_counts_are_anonymous(chat: Chat, db: Engine) -> None:
    await chat.begin("es")
    await chat.send("estoy en qro necesito un doctor")
    with Session(db) as s:
        rows = s.exec(select(UsageCount)).all()
    assert [(r.kind, r.topic, r.language, r.state, r.week) for r in rows] == [
        ("question", "health", "es", "MX-QUE", "2026-W48")
    ]
    assert set(UsageCount.model_fields) == {"id", "kind", "topic", "language", "state", "week", "count"}


async def test_retention_purge(db: Engine, desk: HandoffDesk, clock: Clock) -> None:
    old = Chat(build(db, desk, clock), user="old")
    await old.begin("es")
    await old.tap("handoff:open")
    (ticket,) = desk.open_tickets()
    desk.close(ticket.id or 0)
    clock.now = MONDAY_11_CDMX + timedelta(days=10)
    fresh = Chat(build(db, desk, clock), user="fresh")
    await fresh.begin("es")
    stats = purge(db, now=MONDAY_11_CDMX + timedelta(days=31), session_days=30, ticket_days=30)
    assert stats["sessions"] == 1 and stats["tickets"] == 1
    with Session(db) as s:
        ids = [r.id for r in s.exec(select(ConversationSession)).all()]
    assert ids == [PSEUDO("test", "fresh")]


# -- abuse ---------------------------------------------------------------------------------------


async def test_a_flood_is_slowed_kindly_and_emergencies_still_pass(
    db: Engine, desk: HandoffDesk, clock: Clock
) -> None:
    now = [0.0]
    limiter = RateLimiter(20, burst=5, clock=lambda: now[0])
    chat = Chat(build(db, desk, clock, limiter), user="flood")
    await chat.send("hola")
    replies = [await chat.send(f"mensaje {i}") for i in range(10)]
    warned = [r for r in replies if r and "muchos mensajes" in r[0].text]
    assert len(warned) == 1
    assert [] in replies  # the rest are dropped
    await chat.send("nos van a matar")
    assert "911" in chat.last[0].text
    other = Chat(chat.engine, user="someone-else")
    assert (await other.send("hola"))[0].choices  # a flood from one person never blocks another


@pytest.mark.parametrize("danger", list(__import__("bot.safety", fromlist=["Danger"]).Danger))
def test_every_kind_of_danger_gets_the_emergency_message(danger: object) -> None:
    from bot.dialogue.emergency import emergency_replies

    replies = emergency_replies(AnswerBook(), "es", danger, can_handoff=True)  # type: ignore[arg-type]
    assert "911" in replies[0].text
    assert any(c.id == "handoff:open" for c in replies[-1].choices)
