"""Registry search for the desk (staff) and the printable referral slip.

The search asks the same finder as the assistant (:class:`referrals.SqlReferralFinder`) with the
same inputs — topic, place, the person's language and populations — so staff see the services the
bot would offer, in the same order, with the same reasons (``bot.dialogue.render.reason_text``).
The slip prints one service on one page in the person's language, from the same search.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from starlette.requests import Request
from starlette.responses import Response

from bot.dialogue.menus import MENU_TOPICS, topic_label
from bot.dialogue.render import population_label, reason_text
from bot.languages import LANGUAGES
from bot.localformat import format_date, format_hours
from desk.context import Desk
from desk.guard import Visitor
from desk.text import SlipText, language_name
from referrals.finder import Referral, ReferralFinder, ReferralResult
from referrals.places import Place, normalise


def _(msgid: str) -> str:
    """Marks a msgid for extraction; the slip translates it in the person's language."""
    return msgid


POPULATIONS = ("women", "children_families", "unaccompanied_minors", "lgbtq", "older_people", "disability",
               "indigenous")  # fmt: skip
LIMIT = 10
#: The line under each QR code, in the person's language.
CHANNEL_LINE = {
    "telegram": _("Write to the assistant on Telegram: {url}"),
    "whatsapp": _("Write to the assistant on WhatsApp: {url}"),
}
#: With words to look for, this many of the assistant's results are read, then filtered.
WIDE = 200


@dataclass(frozen=True, slots=True)
class Query:
    topic: str
    place_text: str
    place: Place | None
    language: str
    populations: frozenset[str]
    open_now: bool
    words: str = ""

    @property
    def params(self) -> list[tuple[str, str]]:
        """The query as URL parameters (for the slip links)."""
        out = [("topic", self.topic), ("place", self.place_text), ("language", self.language)]
        out += [("population", p) for p in sorted(self.populations)]
        if self.open_now:
            out.append(("open", "1"))
        if self.words:
            out.append(("q", self.words))
        return out


@dataclass(frozen=True, slots=True)
class Found:
    referral: Referral
    reasons: list[str]  # in the staff member's language
    hours: str


class RegistryPages:
    def __init__(self, desk: Desk, finder: ReferralFinder) -> None:
        self.desk = desk
        self.finder = finder

    def _query(self, request: Request) -> Query | None:
        params = request.query_params
        topic = params.get("topic", "")
        if topic not in MENU_TOPICS:
            return None
        place_text = params.get("place", "").strip()[:120]
        place = self.desk.gazetteer.find_in_text(place_text) if place_text else None
        language = params.get("language", "es")
        return Query(
            topic=topic,
            place_text=place_text,
            place=place,
            language=language if language in LANGUAGES else "es",
            populations=frozenset(p for p in params.getlist("population") if p in POPULATIONS),
            open_now=params.get("open") == "1",
            words=" ".join(params.get("q", "").split())[:120],
        )

    async def _search(self, query: Query) -> ReferralResult:
        result = await self.finder.find(
            intent=query.topic,
            place=query.place,
            language=query.language,
            now=self.desk.now(),
            populations=query.populations,
            limit=WIDE if query.words else LIMIT,
        )
        kept = [r for r in result.referrals if not query.open_now or r.open_now]
        if query.words:
            kept = [r for r in kept if matches(r, query.words)][:LIMIT]
        return ReferralResult(tuple(kept), result.scope)

    async def search(self, request: Request, visitor: Visitor) -> Response:
        t = visitor.text
        query = self._query(request)
        result = await self._search(query) if query is not None else None
        unknown_place = query is not None and bool(query.place_text) and query.place is None
        found = [
            Found(
                r,
                [text for text in (reason_text(t.catalog, reason) for reason in r.why) if text],
                format_hours(r.hours, visitor.language),
            )
            for r in (result.referrals if result else ())
        ]
        return self.desk.render(
            request,
            visitor,
            "registry.html",
            {
                "query": query,
                "result": result,
                "found": found,
                "unknown_place": unknown_place,
                "topics": [(code, topic_label(t.catalog, code)) for code in MENU_TOPICS],
                "person_languages": [(code, language_name(code)) for code in LANGUAGES],
                "populations": [(code, population_label(t.catalog, code)) for code in POPULATIONS],
                "language_name": language_name,
            },
            title=t.gettext("Find a service"),
        )

    async def slip(self, request: Request, visitor: Visitor) -> Response:
        query = self._query(request)
        service = request.query_params.get("service", "")
        result = await self._search(query) if query is not None else None
        referral = next((r for r in (result.referrals if result else ()) if r.service_id == service), None)
        if query is None or referral is None:
            return self.desk.error(request, visitor, 404, "missing")
        person = SlipText(query.language)
        return self.desk.render(
            request,
            visitor,
            "slip.html",
            {
                "query": query,
                "referral": referral,
                "slip": slip_lines(referral, query, self.desk.today()),
                "links": [
                    (link, person.gettext(CHANNEL_LINE[link.channel], url=link.url))
                    for link in self.desk.assistant_links
                ],
            },
            title=visitor.text.gettext("Referral slip"),
        )


def matches(referral: Referral, words: str) -> bool:
    """Every word is in the service's name, organization, office or description — ignoring case
    and accents ("medico" finds "Médico")."""
    text = normalise(
        " ".join(
            v for v in (referral.name, referral.organization, referral.location, referral.description) if v
        )
    )
    return all(word in text for word in normalise(words).split())


@dataclass(frozen=True, slots=True)
class Slip:
    """What the slip says, already in the person's language."""

    language: str
    topic: str
    lines: list[str]  # address or the confidentiality note, phones, web, e-mail
    hours: str
    why: str
    map: str
    map_url: str | None
    source: str
    printed: str


def slip_lines(referral: Referral, query: Query, today: date) -> Slip:
    """The slip's texts in the person's language: the assistant's own wording where it has one
    (the same msgids as the referral message in the chat), never a fact the registry lacks."""
    lang = query.language
    t = SlipText(lang)
    lines: list[str] = []
    if referral.confidential:
        lines.append(t.gettext("Address given in person or by phone, for safety."))
    elif referral.address:
        lines.append(t.gettext("Address: {address}", address=referral.address))
    lines += [t.gettext("Phone: {phone}", phone=phone) for phone in referral.phones]
    lines += [value for value in (referral.url, referral.email) if value]
    reasons = [text for text in (reason_text(t.catalog, r) for r in referral.why) if text]
    hours = format_hours(referral.hours, lang)
    map_text, map_url = "", None
    if referral.latitude is not None and referral.longitude is not None and not referral.confidential:
        lat, lon = f"{referral.latitude:.5f}", f"{referral.longitude:.5f}"
        map_text = t.gettext("Map: {latitude}, {longitude}", latitude=lat, longitude=lon)
        map_url = f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"
    verified = (
        format_date(referral.verified_on, lang) if referral.verified_on else t.gettext("not verified yet")
    )
    return Slip(
        language=lang,
        topic=topic_label(t.catalog, query.topic),
        lines=lines,
        hours=t.gettext("Hours: {hours}", hours=hours) if hours else "",
        why=t.gettext("Why: {reasons}", reasons="; ".join(reasons)) if reasons else "",
        map=map_text,
        map_url=map_url,
        source=t.gettext("Source: {source} · verified: {date}", source=referral.source, date=verified),
        printed=t.gettext("Printed on {date}", date=format_date(today, lang)),
    )
