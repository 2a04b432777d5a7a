"""The emergency flow: the emergency message first, then the lines for the situation, then an
offer to talk to a person. Used whatever the stage, before the language or consent is settled."""

from __future__ import annotations

from bot.dialogue import menus
from bot.dialogue.render import section_text
from bot.i18n import is_translated, translations
from bot.languages import LANGUAGES, chain
from bot.messages import Choice, Outbound
from bot.safety import Danger
from content import AnswerBook

EMERGENCY_LINE = "If you are in danger right now, call 911 (free, 24 hours)."

# The emergency answer's sections by situation (content/answers/emergency/*.yml).
SITUATION_SECTION = {
    Danger.KIDNAPPING: "steps",
    Danger.TRAPPED: "steps",
    Danger.VIOLENCE: "steps",
    Danger.SEXUAL: "steps",
    Danger.SUICIDE: "where",
    Danger.CHILD: "rights",
    Danger.MEDICAL: "problems",
    Danger.DROWNING: "problems",
    Danger.EXPOSURE: "problems",
    Danger.FIRE: "problems",
}


def emergency_replies(
    answers: AnswerBook, lang: str, danger: Danger | None, *, can_handoff: bool
) -> list[Outbound]:
    t = translations(lang)
    found = answers.along("emergency", chain(lang))
    # The closest answer; if it is a short draft without sections (a language still in review),
    # it carries the sections of the next one along the chain, marked so.
    answer = answers.get("emergency", chain(lang))
    text = answer.summary if answer else ""
    line = t.gettext("If you are in danger right now, call 911 (free, 24 hours).")
    if answer is not None and answer.language != lang and is_translated(lang, EMERGENCY_LINE):
        text = line + "\n\n" + text  # the 911 line in the person's language, then the fallback's
    elif "911" not in text:
        text = line + ("\n\n" + text if text else "")
    if (
        answer is not None
        and not answer.reviewed
        and not LANGUAGES[answer.language].released
        and len(found) > 1
    ):
        text += "\n\n" + found[-1].summary  # a draft in a language still in review: Spanish follows
    replies = [Outbound(text)]
    if answer is not None and danger is not None:
        section = answer.section(SITUATION_SECTION.get(danger, ""))
        if section is not None:
            replies.append(Outbound(section_text(t, section, lang)))
    choices: list[Choice] = []
    if can_handoff:
        choices.append(Choice(menus.HANDOFF_OPEN, t.gettext("Talk to a person")))
    if answer is not None:
        choices += [Choice(f"{menus.SECTION_PREFIX}emergency:{s.key}", s.title) for s in answer.sections]
    offer = (
        t.gettext("Do you want to talk to a person from our team? I stay here too.")
        if can_handoff
        else t.gettext("I stay here if you need information.")
    )
    replies.append(Outbound(offer, tuple(choices)))
    return replies
