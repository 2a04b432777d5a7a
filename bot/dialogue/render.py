"""Turns answers and referrals into Outbound messages in the person's language."""

from __future__ import annotations

import gettext

from bot.dialogue.menus import SECTION_PREFIX, SOURCES_PREFIX, menu_choice
from bot.localformat import format_date
from bot.messages import Choice, Location, Outbound
from content import Answer
from content.answers import Section
from referrals import Place, Referral, ReferralResult
from referrals.finder import Reason


def answer_message(t: gettext.NullTranslations, answer: Answer, requested: str) -> Outbound:
    parts = []
    if answer.language != requested:
        parts.append(
            t.gettext("(This answer is not yet available in your language; here it is in the closest one.)")
        )
    parts.append(answer.summary)
    parts.append(provenance_line(t, answer, requested))
    choices = [Choice(f"{SECTION_PREFIX}{answer.intent}:{s.key}", s.title) for s in answer.sections]
    choices.append(Choice(SOURCES_PREFIX + answer.intent, t.gettext("Sources")))
    choices.append(menu_choice(t))
    return Outbound("\n\n".join(parts), tuple(choices), audio=answer.audio)


def section_text(t: gettext.NullTranslations, section: Section, lang: str) -> str:
    """A detail section; one from another language along the chain says so first."""
    body = f"{section.title}\n\n{section.text}"
    if section.language and section.language != lang:
        body = (
            t.gettext("(This answer is not yet available in your language; here it is in the closest one.)")
            + "\n\n"
            + body
        )
    return body


def provenance_line(t: gettext.NullTranslations, answer: Answer, lang: str) -> str:
    names = ", ".join(_short_title(s.title) for s in answer.sources[:3])
    checked = format_date(answer.last_reviewed, lang) if answer.last_reviewed else t.gettext("unknown")
    line = t.gettext("Source: {sources} · checked {date}").format(sources=names, date=checked)
    if answer.status != "reviewed":
        line += "\n" + t.gettext(
            "Not yet reviewed by a person from our team: confirm with the office before you act."
        )
    return line


def sources_message(t: gettext.NullTranslations, answer: Answer, lang: str) -> Outbound:
    checked = format_date(answer.last_reviewed, lang) if answer.last_reviewed else t.gettext("unknown")
    lines = [t.gettext("Sources of this answer (checked {date}):").format(date=checked)]
    for source in answer.sources:
        entry = f"• {source.title}"
        if source.date and source.date not in source.title:  # "(archived 30 Jun 2023)" says it
            entry += f" ({source.date})"
        if source.url:
            entry += f"\n  {source.url}"
        lines.append(entry)
    return Outbound("\n".join(lines), (menu_choice(t),))


def _short_title(title: str) -> str:
    return title if len(title) <= 60 else title[:57].rsplit(" ", 1)[0] + "…"


def reason_text(t: gettext.NullTranslations, reason: Reason) -> str | None:
    p = reason.params
    texts = {
        "distance": lambda: t.gettext("{km} km from you").format(km=p.get("km", "?")),
        "in_city": lambda: t.gettext("in {place}").format(place=p.get("place", "")),
        "in_state": lambda: t.gettext("in your state ({place})").format(place=p.get("place", "")),
        "national": lambda: t.gettext("national service (phone or online)"),
        "serves": lambda: t.gettext("serves: {population}").format(
            population=population_label(t, p.get("population", ""))
        ),
        "speaks": lambda: t.gettext("speaks {language}").format(language=p.get("language", "")),
        "open_now": lambda: t.gettext("open now"),
        "opens_at": lambda: t.gettext("opens {when}").format(when=p.get("when", "")),
        "closed": lambda: t.gettext("closed now"),
        "schedule_unknown": lambda: t.gettext("hours not known: call first"),
        "verified": lambda: t.gettext("verified on {date}").format(date=p.get("date", "")),
        "unverified": lambda: t.gettext("not verified yet: call before you go"),
    }
    make = texts.get(reason.code)
    return make() if make else None


def population_label(t: gettext.NullTranslations, code: str) -> str:
    labels = {
        "women": t.gettext("women"),
        "children_families": t.gettext("children and families"),
        "unaccompanied_minors": t.gettext("children travelling alone"),
        "lgbtq": t.gettext("LGBTQ+ people"),
        "older_people": t.gettext("older people"),
        "disability": t.gettext("people with disabilities"),
        "indigenous": t.gettext("indigenous people"),
    }
    return labels.get(code, code)


def referral_lines(t: gettext.NullTranslations, referral: Referral, lang: str) -> str:
    lines = [f"• {referral.name}"]
    if referral.organization and referral.organization != referral.name:
        lines.append(f"  {referral.organization}")
    if referral.location and referral.location not in (referral.name, referral.organization):
        lines.append(f"  {referral.location}")
    if referral.alert:
        lines.append("  ⚠ " + referral.alert)
    if referral.confidential:
        lines.append("  " + t.gettext("Address given in person or by phone, for safety."))
    elif referral.address:
        lines.append("  " + t.gettext("Address: {address}").format(address=referral.address))
    for phone in referral.phones:
        lines.append("  " + t.gettext("Phone: {phone}").format(phone=phone))
    if referral.url:
        lines.append(f"  {referral.url}")
    reasons = [text for text in (reason_text(t, r) for r in referral.why) if text]
    if reasons:
        lines.append("  " + t.gettext("Why: {reasons}").format(reasons="; ".join(reasons)))
    verified = (
        format_date(referral.verified_on, lang) if referral.verified_on else t.gettext("not verified yet")
    )
    lines.append(
        "  " + t.gettext("Source: {source} · verified: {date}").format(source=referral.source, date=verified)
    )
    return "\n".join(lines)


def referral_messages(
    t: gettext.NullTranslations, result: ReferralResult, place: Place | None, lang: str = "es"
) -> list[Outbound]:
    place_label = place.label if place else None
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
    elif result.scope == "state" and place is not None and place.is_state:
        header = t.gettext("Services in {place}:").format(place=place_label or "")
    elif result.scope == "state":
        header = t.gettext("I found nothing in your city; these are in your state:")
    else:
        header = t.gettext("I found nothing near you; these national services can help by phone or online:")
    messages = [Outbound(header)]
    for referral in result.referrals:
        pin = None
        if referral.latitude is not None and referral.longitude is not None and not referral.confidential:
            pin = Location(referral.latitude, referral.longitude)
        messages.append(
            Outbound(referral_lines(t, referral, lang), location=pin, location_title=referral.name)
        )
    last = messages[-1]
    messages[-1] = Outbound(last.text, (menu_choice(t),), last.location, last.location_title)
    return messages
