"""Reading and writing registry records for the desk's edit pages.

Every write is one transaction that changes the record, rebuilds the finder's rows of the
services it touches (``referrals.index.rebuild``: the assistant's next referral sees the change,
nothing is cached in a process) and appends the audit entry — who, when, the record before →
after as "field: value" lines. Nothing here deletes a record.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Table, insert, or_, select, update
from sqlmodel import Session

from desk.audit import Action, record
from desk.registry_forms import KINDS, Kind, as_text
from referrals.index import rebuild
from referrals.places import Gazetteer
from referrals.profile import OFFERED_STATUSES
from referrals.tables import (
    Address,
    Attribute,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceCapacity,
    TaxonomyTerm,
    Unit,
    cols,
    table_of,
)
from referrals.taxonomy import term_id

TABLES: dict[str, Table] = {
    "organization": table_of(Organization),
    "service": table_of(Service),
    "location": table_of(Location),
    "address": table_of(Address),
    "phone": table_of(Phone),
    "schedule": table_of(Schedule),
    "service_capacity": table_of(ServiceCapacity),
}
#: Services not verified for this long are on the stale report.
STALE_AFTER = timedelta(days=180)


def _row(db: Session, kind: str, record_id: str) -> dict[str, Any] | None:
    table = TABLES[kind]
    found = db.execute(select(table).where(table.c.id == record_id)).mappings().first()
    return dict(found) if found is not None else None


def form_values(db: Session, kind: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """A stored record as the form's values (lists for checkboxes, text for the rest)."""
    out: dict[str, Any] = {}
    for spec in KINDS[kind].fields:
        value = row.get(spec.name)
        if spec.name == "categories":
            value = categories_of(db, str(row["id"]))
        elif spec.name == "unit":
            unit = db.execute(select(cols(Unit).name).where(cols(Unit).id == row.get("unit_id"))).scalar()
            value = unit or ""
        elif spec.kind == "checks":
            value = [v for v in str(value or "").split(",") if v]
        elif spec.kind == "bool":
            value = bool(value)
        elif spec.kind == "time" and isinstance(value, str):
            value = value[:5]
        elif isinstance(value, float) and value.is_integer():
            value = str(int(value))
        out[spec.name] = value
    return out


def categories_of(db: Session, service_id: str) -> list[str]:
    codes = db.execute(
        select(cols(TaxonomyTerm).code)
        .join(Attribute, cols(Attribute).taxonomy_term_id == cols(TaxonomyTerm).id)
        .where(cols(Attribute).link_id == service_id, cols(Attribute).link_entity == "service")
    ).scalars()
    return sorted(c for c in codes if c)


def load(engine: Engine, kind: str, record_id: str) -> dict[str, Any] | None:
    """A stored record as the form's values, or None."""
    with Session(engine) as db:
        row = _row(db, kind, record_id)
        return form_values(db, kind, row) if row is not None else None


def affected_services(db: Session, kind: str, row: Mapping[str, Any]) -> set[str]:
    """The services whose referral rows show this record."""
    if kind == "service":
        return {str(row["id"])}
    if kind == "organization":
        return set(
            db.execute(select(cols(Service).id).where(cols(Service).organization_id == row["id"])).scalars()
        )
    ids: set[str] = set()
    if row.get("service_id"):
        ids.add(str(row["service_id"]))
    location = row["id"] if kind == "location" else row.get("location_id")
    sal = row.get("service_at_location_id")
    conditions = []
    if location:
        conditions.append(cols(ServiceAtLocation).location_id == location)
    if sal:
        conditions.append(cols(ServiceAtLocation).id == sal)
    if conditions:
        ids.update(db.execute(select(cols(ServiceAtLocation).service_id).where(or_(*conditions))).scalars())
    return ids


def _stored(kind: Kind, values: Mapping[str, Any], db: Session, record_id: str) -> dict[str, Any]:
    """Form values → column values (categories and unit are written apart)."""
    out: dict[str, Any] = {}
    for spec in kind.fields:
        value = values.get(spec.name)
        if spec.name in ("categories", "unit"):
            continue
        if spec.kind == "checks":
            value = ",".join(value) if value else None
        out[spec.name] = value
    if kind.name == "schedule":
        out["freq"] = "WEEKLY" if out.get("byday") else None
    if kind.name == "service_capacity":
        out["unit_id"] = _unit(db, str(values["unit"]))
    return out


def _unit(db: Session, name: str) -> str:
    found = db.execute(select(cols(Unit).id).where(cols(Unit).name == name)).scalar()
    if found:
        return str(found)
    new = str(uuid.uuid4())
    db.execute(insert(table_of(Unit)).values(id=new, name=name))
    return new


