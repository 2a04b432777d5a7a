"""The composition root: the only place that wires concrete classes together."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from bot.analytics import SqlCounter
from bot.db import create_all, loop_engine, make_engine, on_loop
from bot.dialogue.engine import DialogueEngine
from bot.handoff import HandoffDesk
from bot.http_transport import AiohttpTransport
from bot.identity import Pseudonymizer
from bot.inbox import SqlInbox
from bot.office_hours import OfficeHours
from bot.pg_direct import DirectEngine
from bot.privacy import erase_async
from bot.ratelimit import RateLimiter
from bot.sealing import Sealer
from bot.sessions import SqlSessionStore
from bot.settings import Settings
from content import AnswerBook
from nlu.client import RasaNluClient
from referrals import SqlReferralFinder
from referrals.places import default_gazetteer

COUNTS_EVERY = 2.0  # seconds: anonymous counts are written together (bot/analytics.py)
# seconds a referral search is kept for the same question in the same minute; a registry change
# made on another worker reaches replies within this long (referrals/recent.py)
REFERRALS_KEPT = 30.0


@dataclass
class App:
    settings: Settings
    db: Engine
    # a message's calls (inbox, sessions): on PostgreSQL on the event loop (bot.db.loop_engine)
    loop_db: Engine | DirectEngine
    nlu: RasaNluClient
    handoff: HandoffDesk
    pseudonymize: Pseudonymizer
    sealer: Sealer
    inbox: SqlInbox  # shared by the channels: one pool of receiving threads
    engine: DialogueEngine
    counter: SqlCounter
    http: AiohttpTransport  # the NLU client's connections: closed when the server stops

    async def aclose(self) -> None:
        await self.counter.flush()
        await self.nlu.aclose()
        if on_loop(self.loop_db):  # its own connections (on SQLite it is ``db`` itself)
            self.loop_db.dispose()
        self.db.dispose()


def build_app(settings: Settings) -> App:
    db = make_engine(settings.database_url)
    create_all(db)
    loop_db = loop_engine(db)
    secret = settings.secret_key.get_secret_value()
    http = AiohttpTransport()
    nlu = RasaNluClient(settings.nlu_url, http=http, timeout=settings.nlu_timeout)
    sealer = Sealer(secret)
    handoff = HandoffDesk(db, sealer)
    pseudonymize = Pseudonymizer(secret)

    async def erase(session_id: str) -> int:
        return await erase_async(db, session_id)

    counter = SqlCounter(db, flush_every=COUNTS_EVERY)
    engine = DialogueEngine(
        sessions=SqlSessionStore(loop_db),
        classifier=nlu,
        answers=AnswerBook(settings.content_dir),
        referrals=SqlReferralFinder(db, remember_for=REFERRALS_KEPT),
        places=default_gazetteer(),
        pseudonymize=pseudonymize,
        eraser=erase,
        handoff=handoff,
        office_hours=OfficeHours.parse(settings.office_hours, settings.office_timezone),
        counter=counter,
        rate_limiter=RateLimiter(settings.rate_limit_per_minute),
        threshold=settings.nlu_threshold,
        session_days=settings.session_retention_days,
        ticket_days=settings.ticket_retention_days,
    )
    return App(
        settings=settings,
        db=db,
        loop_db=loop_db,
        nlu=nlu,
        handoff=handoff,
        pseudonymize=pseudonymize,
        sealer=sealer,
        inbox=SqlInbox(loop_db),
        engine=engine,
        counter=counter,
        http=http,
    )
