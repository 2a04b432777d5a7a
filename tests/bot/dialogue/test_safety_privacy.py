"""Safety, privacy and the human handoff, as conversations over a real SQLite database."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import Engine, inspect, text
from sqlmodel import Session, select

from bot.analytics import SqlCounter, UsageCount
from bot.background import deliver_outbox_once
from bot.db import create_all, make_engine
from bot.dialogue.emergency import EMERGENCY_LINE, SITUATION_SECTION, emergency_replies
from bot.dialogue.engine import DialogueEngine
from bot.handoff import HandoffDesk, HandoffTicket, TicketMessage
from bot.i18n import is_translated, translations
from bot.identity import Pseudonymizer
from bot.inbox import NewMessage, SqlInbox
from bot.languages import LANGUAGES
from bot.office_hours import OfficeHours
from bot.privacy import erase_async, purge, references
from bot.ratelimit import RateLimiter
from bot.safety import Danger
from bot.sealing import Sealer
from bot.sessions import ConversationSession, SqlSessionStore
from content import AnswerBook
from desk.pages.handoff import HandoffPages
from desk.schema import ensure_desk_tables
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


async def test_asking_to_delete_before_accepting_the_notice_asks_to_confirm(chat: Chat) -> None:
    await chat.send("hola")
    await chat.tap("lang:es")
    await chat.send("quiero borrar mis datos")  # like /borrar, at any stage
    assert chat.buttons == ["privacy:delete:yes", "privacy:delete:no"]


async def test_asking_to_delete_while_staff_have_the_conversation_is_not_forwarded(
    chat: Chat, desk: HandoffDesk
) -> None:
    await chat.begin("es")
    await chat.send("/persona")
    (ticket,) = desk.open_tickets()
    await chat.send("quiero borrar mis datos")
    assert chat.buttons == ["privacy:delete:yes", "privacy:delete:no"]
    assert desk.messages(ticket.id or 0) == []  # the request is the person's, not staff's to read
    await chat.tap("privacy:delete:yes")
    assert desk.open_tickets() == []


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


@pytest.mark.parametrize("lang", list(LANGUAGES))
@pytest.mark.parametrize("danger", list(Danger))
def test_every_kind_of_danger_gets_the_emergency_message_in_every_language(danger: Danger, lang: str) -> None:
    replies = emergency_replies(AnswerBook(), lang, danger, can_handoff=True)
    assert "911" in replies[0].text[:200]
    if danger in SITUATION_SECTION:
        # the lines for the situation follow, even when the person's language has only a short
        # draft: the closest language's section, marked as such (never silently dropped)
        assert len(replies) == 3, [r.text[:60] for r in replies]
    assert replies[-1].choices[0].id == "handoff:open"
    assert any(c.id.startswith("sec:emergency:") for c in replies[-1].choices)


@pytest.mark.parametrize("lang", list(LANGUAGES))
async def test_the_emergency_message_comes_first_in_every_supported_language(chat: Chat, lang: str) -> None:
    """Typed (in Spanish, which the safety net and the model read) or the emergency button: the
    emergency message first, in the person's language as far as it is written."""
    answers = AnswerBook()
    own = answers.along("emergency", [lang])
    if own:
        opening = own[0].summary.splitlines()[0]
    elif is_translated(lang, EMERGENCY_LINE):
        opening = translations(lang).gettext(EMERGENCY_LINE)
    else:
        opening = answers.along("emergency", ["es"])[0].summary.splitlines()[0]
    await chat.begin(lang)
    await chat.send("me quiero morir")
    assert chat.last[0].text.startswith(opening)
    assert "911" in chat.last[0].text[:200]
    assert "800 911 2000" in chat.text  # the crisis line, whatever the language
    assert "handoff:open" in chat.buttons

    other = Chat(chat.engine, user=f"button-{lang}", channel="whatsapp")
    await other.begin(lang)
    await other.tap("topic:emergency")
    assert other.last[0].text.startswith(opening)
    assert "handoff:open" in other.buttons


async def test_an_emergency_is_answered_first_even_while_staff_have_the_conversation(
    chat: Chat, desk: HandoffDesk
) -> None:
    await chat.begin("quc")
    await chat.send("/persona")
    (ticket,) = desk.open_tickets()
    assert ticket.risk == "normal"
    await chat.send("nos tienen secuestrados en una casa")
    assert "911" in chat.last[0].text[:200]
    (ticket,) = desk.open_tickets()
    assert ticket.risk == "high"  # raised for staff
    assert [m.text for m in desk.messages(ticket.id or 0)] == ["nos tienen secuestrados en una casa"]


# -- deletion, checked against every table and every column ----------------------------------------

