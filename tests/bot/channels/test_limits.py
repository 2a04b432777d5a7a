"""Channel limits: every answer and every interface string, in every language, rendered for
Telegram and for WhatsApp. Long texts split cleanly (never mid-word); buttons and list rows fit.

Telegram: 4,096-character messages, 64-byte callback data (``keyboard()`` drops longer ids and
cuts labels at 64). WhatsApp: 4,096-character bodies; up to 3 reply buttons of 20 characters;
otherwise a list, rows of 24 characters (more than 10 rows are paged by the adapter).
"""

from __future__ import annotations

import gettext
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.limits import TELEGRAM, WHATSAPP, split_text
from bot.channels.telegram import keyboard
from bot.dialogue import menus
from bot.dialogue.engine import DialogueEngine
from bot.dialogue.render import answer_message, sources_message
from bot.i18n import translations
from bot.languages import LANGUAGES, chain
from bot.messages import Choice, Inbound, Outbound
from content import Answer, AnswerBook
from content.catalogs import TEMPLATE, read_catalog
from nlu.intents import TOPIC_INTENTS

LANGS = list(LANGUAGES)
BOOK = AnswerBook()
MSGIDS = [m.id for m in read_catalog(TEMPLATE) if isinstance(m.id, str) and m.id]
BUTTON_MAX = WHATSAPP.button_title or 20
ROW_MAX = WHATSAPP.row_title or 24

# Interface strings that the conversation shows as buttons. A reply with one to three choices
# becomes WhatsApp reply buttons, so these must fit 20 characters in every language.
BUTTON_MSGIDS = [
    "Main menu",
    "Sources",
    "Skip",
    "Change place",
    "Talk to a person",
    "Delete my data",
    "I accept",
    "Read more",
    "Yes, delete",
    "No",
    "Back to assistant",
    "See options",
    "See options",  # the button that opens a WhatsApp list
]
# Known faults, named so that they cannot be forgotten: a strict xfail fails once fixed.
TOO_LONG: dict[tuple[str, str], str] = {}


def button_cases() -> list[object]:
    cases: list[object] = []
    for lang in LANGUAGES:
        for msgid in BUTTON_MSGIDS:
            reason = TOO_LONG.get((lang, msgid))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            cases.append(pytest.param(lang, msgid, marks=marks, id=f"{lang}-{msgid}"))
    return cases


# -- split_text -------------------------------------------------------------------------------


def words(text: str) -> list[str]:
    return text.split()


def assert_clean_split(text: str, limit: int) -> list[str]:
    pieces = split_text(text, limit)
    assert all(0 < len(piece) <= limit for piece in pieces), [len(p) for p in pieces]
    longest_word = max((len(w) for w in words(text)), default=0)
    if longest_word <= limit:
        # Never mid-word: the pieces hold exactly the words of the text, in order.
        assert [w for piece in pieces for w in words(piece)] == words(text)
    return pieces


def test_a_short_text_is_one_piece() -> None:
    assert split_text("hola", 10) == ["hola"]


def test_paragraphs_are_preferred_over_lines_and_words() -> None:
    text = ("a" * 30 + " ") * 3 + "\n\n" + "b " * 40
    pieces = assert_clean_split(text, 120)
    assert pieces[0].endswith("a" * 30)  # cut at the paragraph, not inside the b's


def test_a_line_break_early_in_the_window_is_still_a_boundary() -> None:
    # found by the property below: no space after the line break, none late enough before it
    text = "a a a aaaaaaaaaa aaaaaaaaaaaaa\naaaaaaaaaaaaaaaaa"
    assert assert_clean_split(text, 30) == ["a a a aaaaaaaaaa", "aaaaaaaaaaaaa", "aaaaaaaaaaaaaaaaa"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(alphabet="abcdeñ'ö", min_size=1, max_size=25), min_size=1, max_size=400),
    st.lists(st.sampled_from([" ", " ", " ", "\n", "\n\n", " • "]), min_size=400, max_size=400),
    st.integers(min_value=30, max_value=600),
)
def test_any_text_splits_cleanly(parts: list[str], seps: list[str], limit: int) -> None:
    text = "".join(word + sep for word, sep in zip(parts, seps, strict=False)).strip()
    if text:
        assert_clean_split(text, limit)


# -- rendering --------------------------------------------------------------------------------


def check_telegram(reply: Outbound, where: str) -> None:
    if reply.text:
        assert_clean_split(reply.text, TELEGRAM.text)
    if not reply.choices:
        return
    markup = keyboard(reply)
    assert markup is not None, where
    buttons = [b for row in markup.inline_keyboard for b in row]
    assert len(buttons) == len(reply.choices), f"{where}: a button was dropped (callback data over 64 bytes)"
    for button, choice in zip(buttons, reply.choices, strict=True):
        assert button.text == choice.label, f"{where}: label {choice.label!r} was cut"
        assert len(str(button.callback_data or "").encode()) <= (TELEGRAM.callback_bytes or 64), where


def check_whatsapp(reply: Outbound, where: str) -> None:
    if reply.text:
        assert_clean_split(reply.text, WHATSAPP.text)
    limit = BUTTON_MAX if len(reply.choices) <= (WHATSAPP.buttons or 3) else ROW_MAX
    for choice in reply.choices:
        assert len(choice.label) <= limit, f"{where}: {choice.label!r} is over {limit} characters"
        assert choice.label.strip(), f"{where}: empty label"


