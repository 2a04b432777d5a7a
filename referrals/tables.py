"""The registry's tables: Open Referral HSDS 3.0 (names and fields as in the spec) plus the
Mexico profile extras (``referrals.profile``), and the precomputed search rows the finder reads.

Columns follow HSDS's tabular package (``data/hsds3/datapackage.json``) one to one; a test checks
it. HSDS ``number`` fields are floats, ``date`` fields dates, ``datetime`` fields UTC datetimes,
``time`` fields the text as written. Profile ``list`` fields (``service.populations``) are stored
comma-separated, ``object`` fields (``taxonomy_term.translations``) as JSON text.

Foreign keys are DEFERRABLE INITIALLY DEFERRED, so an import can replace an organization's
records inside one transaction in any order; they are checked when it commits.

Migrations: ``bot/migrations`` (Alembic). Change a table here, then add a migration there.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Column, Dialect, ForeignKey, Index, String, Table, Text, TypeDecorator
from sqlalchemy import DateTime as SaDateTime
from sqlalchemy.sql.base import ReadOnlyColumnCollection
from sqlalchemy.sql.schema import Column as SchemaColumn
from sqlmodel import Field, SQLModel


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every backend (SQLite keeps no offsets: stored naive, in UTC)."""

    impl = SaDateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def table_of(model: type[SQLModel]) -> Table:
    """The Core table of a model (typed, for queries outside the ORM)."""
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


def cols(model: type[SQLModel]) -> ReadOnlyColumnCollection[str, SchemaColumn[Any]]:
    """The Core columns of a model: ``cols(Service).id``."""
    return table_of(model).c


def _fk(table: str, *, required: bool = False) -> Any:
    """A reference to ``table.id``, indexed, checked at commit."""
    return Field(
        default=None if not required else ...,
        sa_column=Column(
            String(36),
            ForeignKey(f"{table}.id", deferrable=True, initially="DEFERRED"),
            nullable=not required,
            index=True,
        ),
    )


class Organization(SQLModel, table=True):
    __tablename__ = "organization"

    id: str = Field(primary_key=True, max_length=36)
    name: str = Field(sa_type=Text)
    alternate_name: str | None = Field(default=None, sa_type=Text)
    description: str = Field(sa_type=Text)
    email: str | None = Field(default=None, sa_type=Text)
    website: str | None = Field(default=None, sa_type=Text)
    tax_status: str | None = Field(default=None, sa_type=Text)
    tax_id: str | None = Field(default=None, sa_type=Text)
    year_incorporated: float | None = None
    legal_status: str | None = Field(default=None, sa_type=Text)
    logo: str | None = Field(default=None, sa_type=Text)
    uri: str | None = Field(default=None, sa_type=Text)
    parent_organization_id: str | None = Field(default=None, max_length=36, index=True)
    record_source: str | None = Field(default=None, sa_type=Text)
    verification_status: str | None = Field(default=None, sa_type=Text)
    last_verified_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    verified_by: str | None = Field(default=None, sa_type=Text)


class Program(SQLModel, table=True):
    __tablename__ = "program"

    id: str = Field(primary_key=True, max_length=36)
    organization_id: str = _fk("organization", required=True)
    name: str = Field(sa_type=Text)
    alternate_name: str | None = Field(default=None, sa_type=Text)
    description: str = Field(sa_type=Text)


class Service(SQLModel, table=True):
    __tablename__ = "service"

    id: str = Field(primary_key=True, max_length=36)
    organization_id: str = _fk("organization", required=True)
    program_id: str | None = _fk("program")
    name: str = Field(sa_type=Text)
    alternate_name: str | None = Field(default=None, sa_type=Text)
    description: str | None = Field(default=None, sa_type=Text)
    url: str | None = Field(default=None, sa_type=Text)
    email: str | None = Field(default=None, sa_type=Text)
    status: str = Field(sa_type=Text)
    interpretation_services: str | None = Field(default=None, sa_type=Text)
    application_process: str | None = Field(default=None, sa_type=Text)
    fees_description: str | None = Field(default=None, sa_type=Text)
    wait_time: str | None = Field(default=None, sa_type=Text)
    fees: str | None = Field(default=None, sa_type=Text)
    accreditations: str | None = Field(default=None, sa_type=Text)
    eligibility_description: str | None = Field(default=None, sa_type=Text)
    minimum_age: float | None = None
    maximum_age: float | None = None
    assured_date: date | None = None
    assurer_email: str | None = Field(default=None, sa_type=Text)
    licenses: str | None = Field(default=None, sa_type=Text)
    alert: str | None = Field(default=None, sa_type=Text)
    last_modified: datetime | None = Field(default=None, sa_type=UtcDateTime)
    scope: str | None = Field(default=None, sa_type=Text)
    populations: str | None = Field(default=None, sa_type=Text)
    publication_status: str | None = Field(default=None, sa_type=Text)
    record_source: str | None = Field(default=None, sa_type=Text)
    verification_status: str | None = Field(default=None, sa_type=Text)
    last_verified_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    verified_by: str | None = Field(default=None, sa_type=Text)


