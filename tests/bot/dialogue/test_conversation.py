"""Conversations with the engine, read as a person would have them (fake NLU, real content)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.identity import Pseudonymizer
from bot.languages import LANGUAGES
from bot.messages import Inbound
from bot.sessions import ConversationSession, MemorySessionStore, Stage
from nlu.client import Parse
from tests.conftest import Chat, make_engine
from tests.fakes import FakeClassifier

LANGS = [f"lang:{code}" for code in LANGUAGES]


async def test_first_contact_offers_languages_named_in_themselves(chat: Chat) -> None:
    await chat.send("hola")
    assert chat.buttons == LANGS
    labels = [c.label for r in chat.last for c in r.choices]
    assert labels[:3] == ["Español", "English", "Kreyòl ayisyen"]
    assert "Elige tu idioma" in chat.text and "Chwazi lang ou" in chat.text


async def test_choosing_a_language_asks_consent_before_anything_else(chat: Chat) -> None:
    await chat.send("bonjou")
    assert chat.text.startswith("Bonjou!")  # detected Creole: its greeting first
    await chat.tap("lang:ht")
    assert "pa gouvènman" in chat.text  # not a government service
    assert chat.buttons == ["consent:yes", "consent:more"]
    await chat.send("kijan pou m jwenn yon doktè")  # before accepting: the notice again
    assert chat.buttons == ["consent:yes", "consent:more"]
    await chat.tap("consent:more")
    assert "/borrar" in chat.text and "30" in chat.text  # how to delete, and for how long
    await chat.tap("consent:yes")
    assert "topic:asylum" in chat.buttons and "topic:emergency" in chat.buttons


async def test_question_before_language_is_answered_once_language_is_chosen(chat: Chat) -> None:
    await chat.send("necesito pedir asilo")
    assert chat.buttons == LANGS
    await chat.tap("lang:es")
    await chat.tap("consent:yes")
    assert "COMAR" in chat.text
    assert "sec:asylum:steps" in chat.buttons
    assert "src:asylum" in chat.buttons


async def test_answer_then_place_then_referrals(chat: Chat) -> None:
    await chat.begin("es", "hola")
    await chat.send("donde puedo dormir")
    assert "albergue" in chat.text.lower()
    ask = chat.last[-1]
    assert ask.request_location == "Compartir mi ubicación"
    assert "place:skip" in chat.buttons
    await chat.send("estoy en qro")
    # The directory is not connected yet: the placeholder says so plainly and invents nothing.
    assert "provisional" in chat.text.lower()
    assert "place:change" in chat.buttons


async def test_shared_location_answers_the_pending_topic(chat: Chat) -> None:
    await chat.begin("en", "hello")
    await chat.tap("topic:health")
    await chat.share_location(14.905, -92.263)  # Tapachula
    assert "Placeholder" in chat.text


async def test_sources_are_one_tap_away(chat: Chat) -> None:
    await chat.begin("en", "hello")
    await chat.tap("topic:curp")
    assert "checked November 23, 2026" in chat.text
    await chat.tap("src:curp")
    assert "Sources of this answer" in chat.text
    assert "http" in chat.text


async def test_low_confidence_offers_did_you_mean(chat: Chat) -> None:
    await chat.begin("es", "hola")
    await chat.send("tengo una pregunta sobre algo")
    assert "Quisiste decir" in chat.text
    assert chat.buttons[:3] == ["topic:work", "topic:documents", "topic:money"]
    assert "menu" in chat.buttons


@pytest.mark.parametrize("lang", ["quc", "mam", "tzo", "nah", "otq"])
async def test_a_message_in_a_language_the_model_cannot_read_gets_danger_first_not_guesses(
    chat: Chat, lang: str
) -> None:
    await chat.begin(lang, "hola")
    await chat.send("k'o jun k'ax wakamik, chinto'o")  # K'iche': the model reads es/en/ht only
    assert "911" in chat.text and LANGUAGES[lang].endonym in chat.text
    assert chat.buttons[:2] == ["handoff:open", "topic:emergency"]  # a person, then danger
    assert "topic:asylum" in chat.buttons  # and every topic, not three guesses
    await chat.send("un partido de futbol")  # out_of_scope, confidently: still "I cannot read"
    assert chat.buttons[:2] == ["handoff:open", "topic:emergency"]
    await chat.send("necesito asilo")  # a confident guess is answered, the danger line first:
    assert "911" in chat.last[0].text and "COMAR" in chat.text  # the model may have misread it


async def test_emergency_comes_first_even_before_the_language_choice(chat: Chat) -> None:
    await chat.send("ayuda nos tienen secuestrados")
    first = chat.last[0]
    assert "911" in first.text
    assert chat.last[-1].choices[0].id == "lang:es"


async def test_emergency_is_answered_even_when_the_nlu_is_down(
    chat: Chat, classifier: FakeClassifier
) -> None:
    await chat.begin("en", "hello")
    classifier.down = True
    await chat.send("please help I want to die")
    assert "911" in chat.last[0].text
    assert "800 911 2000" in chat.last[0].text  # Línea de la Vida


async def test_nlu_down_still_offers_the_topic_menu(chat: Chat, classifier: FakeClassifier) -> None:
    await chat.begin("es", "hola")
    classifier.down = True
    await chat.send("necesito un doctor")
    assert "No puedo entender texto libre" in chat.text or "no puedo entender texto libre" in chat.text
    assert "topic:health" in chat.buttons


async def test_sticker_gets_a_kind_reply_and_the_menu(chat: Chat) -> None:
    await chat.begin("es", "hola")
    await chat.send_sticker()
    assert "Solo puedo leer texto y ubicaciones" in chat.text
    assert "topic:asylum" in chat.buttons


async def test_sticker_at_first_contact_gets_the_language_menu(chat: Chat) -> None:
    await chat.send_sticker()
    assert chat.buttons == LANGS


async def test_empty_emoji_and_huge_messages_get_a_kind_answer(chat: Chat) -> None:
    await chat.begin("es", "hola")
    for text in [
        "",
        "   ",
        "😀🙏🔥",
        "\x00\u200b",
        "a " * 10_000,
        "'; DROP TABLE conversation_session; --",
    ]:
        await chat.send(text)
        assert chat.last, text[:20]
        assert "topic:asylum" in chat.buttons or "menu" in chat.buttons, text[:20]


async def test_commands(chat: Chat) -> None:
    await chat.begin("es", "hola")
    await chat.send("/idioma")
    assert chat.buttons == LANGS
    await chat.tap("lang:en")
    assert "I will write in English" in chat.text
    await chat.send("/menu")
    assert "topic:shelter" in chat.buttons
    await chat.send("/start")
    assert chat.buttons == LANGS


async def test_stale_or_forged_buttons_show_the_menu(chat: Chat) -> None:
    await chat.begin("es", "hola")
    for forged in ["topic:../../etc", "sec:asylum:nope", "lang:xx", "src:nothing", "💥"]:
        chat.last = await chat.engine.handle(
            __import__("bot.messages", fromlist=["Inbound"]).Inbound.from_choice("test", "u1", forged)
        )
        assert chat.last, forged


async def test_users_are_independent(engine) -> None:  # type: ignore[no-untyped-def]
    ana, ben = Chat(engine, "ana"), Chat(engine, "ben")
    await ana.begin("es")
    await ben.send("hello")
    assert ben.buttons == LANGS  # Ben has not chosen a language yet
    await ana.send("/menu")
    assert "Escribe tu pregunta" in ana.text


async def test_sessions_are_keyed_by_pseudonym_not_raw_id(chat: Chat, sessions) -> None:  # type: ignore[no-untyped-def]
    await chat.send("hola")
    assert chat.user not in sessions.rows
    (row,) = sessions.rows.values()
    assert len(row.id) == 32 and chat.user not in row.id


async def ready(sessions: MemorySessionStore, people: range) -> list[Inbound]:
    """People past the language choice and the consent (their words go to the NLU), each with a
    question."""
    for person in people:
        sid = Pseudonymizer("test-secret")("telegram", str(person))
        session = ConversationSession(id=sid, channel="telegram", language="es", stage=Stage.READY)
        session.consent_at = datetime.now(UTC)
        await sessions.save(session)
    return [Inbound.from_text("telegram", str(p), "necesito un doctor", f"m{p}") for p in people]


class Stuck(FakeClassifier):
    """An NLU service that hangs until ``free`` is set; counts the people inside it."""

    def __init__(self) -> None:
        super().__init__()
        self.free = asyncio.Event()
        self.inside = self.most = 0

    async def parse(self, text: str) -> Parse:
        self.inside += 1
        self.most = max(self.most, self.inside)
        await self.free.wait()
        self.inside -= 1
        return await super().parse(text)


async def test_at_most_so_many_people_are_handled_at_once_and_all_are_answered(
    sessions: MemorySessionStore,
) -> None:
    nlu = Stuck()
    engine = make_engine(nlu, sessions, at_once=3)
    turns = [asyncio.create_task(engine.handle(ask)) for ask in await ready(sessions, range(10))]
    await asyncio.sleep(0.05)
    assert nlu.inside == 3  # the others wait their turn
    nlu.free.set()
    replies = await asyncio.gather(*turns)
    assert nlu.most == 3
    assert all(r and r[0].text for r in replies)


async def test_a_message_naming_a_danger_does_not_wait_its_turn(sessions: MemorySessionStore) -> None:
    nlu = Stuck()
    engine = make_engine(nlu, sessions, at_once=2)
    asks = await ready(sessions, range(4))
    held = [asyncio.create_task(engine.handle(ask)) for ask in asks[:3]]  # two inside, one waiting
    await asyncio.sleep(0.05)
    cry = Inbound.from_text("telegram", "3", "nos tienen secuestrados en una bodega", "m-cry")
    replies = await asyncio.wait_for(engine.handle(cry), 2)  # while the NLU is stalled
    assert "911" in replies[0].text
    assert nlu.inside == 2 and not any(task.done() for task in held)
    nlu.free.set()
    assert all(await asyncio.gather(*held))
