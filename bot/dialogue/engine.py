"""The dialogue engine: ``handle(inbound) -> list[Outbound]``. It never calls a channel API.

The flow: first contact → language choice (each language named in itself) → privacy notice, to
accept → free text or topic menu → NLU → answer (+ place → referrals). Danger is checked on every
message before anything else and answered with the emergency flow, whatever the stage. While a
handoff ticket is open, a person answers and the bot stays quiet. This is the one place with a
catch-all: any failure becomes a translated apology, logged with the pseudonymous id only.
"""

from __future__ import annotations

import gettext
import logging
import traceback
import unicodedata
import weakref
from asyncio import Lock, Semaphore
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from bot import safety
from bot.analytics import Counter, Kind, NullCounter
from bot.dialogue import menus
from bot.dialogue.emergency import EMERGENCY_LINE, emergency_replies
from bot.dialogue.render import answer_message, referral_messages, section_text, sources_message
from bot.dialogue.texts import next_opening_text, office_hours_text, privacy_full, privacy_short
from bot.handoff import HandoffDesk, Risk, TicketStatus
from bot.i18n import translations
from bot.language_id import detect, has_letters
from bot.languages import DEFAULT_LANGUAGE, LANGUAGES, RELEASED, chain
from bot.messages import Choice, Inbound, InboundKind, Outbound
from bot.office_hours import OfficeHours
from bot.privacy import DELETE_COMMANDS, DELETE_PHRASES
from bot.ratelimit import RateLimiter
from bot.sessions import ConversationSession, SessionStore, Stage
from content import AnswerBook
from nlu.client import Classifier, NluUnavailable, Parse
from nlu.intents import REFERRAL_TOPICS, TOPIC_INTENTS
from referrals import Gazetteer, Place, ReferralFinder
from referrals.places import normalise

log = logging.getLogger(__name__)

MAX_INPUT = 4096  # characters kept from one message; the rest is dropped
EMERGENCY_MIN_CONFIDENCE = 0.4  # lower than the topic threshold: a false alarm costs little
HANDOFF_COMMANDS = ("/persona", "/humano", "/human", "/person", "/moun")
LEAVE_HANDOFF_COMMANDS = ("/bot", "/asistente")
# People whose messages are handled at once in one process; the others wait their turn. A
# message's handling is mostly this process's CPU (understanding, search, reply), so more at once
# only interleaves them: on the 2-core bench, 48 at once gave a p95 of 381 ms at 200 messages/s,
# 16 at once 76 ms (docs/PERFORMANCE.md). Sending the replies (network waits) is not counted here.
TURNS_AT_ONCE = 16
ACK_EVERY = timedelta(minutes=10)  # while a person has the conversation, acknowledge at most this often

Eraser = Callable[[str], Awaitable[object]]


def clean_text(text: str) -> str:
    """Drop control and zero-width characters; keep letters of any script and emoji."""
    kept = []
    for ch in text[: MAX_INPUT * 2]:
        cat = unicodedata.category(ch)
        if ch in "\n\t ":
            kept.append(" ")
        elif cat in ("Cc", "Cs", "Co", "Cn") or (cat == "Cf" and ch != "\u200d"):
            continue
        else:
            kept.append(ch)
    return " ".join("".join(kept).split())[:MAX_INPUT]