class Taxonomy(SQLModel, table=True):
    __tablename__ = "taxonomy"

    id: str = Field(primary_key=True, max_length=36)
    name: str = Field(sa_type=Text)
    description: str = Field(sa_type=Text)
    uri: str | None = Field(default=None, sa_type=Text)
    version: str | None = Field(default=None, sa_type=Text)


class TaxonomyTerm(SQLModel, table=True):
    __tablename__ = "taxonomy_term"

    id: str = Field(primary_key=True, max_length=36)
    code: str | None = Field(default=None, sa_type=Text)
    name: str = Field(sa_type=Text)
    description: str = Field(sa_type=Text)
    parent_id: str | None = Field(default=None, max_length=36, index=True)
    taxonomy: str | None = Field(default=None, sa_type=Text)
    language: str | None = Field(default=None, sa_type=Text)
    taxonomy_id: str | None = _fk("taxonomy")
    term_uri: str | None = Field(default=None, sa_type=Text)
    translations: str | None = Field(default=None, sa_type=Text)


class Attribute(SQLModel, table=True):
    __tablename__ = "attribute"

    id: str = Field(primary_key=True, max_length=36)
    link_id: str = Field(max_length=36, index=True)
    taxonomy_term_id: str = _fk("taxonomy_term", required=True)
    link_type: str | None = Field(default=None, sa_type=Text)
    link_entity: str = Field(sa_type=Text)
    value: str | None = Field(default=None, sa_type=Text)


class Location(SQLModel, table=True):
    __tablename__ = "location"

    id: str = Field(primary_key=True, max_length=36)
    location_type: str = Field(sa_type=Text)
    url: str | None = Field(default=None, sa_type=Text)
    organization_id: str | None = _fk("organization")
    name: str | None = Field(default=None, sa_type=Text)
    alternate_name: str | None = Field(default=None, sa_type=Text)
    description: str | None = Field(default=None, sa_type=Text)
    transportation: str | None = Field(default=None, sa_type=Text)
    latitude: float | None = None
    longitude: float | None = None
    external_identifier: str | None = Field(default=None, sa_type=Text)
    external_identifier_type: str | None = Field(default=None, sa_type=Text)
    state: str | None = Field(default=None, sa_type=Text)
    municipality: str | None = Field(default=None, sa_type=Text)
    confidential: bool | None = None
    record_source: str | None = Field(default=None, sa_type=Text)
    verification_status: str | None = Field(default=None, sa_type=Text)
    last_verified_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    verified_by: str | None = Field(default=None, sa_type=Text)


class ServiceAtLocation(SQLModel, table=True):
    __tablename__ = "service_at_location"

    id: str = Field(primary_key=True, max_length=36)
    service_id: str = _fk("service", required=True)
    location_id: str = _fk("location", required=True)
    description: str | None = Field(default=None, sa_type=Text)


class Contact(SQLModel, table=True):
    __tablename__ = "contact"

    id: str = Field(primary_key=True, max_length=36)
    organization_id: str | None = _fk("organization")
    service_id: str | None = _fk("service")
    service_at_location_id: str | None = _fk("service_at_location")
    location_id: str | None = _fk("location")
    name: str | None = Field(default=None, sa_type=Text)
    title: str | None = Field(default=None, sa_type=Text)
    department: str | None = Field(default=None, sa_type=Text)
    email: str | None = Field(default=None, sa_type=Text)


class Phone(SQLModel, table=True):
    __tablename__ = "phone"

    id: str = Field(primary_key=True, max_length=36)
    location_id: str | None = _fk("location")
    service_id: str | None = _fk("service")
    organization_id: str | None = _fk("organization")
    contact_id: str | None = _fk("contact")
    service_at_location_id: str | None = _fk("service_at_location")
    number: str = Field(sa_type=Text)
    extension: float | None = None
    type: str | None = Field(default=None, sa_type=Text)
    description: str | None = Field(default=None, sa_type=Text)


class Address(SQLModel, table=True):
    __tablename__ = "address"

    id: str = Field(primary_key=True, max_length=36)
    location_id: str | None = _fk("location")
    attention: str | None = Field(default=None, sa_type=Text)
    address_1: str = Field(sa_type=Text)
    address_2: str | None = Field(default=None, sa_type=Text)
    city: str = Field(sa_type=Text)
    region: str | None = Field(default=None, sa_type=Text)
    state_province: str = Field(sa_type=Text)
    postal_code: str = Field(sa_type=Text)
    country: str = Field(sa_type=Text)
    address_type: str = Field(sa_type=Text)


