"""The finder's precomputed search rows (``referral_index``, ``referral_card``, ``referral_hours``).

One index row per (service, place where it is offered, category). The place is each
``service_at_location`` (with the location's state, municipality, coordinates, time zone,
confidentiality), or, for a service without locations, each ``service_area`` of the profile
(state/municipality), or nothing (a national phone/online service). Rebuilt inside the import's
transaction for the services the import touches, so every worker sees the same data.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, Final

from sqlalchemy import Connection, delete, event, insert, or_, select, true

from referrals.hours import intervals
from referrals.places import Gazetteer, Place, default_gazetteer, normalise
from referrals.tables import (
    Address,
    Attribute,
    Language,
    Location,
    Organization,
    Phone,
    ReferralCard,
    ReferralHours,
    ReferralIndex,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
    cols,
    table_of,
)

CHUNK: Final = 500
DEFAULT_TIMEZONE: Final = "America/Mexico_City"


def _chunks(items: Sequence[str], size: int = CHUNK) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _delimited(values: Iterable[str]) -> str:
    items = sorted({v for v in values if v})
    return "," + ",".join(items) + "," if items else ","


class PlaceLookup:
    """Municipality → gazetteer place (for a point and a time zone)."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self._cities: dict[tuple[str, str], Place] = {}
        for city in gazetteer.cities:
            for name in (city.municipality, city.name):
                if name:
                    self._cities.setdefault((city.state_code, normalise(name)), city)

    def city(self, state: str | None, municipality: str | None) -> Place | None:
        if not state or not municipality:
            return None
        return self._cities.get((state, normalise(municipality)))

    def timezone(self, state: str | None, municipality: str | None) -> str:
        city = self.city(state, municipality)
        if city is not None:
            return city.timezone
        region = self.gazetteer.state(state) if state else None
        return region.timezone if region is not None else DEFAULT_TIMEZONE


_rebuilds = [0]  # committed rebuilds in this process


def generation() -> int:
    """How many rebuilds of the search rows this process has committed: results kept from before
    one are stale (``referrals.recent``)."""
    return _rebuilds[0]


def _committed(_: Connection) -> None:
    _rebuilds[0] += 1


def rebuild(
    conn: Connection, service_ids: Iterable[str] | None = None, gazetteer: Gazetteer | None = None
) -> int:
    """Rebuild the search rows of ``service_ids`` (all services when None). Returns rows written.
    Results kept from before count as stale once the caller's transaction commits (a search
    meanwhile still reads, and may keep, the rows as they were)."""
    event.listen(conn, "commit", _committed, once=True)
    lookup = PlaceLookup(gazetteer or default_gazetteer())
    if service_ids is None:
        conn.execute(delete(table_of(ReferralHours)))
        conn.execute(delete(table_of(ReferralIndex)))
        conn.execute(delete(table_of(ReferralCard)))
        ids = list(conn.execute(select(cols(Service).id)).scalars())
    else:
        ids = sorted(set(service_ids))
        for chunk in _chunks(ids):
            conn.execute(delete(table_of(ReferralIndex)).where(cols(ReferralIndex).service_id.in_(chunk)))
            conn.execute(delete(table_of(ReferralCard)).where(cols(ReferralCard).service_id.in_(chunk)))
    written = 0
    batches: Iterable[Sequence[str] | None] = [None] if service_ids is None else _chunks(ids)
    for batch in batches:
        rows, hours, cards = _build(conn, batch, lookup)
        if rows:
            conn.execute(insert(table_of(ReferralIndex)), rows)
            written += len(rows)
        if hours:
            _insert_patterns(conn, hours)
        if cards:
            conn.execute(insert(table_of(ReferralCard)), cards)
    return written


def _insert_patterns(conn: Connection, hours: list[dict[str, Any]]) -> None:
    """Add the hours patterns not stored yet (patterns are shared and never change)."""
    patterns = sorted({h["pattern"] for h in hours})
    known: set[str] = set()
    for chunk in _chunks(patterns):
        known.update(
            conn.execute(
                select(cols(ReferralHours).pattern).where(cols(ReferralHours).pattern.in_(chunk))
            ).scalars()
        )
    fresh = [h for h in hours if h["pattern"] not in known]
    if not fresh:
        return
    table = table_of(ReferralHours)
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        conn.execute(postgresql_insert(table).on_conflict_do_nothing(), fresh)
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        conn.execute(sqlite_insert(table).on_conflict_do_nothing(), fresh)


