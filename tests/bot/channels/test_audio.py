"""A voice recording attached to an answer is sent before its text, on Telegram and WhatsApp."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.channels.telegram import TelegramChannel
from bot.dialogue.engine import DialogueEngine
from bot.identity import Pseudonymizer
from bot.messages import Outbound
from bot.sessions import ConversationSession, MemorySessionStore
from content import AnswerBook
from content.answers import ANSWERS, SOURCES
from referrals import PlaceholderReferrals
from referrals.places import default_gazetteer
from tests.fake_graph import NOW, USER, FakeGraph, whatsapp_channel
from tests.fake_telegram import FakeBotApi
from tests.fakes import FakeClassifier

OGG = b"OggS\x00\x02" + b"\x00" * 58  # the first bytes of an Ogg stream are enough for the channels


@pytest.fixture
def book_with_audio(tmp_path: Path) -> AnswerBook:
    answers = tmp_path / "answers"
    shutil.copytree(ANSWERS, answers)
    (tmp_path / "audio" / "asylum").mkdir(parents=True)
    (tmp_path / "audio" / "asylum" / "es.ogg").write_bytes(OGG)
    path = answers / "asylum" / "es.yml"
    path.write_text(path.read_text(encoding="utf-8") + "audio: asylum/es.ogg\n", encoding="utf-8")
    return AnswerBook(answers, SOURCES, audio=tmp_path / "audio")


def engine_with(book: AnswerBook, sessions: MemorySessionStore) -> DialogueEngine:
    return DialogueEngine(
        sessions=sessions,
        classifier=FakeClassifier(),
        answers=book,
        referrals=PlaceholderReferrals(),
        places=default_gazetteer(),
        pseudonymize=Pseudonymizer("test-secret"),
        eraser=sessions.delete,
        clock=lambda: NOW,
    )


async def test_answer_carries_its_recording(book_with_audio: AnswerBook) -> None:
    sessions = MemorySessionStore()
    engine = engine_with(book_with_audio, sessions)
    from tests.conftest import Chat

    chat = Chat(engine)
    await chat.begin("es")
    await chat.tap("topic:asylum")
    assert chat.last[0].audio is not None and chat.last[0].audio.name == "es.ogg"


async def test_telegram_sends_the_voice_message_first(telegram_api: FakeBotApi, tmp_path: Path) -> None:
    voice = tmp_path / "a.ogg"
    voice.write_bytes(OGG)

    async def handle(_: object) -> list[Outbound]:
        return [Outbound("texto", audio=voice)]

    channel = TelegramChannel(token=telegram_api.token, base_url=telegram_api.base_url, handle=handle)
    await channel.application.initialize()
    try:
        await channel.send(42, [Outbound("texto", audio=voice)])
    finally:
        await channel.application.shutdown()
    assert [m["method"] for m in telegram_api.sent] == ["sendVoice", "sendMessage"]


async def test_whatsapp_uploads_once_and_sends_audio_then_text(tmp_path: Path) -> None:
    voice = tmp_path / "a.ogg"
    voice.write_bytes(OGG)
    graph = FakeGraph()
    sessions = MemorySessionStore()
    engine = engine_with(AnswerBook(), sessions)
    channel = whatsapp_channel(graph, engine, sessions)
    sid = Pseudonymizer("test-secret")("whatsapp", USER)
    await sessions.save(ConversationSession(id=sid, channel="whatsapp", language="es", last_inbound_at=NOW))
    await channel.send(USER, [Outbound("texto", audio=voice)])
    await channel.send(USER, [Outbound("otra vez", audio=voice)])
    assert len(graph.uploads) == 1 and OGG in graph.uploads[0]
    assert [p["type"] for p in graph.sent] == ["audio", "text", "audio", "text"]
