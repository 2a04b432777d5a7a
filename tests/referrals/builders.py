"""Small HSDS 3.0 registries written by hand for tests (invented, clearly test data)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from referrals.taxonomy import load_taxonomy, term_row


def tid(*parts: object) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "brujula:test:" + ":".join(str(p) for p in parts)))


def term(code: str) -> dict[str, Any]:
    taxonomy = load_taxonomy()
    found = next(t for t in taxonomy.terms if t.code == code)
    return {k: v for k, v in term_row(found, taxonomy).items() if v is not None}


def service(
    key: str,
    org: str,
    *,
    codes: tuple[str, ...] = ("health",),
    status: str = "active",
    scope: str = "local",
    at: list[str] | None = None,
    areas: list[tuple[str, str | None]] | None = None,
    populations: list[str] | None = None,
    languages: list[str] | None = None,
    weekly: tuple[str, str, str] | None = None,
    verified_at: str | None = None,
    phones: list[str] | None = None,
) -> dict[str, Any]:
    """A service of organization ``org`` at the locations ``at`` (their keys)."""
    sid = tid("svc", key)
    svc: dict[str, Any] = {
        "id": sid,
        "organization_id": tid("org", org),
        "name": f"Test service {key}",
        "description": f"Invented for a test ({key}).",
        "status": status,
        "scope": scope,
        "populations": populations or [],
        "capacities": [],
        "record_source": "test",
        "verification_status": "verified" if verified_at else "unverified",
        "last_verified_at": verified_at,
        "verified_by": "tester" if verified_at else None,
        "attributes": [
            {
                "id": tid("attr", key, code),
                "link_id": sid,
                "link_entity": "service",
                "taxonomy_term_id": term(code)["id"],
                "taxonomy_term": term(code),
            }
            for code in codes
        ],
    }
    sals = []
    for loc in at or []:
        sal: dict[str, Any] = {"id": tid("sal", key, loc), "service_id": sid, "location_id": tid("loc", loc)}
        if weekly:
            days, opens, closes = weekly
            sal["schedules"] = [
                {
                    "id": tid("sched", key, loc),
                    "service_at_location_id": sal["id"],
                    "freq": "WEEKLY",
                    "byday": days,
                    "opens_at": opens,
                    "closes_at": closes,
                }
            ]
        sals.append(sal)
    if sals:
        svc["service_at_locations"] = sals
    elif weekly:
        days, opens, closes = weekly
        svc["schedules"] = [
            {
                "id": tid("sched", key),
                "service_id": sid,
                "freq": "WEEKLY",
                "byday": days,
                "opens_at": opens,
                "closes_at": closes,
            }
        ]
    if areas:
        svc["service_areas"] = [
            {"id": tid("area", key, i), "service_id": sid, "name": state, "state": state, "municipality": mun}
            for i, (state, mun) in enumerate(areas)
        ]
    if languages:
        svc["languages"] = [
            {"id": tid("lang", key, code), "service_id": sid, "name": code, "code": code}
            for code in languages
        ]
    if phones:
        svc["phones"] = [
            {"id": tid("phone", key, i), "service_id": sid, "number": number}
            for i, number in enumerate(phones)
        ]
    return svc


def location(
    key: str,
    org: str,
    *,
    state: str,
    municipality: str | None,
    lat: float | None = None,
    lon: float | None = None,
    confidential: bool = False,
    street: str | None = None,
) -> dict[str, Any]:
    loc: dict[str, Any] = {
        "id": tid("loc", key),
        "location_type": "physical",
        "organization_id": tid("org", org),
        "name": f"Test location {key}",
        "state": state,
        "municipality": municipality,
        "confidential": confidential,
        "record_source": "test",
        "verification_status": "unverified",
        "last_verified_at": None,
        "verified_by": None,
    }
    if municipality is None:
        del loc["municipality"]
    if lat is not None:
        loc["latitude"], loc["longitude"] = lat, lon
    if street:
        loc["addresses"] = [
            {
                "id": tid("addr", key),
                "location_id": loc["id"],
                "address_1": street,
                "city": municipality or "",
                "state_province": state,
                "postal_code": "",
                "country": "MX",
                "address_type": "physical",
            }
        ]
    return loc


def organization(
    key: str, *, locations: list[dict[str, Any]], services: list[dict[str, Any]]
) -> dict[str, Any]:
    org: dict[str, Any] = {
        "id": tid("org", key),
        "name": f"Test organization {key}",
        "description": "Invented for a test.",
        "record_source": "test",
        "verification_status": "unverified",
        "last_verified_at": None,
        "verified_by": None,
        "services": services,
    }
    if locations:
        org["locations"] = locations
    return org


def write(path: Path, organizations: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps(organizations, ensure_ascii=False), encoding="utf-8")
    return path
