"""The referral engine: ``SqlReferralFinder(engine).find(...)`` over the HSDS registry.

1. The intent's categories come from ``data/intent_categories.yml`` (closest first).
2. Search widens: **local** (within ``local_radius_km`` of the person's shared location or city
   centre; locations without coordinates count by their municipality), then **state** (located
   in or covering the person's state), then **national** (country-wide services: phone/online
   first, then the nearest office). Results fill ``limit`` in that order; ``ReferralResult.scope``
   is the scope of the first one and each referral carries its own.
3. ``active`` services of every tier come before ``temporarily closed`` ones (``inactive`` and
   ``defunct`` are never returned); within a tier, closer categories before broader ones: one
   small SQL query per (status, tier, category) index range of ``referral_index`` (bounding box
   before distance for "local"), stopping as soon as ``limit`` services are found. Each query ranks by
   populations served, the person's language (other than Spanish), open now (hours patterns open
   at this minute in each location's time zone, looked up once per search), verified records,
   then distance. The cards of the few services returned are read in one query.
4. Confidential locations are matched, but their address, coordinates, name and distance are
   withheld (``Referral.confidential``). Nothing the registry lacks is filled in.

Consular services are dropped when ``populations`` contains ``asylum_seeker`` or ``refugee``
(the law forbids notifying their consulate; see ``intent_categories.yml``).
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Engine, TextClause, bindparam, select, text

from referrals.finder import Reason, Referral, ReferralResult
from referrals.hours import Interval, is_open, local_now, next_opening, opening_hours
from referrals.index import DEFAULT_TIMEZONE, generation
from referrals.places import Gazetteer, Place, default_gazetteer, haversine_km
from referrals.profile import OFFERED_STATUSES
from referrals.recent import RecentResults
from referrals.tables import ReferralCard
from referrals.taxonomy import intent_categories

KM_PER_DEGREE: Final = 111.195
PAGE: Final = 40
ASYLUM_POPULATIONS: Final = frozenset({"asylum_seeker", "refugee"})

_CARDS = select(ReferralCard).where(ReferralCard.slot.in_(bindparam("slots", expanding=True)))  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class _Hit:
    tier: str
    row: Any


class SqlReferralFinder:
    """Implements ``referrals.finder.ReferralFinder`` over the SQL registry (SQLite/PostgreSQL)."""

    def __init__(
        self,
        engine: Engine,
        *,
        gazetteer: Gazetteer | None = None,
        categories: dict[str, tuple[str, ...]] | None = None,
        local_radius_km: float = 50.0,
        remember_for: float = 0.0,
    ) -> None:
        """``remember_for``: seconds a search's result is kept for the same question asked in the
        same minute (``referrals.recent``); 0 searches every time (the desk, tools, tests)."""
        # read-only queries: without a transaction, no BEGIN and ROLLBACK round trips around them
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._places = gazetteer or default_gazetteer()
        self._categories = categories if categories is not None else intent_categories()
        self._radius = local_radius_km
        zones = {p.timezone for p in [*self._places.states, *self._places.cities]} | {DEFAULT_TIMEZONE}
        self._zones = sorted(zones)
        self._zone_info = {zone: ZoneInfo(zone) for zone in self._zones}
        self._recent: RecentResults[ReferralResult] = RecentResults(remember_for, generation)

    async def find(
        self,
        *,
        intent: str,
        place: Place | None,
        language: str,
        now: datetime,
        latitude: float | None = None,
        longitude: float | None = None,
        populations: frozenset[str] = frozenset(),
        limit: int = 3,
    ) -> ReferralResult:
        return await asyncio.to_thread(
            self.find_now,
            intent=intent,
            place=place,
            language=language,
            now=now,
            latitude=latitude,
            longitude=longitude,
            populations=populations,
            limit=limit,
        )

    def find_now(
        self,
        *,
        intent: str,
        place: Place | None,
        language: str,
        now: datetime,
        latitude: float | None = None,
        longitude: float | None = None,
        populations: frozenset[str] = frozenset(),
        limit: int = 3,
    ) -> ReferralResult:
        """The synchronous search (``find`` runs it in a worker thread)."""
        categories = self._categories.get(intent, ())
        if not categories or limit <= 0:
            return ReferralResult(referrals=(), scope="none")
        now = now if now.tzinfo else now.replace(tzinfo=UTC)
        language = (language or "").split("-")[0].lower()
        minute = now.astimezone(UTC).replace(second=0, microsecond=0)
        key = (intent, place, latitude, longitude, language, populations, limit, minute)
        kept = self._recent.get(key)
        if kept is not None:
            return kept
        rebuilds = generation()
        result = self._search(categories, place, language, now, latitude, longitude, populations, limit)
        self._recent.put(key, result, rebuilds)
        return result

    def _search(
        self,
        categories: tuple[str, ...],
        place: Place | None,
        language: str,
        now: datetime,
        latitude: float | None,
        longitude: float | None,
        populations: frozenset[str],
        limit: int,
    ) -> ReferralResult:
        point: tuple[float, float] | None = None
        if latitude is not None and longitude is not None:
            point = (latitude, longitude)
            if place is None:
                place = self._places.nearest(latitude, longitude)
        elif place is not None and not place.is_state:
            point = (place.latitude, place.longitude)
        state = place.state_code if place is not None else None

        rank_point = point
        if rank_point is None and place is not None:
            rank_point = (place.latitude, place.longitude)  # a state's capital: ranks, never shown

        tiers: list[tuple[str, dict[str, Any]]] = []
        if point is not None:
            tiers.append(("local", self._near(point)))
        if state is not None:
            tiers.append(("state", {"state": state}))
        tiers.append(("national", {}))
        params = self._rank_params(categories, populations, language, now, rank_point)
        exclude_consular = bool(populations & ASYLUM_POPULATIONS)

        hits: list[_Hit] = []
        chosen: list[str] = []
        with self._engine.connect() as conn:
            params["values"]["open"] = list(
                conn.execute(_open_patterns(len(self._zones)), params["zones"]).scalars()
            )
            # Every active service (local, state, national) before any temporarily closed one.
            for status in OFFERED_STATUSES:
                for tier, tier_params in tiers:
                    for category in categories:
                        self._collect(
                            conn,
                            hits,
                            chosen,
                            limit,
                            (tier, tier_params, status, category),
                            params,
                            ranked_by_distance=rank_point is not None,
                            exclude_consular=exclude_consular,
                        )
                        if len(hits) >= limit:
                            break
                    if len(hits) >= limit:
                        break
                if len(hits) >= limit:
                    break
            referrals = self._details(conn, hits, place, point, language, populations, now)
        return ReferralResult(referrals=referrals, scope=hits[0].tier if hits else "none")

    def _collect(
        self,
        conn: Any,
        hits: list[_Hit],
        chosen: list[str],
        limit: int,
        where: tuple[str, dict[str, Any], str, str],
        params: dict[str, Any],
        *,
        ranked_by_distance: bool,
        exclude_consular: bool,
    ) -> None:
        """Add the best services of one (tier, status, category) range until ``limit``."""
        tier, tier_params, status, category = where
        offset = 0
        while len(hits) < limit:
            arrays = conn.dialect.name == "postgresql"
            statement = _statement(
                tier,
                len(params["populations"]),
                bool(params["language"]),
                ranked_by_distance,
                exclude_consular,
                -1 if arrays else len(chosen),
            )
            bound = {**params["values"], **tier_params, "status": status, "category": category}
            bound.update({"offset": offset, "page": PAGE})
            if arrays:  # one SQL text per shape, so PostgreSQL can keep it prepared
                bound["chosen"] = list(chosen)
            else:
                bound.update({f"x{i}": service_id for i, service_id in enumerate(chosen)})
            rows = conn.execute(statement, bound).all()
            for row in rows:
                if row.service_id not in chosen and len(hits) < limit:
                    chosen.append(row.service_id)
                    hits.append(_Hit(tier, row))
            if len(rows) < PAGE:
                return
            offset += PAGE

    # -- the ranked query ----------------------------------------------------------------------

    def _near(self, point: tuple[float, float]) -> dict[str, Any]:
        lat, lon = point
        dlat = self._radius / KM_PER_DEGREE
        dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
        return {
            "lat_lo": lat - dlat,
            "lat_hi": lat + dlat,
            "lon_lo": lon - dlon,
            "lon_hi": lon + dlon,
            "r2": dlat * dlat,
            "plat": lat,
            "plon": lon,
            "pk": math.cos(math.radians(lat)),
        }

    def _rank_params(
        self,
        categories: Sequence[str],
        populations: frozenset[str],
        language: str,
        now: datetime,
        rank_point: tuple[float, float] | None,
    ) -> dict[str, Any]:
        serves = [p for p in sorted(populations) if p not in ASYLUM_POPULATIONS]
        values: dict[str, Any] = {f"p{i}": f"%,{population},%" for i, population in enumerate(serves)}
        speaks = bool(language) and language != "es"
        if speaks:
            values["lang"] = f"%,{language},%"
        zones: dict[str, Any] = {}
        for i, zone in enumerate(self._zones):
            zones[f"z{i}"] = zone
            zones[f"m{i}"] = _minute_of_week(now, self._zone_info[zone])
        zones["mdefault"] = _minute_of_week(now, self._zone_info[DEFAULT_TIMEZONE])
        zones["today"] = now.astimezone(self._zone_info[DEFAULT_TIMEZONE]).date()
        if rank_point is not None:
            values.update(
                {"qlat": rank_point[0], "qlon": rank_point[1], "qk": math.cos(math.radians(rank_point[0]))}
            )
        return {"values": values, "zones": zones, "populations": serves, "language": speaks}

    # -- the full records of the few results ---------------------------------------------------

    def _details(
        self,
        conn: Any,
        hits: list[_Hit],
        place: Place | None,
        point: tuple[float, float] | None,
        language: str,
        populations: frozenset[str],
        now: datetime,
    ) -> tuple[Referral, ...]:
        if not hits:
            return ()
        cards = {card.slot: card for card in conn.execute(_CARDS, {"slots": [h.row.slot for h in hits]})}
        out: list[Referral] = []
        for hit in hits:
            card = cards.get(hit.row.slot)
            if card is not None:  # None only if an import replaced it between the two reads
                out.append(self._referral(hit, card, place, point, language, populations, now))
        return tuple(out)

    def _referral(
        self,
        hit: _Hit,
        card: Any,
        place: Place | None,
        point: tuple[float, float] | None,
        language: str,
        populations: frozenset[str],
        now: datetime,
    ) -> Referral:
        row = hit.row
        confidential = bool(row.confidential)
        why: list[Reason] = []
        distance: float | None = None
        show_point = bool(row.point_exact) and not confidential and row.latitude is not None
        if point is not None and show_point:
            distance = round(haversine_km(point[0], point[1], row.latitude, row.longitude), 1)
        if hit.tier == "local":
            if distance is not None:
                why.append(Reason("distance", {"km": f"{distance:.1f}"}))
            else:
                why.append(Reason("in_city", {"place": row.municipality or (place.name if place else "")}))
        else:
            if hit.tier == "state":
                region = self._places.state(row.state) if row.state else None
                why.append(Reason("in_state", {"place": region.name if region else (row.state or "")}))
            else:
                why.append(Reason("national"))
            if distance is not None:
                why.append(Reason("distance", {"km": f"{distance:.1f}"}))
        served = {p for p in (row.populations or "").split(",") if p}
        for population in sorted(populations & served):
            why.append(Reason("serves", {"population": population}))
        spoken = {code for code in (row.languages or "").split(",") if code}
        if language and language in spoken:
            why.append(Reason("speaks", {"language": language}))

        timezone = row.timezone or DEFAULT_TIMEZONE
        spans = [
            Interval(a, b, date.fromisoformat(f) if f else None, date.fromisoformat(t) if t else None)
            for a, b, f, t in json.loads(card.hours or "[]")
        ]
        open_now: bool | None
        if row.status != "active":
            open_now = False
            why.append(Reason("temporarily_closed"))
        elif not spans:
            open_now = None
            why.append(Reason("schedule_unknown"))
        else:
            moment = local_now(now, timezone)
            open_now = is_open(spans, moment)
            if open_now:
                why.append(Reason("open_now"))
            else:
                upcoming = next_opening(spans, moment)
                if upcoming is None:
                    why.append(Reason("closed"))
                else:
                    when = upcoming.replace(tzinfo=None).isoformat(timespec="minutes")
                    why.append(Reason("opens_at", {"when": when}))
        if card.verified_on is not None:
            why.append(Reason("verified", {"date": card.verified_on.isoformat()}))
        else:
            why.append(Reason("unverified"))
        return Referral(
            service_id=row.service_id,
            name=card.name,
            organization=card.organization,
            description=card.description,
            why=tuple(why),
            address=None if confidential else card.address,
            confidential=confidential,
            phones=tuple(p for p in (card.phones or "").split("\n") if p),
            url=card.url,
            email=card.email,
            hours=opening_hours(spans) if row.status == "active" else (),
            timezone=timezone,
            open_now=open_now,
            latitude=row.latitude if show_point else None,
            longitude=row.longitude if show_point else None,
            distance_km=distance,
            source=card.source or "",
            verified_on=card.verified_on,
            location=None if confidential else card.location_name,
            alert=card.alert,
            scope=hit.tier,
        )


_COLUMNS: Final = (
    "r.service_id, r.location_id, r.slot, r.category, r.status, r.state, r.municipality, r.latitude,"
    " r.longitude, r.point_exact, r.confidential, r.verified, r.populations, r.languages, r.timezone,"
    " r.hours_pattern"
)


@lru_cache(maxsize=32)
def _open_patterns(zones: int) -> TextClause:
    """The hours patterns open now, each in its own time zone (a small table: few patterns)."""
    minute = (
        "CASE h.timezone " + " ".join(f"WHEN :z{i} THEN :m{i}" for i in range(zones)) + " ELSE :mdefault END"
    )
    return text(
        "SELECT DISTINCT h.pattern FROM referral_hours h"  # noqa: S608 (constants and placeholders only)
        f" WHERE h.opens <= {minute} AND h.closes > {minute}"
        " AND (h.valid_from IS NULL OR h.valid_from <= :today)"
        " AND (h.valid_to IS NULL OR h.valid_to >= :today)"
    ).bindparams(bindparam("today", type_=Date))


@lru_cache(maxsize=512)
def _statement(
    tier: str,
    populations: int,
    language: bool,
    ranked_by_distance: bool,
    exclude_consular: bool,
    chosen: int,
) -> TextClause:
    """The ranked query for one (tier, status, category) index range, as SQL text with bound
    values (cached per shape). ``chosen`` -1: PostgreSQL, lists bound as arrays (``= ANY``);
    otherwise SQLite, lists expanded into placeholders."""
    where = ["r.category = :category", "r.status = :status"]
    if tier == "local":
        where += [
            "r.latitude BETWEEN :lat_lo AND :lat_hi",
            "r.longitude BETWEEN :lon_lo AND :lon_hi",
            "((r.latitude - :plat) * (r.latitude - :plat)"
            " + ((r.longitude - :plon) * :pk) * ((r.longitude - :plon) * :pk)) <= :r2",
        ]
    elif tier == "state":
        where.append("r.state = :state")
    else:
        where.append("r.scope = 'national'")
    if exclude_consular:
        where.append("r.categories NOT LIKE '%,consular,%'")
    if chosen == -1:
        where.append("NOT (r.service_id = ANY(:chosen))")
    elif chosen:
        where.append(f"r.service_id NOT IN ({', '.join(f':x{i}' for i in range(chosen))})")
    order = []
    if populations:
        order.append(
            "("
            + " + ".join(f"CASE WHEN r.populations LIKE :p{i} THEN 1 ELSE 0 END" for i in range(populations))
            + ") DESC"
        )
    if language:
        order.append("CASE WHEN r.languages LIKE :lang THEN 1 ELSE 0 END DESC")
    order += [
        "CASE WHEN r.hours_pattern IS NULL THEN 1 WHEN "
        + ("r.hours_pattern = ANY(:open)" if chosen == -1 else "r.hours_pattern IN :open")
        + " THEN 0 ELSE 2 END",
        "CASE WHEN r.verified THEN 0 ELSE 1 END",
    ]
    if ranked_by_distance:
        order.append(
            "COALESCE((r.latitude - :qlat) * (r.latitude - :qlat)"
            " + ((r.longitude - :qlon) * :qk) * ((r.longitude - :qlon) * :qk), 0)"
        )
    order += ["r.sort_name", "r.service_id"]
    # Only constants and placeholder names are joined here; every value is a bound parameter.
    sql = (
        f"SELECT {_COLUMNS} FROM referral_index r WHERE "  # noqa: S608
        + " AND ".join(where)
        + " ORDER BY "
        + ", ".join(order)
        + " LIMIT :page OFFSET :offset"
    )
    if chosen == -1:
        return text(sql)
    return text(sql).bindparams(bindparam("open", expanding=True))


def _minute_of_week(now: datetime, zone: ZoneInfo) -> int:
    moment = now.astimezone(zone)
    return moment.weekday() * 24 * 60 + moment.hour * 60 + moment.minute
