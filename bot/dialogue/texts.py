"""Longer interface texts of the conversation (privacy, handoff, deletion), in one place."""

from __future__ import annotations

import gettext
from datetime import datetime

from bot.localformat import format_hours, format_weekday_time
from bot.office_hours import OfficeHours


def privacy_short(t: gettext.NullTranslations, session_days: int) -> str:
    return t.gettext(
        "Before we start:\n"
        "• This is a free service of civil society, not of the government.\n"
        "• I do not keep the text of your messages. I keep your language and the topic and place "
        "you ask about, for {days} days after your last message.\n"
        "• If you ask to talk to a person, the team reads your messages until the conversation is "
        "closed.\n"
        "• You can delete everything at any time: write /borrar.\n"
        "Do you accept?"
    ).format(days=session_days)


def privacy_full(t: gettext.NullTranslations, session_days: int, ticket_days: int) -> str:
    return t.gettext(
        "Privacy, in full:\n\n"
        "Who we are: a free information service run by civil society organisations. We are not "
        "the government, the INM, COMAR or the police, and we do not share what you tell us.\n\n"
        "What we keep: your language, the topic and place you ask about (a city or state, or your "
        "location rounded to about 1 km), and the time you accepted this notice. We do not keep "
        "the text of your messages.\n\n"
        "If you ask for a person: your messages to the team are kept so that they can answer you, "
        "and deleted {ticket_days} days after the conversation with the team is closed.\n\n"
        "How long: everything is deleted {days} days after your last message.\n\n"
        "Counts: we count questions by topic, language, state and week, without any data about "
        "you, to show where services are missing.\n\n"
        "Delete: write /borrar (or 'delete my data') at any time and everything about you is "
        "deleted at once."
    ).format(days=session_days, ticket_days=ticket_days)


def office_hours_text(hours: OfficeHours, lang: str) -> str:
    """E.g. "lunes a viernes, 9:00–18:00" in the person's language (CLDR, along the chain)."""
    return format_hours(hours.slots, lang)


def next_opening_text(hours: OfficeHours, now: datetime, lang: str) -> str | None:
    nxt = hours.next_opening(now)
    return format_weekday_time(nxt, lang) if nxt is not None else None