PHONE = "5215512345678"
SAID = ("me llamo Rosa y estoy en la casa del puente", "hola? sigue alguien ahi")
STAFF_SAID = "Hola Rosa, soy Ana del equipo"


def dump(db: Engine) -> dict[str, list[str]]:
    """Every row of every table in the database (not only the ones the code knows), as text."""
    out: dict[str, list[str]] = {}
    with db.connect() as conn:
        for name in inspect(conn).get_table_names():
            rows = conn.execute(text(f'SELECT * FROM "{name}"')).all()  # noqa: S608 - names from the schema
            out[name] = [" | ".join(str(v) for v in row) for row in rows]
    return out


async def test_after_deletion_no_table_holds_anything_about_the_person(
    chat: Chat, desk: HandoffDesk, db: Engine
) -> None:
    ensure_desk_tables(db)  # the desk's tables too: accounts, sessions, throttle, audit log
    sid = PSEUDO("whatsapp", PHONE)
    wamid = "wamid.HBgLNTIxNTUxMjM0NTY3OBUCABIYFjNB"
    assert await SqlInbox(db).receive([NewMessage("whatsapp", wamid, sid, "sealed")]) == [True]
    await chat.begin("es")
    await chat.send("estoy en qro y necesito un doctor")
    await chat.send("/persona")
    for said in SAID:
        await chat.send(said)
    (ticket,) = desk.open_tickets()
    ticket_id = ticket.id or 0
    sealed = ticket.address_sealed or ""
    # a staff reply through the desk's own code path (which writes the audit log)
    pages = HandoffPages(SimpleNamespace(handoff=desk, db=db))  # type: ignore[arg-type]
    assert pages._reply(ticket_id, STAFF_SAID, "Ana", "ana")
    assert await deliver_outbox_once(desk, {"whatsapp": RecordingDeliverer()}) == 1
    before = "\n".join(line for rows in dump(db).values() for line in rows)
    for trace in (sid, sealed, *SAID, STAFF_SAID):
        assert trace in before, trace  # the traces the check below looks for were really there

    await chat.send("/borrar")
    await chat.tap("privacy:delete:yes")

    tables = dump(db)
    assert {"conversation_session", "inbox_message", "handoff_ticket", "ticket_message"} <= set(tables)
    assert {"outbox_message", "usage_count", "desk_audit", "desk_user"} <= set(tables)
    everything = "\n".join(line for rows in tables.values() for line in rows)
    for trace in (sid, sid[:12], PHONE, sealed, *SAID, STAFF_SAID, "Rosa"):
        assert trace not in everything, trace
    for name in (
        "conversation_session",
        "inbox_message",
        "inbox_lease",
        "handoff_ticket",
        "ticket_message",
        "outbox_message",
    ):
        assert tables[name] == [], name
    assert references(db, sid) == 0
    # Left on purpose: the anonymous counts, and the append-only audit line "ana replied to
    # ticket #N" — no text, and the number now points to nothing.
    (entry,) = [row for row in tables["desk_audit"] if "handoff.reply" in row]
    assert f"ticket #{ticket_id}" in entry and "None | None" in entry

    await chat.send("hola")
    assert chat.buttons[0] == "lang:es"  # a new first contact


async def test_logs_of_a_whole_conversation_hold_no_text_and_no_channel_id(
    chat: Chat, desk: HandoffDesk, caplog: pytest.LogCaptureFixture
) -> None:
    """First contact, a question with a place, an emergency, staff, a reply delivered, deletion."""
    caplog.set_level(logging.DEBUG)
    said = ["hola", "estoy en Tapachula y necesito asilo", "nos tienen secuestrados", *SAID]
    await chat.send(said[0])
    await chat.tap("lang:es")
    await chat.tap("consent:yes")
    await chat.send(said[1])
    await chat.send(said[2])
    await chat.tap("handoff:open")
    for message in said[3:]:
        await chat.send(message)
    (ticket,) = desk.open_tickets()
    desk.reply(ticket.id or 0, STAFF_SAID, "Ana")
    assert await deliver_outbox_once(desk, {"whatsapp": RecordingDeliverer()}) == 1
    await chat.send("/borrar")
    await chat.tap("privacy:delete:yes")

    logged = "\n".join(f"{r.name} {r.getMessage()}" for r in caplog.records)
    assert "handled session=" in logged and "emergency flagged" in logged  # it did log
    for secret in (*said[1:], "Tapachula", "secuestrados", "Rosa", STAFF_SAID, PHONE, ticket.address_sealed):
        assert secret and secret not in logged, secret
    assert PSEUDO("whatsapp", PHONE) not in logged  # only the first 12 characters of the pseudonym
