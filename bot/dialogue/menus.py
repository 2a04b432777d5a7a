"""Choice ids and the menus built from them. Ids are short ASCII (Telegram allows 64 bytes)."""

from __future__ import annotations

import gettext

from bot.languages import LANGUAGES
from bot.messages import Choice

MENU = "menu"
CONSENT_ACCEPT = "consent:yes"
CONSENT_MORE = "consent:more"
DELETE_ASK = "privacy:delete"
DELETE_YES = "privacy:delete:yes"
DELETE_NO = "privacy:delete:no"
HANDOFF_OPEN = "handoff:open"
HANDOFF_LEAVE = "handoff:leave"
SKIP_PLACE = "place:skip"
CHANGE_PLACE = "place:change"
LANG_PREFIX = "lang:"
TOPIC_PREFIX = "topic:"
SECTION_PREFIX = "sec:"
SOURCES_PREFIX = "src:"

# The order of the main menu: the most asked needs first.
MENU_TOPICS = (
    "asylum",
    "shelter",
    "health",
    "regularization",
    "curp",
    "work",
    "legal_aid",
    "education",
    "family",
    "violence",
    "documents",
    "travel",
    "money",
    "return",
    "emergency",
)


def topic_label(t: gettext.NullTranslations, intent: str) -> str:
    labels = {
        "asylum": t.gettext("Asylum / refugee"),
        "curp": t.gettext("CURP"),
        "health": t.gettext("Health"),
        "education": t.gettext("School"),
        "regularization": t.gettext("Migration papers"),
        "work": t.gettext("Work"),
        "shelter": t.gettext("Shelter and food"),
        "legal_aid": t.gettext("Legal help"),
        "family": t.gettext("Family"),
        "violence": t.gettext("Violence"),
        "return": t.gettext("Going home"),
        "documents": t.gettext("Passport, papers"),
        "travel": t.gettext("Travel"),
        "money": t.gettext("Money"),
        "emergency": t.gettext("Emergency"),
    }
    return labels.get(intent, intent)


def language_choices() -> tuple[Choice, ...]:
    return tuple(Choice(LANG_PREFIX + lang.code, lang.endonym) for lang in LANGUAGES.values())


def topic_choices(t: gettext.NullTranslations, topics: tuple[str, ...] = MENU_TOPICS) -> tuple[Choice, ...]:
    return tuple(Choice(TOPIC_PREFIX + intent, topic_label(t, intent)) for intent in topics)


def menu_choice(t: gettext.NullTranslations) -> Choice:
    return Choice(MENU, t.gettext("Main menu"))