class Schedule(SQLModel, table=True):
    __tablename__ = "schedule"

    id: str = Field(primary_key=True, max_length=36)
    service_id: str | None = _fk("service")
    location_id: str | None = _fk("location")
    service_at_location_id: str | None = _fk("service_at_location")
    valid_from: date | None = None
    valid_to: date | None = None
    dtstart: date | None = None
    timezone: float | None = None
    until: date | None = None
    count: float | None = None
    wkst: str | None = Field(default=None, sa_type=Text)
    freq: str | None = Field(default=None, sa_type=Text)
    interval: float | None = None
    byday: str | None = Field(default=None, sa_type=Text)
    byweekno: str | None = Field(default=None, sa_type=Text)
    bymonthday: str | None = Field(default=None, sa_type=Text)
    byyearday: str | None = Field(default=None, sa_type=Text)
    description: str | None = Field(default=None, sa_type=Text)
    opens_at: str | None = None
    closes_at: str | None = None
    schedule_link: str | None = Field(default=None, sa_type=Text)
    attending_type: str | None = Field(default=None, sa_type=Text)
    notes: str | None = Field(default=None, sa_type=Text)


class Funding(SQLModel, table=True):
    __tablename__ = "funding"

    id: str = Field(primary_key=True, max_length=36)
    organization_id: str | None = _fk("organization")
    service_id: str | None = _fk("service")
    source: str | None = Field(default=None, sa_type=Text)


class ServiceArea(SQLModel, table=True):
    __tablename__ = "service_area"

    id: str = Field(primary_key=True, max_length=36)
    service_id: str | None = _fk("service")
    name: str | None = Field(default=None, sa_type=Text)
    description: str | None = Field(default=None, sa_type=Text)
    extent: str | None = Field(default=None, sa_type=Text)
    extent_type: str | None = Field(default=None, sa_type=Text)
    uri: str | None = Field(default=None, sa_type=Text)
    state: str | None = Field(default=None, sa_type=Text)
    municipality: str | None = Field(default=None, sa_type=Text)


class RequiredDocument(SQLModel, table=True):
    __tablename__ = "required_document"

    id: str = Field(primary_key=True, max_length=36)
    service_id: str | None = _fk("service")
    document: str | None = Field(default=None, sa_type=Text)
    uri: str | None = Field(default=None, sa_type=Text)


class Language(SQLModel, table=True):
    __tablename__ = "language"

    id: str = Field(primary_key=True, max_length=36)
    service_id: str | None = _fk("service")
    location_id: str | None = _fk("location")
    phone_id: str | None = _fk("phone")
    name: str | None = Field(default=None, sa_type=Text)
    code: str | None = Field(default=None, sa_type=Text)
    note: str | None = Field(default=None, sa_type=Text)


class Accessibility(SQLModel, table=True):
    __tablename__ = "accessibility"

    id: str = Field(primary_key=True, max_length=36)
    location_id: str | None = _fk("location")
    description: str | None = Field(default=None, sa_type=Text)
    details: str | None = Field(default=None, sa_type=Text)
    url: str | None = Field(default=None, sa_type=Text)


class CostOption(SQLModel, table=True):
    __tablename__ = "cost_option"

    id: str = Field(primary_key=True, max_length=36)
    service_id: str = _fk("service", required=True)
    valid_from: date | None = None
    valid_to: date | None = None
    option: str | None = Field(default=None, sa_type=Text)
    currency: str | None = Field(default=None, sa_type=Text)
    amount: float | None = None
    amount_description: str | None = Field(default=None, sa_type=Text)


class OrganizationIdentifier(SQLModel, table=True):
    __tablename__ = "organization_identifier"

    id: str = Field(primary_key=True, max_length=36)
    organization_id: str = _fk("organization", required=True)
    identifier_scheme: str | None = Field(default=None, sa_type=Text)
    identifier_type: str = Field(sa_type=Text)
    identifier: str = Field(sa_type=Text)


class Unit(SQLModel, table=True):
    __tablename__ = "unit"

    id: str = Field(primary_key=True, max_length=36)
    name: str = Field(sa_type=Text)
    scheme: str | None = Field(default=None, sa_type=Text)
    identifier: str | None = Field(default=None, sa_type=Text)
    uri: str | None = Field(default=None, sa_type=Text)


