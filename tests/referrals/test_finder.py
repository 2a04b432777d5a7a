"""The referral engine on SQLite and PostgreSQL: widening, ranking, hours, privacy, statuses."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from referrals import transfer
from referrals.finder import Reason, Referral, ReferralResult
from referrals.places import default_gazetteer
from referrals.sql_finder import SqlReferralFinder
from tests.referrals.builders import location, organization, service, write
from tests.referrals.conftest import BACKENDS

# Tuesday 24 November 2026, 17:00 UTC = 11:00 in Querétaro/CDMX (UTC-6), 09:00 in Tijuana (UTC-8).
TUESDAY_11 = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)
PLACES = default_gazetteer()


def codes(result: ReferralResult, index: int) -> list[str]:
    return codes_of(result.referrals[index])


def codes_of(referral: Referral) -> list[str]:
    return [reason.code for reason in referral.why]


async def find(engine: Engine, intent: str, place: str | None = None, **kwargs: object) -> ReferralResult:
    finder = SqlReferralFinder(engine)
    resolved = PLACES.by_name(place) if place else None
    assert place is None or resolved is not None
    arguments: dict[str, object] = {"language": "es", "now": TUESDAY_11, **kwargs}
    return await finder.find(intent=intent, place=resolved, **arguments)  # type: ignore[arg-type]


# -- the real seed registry ----------------------------------------------------------------------


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
async def test_health_from_queretaro_returns_queretaro_services_first(seeded: Engine) -> None:
    result = await find(seeded, "health", "Querétaro")
    assert result.scope == "state"
    first = result.referrals[0]
    assert first.name == "Servicios estatales de salud"
    assert first.organization == "Secretaría de Salud del Estado de Querétaro"
    assert first.why[0] == Reason("in_state", {"place": "Querétaro"})
    assert "unverified" in codes(result, 0)  # the seed is not verified yet, and says so
    assert first.source  # every referral says where it comes from
    assert [r.scope for r in result.referrals[1:]] == ["national", "national"]
    # The city (as the NLU canonicalises it) gives the same Querétaro service first.
    city = await find(seeded, "health", "Querétaro, Querétaro")
    assert city.referrals[0].service_id == first.service_id


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
async def test_a_state_without_a_matching_service_gets_national_options_and_says_so(seeded: Engine) -> None:
    result = await find(seeded, "health", "Zacatecas")
    assert result.scope == "national"
    assert result.referrals
    for referral in result.referrals:
        assert referral.scope == "national"
        assert referral.why[0] == Reason("national")


async def test_seed_never_offers_inactive_or_defunct_services(seeded: Engine) -> None:
    finder = SqlReferralFinder(seeded)
    seen: set[str] = set()
    for intent in ("asylum", "shelter", "legal_aid", "health", "return", "family", "work"):
        for place in PLACES.states:
            result = finder.find_now(intent=intent, place=place, language="es", now=TUESDAY_11, limit=10)
            seen.update(r.service_id for r in result.referrals)
    from referrals.store import load

    status = {row["id"]: row["status"] for row in load(seeded)["service"]}
    assert seen and all(status[s] in {"active", "temporarily closed"} for s in seen)


async def test_asylum_seekers_are_never_sent_to_a_consulate(seeded: Engine) -> None:
    plain = await find(seeded, "documents", "Ciudad de México", limit=10)
    protected = await find(
        seeded, "documents", "Ciudad de México", limit=10, populations=frozenset({"asylum_seeker"})
    )
    consular = {r.service_id for r in plain.referrals if "consul" in (r.name + r.organization).lower()}
    assert consular, "the seed has consular services for documents"
    assert not consular & {r.service_id for r in protected.referrals}


# -- hand-made registries ------------------------------------------------------------------------


def _registry(tmp_path: Path, engine: Engine, organizations: list[dict[str, object]]) -> None:
    report = transfer.import_path(engine, write(tmp_path / "test.json", organizations))  # type: ignore[arg-type]
    assert report.applied, report.lines()


@pytest.fixture
def town(tmp_path: Path, db: Engine) -> Engine:
    """Querétaro city, a town 35 km away, another 80 km away, a state-wide and a national line."""
    locations = [
        location(
            "centro",
            "a",
            state="MX-QUE",
            municipality="Querétaro",
            lat=20.593,
            lon=-100.392,
            street="Av. Uno 1",
        ),
        location(
            "refugio",
            "a",
            state="MX-QUE",
            municipality="Querétaro",
            lat=20.60,
            lon=-100.40,
            confidential=True,
            street="Calle Secreta 9",
        ),
        location("sanjuan", "a", state="MX-QUE", municipality="San Juan del Río", lat=20.389, lon=-99.996),
        location("lejos", "a", state="MX-QUE", municipality="Jalpan de Serra", lat=21.218, lon=-99.473),
        location("sinpunto", "a", state="MX-QUE", municipality="Querétaro"),
        location("tijuana", "a", state="MX-BCN", municipality="Tijuana", lat=32.53, lon=-117.02),
    ]
    services = [
        service("clinic", "a", at=["centro"], weekly=("MO,TU,WE,TH,FR", "09:00", "17:00"), phones=["+00 1"]),
        service("night", "a", at=["sanjuan"], weekly=("MO,TU,WE,TH,FR", "15:00", "21:00")),
        service("shelter", "a", codes=("shelter",), at=["refugio"], populations=["women"]),
        service("far", "a", at=["lejos"]),
        service("nopoint", "a", codes=("shelter",), at=["sinpunto"]),
        service("statewide", "a", scope="state", areas=[("MX-QUE", None)], languages=["es", "ht"]),
        service(
            "hotline",
            "a",
            scope="national",
            weekly=("MO,TU,WE,TH,FR,SA,SU", "00:00", "23:59"),
            verified_at="2026-10-01T12:00:00Z",
        ),
        service("closed", "a", at=["centro"], status="temporarily closed"),
        service("gone", "a", at=["centro"], status="defunct"),
        service("old", "a", at=["centro"], status="inactive"),
        service("tj", "a", at=["tijuana"], weekly=("MO,TU,WE,TH,FR", "09:00", "17:00")),
    ]
    _registry(tmp_path, db, [organization("a", locations=locations, services=services)])
    return db


async def test_local_first_then_state_then_national_with_reasons(town: Engine) -> None:
    result = await find(town, "health", "Querétaro, Querétaro", limit=10)
    assert result.scope == "local"
    names = [r.name for r in result.referrals]
    assert names[0] == "Test service clinic"
    active = [r for r in result.referrals if "temporarily_closed" not in codes_of(r)]
    scopes = [r.scope for r in active]
    assert scopes == sorted(scopes, key=["local", "state", "national"].index)
    assert result.referrals[-1].name == "Test service closed"  # temporarily closed: after every active one
    by_name = {r.name: r for r in result.referrals}
    assert by_name["Test service clinic"].why[0].code == "distance"
    assert float(by_name["Test service clinic"].why[0].params["km"]) < 1
    assert by_name["Test service night"].scope == "local"  # 35 km: inside the 50 km radius
    assert by_name["Test service far"].scope == "state"  # 80 km, same state
    assert by_name["Test service statewide"].why[0] == Reason("in_state", {"place": "Querétaro"})
    assert by_name["Test service hotline"].why[0] == Reason("national")
    assert "Test service tj" not in by_name  # another state, not national


async def test_nothing_inactive_or_defunct_and_temporarily_closed_is_never_open(town: Engine) -> None:
    result = await find(town, "health", "Querétaro, Querétaro", limit=20)
    names = [r.name for r in result.referrals]
    assert "Test service gone" not in names and "Test service old" not in names
    closed = next(r for r in result.referrals if r.name == "Test service closed")
    assert closed.open_now is False and "temporarily_closed" in [w.code for w in closed.why]
    assert names.index("Test service closed") > names.index("Test service clinic")


async def test_open_now_and_opens_at_follow_each_location_time_zone(town: Engine) -> None:
    qro = await find(town, "health", "Querétaro, Querétaro", limit=1)
    assert qro.referrals[0].open_now is True and "open_now" in codes(qro, 0)  # 11:00 local
    near = await find(town, "health", "San Juan del Río, Querétaro", limit=2)
    # Both are within reach; the one open now ranks first, the closed one says when it opens.
    assert [r.name for r in near.referrals] == ["Test service clinic", "Test service night"]
    night = near.referrals[1]
    assert night.open_now is False
    assert Reason("opens_at", {"when": "2026-11-24T15:00"}) in night.why
    # 17:00 UTC is 09:00 in Tijuana (UTC-8): the 09:00–17:00 service there has just opened.
    tj = (await find(town, "health", "Tijuana, Baja California", limit=1)).referrals[0]
    assert tj.name == "Test service tj" and tj.open_now is True and tj.timezone == "America/Tijuana"
    early = await find(
        town, "health", "Tijuana, Baja California", limit=1, now=datetime(2026, 11, 24, 16, 30, tzinfo=UTC)
    )
    assert early.referrals[0].open_now is False
    assert Reason("opens_at", {"when": "2026-11-24T09:00"}) in early.referrals[0].why


async def test_unknown_hours_are_not_guessed(town: Engine) -> None:
    result = await find(town, "health", "Querétaro", limit=10)
    statewide = next(r for r in result.referrals if r.name == "Test service statewide")
    assert statewide.open_now is None and statewide.hours == ()
    assert "schedule_unknown" in [w.code for w in statewide.why]


async def test_confidential_location_is_matched_but_its_address_and_point_withheld(town: Engine) -> None:
    result = await find(town, "shelter", "Querétaro, Querétaro", limit=5, latitude=20.60, longitude=-100.40)
    shelter = next(r for r in result.referrals if r.name == "Test service shelter")
    assert shelter.confidential is True
    assert shelter.address is None and shelter.latitude is None and shelter.longitude is None
    assert shelter.distance_km is None and shelter.location is None
    assert "distance" not in [w.code for w in shelter.why]
    assert "Secreta" not in repr(shelter)


async def test_location_without_coordinates_counts_by_its_municipality(town: Engine) -> None:
    result = await find(town, "shelter", "Querétaro, Querétaro", limit=5)
    nopoint = next(r for r in result.referrals if r.name == "Test service nopoint")
    assert nopoint.scope == "local"
    assert Reason("in_city", {"place": "Querétaro"}) in nopoint.why
    assert nopoint.latitude is None and nopoint.distance_km is None  # never invented


async def test_population_and_language_rank_and_explain(town: Engine) -> None:
    women = await find(town, "shelter", "Querétaro, Querétaro", limit=2, populations=frozenset({"women"}))
    assert women.referrals[0].name == "Test service shelter"
    assert Reason("serves", {"population": "women"}) in women.referrals[0].why
    creole = await find(town, "health", "Querétaro", language="ht", limit=1)
    assert creole.referrals[0].name == "Test service statewide"
    assert Reason("speaks", {"language": "ht"}) in creole.referrals[0].why


async def test_verified_records_say_when(town: Engine) -> None:
    result = await find(town, "health", "Zacatecas", limit=3)
    hotline = next(r for r in result.referrals if r.name == "Test service hotline")
    assert hotline.verified_on is not None and hotline.verified_on.isoformat() == "2026-10-01"
    assert Reason("verified", {"date": "2026-10-01"}) in hotline.why


async def test_shared_location_uses_distance_and_its_own_state(town: Engine) -> None:
    late = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)  # 22:00 in Querétaro: both closed, distance decides
    result = await find(town, "health", None, latitude=20.39, longitude=-100.0, limit=1, now=late)
    assert result.scope == "local"
    assert result.referrals[0].name == "Test service night"
    assert result.referrals[0].distance_km is not None and result.referrals[0].distance_km < 2


async def test_unknown_intent_or_no_match_says_none(town: Engine) -> None:
    assert (await find(town, "greet", "Querétaro")).scope == "none"
    assert (await find(town, "money", "Querétaro")).referrals == ()


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_same_ranking_on_postgresql(town: Engine) -> None:
    result = await find(town, "health", "Querétaro, Querétaro", limit=10)
    assert result.referrals[0].name == "Test service clinic"
    assert [r.scope for r in result.referrals][:1] == ["local"]
    night = (await find(town, "health", "San Juan del Río, Querétaro", limit=2)).referrals[1]
    assert Reason("opens_at", {"when": "2026-11-24T15:00"}) in night.why