def hours_pattern(timezone: str, spans: Sequence[Any]) -> str | None:
    if not spans:
        return None
    key = json.dumps(
        [timezone, [[s.start, s.end, str(s.valid_from or ""), str(s.valid_to or "")] for s in spans]]
    )
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def address_text(rows: Sequence[Any]) -> str | None:
    """One line: street, second line, city, state (and the postal code when known)."""
    if not rows:
        return None
    chosen = next((r for r in rows if (r.address_type or "") == "physical"), rows[0])
    parts = [chosen.address_1, chosen.address_2, chosen.city, chosen.state_province]
    if chosen.postal_code:
        parts.append(f"C.P. {chosen.postal_code}")
    text = ", ".join(p.strip() for p in parts if p and p.strip())
    return text or None


def phone_text(rows: Sequence[Any]) -> str:
    out: list[str] = []
    for row in rows:
        number = (row.number or "").strip()
        if row.extension is not None:
            number += f" ext. {int(row.extension)}"
        if number and number not in out:
            out.append(number)
    return "\n".join(out)


def _build(
    conn: Connection, ids: Sequence[str] | None, lookup: PlaceLookup
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows for the services ``ids`` (every service when None: one pass, no filters)."""
    everything = ids is None

    def only(*conditions: Any) -> Any:
        return true() if everything else or_(*conditions)

    services = conn.execute(
        select(
            cols(Service).id,
            cols(Service).name,
            cols(Service).description,
            cols(Service).url,
            cols(Service).email,
            cols(Service).alert,
            cols(Service).record_source,
            cols(Service).status,
            cols(Service).scope,
            cols(Service).populations,
            cols(Service).publication_status,
            cols(Service).verification_status,
            cols(Service).last_verified_at,
            cols(Organization).name.label("organization"),
            cols(Organization).website,
            cols(Organization).email.label("organization_email"),
            cols(Organization).record_source.label("organization_source"),
        )
        .join(Organization, cols(Organization).id == cols(Service).organization_id)
        .where(only(cols(Service).id.in_(ids or [])))
    ).all()
    categories: dict[str, set[str]] = defaultdict(set)
    for link_id, code in conn.execute(
        select(cols(Attribute).link_id, cols(TaxonomyTerm).code)
        .join(TaxonomyTerm, cols(TaxonomyTerm).id == cols(Attribute).taxonomy_term_id)
        .where(cols(Attribute).link_entity == "service", only(cols(Attribute).link_id.in_(ids or [])))
    ):
        if code:
            categories[link_id].add(code)
    places = conn.execute(
        select(
            cols(ServiceAtLocation).id,
            cols(ServiceAtLocation).service_id,
            cols(Location).id.label("location_id"),
            cols(Location).name.label("location_name"),
            cols(Location).state,
            cols(Location).municipality,
            cols(Location).latitude,
            cols(Location).longitude,
            cols(Location).confidential,
        )
        .join(Location, cols(Location).id == cols(ServiceAtLocation).location_id)
        .where(only(cols(ServiceAtLocation).service_id.in_(ids or [])))
    ).all()
    by_service: dict[str, list[Any]] = defaultdict(list)
    for place in places:
        by_service[place.service_id].append(place)
    areas: dict[str, list[Any]] = defaultdict(list)
    for area in conn.execute(
        select(cols(ServiceArea).service_id, cols(ServiceArea).state, cols(ServiceArea).municipality).where(
            only(cols(ServiceArea).service_id.in_(ids or []))
        )
    ):
        areas[area.service_id].append(area)
    location_ids = [p.location_id for p in places]
    sal_ids = [p.id for p in places]
    languages: dict[str, set[str]] = defaultdict(set)
    lang_query = select(cols(Language).service_id, cols(Language).location_id, cols(Language).code).where(
        only(cols(Language).service_id.in_(ids or []), cols(Language).location_id.in_(location_ids))
    )
    for service_id, location_id, code in conn.execute(lang_query):
        if code:
            languages[service_id or location_id].add(str(code).lower())
    schedules: dict[str, list[dict[str, Any]]] = defaultdict(list)
    sched_query = select(table_of(Schedule)).where(
        only(
            cols(Schedule).service_id.in_(ids or []),
            cols(Schedule).service_at_location_id.in_(sal_ids),
            cols(Schedule).location_id.in_(location_ids),
        )
    )
    for row in conn.execute(sched_query).mappings():
        key = row["service_at_location_id"] or row["service_id"] or row["location_id"]
        schedules[key].append(dict(row))

    addresses: dict[str, list[Any]] = defaultdict(list)
    address_chunks: Iterable[Sequence[str] | None] = [None] if everything else _chunks(location_ids)
    for chunk in address_chunks:
        query = select(table_of(Address)).order_by(cols(Address).id)
        if chunk is not None:
            query = query.where(cols(Address).location_id.in_(chunk))
        for address in conn.execute(query):
            addresses[address.location_id].append(address)
    phones: dict[str, list[Any]] = defaultdict(list)
    phone_query = (
        select(table_of(Phone))
        .where(
            only(
                cols(Phone).service_id.in_(ids or []),
                cols(Phone).service_at_location_id.in_(sal_ids),
                cols(Phone).location_id.in_(location_ids),
            )
        )
        .order_by(cols(Phone).id)
    )
    for phone in conn.execute(phone_query):
        for key in (phone.service_at_location_id, phone.service_id, phone.location_id):
            if key:
                phones[key].append(phone)

    rows: list[dict[str, Any]] = []
    hours: list[dict[str, Any]] = []
    cards: list[dict[str, Any]] = []
    seen_patterns: set[str] = set()
    for service in services:
        codes = categories.get(service.id)
        if not codes or service.publication_status == "draft":  # a draft is never referred
            continue
        verified = service.verification_status == "verified" and service.last_verified_at is not None
        common = {
            "service_id": service.id,
            "status": service.status,
            "scope": service.scope or "local",
            "verified": verified,
            "populations": _delimited((service.populations or "").split(",")),
            "categories": _delimited(codes),
            "sort_name": f"{service.name} · {service.organization}"[:300],
        }
        slots: list[dict[str, Any]] = []
        for place in by_service.get(service.id, []):
            city = lookup.city(place.state, place.municipality)
            exact = place.latitude is not None and place.longitude is not None
            timezone = lookup.timezone(place.state, place.municipality)
            applicable = (
                schedules.get(place.id) or schedules.get(service.id) or schedules.get(place.location_id) or []
            )
            slots.append(
                {
                    "_location_name": None if place.confidential else place.location_name,
                    "_address": None
                    if place.confidential
                    else address_text(addresses.get(place.location_id, [])),
                    "_phones": phone_text(
                        [
                            *phones.get(place.id, []),
                            *phones.get(service.id, []),
                            *phones.get(place.location_id, []),
                        ]
                    ),
                    "location_id": place.location_id,
                    "slot": place.id,
                    "state": place.state,
                    "municipality": place.municipality,
                    "latitude": place.latitude if exact else (city.latitude if city else None),
                    "longitude": place.longitude if exact else (city.longitude if city else None),
                    "point_exact": exact,
                    "confidential": bool(place.confidential),
                    "languages": _delimited(
                        languages.get(service.id, set()) | languages.get(place.location_id, set())
                    ),
                    "timezone": timezone,
                    "_schedules": applicable,
                }
            )
        if not slots:
            for area in areas.get(service.id, []) or [None]:
                state = area.state if area is not None else None
                municipality = area.municipality if area is not None else None
                city = lookup.city(state, municipality)
                slots.append(
                    {
                        "_location_name": None,
                        "_address": None,
                        "_phones": phone_text(phones.get(service.id, [])),
                        "location_id": None,
                        "slot": service.id,
                        "state": state,
                        "municipality": municipality,
                        "latitude": city.latitude if city else None,
                        "longitude": city.longitude if city else None,
                        "point_exact": False,
                        "confidential": False,
                        "languages": _delimited(languages.get(service.id, set())),
                        "timezone": lookup.timezone(state, municipality),
                        "_schedules": schedules.get(service.id, []),
                    }
                )
        seen_slots: set[str] = set()
        for slot in slots:
            applicable = slot.pop("_schedules")
            location_name, address, phone_lines = (
                slot.pop("_location_name"),
                slot.pop("_address"),
                slot.pop("_phones"),
            )
            spans = intervals(applicable, slot["timezone"])
            pattern = hours_pattern(slot["timezone"], spans)
            slot["hours_pattern"] = pattern
            if slot["slot"] not in seen_slots:
                seen_slots.add(slot["slot"])
                cards.append(
                    {
                        "slot": slot["slot"],
                        "service_id": service.id,
                        "name": service.name,
                        "organization": service.organization,
                        "description": service.description,
                        "url": service.url or service.website,
                        "email": service.email or service.organization_email,
                        "alert": service.alert,
                        "source": service.record_source or service.organization_source or "",
                        "verified_on": service.last_verified_at.date() if verified else None,
                        "location_name": location_name,
                        "address": address,
                        "phones": phone_lines,
                        "hours": json.dumps(
                            [
                                [
                                    span.start,
                                    span.end,
                                    span.valid_from.isoformat() if span.valid_from else None,
                                    span.valid_to.isoformat() if span.valid_to else None,
                                ]
                                for span in spans
                            ]
                        ),
                    }
                )
                if pattern is not None and pattern not in seen_patterns:
                    seen_patterns.add(pattern)
                    hours.extend(
                        {
                            "pattern": pattern,
                            "seq": seq,
                            "timezone": slot["timezone"],
                            "opens": span.start,
                            "closes": span.end,
                            "valid_from": span.valid_from,
                            "valid_to": span.valid_to,
                        }
                        for seq, span in enumerate(spans)
                    )
            for code in sorted(codes):
                rows.append({**common, **slot, "category": code})
    return rows, hours, cards
