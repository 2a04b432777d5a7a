"""The composition root: the only place that wires concrete classes together."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from bot.db import create_all, make_engine
from bot.dialogue.engine import DialogueEngine
from bot.identity import Pseudonymizer
from bot.sessions import SqlSessionStore
from bot.settings import Settings
from content import AnswerBook
from nlu.client import RasaNluClient
from referrals import PlaceholderReferrals
from referrals.places import default_gazetteer


@dataclass
class App:
    settings: Settings
    db: Engine
    nlu: RasaNluClient
    engine: DialogueEngine

    async def aclose(self) -> None:
        await self.nlu.aclose()
        self.db.dispose()


def build_app(settings: Settings) -> App:
    db = make_engine(settings.database_url)
    create_all(db)
    nlu = RasaNluClient(settings.nlu_url, timeout=settings.nlu_timeout)
    engine = DialogueEngine(
        sessions=SqlSessionStore(db),
        classifier=nlu,
        answers=AnswerBook(settings.content_dir),
        referrals=PlaceholderReferrals(),
        places=default_gazetteer(),
        pseudonymize=Pseudonymizer(settings.secret_key.get_secret_value()),
        threshold=settings.nlu_threshold,
    )
    return App(settings=settings, db=db, nlu=nlu, engine=engine)
