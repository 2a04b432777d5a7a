"""Writing a checked bundle to the database in one transaction, and reading the registry back.

An import is authoritative for the organizations it contains: each one's records (locations,
services and everything under them) are replaced by the file's. Other organizations are left
alone, unless ``replace=True`` (the file becomes the whole registry). Shared records
(taxonomies, terms, units) are replaced by id. The search rows of every touched service are
rebuilt in the same transaction. Any failure rolls everything back.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, Final

from sqlalchemy import Connection, Engine, Table, delete, insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from referrals import index
from referrals.bundle import Bundle, KnownIds
from referrals.places import Gazetteer
from referrals.report import Report
from referrals.tables import HSDS_MODELS, ReferralCard, ReferralIndex
from referrals.tabular_schema import stored_tables
from referrals.taxonomy import Taxonomy, load_taxonomy

CHUNK: Final = 500


class ImportFailed(Exception):
    """The database refused the import (the report says why); nothing was changed."""


def _table(name: str) -> Table:
    table: Table = HSDS_MODELS[name].__table__  # type: ignore[attr-defined]
    return table


def _chunks(items: Sequence[str], size: int = CHUNK) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def known_ids(conn: Connection) -> KnownIds:
    """Which of some ids already exist in a table (for reference checks)."""

    def known(table: str, ids: set[str]) -> set[str]:
        if table not in HSDS_MODELS or not ids:
            return set()
        column = _table(table).c.id
        found: set[str] = set()
        for chunk in _chunks(sorted(ids)):
            found.update(conn.execute(select(column).where(column.in_(chunk))).scalars())
        return found

    return known


def _db_value(table: str, name: str, value: Any) -> Any:
    spec = stored_tables()[table].field(name)
    if spec is None or value is None:
        return value
    if spec.type == "list":
        return ",".join(value) if value else None
    if spec.type == "object":
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def _from_db(table: str, name: str, value: Any) -> Any:
    spec = stored_tables()[table].field(name)
    if spec is None:
        return value
    if spec.type == "list":
        return [v for v in (value or "").split(",") if v]
    if spec.type == "object" and isinstance(value, str):
        return json.loads(value)
    return value


def save(
    engine: Engine,
    bundle: Bundle,
    report: Report,
    *,
    replace: bool = False,
    gazetteer: Gazetteer | None = None,
) -> None:
    """Write ``bundle`` (already checked, no errors in ``report``) in one transaction."""
    if not report.ok:
        raise ImportFailed("the file has errors; nothing was imported")
    try:
        with engine.begin() as conn:
            touched = _write(conn, bundle, replace=replace)
            index.rebuild(conn, None if replace else touched, gazetteer)
    except IntegrityError as exc:
        report.add("", 0, "", f"the database refused the import: {_short_db_error(exc)}")
        raise ImportFailed("the database refused the import; nothing was changed") from exc
    except DBAPIError as exc:
        report.add("", 0, "", f"database error: {_short_db_error(exc)}")
        raise ImportFailed("database error; nothing was changed") from exc
    report.applied = True
    for name, count in bundle.counts().items():
        report.counts[name] = count


def _short_db_error(exc: DBAPIError) -> str:
    text = str(exc.orig) if exc.orig is not None else str(exc)
    return text.splitlines()[0][:300]


def _write(conn: Connection, bundle: Bundle, *, replace: bool) -> set[str]:
    """Delete what the bundle replaces, insert its rows; return the services to re-index."""
    specs = stored_tables()
    org_ids = sorted(bundle.organization_ids())
    touched: set[str] = set()
    if replace:
        conn.execute(delete(ReferralIndex))
        conn.execute(delete(ReferralCard))
        for name in reversed(list(specs)):
            if name not in {"taxonomy", "taxonomy_term", "unit"}:
                conn.execute(delete(_table(name)))
    else:
        for chunk in _chunks(org_ids):
            touched |= _delete_organizations(conn, chunk)
    # Shared records are replaced by id.
    for name in ("unit", "taxonomy_term", "taxonomy"):
        ids = sorted(bundle.ids(name))
        for chunk in _chunks(ids):
            conn.execute(delete(_table(name)).where(_table(name).c.id.in_(chunk)))
    for name, spec in specs.items():
        rows = bundle.table(name)
        if not rows:
            continue
        plain = [f.name for f in spec.all_fields if f.type not in {"list", "object"}]
        encoded = [f.name for f in spec.all_fields if f.type in {"list", "object"}]
        payload = []
        for row in rows:
            values = row.values
            item = {c: values.get(c) for c in plain}
            for c in encoded:
                item[c] = _db_value(name, c, values.get(c))
            payload.append(item)
        for start in range(0, len(payload), 5000):
            conn.execute(insert(_table(name)), payload[start : start + 5000])
    touched |= bundle.ids("service")
    # Services elsewhere that use a location or a term this import replaced.
    sal, attr = _table("service_at_location"), _table("attribute")
    for chunk in _chunks(sorted(bundle.ids("location"))):
        touched.update(conn.execute(select(sal.c.service_id).where(sal.c.location_id.in_(chunk))).scalars())
    for chunk in _chunks(sorted(bundle.ids("taxonomy_term"))):
        touched.update(
            conn.execute(
                select(attr.c.link_id).where(
                    attr.c.link_entity == "service", attr.c.taxonomy_term_id.in_(chunk)
                )
            ).scalars()
        )
    return touched


def _delete_organizations(conn: Connection, org_ids: Sequence[str]) -> set[str]:
    """Delete these organizations and everything that belongs to them; return their services."""
    t = {name: _table(name) for name in HSDS_MODELS}
    services = set(
        conn.execute(select(t["service"].c.id).where(t["service"].c.organization_id.in_(org_ids))).scalars()
    )
    locations = set(
        conn.execute(select(t["location"].c.id).where(t["location"].c.organization_id.in_(org_ids))).scalars()
    )
    svc, loc = sorted(services), sorted(locations)
    sals: set[str] = set()
    for chunk in _chunks(svc):
        sals.update(
            conn.execute(
                select(t["service_at_location"].c.id).where(t["service_at_location"].c.service_id.in_(chunk))
            ).scalars()
        )
    sal = sorted(sals)

    def ids_where(table: str, **columns: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for column, values in columns.items():
            for chunk in _chunks(values):
                found.update(
                    conn.execute(select(t[table].c.id).where(t[table].c[column].in_(chunk))).scalars()
                )
        return found

    contacts = sorted(
        ids_where(
            "contact", organization_id=org_ids, service_id=svc, location_id=loc, service_at_location_id=sal
        )
    )
    phones = sorted(
        ids_where(
            "phone",
            organization_id=org_ids,
            service_id=svc,
            location_id=loc,
            service_at_location_id=sal,
            contact_id=contacts,
        )
    )
    owned: dict[str, set[str]] = {
        "language": ids_where("language", service_id=svc, location_id=loc, phone_id=phones),
        "schedule": ids_where("schedule", service_id=svc, location_id=loc, service_at_location_id=sal),
        "address": ids_where("address", location_id=loc),
        "accessibility": ids_where("accessibility", location_id=loc),
        "service_area": ids_where("service_area", service_id=svc),
        "required_document": ids_where("required_document", service_id=svc),
        "cost_option": ids_where("cost_option", service_id=svc),
        "service_capacity": ids_where("service_capacity", service_id=svc),
        "funding": ids_where("funding", organization_id=org_ids, service_id=svc),
        "program": ids_where("program", organization_id=org_ids),
        "organization_identifier": ids_where("organization_identifier", organization_id=org_ids),
        "phone": set(phones),
        "contact": set(contacts),
        "service_at_location": sals,
        "service": services,
        "location": locations,
        "organization": set(org_ids),
    }
    every = sorted(set().union(*owned.values()))
    for chunk in _chunks(every):
        conn.execute(delete(t["attribute"]).where(t["attribute"].c.link_id.in_(chunk)))
    for chunk in _chunks(svc):
        conn.execute(delete(ReferralIndex).where(ReferralIndex.service_id.in_(chunk)))  # type: ignore[attr-defined]
        conn.execute(delete(ReferralCard).where(ReferralCard.service_id.in_(chunk)))  # type: ignore[attr-defined]
    for name in owned:  # children before parents
        for chunk in _chunks(sorted(owned[name])):
            conn.execute(delete(t[name]).where(t[name].c.id.in_(chunk)))
    return services


def ensure_taxonomy(engine: Engine, taxonomy: Taxonomy | None = None) -> None:
    """Load Brújula's taxonomy into ``taxonomy``/``taxonomy_term`` (idempotent: replaces by id)."""
    taxonomy = taxonomy or load_taxonomy()
    rows = taxonomy.rows()
    with engine.begin() as conn:
        for name in ("taxonomy", "taxonomy_term"):
            table = _table(name)
            ids = [r["id"] for r in rows[name]]
            existing = {
                r["id"]: dict(r) for r in conn.execute(select(table).where(table.c.id.in_(ids))).mappings()
            }
            for row in rows[name]:
                stored = {k: _db_value(name, k, v) for k, v in row.items()}
                if existing.get(row["id"]) == stored:
                    continue
                if row["id"] in existing:
                    conn.execute(table.update().where(table.c.id == row["id"]).values(**stored))
                else:
                    conn.execute(insert(table).values(**stored))


def load(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Every stored HSDS row, per table, as the in-memory values (see ``tabular_schema``)."""
    out: dict[str, list[dict[str, Any]]] = {}
    with engine.connect() as conn:
        for name in stored_tables():
            table = _table(name)
            rows = conn.execute(select(table).order_by(table.c.id)).mappings()
            out[name] = [{k: _from_db(name, k, v) for k, v in row.items()} for row in rows]
    return out


def counts(engine: Engine) -> dict[str, int]:
    from sqlalchemy import func

    with engine.connect() as conn:
        return {
            name: int(conn.execute(select(func.count()).select_from(_table(name))).scalar_one())
            for name in stored_tables()
        }