def check(reply: Outbound, where: str) -> None:
    check_telegram(reply, f"telegram {where}")
    check_whatsapp(reply, f"whatsapp {where}")


def section_message(t: gettext.NullTranslations, answer: Answer, key: str) -> Outbound:
    """As the engine shows a section: its text, then the other sections, sources and menu."""
    section = answer.section(key)
    assert section is not None
    choices = [
        c for c in answer_message(t, answer, answer.language).choices if c.id != f"sec:{answer.intent}:{key}"
    ]
    return Outbound(f"{section.title}\n\n{section.text}", tuple(choices))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("intent", TOPIC_INTENTS)
def test_every_answer_fits_both_channels(lang: str, intent: str) -> None:
    t = translations(lang)
    answer = BOOK.get(intent, chain(lang))
    assert answer is not None
    where = f"{intent}/{answer.language}.yml as seen in {lang}"
    check(answer_message(t, answer, lang), where)
    check(sources_message(t, answer, lang), f"{where} (sources)")
    for section in answer.sections:
        assert len(section.title) <= BUTTON_MAX, f"{where}: section title {section.title!r}"
        check(section_message(t, answer, section.key), f"{where} [{section.key}]")


@pytest.mark.parametrize("lang", LANGS)
def test_a_very_long_answer_still_splits_cleanly(lang: str) -> None:
    """All of an answer's sections in one message: far over 4,096 characters."""
    for intent in TOPIC_INTENTS:
        answer = BOOK.get(intent, chain(lang))
        assert answer is not None
        text = "\n\n".join([answer.summary, *(f"{s.title}\n\n{s.text}" for s in answer.sections)] * 3)
        assert_clean_split(text, TELEGRAM.text)
        assert_clean_split(text, WHATSAPP.text)


@pytest.mark.parametrize("lang", LANGS)
def test_every_interface_string_fits_as_a_message(lang: str) -> None:
    t = translations(lang)
    for msgid in MSGIDS:
        names = set(re.findall(r"{(\w+)}", msgid))
        text = t.gettext(msgid).format(**{name: "Ciudad de México" for name in names})
        check(Outbound(text), f"{lang}: {msgid[:40]!r}")


@pytest.mark.parametrize(("lang", "msgid"), button_cases())
def test_button_labels_fit_a_whatsapp_button(lang: str, msgid: str) -> None:
    label = translations(lang).gettext(msgid)
    assert len(label) <= BUTTON_MAX, f"{lang}: {label!r} is {len(label)} characters"


@pytest.mark.parametrize("lang", LANGS)
def test_topic_labels_fit_a_whatsapp_button(lang: str) -> None:
    t = translations(lang)
    for intent in TOPIC_INTENTS:
        label = menus.topic_label(t, intent)
        assert label != intent and len(label) <= BUTTON_MAX, f"{lang}: {label!r}"


def test_the_language_menu_fits_one_whatsapp_list() -> None:
    choices = menus.language_choices()
    assert len(choices) <= (WHATSAPP.list_rows or 10)
    check(Outbound("Elige tu idioma:", choices), "language menu")
    assert len({c.label for c in choices}) == len(choices)


# -- whole conversations -------------------------------------------------------------------------


async def conversation(engine: DialogueEngine, lang: str) -> list[Outbound]:
    """Language, consent, every topic, every section and source: everything a person can reach."""
    user = f"limits-{lang}"
    seen: list[Outbound] = []

    async def send(inbound: Inbound) -> list[Outbound]:
        replies = await engine.handle(inbound)
        seen.extend(replies)
        return replies

    await send(Inbound.from_text("test", user, "hola"))
    replies = await send(Inbound.from_choice("test", user, menus.LANG_PREFIX + lang))
    if any(c.id == menus.CONSENT_ACCEPT for r in replies for c in r.choices):
        await send(Inbound.from_choice("test", user, menus.CONSENT_MORE))
        await send(Inbound.from_choice("test", user, menus.CONSENT_ACCEPT))
    for intent in TOPIC_INTENTS:
        replies = await send(Inbound.from_choice("test", user, menus.TOPIC_PREFIX + intent))
        for choice in [c for r in replies for c in r.choices]:
            if choice.id.startswith((menus.SECTION_PREFIX, menus.SOURCES_PREFIX)):
                await send(Inbound.from_choice("test", user, choice.id))
        await send(Inbound.from_choice("test", user, menus.SKIP_PLACE))
    await send(Inbound.from_choice("test", user, menus.DELETE_ASK))
    await send(Inbound.from_choice("test", user, menus.DELETE_NO))
    return seen


@pytest.mark.parametrize("lang", LANGS)
async def test_a_whole_conversation_fits_both_channels(engine: DialogueEngine, lang: str) -> None:
    seen = await conversation(engine, lang)
    assert len(seen) > 40
    for i, reply in enumerate(seen):
        check(reply, f"{lang} reply {i}: {reply.text[:40]!r}")


def test_choices_are_plain_data() -> None:
    # The limits above apply to this shape; a change to it must revisit them.
    assert Choice.__slots__ == ("id", "label")
