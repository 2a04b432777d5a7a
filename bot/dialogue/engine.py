"""The dialogue engine: ``handle(inbound) -> list[Outbound]``. It never calls a channel API.

The flow: first contact → language choice (each language named in itself) and a short privacy
notice → free text or topic menu → NLU → answer (+ place → referrals). An emergency is answered
first, whatever the stage. This is the one place with a catch-all: any failure becomes a
translated apology, logged with the pseudonymous id only.
"""

from __future__ import annotations

import gettext
import logging
import traceback
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime

from bot import safety
from bot.dialogue import menus
from bot.dialogue.render import answer_message, referral_messages, sources_message
from bot.i18n import translations
from bot.language_id import detect, has_letters
from bot.languages import DEFAULT_LANGUAGE, LANGUAGES, chain
from bot.messages import Choice, Inbound, InboundKind, Outbound
from bot.sessions import ConversationSession, SessionStore, Stage
from content import AnswerBook
from nlu.client import Classifier, NluUnavailable, Parse
from nlu.intents import REFERRAL_TOPICS, TOPIC_INTENTS
from referrals import Gazetteer, Place, ReferralFinder

log = logging.getLogger(__name__)

MAX_INPUT = 4096  # characters kept from one message; the rest is dropped
EMERGENCY_MIN_CONFIDENCE = 0.4  # lower than the topic threshold: a false alarm costs little


