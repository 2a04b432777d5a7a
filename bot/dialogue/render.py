"""Turns answers and referrals into Outbound messages in the person's language."""

from __future__ import annotations

import gettext

from bot.dialogue.menus import SECTION_PREFIX, SOURCES_PREFIX, menu_choice
from bot.messages import Choice, Outbound
from content import Answer
from referrals import Referral, ReferralResult


def answer_message(t: gettext.NullTranslations, answer: Answer, requested: str) -> Outbound:
    parts = []
    if answer.language != requested:
        parts.append(
            t.gettext("(This answer is not yet available in your language; here it is in the closest one.)")
        )
    parts.append(answer.summary)
    parts.append(provenance_line(t, answer))
    choices = [Choice(f"{SECTION_PREFIX}{answer.intent}:{s.key}", s.title) for s in answer.sections]
    choices.append(Choice(SOURCES_PREFIX + answer.intent, t.gettext("Sources")))
    choices.append(menu_choice(t))
    return Outbound("\n\n".join(parts), tuple(choices))


def provenance_line(t: gettext.NullTranslations, answer: Answer) -> str:
    names = ", ".join(_short_title(s.title) for s in answer.sources[:3])
    checked = answer.last_reviewed.isoformat() if answer.last_reviewed else t.gettext("unknown")
    line = t.gettext("Source: {sources} · checked {date}").format(sources=names, date=checked)
    if answer.status != "reviewed":
        line += "\n" + t.gettext(
            "Not yet reviewed by a person from our team: confirm with the office before you act."
        )
    return line


def sources_message(t: gettext.NullTranslations, answer: Answer) -> Outbound:
    checked = answer.last_reviewed.isoformat() if answer.last_reviewed else t.gettext("unknown")
    lines = [t.gettext("Sources of this answer (checked {date}):").format(date=checked)]
    for source in answer.sources:
        entry = f"• {source.title}"
        if source.date:
            entry += f" ({source.date})"
        if source.url:
            entry += f"\n  {source.url}"
        lines.append(entry)
    return Outbound("\n".join(lines), (menu_choice(t),))


def _short_title(title: str) -> str:
    return title if len(title) <= 60 else title[:57].rsplit(" ", 1)[0] + "…"


def referral_lines(t: gettext.NullTranslations, referral: Referral) -> str:
    lines = [f"• {referral.name}"]
    if referral.organization and referral.organization != referral.name:
        lines.append(f"  {referral.organization}")
    if referral.address:
        lines.append("  " + t.gettext("Address: {address}").format(address=referral.address))
    for phone in referral.phones:
        lines.append("  " + t.gettext("Phone: {phone}").format(phone=phone))
    verified = referral.verified_on.isoformat() if referral.verified_on else t.gettext("not verified yet")
    lines.append(
        "  " + t.gettext("Source: {source} · verified: {date}").format(source=referral.source, date=verified)
    )
    return "\n".join(lines)


def referral_messages(
    t: gettext.NullTranslations, result: ReferralResult, place_label: str | None
) -> list[Outbound]:
    if result.scope == "placeholder":
        return [
            Outbound(
                t.gettext(
                    "Placeholder: the directory of services is not connected yet, so I cannot "
                    "name a specific place near you. I will not guess. Ask the staff of a shelter, "
                    "or use the official contacts in the answer above."
                ),
                (menu_choice(t),),
            )
        ]
    if not result.referrals:
        return [
            Outbound(
                t.gettext("I found no service for this in the directory yet. I will not guess."),
                (menu_choice(t),),
            )
        ]
    if result.scope == "local":
        header = t.gettext("Services near {place}:").format(place=place_label or "")
    elif result.scope == "state":
        header = t.gettext("I found nothing in your city; these are in your state:")
    else:
        header = t.gettext("I found nothing near you; these national services can help by phone or online:")
    body = "\n\n".join(referral_lines(t, r) for r in result.referrals)
    return [Outbound(f"{header}\n\n{body}", (menu_choice(t),))]