def _set_categories(db: Session, service_id: str, codes: Iterable[str]) -> None:
    attributes = table_of(Attribute)
    db.execute(
        attributes.delete().where(attributes.c.link_id == service_id, attributes.c.link_entity == "service")
    )
    for code in sorted(set(codes)):
        db.execute(
            insert(attributes).values(
                id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"brujula:attribute:{service_id}:{code}")),
                link_id=service_id,
                link_type="category",
                link_entity="service",
                taxonomy_term_id=term_id(code),
            )
        )


@dataclass(frozen=True, slots=True)
class Saved:
    record_id: str
    service_id: str | None  # the service page to go back to


def save(
    engine: Engine,
    kind_name: str,
    record_id: str | None,
    values: Mapping[str, Any],
    *,
    actor: str,
    now: datetime,
    gazetteer: Gazetteer,
    parent: tuple[str, str] | None = None,
    back_to: str | None = None,
) -> Saved:
    """Create (``record_id`` None, under ``parent`` = (column, id)) or change a record."""
    kind = KINDS[kind_name]
    table = TABLES[kind_name]
    with Session(engine) as db:
        before_row = _row(db, kind_name, record_id) if record_id else None
        before = as_text(kind, form_values(db, kind_name, before_row)) if before_row else None
        new_id = record_id or str(uuid.uuid4())
        columns = _stored(kind, values, db, new_id)
        if kind_name == "service":
            columns["last_modified"] = now
        if before_row is None:
            columns["id"] = new_id
            columns.update(_new_defaults(db, kind_name, parent))
            db.execute(insert(table).values(**columns))
        else:
            db.execute(update(table).where(table.c.id == new_id).values(**columns))
        if kind_name == "location" and before_row is None and parent is not None:
            db.execute(
                insert(table_of(ServiceAtLocation)).values(
                    id=str(uuid.uuid4()), service_id=parent[1], location_id=new_id
                )
            )
        if kind_name == "service":
            _set_categories(db, new_id, values.get("categories") or [])
        after_row = _row(db, kind_name, new_id)
        assert after_row is not None
        after = as_text(kind, form_values(db, kind_name, after_row))
        services = affected_services(db, kind_name, after_row)
        rebuild(db.connection(), services, gazetteer)
        record(
            db,
            actor=actor,
            action=Action.REGISTRY_CREATE if before_row is None else Action.REGISTRY_EDIT,
            target=_target(db, kind_name, after_row),
            before=before,
            after=after,
        )
        db.commit()
    service = new_id if kind_name == "service" else back_to
    return Saved(new_id, service)