class DialogueEngine:
    def __init__(
        self,
        *,
        sessions: SessionStore,
        classifier: Classifier,
        answers: AnswerBook,
        referrals: ReferralFinder,
        places: Gazetteer,
        pseudonymize: Callable[[str, str], str],
        eraser: Eraser,
        handoff: HandoffDesk | None = None,
        office_hours: OfficeHours | None = None,
        counter: Counter | None = None,
        rate_limiter: RateLimiter | None = None,
        threshold: float = 0.75,  # chosen by cross-validation: docs/NLU.md
        session_days: int = 30,
        ticket_days: int = 30,
        at_once: int = TURNS_AT_ONCE,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sessions = sessions
        self._nlu = classifier
        self._answers = answers
        self._referrals = referrals
        self._places = places
        self._pseudonymize = pseudonymize
        self._erase = eraser
        self._handoff = handoff
        self._hours = office_hours or OfficeHours.parse("Mon-Fri 09:00-18:00", "America/Mexico_City")
        self._counter = counter or NullCounter()
        self._limiter = rate_limiter
        self._threshold = threshold
        self._session_days = session_days
        self._ticket_days = ticket_days
        self._clock = clock
        self._locks: weakref.WeakValueDictionary[str, Lock] = weakref.WeakValueDictionary()
        self._turns = Semaphore(at_once)

    # -- entry point -------------------------------------------------------------------------

    async def handle(self, inbound: Inbound) -> list[Outbound]:
        """Answer one message. One person's messages are handled one at a time, in order; at most
        ``at_once`` people's at a time in this process (the others wait their turn) — except a
        message that names a danger, which never waits behind others (a stalled NLU service
        holds every turn for its timeout)."""
        sid = self._pseudonymize(inbound.channel, inbound.user_id)
        text = clean_text(inbound.text) if inbound.kind is InboundKind.TEXT else ""
        danger = safety.check(text) if text else None
        lock = self._locks.get(sid)
        if lock is None:
            lock = self._locks[sid] = Lock()
        async with lock:
            if danger is not None:
                return await self._handle(sid, inbound, text, danger)
            async with self._turns:
                return await self._handle(sid, inbound, text, danger)

    async def _handle(
        self, sid: str, inbound: Inbound, text: str, danger: safety.Danger | None
    ) -> list[Outbound]:
        session = await self._sessions.get(sid)
        if session is None:
            session = ConversationSession(id=sid, channel=inbound.channel)
        session.last_inbound_at = session.updated_at = self._clock()
        try:
            replies = await self._dispatch(session, inbound, text, danger)
        except Exception as exc:
            frames = "".join(traceback.format_tb(exc.__traceback__))
            log.error("dialogue failure session=%s error=%s\n%s", sid[:12], type(exc).__name__, frames)
            t = self._t(session)
            replies = [
                Outbound(
                    t.gettext("Sorry, something went wrong on my side. Please try again, or choose a topic:"),
                    menus.topic_choices(t),
                )
            ]
        if session.stage != Stage.DELETED:
            await self._sessions.save(session)
        log.info("handled session=%s kind=%s replies=%d", sid[:12], inbound.kind, len(replies))
        return replies

    # -- helpers -----------------------------------------------------------------------------

    @staticmethod
    def _t(session: ConversationSession) -> gettext.NullTranslations:
        return translations(session.language or DEFAULT_LANGUAGE)

    @staticmethod
    def _lang(session: ConversationSession) -> str:
        return session.language or DEFAULT_LANGUAGE

    def _menu(self, session: ConversationSession, lead: str | None = None) -> Outbound:
        t = self._t(session)
        text = t.gettext("Write your question in your own words, or choose a topic:")
        choices = (
            *menus.topic_choices(t),
            Choice(menus.HANDOFF_OPEN, t.gettext("Talk to a person")),
            Choice(menus.DELETE_ASK, t.gettext("Delete my data")),
        )
        return Outbound(f"{lead}\n\n{text}" if lead else text, choices)

    def _language_menu(self, hint: str | None, lead: str | None = None) -> Outbound:
        order = [hint] if hint in LANGUAGES else []
        order += [code for code in LANGUAGES if code not in order]
        greeter = translations(hint if hint in ("fr", "pt") else order[0])
        lines = [
            greeter.gettext(
                "Hello! I am Brújula, a free information service for people on the move in Mexico."
            )
        ]
        prompts = []
        for code in order[:3]:
            prompt = translations(code).gettext("Choose your language:")
            if prompt not in prompts:
                prompts.append(prompt)
        lines.append(" / ".join(prompts))
        if lead:
            lines.insert(0, lead)
        return Outbound("\n\n".join(lines), menus.language_choices())

    def _consent_notice(self, session: ConversationSession) -> Outbound:
        t = self._t(session)
        choices = (
            Choice(menus.CONSENT_ACCEPT, t.gettext("I accept")),
            Choice(menus.CONSENT_MORE, t.gettext("Read more")),
        )
        return Outbound(privacy_short(t, self._session_days), choices)

    # -- dispatch ----------------------------------------------------------------------------

    async def _dispatch(
        self, session: ConversationSession, inbound: Inbound, text: str, danger: safety.Danger | None
    ) -> list[Outbound]:
        """``text``: the message's words, cleaned (empty for taps, locations, media); ``danger``:
        what the safety net found in them."""

        if self._limiter is not None and danger is None:
            verdict = self._limiter.check(session.id)
            if verdict == "drop":
                return []
            if verdict == "warn":
                t = self._t(session)
                return [
                    Outbound(
                        t.gettext(
                            "You are sending many messages. I will answer again in a minute. If you are in "
                            "danger, call 911."
                        )
                    )
                ]

        command = text.split()[0].lower() if text.startswith("/") else ""
        if inbound.kind is InboundKind.CHOICE:
            early = await self._early_choice(session, inbound)
            if early is not None:
                return early
        elif command:
            early = await self._command(session, inbound, command)
            if early is not None:
                return early

        if danger is not None:  # the safety net is sure: answer now, without waiting for the model
            return await self._emergency(session, inbound, text, danger)
        parse = await self._safe_parse(text) if text and has_letters(text) else None
        if self._model_says_emergency(parse):
            return await self._emergency(session, inbound, text, danger)

        if session.language is not None and self._asks_to_delete(text):
            # at any stage, like /borrar; while staff have the conversation too: the person decides
            return [self._confirm_delete(session)]
        if session.ticket_id is not None and await self._ticket_still_open(session):
            return await self._to_staff(session, inbound, text)

        if session.language is None:
            return await self._first_contact(session, inbound, text, parse)
        if session.consent_at is None:
            return [self._consent_notice(session)]

        if inbound.kind is InboundKind.UNSUPPORTED:
            t = self._t(session)
            return [self._menu(session, t.gettext("I can read text and locations only."))]
        if inbound.kind is InboundKind.LOCATION and inbound.location is not None:
            return await self._location(session, inbound)
        if inbound.kind is InboundKind.CHOICE:
            return await self._choice(session, inbound)
        return await self._text(session, inbound, text, parse)

    async def _early_choice(self, session: ConversationSession, inbound: Inbound) -> list[Outbound] | None:
        """Buttons that work at any stage: language, consent, deletion, handoff."""
        choice = inbound.choice
        if choice.startswith(menus.LANG_PREFIX):
            return await self._choose_language(session, choice[len(menus.LANG_PREFIX) :])
        if session.language is None:
            return None
        t = self._t(session)
        if choice == menus.CONSENT_MORE:
            return [
                Outbound(
                    privacy_full(t, self._session_days, self._ticket_days),
                    (Choice(menus.CONSENT_ACCEPT, t.gettext("I accept")),),
                )
            ]
        if choice == menus.CONSENT_ACCEPT:
            first = session.consent_at is None
            session.consent_at = session.consent_at or self._clock()
            session.stage = Stage.READY
            pending = session.pending_topic if first else None
            if pending:
                session.pending_topic = None
                return await self._topic(session, pending)
            return [self._menu(session, t.gettext("Thank you.") if first else None)]
        if choice == menus.DELETE_ASK:
            return [self._confirm_delete(session)]
        if choice == menus.DELETE_YES:
            return await self._delete(session)
        if choice == menus.DELETE_NO:
            session.stage = Stage.READY
            return [self._menu(session, t.gettext("Nothing was deleted."))]
        if choice == menus.HANDOFF_OPEN:
            return await self._open_handoff(session, inbound)
        if choice == menus.HANDOFF_LEAVE:
            return await self._leave_handoff(session)
        return None

    async def _command(
        self, session: ConversationSession, inbound: Inbound, command: str
    ) -> list[Outbound] | None:
        if command in ("/start", "/idioma", "/language", "/lang", "/lang/"):
            session.stage = Stage.CHOOSING_LANGUAGE
            return [self._language_menu(session.language)]
        if session.language is None:
            return None
        if command in DELETE_COMMANDS:
            return [self._confirm_delete(session)]
        if command in HANDOFF_COMMANDS:
            return await self._open_handoff(session, inbound)
        if command in LEAVE_HANDOFF_COMMANDS:
            return await self._leave_handoff(session)
        if command == "/menu" and session.consent_at is not None and session.ticket_id is None:
            session.stage = Stage.READY
            return [self._menu(session)]
        return None

    # -- first contact, language, consent -------------------------------------------------------

    async def _first_contact(
        self, session: ConversationSession, inbound: Inbound, text: str, parse: Parse | None
    ) -> list[Outbound]:
        session.stage = Stage.CHOOSING_LANGUAGE
        hint = detect(text) if text else None
        if inbound.kind is InboundKind.LOCATION and inbound.location and inbound.location.is_valid():
            session.set_coordinates(inbound.location.latitude, inbound.location.longitude)
        if inbound.kind is InboundKind.UNSUPPORTED:
            lead = translations(DEFAULT_LANGUAGE).gettext("I can read text and locations only.")
            return [self._language_menu(hint, lead)]
        if parse and parse.intent in TOPIC_INTENTS and parse.confidence >= self._threshold:
            session.pending_topic = parse.intent  # answered as soon as the language is chosen
        if text:
            self._remember_place(session, parse, text)
        return [self._language_menu(hint)]

    async def _choose_language(self, session: ConversationSession, code: str) -> list[Outbound]:
        if code not in LANGUAGES:
            return [self._language_menu(session.language)]
        session.language = code
        t = self._t(session)
        if session.consent_at is None:
            session.stage = Stage.CONSENT
            return [self._consent_notice(session)]
        session.stage = Stage.READY
        return [self._menu(session, t.gettext("OK, I will write in English."))]

    # -- danger --------------------------------------------------------------------------------

    def _model_says_emergency(self, parse: Parse | None) -> bool:
        return (
            parse is not None and parse.intent == "emergency" and parse.confidence >= EMERGENCY_MIN_CONFIDENCE
        )

    async def _emergency(
        self, session: ConversationSession, inbound: Inbound, text: str, danger: safety.Danger | None
    ) -> list[Outbound]:
        hint = detect(text) if session.language is None else None
        lang = session.language or (hint if hint in LANGUAGES else DEFAULT_LANGUAGE)
        session.topic = "emergency"
        session.high_risk = True
        log.warning("emergency flagged session=%s kind=%s", session.id[:12], danger or "model")
        await self._counter.count(
            Kind.QUESTION,
            topic="emergency",
            language=lang,
            state=self._state_code(session),
            when=self._clock(),
        )
        if session.ticket_id is not None and self._handoff is not None:
            await self._handoff.note_person(session.ticket_id, session.id, text, Risk.HIGH)
        replies = emergency_replies(self._answers, lang, danger, can_handoff=self._handoff is not None)
        if session.language is None:
            session.stage = Stage.CHOOSING_LANGUAGE
            replies.append(self._language_menu(hint))
        return replies

    # -- handoff ---------------------------------------------------------------------------------

    async def _ticket_still_open(self, session: ConversationSession) -> bool:
        if self._handoff is None or session.ticket_id is None:
            session.ticket_id = None
            return False
        ticket = await self._handoff.get(session.ticket_id)
        if ticket is None or ticket.status != TicketStatus.OPEN:
            session.ticket_id = None
            return False
        return True

    async def _open_handoff(self, session: ConversationSession, inbound: Inbound) -> list[Outbound]:
        t = self._t(session)
        if self._handoff is None:
            return [
                self._menu(
                    session,
                    t.gettext(
                        "Talking to a person is not available in this chat yet. "
                        "If you are in danger, call 911 (free, 24 hours)."
                    ),
                )
            ]
        if session.ticket_id is not None and await self._ticket_still_open(session):
            return [
                Outbound(
                    t.gettext("A person from our team already has your conversation. Write here."),
                    (Choice(menus.HANDOFF_LEAVE, t.gettext("Back to assistant")),),
                )
            ]
        ticket = await self._handoff.open(
            session_id=session.id,
            channel=inbound.channel,
            address=inbound.user_id,
            language=self._lang(session),
            topic=session.topic,
            risk=Risk.HIGH if session.high_risk else Risk.NORMAL,
        )
        session.ticket_id = ticket.id
        hours = office_hours_text(self._hours, self._lang(session))
        now = self._clock()
        if self._hours.is_open(now):
            when = t.gettext("The team answers {hours} (Mexico City time). They are working now.").format(
                hours=hours
            )
        else:
            when = t.gettext(
                "The team answers {hours} (Mexico City time). Right now they are not working; they will "
                "read your messages from {next}."
            ).format(hours=hours, next=next_opening_text(self._hours, now, self._lang(session)) or "—")
        text = "\n\n".join(
            [
                t.gettext("I passed your conversation to a person from our team."),
                when,
                t.gettext(
                    "Write your message here. While a person has your conversation I will not answer. "
                    "If you are in danger, call 911."
                ),
            ]
        )
        return [Outbound(text, (Choice(menus.HANDOFF_LEAVE, t.gettext("Back to assistant")),))]

    async def _to_staff(self, session: ConversationSession, inbound: Inbound, text: str) -> list[Outbound]:
        assert self._handoff is not None and session.ticket_id is not None
        t = self._t(session)
        ticket = await self._handoff.get(session.ticket_id)
        previous = ticket.last_person_at if ticket else None
        content = text
        if inbound.kind is InboundKind.LOCATION and inbound.location is not None:
            content = t.gettext("(shared a location)")
        elif inbound.kind is InboundKind.UNSUPPORTED:
            content = t.gettext("(sent a file, sticker or audio that I cannot read)")
        elif inbound.kind is InboundKind.CHOICE:
            return [self._quiet_reminder(session)]
        await self._handoff.note_person(session.ticket_id, session.id, content)
        now = self._clock()
        if previous is not None and now - previous.replace(tzinfo=previous.tzinfo or UTC) < ACK_EVERY:
            return []
        return [
            Outbound(
                t.gettext("Your message was passed to the team."),
                (Choice(menus.HANDOFF_LEAVE, t.gettext("Back to assistant")),),
            )
        ]

    def _quiet_reminder(self, session: ConversationSession) -> Outbound:
        t = self._t(session)
        return Outbound(
            t.gettext(
                "A person from our team has your conversation. To talk to the assistant "
                "again, tap the button."
            ),
            (Choice(menus.HANDOFF_LEAVE, t.gettext("Back to assistant")),),
        )

    async def _leave_handoff(self, session: ConversationSession) -> list[Outbound]:
        t = self._t(session)
        if session.ticket_id is not None and self._handoff is not None:
            await self._handoff.note_person(session.ticket_id, session.id, "(went back to the assistant)")
            await self._handoff_close(session.ticket_id)
        session.ticket_id = None
        session.stage = Stage.READY
        return [self._menu(session, t.gettext("You are back with the assistant."))]

    async def _handoff_close(self, ticket_id: int) -> None:
        import asyncio

        assert self._handoff is not None
        await asyncio.to_thread(self._handoff.close, ticket_id)

    # -- deletion --------------------------------------------------------------------------------

    @staticmethod
    def _asks_to_delete(text: str) -> bool:
        norm = normalise(text)
        return any(normalise(p) in norm for p in DELETE_PHRASES)

    def _confirm_delete(self, session: ConversationSession) -> Outbound:
        t = self._t(session)
        session.stage = Stage.CONFIRM_DELETE
        return Outbound(
            t.gettext(
                "This deletes everything we keep about you: your language, place, the state of this "
                "conversation and any messages to the team. Delete it?"
            ),
            (Choice(menus.DELETE_YES, t.gettext("Yes, delete")), Choice(menus.DELETE_NO, t.gettext("No"))),
        )

    async def _delete(self, session: ConversationSession) -> list[Outbound]:
        t = self._t(session)
        if session.stage != Stage.CONFIRM_DELETE:
            return [self._confirm_delete(session)]
        await self._erase(session.id)
        session.stage = Stage.DELETED
        log.info("data deleted on request session=%s", session.id[:12])
        return [
            Outbound(
                t.gettext(
                    "Done: everything about you has been deleted. "
                    "If you write again, we start from the beginning."
                )
            )
        ]

    # -- the conversation proper ------------------------------------------------------------------

    async def _choice(self, session: ConversationSession, inbound: Inbound) -> list[Outbound]:
        choice = inbound.choice
        t = self._t(session)
        if choice == menus.MENU:
            session.stage = Stage.READY
            return [self._menu(session)]
        if choice.startswith(menus.TOPIC_PREFIX):
            intent = choice[len(menus.TOPIC_PREFIX) :]
            if intent in TOPIC_INTENTS:
                if intent == "emergency":
                    return await self._emergency(session, inbound, "", None)
                return await self._topic(session, intent)
        if choice.startswith(menus.SECTION_PREFIX):
            intent, _, key = choice[len(menus.SECTION_PREFIX) :].partition(":")
            answer = self._answers.get(intent, chain(self._lang(session)))
            section = answer.section(key) if answer else None
            if answer is not None and section is not None:
                others = [c for c in answer_message(t, answer, answer.language).choices if c.id != choice]
                return [Outbound(section_text(t, section, self._lang(session)), tuple(others))]
        if choice.startswith(menus.SOURCES_PREFIX):
            answer = self._answers.get(choice[len(menus.SOURCES_PREFIX) :], chain(self._lang(session)))
            if answer is not None:
                return [sources_message(t, answer, self._lang(session))]
        if choice == menus.SKIP_PLACE:
            session.stage = Stage.READY
            session.pending_topic = None
            return [self._menu(session)]
        if choice == menus.CHANGE_PLACE:
            session.place = None
            session.latitude = session.longitude = None
            if session.topic in REFERRAL_TOPICS:
                session.pending_topic = session.topic
                session.stage = Stage.AWAITING_PLACE
            return [self._ask_place(session)]
        # An unknown or stale button: show the menu rather than guess.
        return [self._menu(session)]

    async def _text(
        self, session: ConversationSession, inbound: Inbound, text: str, parse: Parse | None
    ) -> list[Outbound]:
        t = self._t(session)
        if not text or not has_letters(text):
            return [self._menu(session, t.gettext("I could not read a question in that message."))]
        if session.stage == Stage.AWAITING_PLACE and session.pending_topic:
            place = self._remember_place(session, parse, text)
            if place is not None:
                topic = session.pending_topic
                session.pending_topic = None
                session.stage = Stage.READY
                return await self._referrals_for(session, topic)
            if parse is None or parse.intent == "out_of_scope" or parse.confidence < self._threshold:
                return [self._ask_place(session, retry=True)]
            session.stage = Stage.READY  # a new question or request: the place can wait
        if parse is None:
            return [self._menu(session, t.gettext("I cannot understand free text right now."))]
        self._remember_place(session, parse, text)
        intent = parse.intent
        confident = parse.confidence >= self._threshold
        # The model reads Spanish, English and Haitian Creole only: in K'iche', Mam, Tsotsil,
        # Nahuatl or Otomí its "out of scope" means only that it could not read the message.
        readable = self._lang(session) in RELEASED
        if confident and intent in TOPIC_INTENTS:
            replies = await self._topic(session, intent)
            if readable:
                return replies
            # A confident guess at a message in a language the model was not trained on can be
            # wrong, and the message may be a cry for help: the danger line comes first.
            return [Outbound(t.gettext(EMERGENCY_LINE)), *replies]
        if confident and (readable or intent != "out_of_scope"):
            if intent == "human":
                return await self._open_handoff(session, inbound)
            reply = self._conversation(session, intent)
            if reply is not None:
                return reply
        if not readable:
            return [self._cannot_read_yet(session)]  # its other guesses are noise: say so, danger first
        return [self._did_you_mean(session, parse)]

    def _conversation(self, session: ConversationSession, intent: str) -> list[Outbound] | None:
        t = self._t(session)
        if intent == "greet":
            return [self._menu(session, t.gettext("Hello! How can I help you?"))]
        if intent == "help":
            return [
                self._menu(
                    session, t.gettext("I can explain procedures and point you to services in Mexico.")
                )
            ]
        if intent == "thanks":
            return [Outbound(t.gettext("You are welcome. Take care."), (menus.menu_choice(t),))]
        if intent == "goodbye":
            return [Outbound(t.gettext("Take care. Write to me any time."))]
        if intent == "language":
            session.stage = Stage.CHOOSING_LANGUAGE
            return [self._language_menu(session.language)]
        if intent == "out_of_scope":
            return [
                self._menu(
                    session, t.gettext("I can only help with migration, papers and services in Mexico.")
                )
            ]
        return None

    def _cannot_read_yet(self, session: ConversationSession) -> Outbound:
        t = self._t(session)
        language = LANGUAGES[self._lang(session)].endonym
        text = t.gettext(
            "I cannot read {language} yet. If you are in danger now, call 911. A person from our team "
            "can help you, or choose a topic:"
        ).format(language=language)
        topics = ("emergency", *(topic for topic in menus.MENU_TOPICS if topic != "emergency"))
        choices = (
            Choice(menus.HANDOFF_OPEN, t.gettext("Talk to a person")),
            *menus.topic_choices(t, topics),
        )
        return Outbound(text, choices)

    def _did_you_mean(self, session: ConversationSession, parse: Parse) -> Outbound:
        t = self._t(session)
        likely = [name for name, _ in parse.ranking if name in TOPIC_INTENTS and name != "emergency"][:3]
        if parse.intent in TOPIC_INTENTS and parse.intent not in likely and parse.intent != "emergency":
            likely = [parse.intent, *likely][:3]
        choices = (*menus.topic_choices(t, tuple(likely)), menus.menu_choice(t))
        return Outbound(t.gettext("I am not sure I understood. Did you mean one of these?"), choices)

    # -- topics, places, referrals --------------------------------------------------------------

    def _state_code(self, session: ConversationSession) -> str | None:
        place = self._current_place(session)
        return place.state_code if place else None

    async def _topic(self, session: ConversationSession, intent: str) -> list[Outbound]:
        lang = self._lang(session)
        t = self._t(session)
        session.topic = intent
        answer = self._answers.get(intent, chain(lang))
        await self._counter.count(
            Kind.QUESTION, topic=intent, language=lang, state=self._state_code(session), when=self._clock()
        )
        replies = []
        if answer is None:
            replies.append(
                Outbound(t.gettext("I do not have an answer on this topic yet."), (menus.menu_choice(t),))
            )
        else:
            replies.append(answer_message(t, answer, lang))
        if intent in REFERRAL_TOPICS:
            if session.place or session.latitude is not None:
                replies += await self._referrals_for(session, intent)
            else:
                session.pending_topic = intent
                session.stage = Stage.AWAITING_PLACE
                replies.append(self._ask_place(session))
        return replies

    def _ask_place(self, session: ConversationSession, retry: bool = False) -> Outbound:
        t = self._t(session)
        if retry:
            text = t.gettext(
                "I did not recognise that place. Write the city or state in Mexico (for example: "
                "Tapachula, Querétaro, CDMX), or share your location."
            )
        else:
            text = t.gettext(
                "To find services near you, write the city or state where you are now, "
                "or share your location."
            )
        return Outbound(
            text,
            (Choice(menus.SKIP_PLACE, t.gettext("Skip")),),
            request_location=t.gettext("Share my location"),
        )

    def _remember_place(self, session: ConversationSession, parse: Parse | None, text: str) -> Place | None:
        place = None
        if parse is not None:
            for value in parse.values("location"):
                place = self._places.by_name(value) or self._places.find_in_text(value)
                if place:
                    break
        if place is None:
            place = self._places.find_in_text(text)
        if place is not None:
            session.place = place.label
            session.latitude = session.longitude = None
        return place

    async def _location(self, session: ConversationSession, inbound: Inbound) -> list[Outbound]:
        t = self._t(session)
        assert inbound.location is not None
        if not inbound.location.is_valid():
            return [self._ask_place(session, retry=True)]
        session.set_coordinates(inbound.location.latitude, inbound.location.longitude)
        session.place = self._places.nearest(inbound.location.latitude, inbound.location.longitude).label
        topic = session.pending_topic
        if topic:
            session.pending_topic = None
            session.stage = Stage.READY
            return await self._referrals_for(session, topic)
        return [
            self._menu(session, t.gettext("Thank you, I will use your location to find services near you."))
        ]

    def _current_place(self, session: ConversationSession) -> Place | None:
        if session.place:
            return self._places.by_name(session.place)
        if session.latitude is not None and session.longitude is not None:
            return self._places.nearest(session.latitude, session.longitude)
        return None

    async def _referrals_for(self, session: ConversationSession, intent: str) -> list[Outbound]:
        t = self._t(session)
        lang = self._lang(session)
        place = self._current_place(session)
        now = self._clock()
        result = await self._referrals.find(
            intent=intent,
            place=place,
            language=lang,
            now=now,
            latitude=session.latitude,
            longitude=session.longitude,
        )
        state = place.state_code if place else None
        if result.referrals:
            await self._counter.count(Kind.REFERRAL, topic=intent, language=lang, state=state, when=now)
        if result.scope not in ("local", "placeholder"):
            await self._counter.count(Kind.UNMET, topic=intent, language=lang, state=state, when=now)
        messages = referral_messages(t, result, place, lang)
        last = messages[-1]
        change = Choice(menus.CHANGE_PLACE, t.gettext("Change place"))
        messages[-1] = Outbound(last.text, (change, *last.choices), last.location, last.location_title)
        return messages

    async def _safe_parse(self, text: str) -> Parse | None:
        try:
            return await self._nlu.parse(text)
        except NluUnavailable as exc:
            log.warning("nlu unavailable: %s", exc)
            return None