class ServiceCapacity(SQLModel, table=True):
    __tablename__ = "service_capacity"

    id: str = Field(primary_key=True, max_length=36)
    service_id: str = _fk("service", required=True)
    unit_id: str = _fk("unit", required=True)
    available: float | None = None
    maximum: float | None = None
    description: str | None = Field(default=None, sa_type=Text)
    updated: datetime | None = Field(default=None, sa_type=UtcDateTime)


# -- the finder's precomputed rows -------------------------------------------------------------


class ReferralIndex(SQLModel, table=True):
    """One row per (service, place it is offered, category): what a referral query filters and
    ranks on, without joins. Rebuilt for the services an import touches (``referrals.index``).

    ``latitude``/``longitude`` are the point used for "near you": the location's coordinates
    (``point_exact``), else the centre of its municipality from the gazetteer (never shown to
    anyone, only used to decide what is local). ``populations`` and ``languages`` are
    comma-delimited with a leading and trailing comma (",women,lgbtq,") for LIKE matching;
    ``categories`` lists all the service's codes the same way. ``hours_pattern`` names the
    service's weekly hours in ``referral_hours`` (None: unknown). ``slot`` keys its card.
    Each tier query reads one (category, status) range of an index.
    """

    __tablename__ = "referral_index"
    __table_args__ = (
        Index("ix_referral_index_local", "category", "status", "latitude", "longitude"),
        Index("ix_referral_index_state", "category", "status", "state"),
        Index("ix_referral_index_scope", "category", "status", "scope"),
    )

    id: int | None = Field(default=None, primary_key=True)
    service_id: str = _fk("service", required=True)
    location_id: str | None = Field(default=None, max_length=36)
    slot: str = Field(max_length=36)
    category: str = Field(max_length=64)
    status: str = Field(max_length=32)
    scope: str = Field(max_length=16)
    state: str | None = Field(default=None, max_length=8)
    municipality: str | None = Field(default=None, sa_type=Text)
    latitude: float | None = None
    longitude: float | None = None
    point_exact: bool = False
    confidential: bool = False
    verified: bool = False
    populations: str = Field(default=",", sa_type=Text)
    languages: str = Field(default=",", sa_type=Text)
    categories: str = Field(default=",", sa_type=Text)
    timezone: str = Field(max_length=64)
    hours_pattern: str | None = Field(default=None, max_length=32)
    sort_name: str = Field(sa_type=Text)


class ReferralHours(SQLModel, table=True):
    """Weekly opening hours, shared by every slot with the same hours in the same time zone
    (``pattern`` = a hash of both): intervals in local time as minutes from Monday 00:00
    (``opens`` < ``closes`` ≤ 10080). Few rows, so "which patterns are open now" is cheap."""

    __tablename__ = "referral_hours"

    pattern: str = Field(primary_key=True, max_length=32)
    seq: int = Field(primary_key=True)
    timezone: str = Field(max_length=64)
    opens: int
    closes: int
    valid_from: date | None = None
    valid_to: date | None = None


class ReferralCard(SQLModel, table=True):
    """What a referral shows, per ``slot`` (a service at one location, or a location-less
    service), precomputed so a query reads its few results in one indexed lookup. ``address``,
    ``location_name`` are None for confidential locations; ``phones`` is newline-separated;
    ``hours`` is JSON ``[[opens, closes, valid_from, valid_to], …]`` (minutes from Monday 00:00,
    local time); ``verified_on`` is set only for verified records."""

    __tablename__ = "referral_card"

    slot: str = Field(primary_key=True, max_length=36)
    service_id: str = _fk("service", required=True)
    name: str = Field(sa_type=Text)
    organization: str = Field(sa_type=Text)
    description: str | None = Field(default=None, sa_type=Text)
    url: str | None = Field(default=None, sa_type=Text)
    email: str | None = Field(default=None, sa_type=Text)
    alert: str | None = Field(default=None, sa_type=Text)
    source: str = Field(default="", sa_type=Text)
    verified_on: date | None = None
    location_name: str | None = Field(default=None, sa_type=Text)
    address: str | None = Field(default=None, sa_type=Text)
    phones: str = Field(default="", sa_type=Text)
    hours: str = Field(default="[]", sa_type=Text)


#: The HSDS (and HSDS 3.1 / profile) tables by name.
HSDS_MODELS: dict[str, type[SQLModel]] = {
    str(model.__tablename__): model
    for model in (
        Organization, Program, Service, Taxonomy, TaxonomyTerm, Attribute, Location,
        ServiceAtLocation, Contact, Phone, Address, Schedule, Funding, ServiceArea,
        RequiredDocument, Language, Accessibility, CostOption, OrganizationIdentifier, Unit,
        ServiceCapacity,
    )
}  # fmt: skip