def clean_text(text: str) -> str:
    """Drop control and zero-width characters (keeps letters of any script, emoji, RTL marks out)."""
    kept = []
    for ch in text[: MAX_INPUT * 2]:
        cat = unicodedata.category(ch)
        if ch in "\n\t ":
            kept.append(" ")
        elif cat in ("Cc", "Cs", "Co", "Cn") or (cat == "Cf" and ch not in "\u200d"):
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
        threshold: float = 0.55,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sessions = sessions
        self._nlu = classifier
        self._answers = answers
        self._referrals = referrals
        self._places = places
        self._pseudonymize = pseudonymize
        self._threshold = threshold
        self._clock = clock

    # -- entry point -------------------------------------------------------------------------

    async def handle(self, inbound: Inbound) -> list[Outbound]:
        sid = self._pseudonymize(inbound.channel, inbound.user_id)
        session = await self._sessions.get(sid)
        if session is None:
            session = ConversationSession(id=sid, channel=inbound.channel)
        session.last_inbound_at = self._clock()
        try:
            replies = await self._dispatch(session, inbound)
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
        await self._sessions.save(session)
        log.info("handled session=%s kind=%s replies=%d", sid[:12], inbound.kind, len(replies))
        return replies

    # -- helpers -----------------------------------------------------------------------------

    @staticmethod
    def _t(session: ConversationSession) -> gettext.NullTranslations:
        return translations(session.language or DEFAULT_LANGUAGE)

    def _menu(self, session: ConversationSession, lead: str | None = None) -> Outbound:
        t = self._t(session)
        text = t.gettext("Write your question in your own words, or choose a topic:")
        return Outbound(f"{lead}\n\n{text}" if lead else text, menus.topic_choices(t))

    def _language_menu(self, hint: str | None, lead: str | None = None) -> Outbound:
        order = [hint] if hint in LANGUAGES else []
        order += [code for code in LANGUAGES if code not in order]
        first = translations(order[0])
        lines = [
            first.gettext("Hello! I am Brújula, a free information service for people on the move in Mexico.")
        ]
        if hint in ("fr", "pt"):
            lines = [
                translations(hint).gettext(
                    "Hello! I am Brújula, a free information service for people on the move in Mexico."
                )
            ]
        lines.append(" / ".join(translations(code).gettext("Choose your language:") for code in order))
        if lead:
            lines.insert(0, lead)
        return Outbound("\n\n".join(lines), menus.language_choices())

    # -- dispatch ----------------------------------------------------------------------------

    async def _dispatch(self, session: ConversationSession, inbound: Inbound) -> list[Outbound]:
        text = clean_text(inbound.text) if inbound.kind is InboundKind.TEXT else ""
        if inbound.kind is InboundKind.TEXT:
            command = text.split()[0].lower() if text.startswith("/") else ""
            if command in ("/start", "/idioma", "/language", "/lang", "/lang/"):
                session.stage = Stage.CHOOSING_LANGUAGE
                return [self._language_menu(session.language)]
            if command == "/menu" and session.language:
                session.stage = Stage.READY
                return [self._menu(session)]

        if inbound.kind is InboundKind.CHOICE and inbound.choice.startswith(menus.LANG_PREFIX):
            return await self._choose_language(session, inbound.choice[len(menus.LANG_PREFIX) :])

        if session.language is None:
            return await self._first_contact(session, inbound, text)

        if inbound.kind is InboundKind.UNSUPPORTED:
            t = self._t(session)
            return [self._menu(session, t.gettext("I can read text and locations only."))]
        if inbound.kind is InboundKind.LOCATION and inbound.location is not None:
            return await self._location(session, inbound)
        if inbound.kind is InboundKind.CHOICE:
            return await self._choice(session, inbound.choice)
        return await self._text(session, text)

    async def _first_contact(
        self, session: ConversationSession, inbound: Inbound, text: str
    ) -> list[Outbound]:
        session.stage = Stage.CHOOSING_LANGUAGE
        hint = detect(text) if text else None
        if inbound.kind is InboundKind.LOCATION and inbound.location and inbound.location.is_valid():
            session.set_coordinates(inbound.location.latitude, inbound.location.longitude)
        if inbound.kind is InboundKind.UNSUPPORTED:
            lead = translations(DEFAULT_LANGUAGE).gettext("I can read text and locations only.")
            return [self._language_menu(hint, lead)]
        if not text:
            return [self._language_menu(hint)]
        # Danger comes before everything, even before the person has chosen a language.
        parse = await self._safe_parse(text)
        if self._is_emergency(text, parse):
            lang = hint if hint in LANGUAGES else DEFAULT_LANGUAGE
            session.topic = "emergency"
            return [self._emergency_message(lang), self._language_menu(hint)]
        if parse and parse.intent in TOPIC_INTENTS and parse.confidence >= self._threshold:
            session.pending_topic = parse.intent  # answered as soon as the language is chosen
        self._remember_place(session, parse, text)
        return [self._language_menu(hint)]

    async def _choose_language(self, session: ConversationSession, code: str) -> list[Outbound]:
        if code not in LANGUAGES:
            return [self._language_menu(session.language)]
        first_time = session.language is None
        session.language = code
        session.stage = Stage.READY
        t = self._t(session)
        if not first_time:
            return [self._menu(session, t.gettext("OK, I will write in English."))]
        notice = t.gettext(
            "Before we start: this is a free service of civil society, not of the government. "
            "I do not keep the text of your messages. I keep only your language and the topic "
            "and place you ask about, so that the conversation can continue."
        )
        pending = session.pending_topic
        if pending:
            session.pending_topic = None
            return [Outbound(notice), *await self._topic(session, pending)]
        return [Outbound(notice), self._menu(session)]

    async def _choice(self, session: ConversationSession, choice: str) -> list[Outbound]:
        t = self._t(session)
        if choice == menus.MENU:
            session.stage = Stage.READY
            return [self._menu(session)]
        if choice.startswith(menus.TOPIC_PREFIX):
            intent = choice[len(menus.TOPIC_PREFIX) :]
            if intent in TOPIC_INTENTS:
                return await self._topic(session, intent)
        if choice.startswith(menus.SECTION_PREFIX):
            intent, _, key = choice[len(menus.SECTION_PREFIX) :].partition(":")
            answer = self._answers.get(intent, chain(session.language or DEFAULT_LANGUAGE))
            section = answer.section(key) if answer else None
            if section is not None:
                back = (
                    [c for c in answer_message(t, answer, answer.language).choices if c.id != choice]
                    if answer
                    else []
                )
                return [Outbound(f"{section.title}\n\n{section.text}", tuple(back))]
        if choice.startswith(menus.SOURCES_PREFIX):
            intent = choice[len(menus.SOURCES_PREFIX) :]
            answer = self._answers.get(intent, chain(session.language or DEFAULT_LANGUAGE))
            if answer is not None:
                return [sources_message(t, answer)]
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

    async def _text(self, session: ConversationSession, text: str) -> list[Outbound]:
        t = self._t(session)
        if not text or not has_letters(text):
            return [self._menu(session, t.gettext("I could not read a question in that message."))]
        parse = await self._safe_parse(text)
        if self._is_emergency(text, parse):
            session.topic = "emergency"
            session.stage = Stage.READY
            return [
                self._emergency_message(session.language or DEFAULT_LANGUAGE),
                self._menu(session),
            ]
        if session.stage == Stage.AWAITING_PLACE and session.pending_topic:
            place = self._remember_place(session, parse, text)
            if place is not None:
                topic = session.pending_topic
                session.pending_topic = None
                session.stage = Stage.READY
                return await self._referrals_for(session, topic)
            if parse is None or parse.intent not in TOPIC_INTENTS or parse.confidence < self._threshold:
                return [self._ask_place(session, retry=True)]
        if parse is None:
            return [self._menu(session, t.gettext("I cannot understand free text right now."))]
        self._remember_place(session, parse, text)
        intent = parse.intent
        if intent in TOPIC_INTENTS and parse.confidence >= self._threshold:
            return await self._topic(session, intent)
        if parse.confidence >= self._threshold:
            reply = self._conversation(session, intent)
            if reply is not None:
                return reply
        return [self._did_you_mean(session, parse)]

    def _conversation(self, session: ConversationSession, intent: str) -> list[Outbound] | None:
        t = self._t(session)
        if intent == "greet":
            return [self._menu(session, t.gettext("Hello! How can I help you?"))]
        if intent == "help":
            return [
                self._menu(
                    session,
                    t.gettext("I can explain procedures and point you to services in Mexico."),
                )
            ]
        if intent == "thanks":
            return [Outbound(t.gettext("You are welcome. Take care."), (menus.menu_choice(t),))]
        if intent == "goodbye":
            return [Outbound(t.gettext("Take care. Write to me any time."))]
        if intent == "language":
            session.stage = Stage.CHOOSING_LANGUAGE
            return [self._language_menu(session.language)]
        if intent == "human":
            return [
                self._menu(
                    session,
                    t.gettext(
                        "Talking to a person is not available in this chat yet. If you are in "
                        "danger, call 911 (free, 24 hours)."
                    ),
                )
            ]
        if intent == "out_of_scope":
            return [
                self._menu(
                    session,
                    t.gettext("I can only help with migration, papers and services in Mexico."),
                )
            ]
        return None

    def _did_you_mean(self, session: ConversationSession, parse: Parse) -> Outbound:
        t = self._t(session)
        likely = [name for name, _ in parse.ranking if name in TOPIC_INTENTS and name != "emergency"][:3]
        if parse.intent in TOPIC_INTENTS and parse.intent not in likely and parse.intent != "emergency":
            likely = [parse.intent, *likely][:3]
        choices = (*menus.topic_choices(t, tuple(likely)), menus.menu_choice(t))
        return Outbound(t.gettext("I am not sure I understood. Did you mean one of these?"), choices)

    # -- topics, places, referrals --------------------------------------------------------------

    async def _topic(self, session: ConversationSession, intent: str) -> list[Outbound]:
        lang = session.language or DEFAULT_LANGUAGE
        t = self._t(session)
        session.topic = intent
        if intent == "emergency":
            return [self._emergency_message(lang), self._menu(session)]
        answer = self._answers.get(intent, chain(lang))
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
                "To find services near you, write the city or state where you are now, or share "
                "your location."
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
        place = self._current_place(session)
        result = await self._referrals.find(
            intent=intent,
            place=place,
            language=session.language or DEFAULT_LANGUAGE,
            now=self._clock(),
        )
        messages = referral_messages(t, result, place.label if place else None)
        last = messages[-1]
        change = Choice(menus.CHANGE_PLACE, t.gettext("Change place"))
        messages[-1] = Outbound(last.text, (change, *last.choices), last.location, last.location_title)
        return messages

    # -- safety --------------------------------------------------------------------------------

    async def _safe_parse(self, text: str) -> Parse | None:
        try:
            return await self._nlu.parse(text)
        except NluUnavailable as exc:
            log.warning("nlu unavailable: %s", exc)
            return None

    def _is_emergency(self, text: str, parse: Parse | None) -> bool:
        if safety.check(text) is not None:
            return True
        return (
            parse is not None and parse.intent == "emergency" and parse.confidence >= EMERGENCY_MIN_CONFIDENCE
        )

    def _emergency_message(self, lang: str) -> Outbound:
        t = translations(lang)
        answer = self._answers.get("emergency", chain(lang))
        text = answer.summary if answer else ""
        if "911" not in text:
            text = t.gettext("If you are in danger right now, call 911 (free, 24 hours).") + (
                "\n\n" + text if text else ""
            )
        choices: list[Choice] = []
        if answer is not None:
            choices = [Choice(f"{menus.SECTION_PREFIX}emergency:{s.key}", s.title) for s in answer.sections]
        return Outbound(text, tuple(choices))