def _new_defaults(db: Session, kind: str, parent: tuple[str, str] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if parent is not None:
        column, parent_id = parent
        if kind == "location":  # a location belongs to the service's organization
            out["organization_id"] = db.execute(
                select(cols(Service).organization_id).where(cols(Service).id == parent_id)
            ).scalar()
        else:
            out[column] = parent_id
    if kind in ("organization", "service", "location"):
        out["verification_status"] = "unverified"
    if kind == "service":
        out["publication_status"] = "draft"
    return out


def _target(db: Session, kind: str, row: Mapping[str, Any]) -> str:
    """What the audit log names: the kind, the id and a readable name."""
    name = row.get("name") or row.get("number") or row.get("address_1")
    if not name and kind in ("schedule", "service_capacity") and row.get("service_id"):
        name = db.execute(select(cols(Service).name).where(cols(Service).id == row["service_id"])).scalar()
    return f"{kind} {row['id']}" + (f" ({name})" if name else "")


def set_publication(
    engine: Engine, service_id: str, status: str, *, actor: str, gazetteer: Gazetteer
) -> bool:
    """Draft ↔ published. False when the service does not exist."""
    with Session(engine) as db:
        row = _row(db, "service", service_id)
        if row is None:
            return False
        before = row.get("publication_status") or "published"
        db.execute(
            update(table_of(Service)).where(cols(Service).id == service_id).values(publication_status=status)
        )
        rebuild(db.connection(), [service_id], gazetteer)
        record(
            db,
            actor=actor,
            action=Action.REGISTRY_PUBLISH,
            target=_target(db, "service", row),
            before=f"publication_status: {before}",
            after=f"publication_status: {status}",
        )
        db.commit()
    return True


def verify(
    engine: Engine, service_id: str, *, actor: str, verifier: str, now: datetime, gazetteer: Gazetteer
) -> bool:
    """ "Verified today": the service's ``verification_status``, ``last_verified_at``, ``verified_by``."""
    with Session(engine) as db:
        row = _row(db, "service", service_id)
        if row is None:
            return False

        def lines(values: Mapping[str, Any]) -> str:
            when = values.get("last_verified_at")
            return "\n".join(
                (
                    f"verification_status: {values.get('verification_status') or ''}",
                    f"last_verified_at: {when.isoformat(timespec='seconds') if when else ''}",
                    f"verified_by: {values.get('verified_by') or ''}",
                )
            )

        after = {"verification_status": "verified", "last_verified_at": now, "verified_by": verifier}
        db.execute(update(table_of(Service)).where(cols(Service).id == service_id).values(**after))
        rebuild(db.connection(), [service_id], gazetteer)
        record(
            db,
            actor=actor,
            action=Action.REGISTRY_VERIFY,
            target=_target(db, "service", row),
            before=lines(row),
            after=lines(after),
        )
        db.commit()
    return True


# -- what the pages show ------------------------------------------------------------------------


@dataclass(slots=True)
class PlaceView:
    location: dict[str, Any]
    addresses: list[dict[str, Any]] = field(default_factory=list)
    phones: list[dict[str, Any]] = field(default_factory=list)
    schedules: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class ServiceView:
    service: dict[str, Any]
    organization: dict[str, Any]
    categories: list[str]
    places: list[PlaceView]
    phones: list[dict[str, Any]]
    schedules: list[dict[str, Any]]
    capacities: list[dict[str, Any]]


def service_view(engine: Engine, service_id: str) -> ServiceView | None:
    with Session(engine) as db:
        service = _row(db, "service", service_id)
        if service is None:
            return None
        organization = _row(db, "organization", str(service["organization_id"])) or {}

        def rows(table: Table, *where: Any) -> list[dict[str, Any]]:
            return [dict(r) for r in db.execute(select(table).where(*where).order_by(table.c.id)).mappings()]

        places = []
        for sal_id, location_id in db.execute(
            select(cols(ServiceAtLocation).id, cols(ServiceAtLocation).location_id).where(
                cols(ServiceAtLocation).service_id == service_id
            )
        ).all():
            location = _row(db, "location", str(location_id))
            if location is None:
                continue
            places.append(
                PlaceView(
                    location,
                    rows(TABLES["address"], cols(Address).location_id == location_id),
                    rows(TABLES["phone"], cols(Phone).location_id == location_id),
                    rows(
                        TABLES["schedule"],
                        or_(
                            cols(Schedule).location_id == location_id,
                            cols(Schedule).service_at_location_id == sal_id,
                        ),
                    ),
                )
            )
        capacities = [
            {**c, "unit": db.execute(select(cols(Unit).name).where(cols(Unit).id == c["unit_id"])).scalar()}
            for c in rows(TABLES["service_capacity"], cols(ServiceCapacity).service_id == service_id)
        ]
        return ServiceView(
            service=service,
            organization=organization,
            categories=categories_of(db, service_id),
            places=places,
            phones=rows(TABLES["phone"], cols(Phone).service_id == service_id),
            schedules=rows(TABLES["schedule"], cols(Schedule).service_id == service_id),
            capacities=capacities,
        )


@dataclass(frozen=True, slots=True)
class ServiceLine:
    id: str
    name: str
    organization_id: str
    organization: str
    status: str
    publication: str
    last_verified_at: datetime | None
    verified_by: str | None


def service_lines(
    engine: Engine, *, stale_at: datetime | None = None, organization_id: str | None = None
) -> list[ServiceLine]:
    """Every service (by organization, then name), or one organization's; with ``stale_at``, only
    published, offered services not verified since then — never verified first, then the oldest."""
    query = select(
        cols(Service).id,
        cols(Service).name,
        cols(Service).organization_id,
        cols(Organization).name.label("organization"),
        cols(Service).status,
        cols(Service).publication_status,
        cols(Service).last_verified_at,
        cols(Service).verified_by,
    ).join(Organization, cols(Organization).id == cols(Service).organization_id)
    if organization_id is not None:
        query = query.where(cols(Service).organization_id == organization_id)
    if stale_at is not None:
        query = query.where(
            or_(cols(Service).publication_status.is_(None), cols(Service).publication_status != "draft"),
            cols(Service).status.in_(OFFERED_STATUSES),
            or_(cols(Service).last_verified_at.is_(None), cols(Service).last_verified_at < stale_at),
        )
    with engine.connect() as conn:
        found = [
            ServiceLine(
                r.id,
                r.name,
                r.organization_id,
                r.organization,
                r.status,
                r.publication_status or "published",
                r.last_verified_at,
                r.verified_by,
            )
            for r in conn.execute(query)
        ]
    if stale_at is not None:
        return sorted(
            found, key=lambda s: (s.last_verified_at is not None, s.last_verified_at or stale_at, s.name)
        )
    return sorted(found, key=lambda s: (s.organization.casefold(), s.name.casefold()))


def organization_view(
    engine: Engine, organization_id: str
) -> tuple[dict[str, Any], list[ServiceLine]] | None:
    with Session(engine) as db:
        organization = _row(db, "organization", organization_id)
    if organization is None:
        return None
    return organization, service_lines(engine, organization_id=organization_id)


def exists(engine: Engine, kind: str, record_id: str) -> bool:
    table = TABLES[kind]
    with engine.connect() as conn:
        return conn.execute(select(table.c.id).where(table.c.id == record_id)).first() is not None
