"""registry: Open Referral HSDS 3.0 tables, the Mexico profile and the finder's search rows

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "organization",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("alternate_name", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("website", sa.Text(), nullable=True),
        sa.Column("tax_status", sa.Text(), nullable=True),
        sa.Column("tax_id", sa.Text(), nullable=True),
        sa.Column("year_incorporated", sa.Float(), nullable=True),
        sa.Column("legal_status", sa.Text(), nullable=True),
        sa.Column("logo", sa.Text(), nullable=True),
        sa.Column("uri", sa.Text(), nullable=True),
        sa.Column("parent_organization_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("record_source", sa.Text(), nullable=True),
        sa.Column("verification_status", sa.Text(), nullable=True),
        sa.Column("last_verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verified_by", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_organization_parent_organization_id"),
        "organization",
        ["parent_organization_id"],
        unique=False,
    )
    op.create_table(
        "taxonomy",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("uri", sa.Text(), nullable=True),
        sa.Column("version", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "unit",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("scheme", sa.Text(), nullable=True),
        sa.Column("identifier", sa.Text(), nullable=True),
        sa.Column("uri", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "location",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("location_type", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("organization_id", sa.String(length=36), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("alternate_name", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("transportation", sa.Text(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("external_identifier", sa.Text(), nullable=True),
        sa.Column("external_identifier_type", sa.Text(), nullable=True),
        sa.Column("state", sa.Text(), nullable=True),
        sa.Column("municipality", sa.Text(), nullable=True),
        sa.Column("confidential", sa.Boolean(), nullable=True),
        sa.Column("record_source", sa.Text(), nullable=True),
        sa.Column("verification_status", sa.Text(), nullable=True),
        sa.Column("last_verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verified_by", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organization.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_location_organization_id"), "location", ["organization_id"], unique=False)
    op.create_table(
        "organization_identifier",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("organization_id", sa.String(length=36), nullable=False),
        sa.Column("identifier_scheme", sa.Text(), nullable=True),
        sa.Column("identifier_type", sa.Text(), nullable=False),
        sa.Column("identifier", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organization.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_organization_identifier_organization_id"),
        "organization_identifier",
        ["organization_id"],
        unique=False,
    )
    op.create_table(
        "program",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("organization_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("alternate_name", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organization.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_program_organization_id"), "program", ["organization_id"], unique=False)
    op.create_table(
        "taxonomy_term",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("code", sa.Text(), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("parent_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("taxonomy", sa.Text(), nullable=True),
        sa.Column("language", sa.Text(), nullable=True),
        sa.Column("taxonomy_id", sa.String(length=36), nullable=True),
        sa.Column("term_uri", sa.Text(), nullable=True),
        sa.Column("translations", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["taxonomy_id"], ["taxonomy.id"], initially="DEFERRED", deferrable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_taxonomy_term_parent_id"), "taxonomy_term", ["parent_id"], unique=False)
    op.create_index(op.f("ix_taxonomy_term_taxonomy_id"), "taxonomy_term", ["taxonomy_id"], unique=False)
    op.create_table(
        "accessibility",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("location_id", sa.String(length=36), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["location_id"], ["location.id"], initially="DEFERRED", deferrable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_accessibility_location_id"), "accessibility", ["location_id"], unique=False)
    op.create_table(
        "address",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("location_id", sa.String(length=36), nullable=True),
        sa.Column("attention", sa.Text(), nullable=True),
        sa.Column("address_1", sa.Text(), nullable=False),
        sa.Column("address_2", sa.Text(), nullable=True),
        sa.Column("city", sa.Text(), nullable=False),
        sa.Column("region", sa.Text(), nullable=True),
        sa.Column("state_province", sa.Text(), nullable=False),
        sa.Column("postal_code", sa.Text(), nullable=False),
        sa.Column("country", sa.Text(), nullable=False),
        sa.Column("address_type", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["location_id"], ["location.id"], initially="DEFERRED", deferrable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_address_location_id"), "address", ["location_id"], unique=False)
    op.create_table(
        "attribute",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("link_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("taxonomy_term_id", sa.String(length=36), nullable=False),
        sa.Column("link_type", sa.Text(), nullable=True),
        sa.Column("link_entity", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["taxonomy_term_id"], ["taxonomy_term.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_attribute_link_id"), "attribute", ["link_id"], unique=False)
    op.create_index(op.f("ix_attribute_taxonomy_term_id"), "attribute", ["taxonomy_term_id"], unique=False)
    op.create_table(
        "service",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("organization_id", sa.String(length=36), nullable=False),
        sa.Column("program_id", sa.String(length=36), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("alternate_name", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("interpretation_services", sa.Text(), nullable=True),
        sa.Column("application_process", sa.Text(), nullable=True),
        sa.Column("fees_description", sa.Text(), nullable=True),
        sa.Column("wait_time", sa.Text(), nullable=True),
        sa.Column("fees", sa.Text(), nullable=True),
        sa.Column("accreditations", sa.Text(), nullable=True),
        sa.Column("eligibility_description", sa.Text(), nullable=True),
        sa.Column("minimum_age", sa.Float(), nullable=True),
        sa.Column("maximum_age", sa.Float(), nullable=True),
        sa.Column("assured_date", sa.Date(), nullable=True),
        sa.Column("assurer_email", sa.Text(), nullable=True),
        sa.Column("licenses", sa.Text(), nullable=True),
        sa.Column("alert", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.DateTime(timezone=True), nullable=True),
        sa.Column("scope", sa.Text(), nullable=True),
        sa.Column("populations", sa.Text(), nullable=True),
        sa.Column("record_source", sa.Text(), nullable=True),
        sa.Column("verification_status", sa.Text(), nullable=True),
        sa.Column("last_verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verified_by", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organization.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(["program_id"], ["program.id"], initially="DEFERRED", deferrable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_service_organization_id"), "service", ["organization_id"], unique=False)
    op.create_index(op.f("ix_service_program_id"), "service", ["program_id"], unique=False)
    op.create_table(
        "cost_option",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("service_id", sa.String(length=36), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("option", sa.Text(), nullable=True),
        sa.Column("currency", sa.Text(), nullable=True),
        sa.Column("amount", sa.Float(), nullable=True),
        sa.Column("amount_description", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"], initially="DEFERRED", deferrable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_cost_option_service_id"), "cost_option", ["service_id"], unique=False)
    op.create_table(
        "funding",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("organization_id", sa.String(length=36), nullable=True),
        sa.Column("service_id", sa.String(length=36), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organization.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"], initially="DEFERRED", deferrable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_funding_organization_id"), "funding", ["organization_id"], unique=False)
    op.create_index(op.f("ix_funding_service_id"), "funding", ["service_id"], unique=False)
    op.create_table(
        "referral_index",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.String(length=36), nullable=False),
        sa.Column("location_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("slot", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
        sa.Column("municipality", sa.Text(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("point_exact", sa.Boolean(), nullable=False),
        sa.Column("confidential", sa.Boolean(), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("populations", sa.Text(), nullable=False),
        sa.Column("languages", sa.Text(), nullable=False),
        sa.Column("categories", sa.Text(), nullable=False),
        sa.Column("timezone", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("hours_pattern", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("sort_name", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"], initially="DEFERRED", deferrable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_referral_index_local",
        "referral_index",
        ["category", "status", "latitude", "longitude"],
        unique=False,
    )
    op.create_index(
        "ix_referral_index_scope", "referral_index", ["category", "status", "scope"], unique=False
    )
    op.create_index(
        "ix_referral_index_state", "referral_index", ["category", "status", "state"], unique=False
    )
    op.create_index(op.f("ix_referral_index_service_id"), "referral_index", ["service_id"], unique=False)
    op.create_table(
        "referral_hours",
        sa.Column("pattern", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("timezone", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("opens", sa.Integer(), nullable=False),
        sa.Column("closes", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("pattern", "seq"),
    )
    op.create_table(
        "required_document",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("service_id", sa.String(length=36), nullable=True),
        sa.Column("document", sa.Text(), nullable=True),
        sa.Column("uri", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"], initially="DEFERRED", deferrable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_required_document_service_id"), "required_document", ["service_id"], unique=False
    )
    op.create_table(
        "service_area",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("service_id", sa.String(length=36), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("extent", sa.Text(), nullable=True),
        sa.Column("extent_type", sa.Text(), nullable=True),
        sa.Column("uri", sa.Text(), nullable=True),
        sa.Column("state", sa.Text(), nullable=True),
        sa.Column("municipality", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"], initially="DEFERRED", deferrable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_service_area_service_id"), "service_area", ["service_id"], unique=False)
    op.create_table(
        "service_at_location",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("service_id", sa.String(length=36), nullable=False),
        sa.Column("location_id", sa.String(length=36), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["location_id"], ["location.id"], initially="DEFERRED", deferrable=True),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"], initially="DEFERRED", deferrable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_service_at_location_location_id"), "service_at_location", ["location_id"], unique=False
    )
    op.create_index(
        op.f("ix_service_at_location_service_id"), "service_at_location", ["service_id"], unique=False
    )
    op.create_table(
        "service_capacity",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("service_id", sa.String(length=36), nullable=False),
        sa.Column("unit_id", sa.String(length=36), nullable=False),
        sa.Column("available", sa.Float(), nullable=True),
        sa.Column("maximum", sa.Float(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"], initially="DEFERRED", deferrable=True),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], initially="DEFERRED", deferrable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_service_capacity_service_id"), "service_capacity", ["service_id"], unique=False)
    op.create_index(op.f("ix_service_capacity_unit_id"), "service_capacity", ["unit_id"], unique=False)
    op.create_table(
        "contact",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("organization_id", sa.String(length=36), nullable=True),
        sa.Column("service_id", sa.String(length=36), nullable=True),
        sa.Column("service_at_location_id", sa.String(length=36), nullable=True),
        sa.Column("location_id", sa.String(length=36), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("department", sa.Text(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["location_id"], ["location.id"], initially="DEFERRED", deferrable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organization.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(
            ["service_at_location_id"], ["service_at_location.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"], initially="DEFERRED", deferrable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_contact_location_id"), "contact", ["location_id"], unique=False)
    op.create_index(op.f("ix_contact_organization_id"), "contact", ["organization_id"], unique=False)
    op.create_index(
        op.f("ix_contact_service_at_location_id"), "contact", ["service_at_location_id"], unique=False
    )
    op.create_index(op.f("ix_contact_service_id"), "contact", ["service_id"], unique=False)
    op.create_table(
        "schedule",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("service_id", sa.String(length=36), nullable=True),
        sa.Column("location_id", sa.String(length=36), nullable=True),
        sa.Column("service_at_location_id", sa.String(length=36), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("dtstart", sa.Date(), nullable=True),
        sa.Column("timezone", sa.Float(), nullable=True),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("count", sa.Float(), nullable=True),
        sa.Column("wkst", sa.Text(), nullable=True),
        sa.Column("freq", sa.Text(), nullable=True),
        sa.Column("interval", sa.Float(), nullable=True),
        sa.Column("byday", sa.Text(), nullable=True),
        sa.Column("byweekno", sa.Text(), nullable=True),
        sa.Column("bymonthday", sa.Text(), nullable=True),
        sa.Column("byyearday", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("opens_at", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("closes_at", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("schedule_link", sa.Text(), nullable=True),
        sa.Column("attending_type", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["location_id"], ["location.id"], initially="DEFERRED", deferrable=True),
        sa.ForeignKeyConstraint(
            ["service_at_location_id"], ["service_at_location.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"], initially="DEFERRED", deferrable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_schedule_location_id"), "schedule", ["location_id"], unique=False)
    op.create_index(
        op.f("ix_schedule_service_at_location_id"), "schedule", ["service_at_location_id"], unique=False
    )
    op.create_index(op.f("ix_schedule_service_id"), "schedule", ["service_id"], unique=False)
    op.create_table(
        "phone",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("location_id", sa.String(length=36), nullable=True),
        sa.Column("service_id", sa.String(length=36), nullable=True),
        sa.Column("organization_id", sa.String(length=36), nullable=True),
        sa.Column("contact_id", sa.String(length=36), nullable=True),
        sa.Column("service_at_location_id", sa.String(length=36), nullable=True),
        sa.Column("number", sa.Text(), nullable=False),
        sa.Column("extension", sa.Float(), nullable=True),
        sa.Column("type", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], initially="DEFERRED", deferrable=True),
        sa.ForeignKeyConstraint(["location_id"], ["location.id"], initially="DEFERRED", deferrable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organization.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(
            ["service_at_location_id"], ["service_at_location.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"], initially="DEFERRED", deferrable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_phone_contact_id"), "phone", ["contact_id"], unique=False)
    op.create_index(op.f("ix_phone_location_id"), "phone", ["location_id"], unique=False)
    op.create_index(op.f("ix_phone_organization_id"), "phone", ["organization_id"], unique=False)
    op.create_index(
        op.f("ix_phone_service_at_location_id"), "phone", ["service_at_location_id"], unique=False
    )
    op.create_index(op.f("ix_phone_service_id"), "phone", ["service_id"], unique=False)
    op.create_table(
        "language",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("service_id", sa.String(length=36), nullable=True),
        sa.Column("location_id", sa.String(length=36), nullable=True),
        sa.Column("phone_id", sa.String(length=36), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("code", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["location_id"], ["location.id"], initially="DEFERRED", deferrable=True),
        sa.ForeignKeyConstraint(["phone_id"], ["phone.id"], initially="DEFERRED", deferrable=True),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"], initially="DEFERRED", deferrable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_language_location_id"), "language", ["location_id"], unique=False)
    op.create_index(op.f("ix_language_phone_id"), "language", ["phone_id"], unique=False)
    op.create_index(op.f("ix_language_service_id"), "language", ["service_id"], unique=False)
    op.create_table(
        "referral_card",
        sa.Column("slot", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("service_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("organization", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("alert", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("verified_on", sa.Date(), nullable=True),
        sa.Column("location_name", sa.Text(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("phones", sa.Text(), nullable=False),
        sa.Column("hours", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"], initially="DEFERRED", deferrable=True),
        sa.PrimaryKeyConstraint("slot"),
    )
    op.create_index(op.f("ix_referral_card_service_id"), "referral_card", ["service_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_referral_card_service_id"), table_name="referral_card")
    op.drop_table("referral_card")
    op.drop_index(op.f("ix_language_service_id"), table_name="language")
    op.drop_index(op.f("ix_language_phone_id"), table_name="language")
    op.drop_index(op.f("ix_language_location_id"), table_name="language")
    op.drop_table("language")
    op.drop_index(op.f("ix_phone_service_id"), table_name="phone")
    op.drop_index(op.f("ix_phone_service_at_location_id"), table_name="phone")
    op.drop_index(op.f("ix_phone_organization_id"), table_name="phone")
    op.drop_index(op.f("ix_phone_location_id"), table_name="phone")
    op.drop_index(op.f("ix_phone_contact_id"), table_name="phone")
    op.drop_table("phone")
    op.drop_index(op.f("ix_schedule_service_id"), table_name="schedule")
    op.drop_index(op.f("ix_schedule_service_at_location_id"), table_name="schedule")
    op.drop_index(op.f("ix_schedule_location_id"), table_name="schedule")
    op.drop_table("schedule")
    op.drop_index(op.f("ix_contact_service_id"), table_name="contact")
    op.drop_index(op.f("ix_contact_service_at_location_id"), table_name="contact")
    op.drop_index(op.f("ix_contact_organization_id"), table_name="contact")
    op.drop_index(op.f("ix_contact_location_id"), table_name="contact")
    op.drop_table("contact")
    op.drop_index(op.f("ix_service_capacity_unit_id"), table_name="service_capacity")
    op.drop_index(op.f("ix_service_capacity_service_id"), table_name="service_capacity")
    op.drop_table("service_capacity")
    op.drop_index(op.f("ix_service_at_location_service_id"), table_name="service_at_location")
    op.drop_index(op.f("ix_service_at_location_location_id"), table_name="service_at_location")
    op.drop_table("service_at_location")
    op.drop_index(op.f("ix_service_area_service_id"), table_name="service_area")
    op.drop_table("service_area")
    op.drop_index(op.f("ix_required_document_service_id"), table_name="required_document")
    op.drop_table("required_document")
    op.drop_table("referral_hours")
    op.drop_index(op.f("ix_referral_index_service_id"), table_name="referral_index")
    op.drop_index("ix_referral_index_state", table_name="referral_index")
    op.drop_index("ix_referral_index_scope", table_name="referral_index")
    op.drop_index("ix_referral_index_local", table_name="referral_index")
    op.drop_table("referral_index")
    op.drop_index(op.f("ix_funding_service_id"), table_name="funding")
    op.drop_index(op.f("ix_funding_organization_id"), table_name="funding")
    op.drop_table("funding")
    op.drop_index(op.f("ix_cost_option_service_id"), table_name="cost_option")
    op.drop_table("cost_option")
    op.drop_index(op.f("ix_service_program_id"), table_name="service")
    op.drop_index(op.f("ix_service_organization_id"), table_name="service")
    op.drop_table("service")
    op.drop_index(op.f("ix_attribute_taxonomy_term_id"), table_name="attribute")
    op.drop_index(op.f("ix_attribute_link_id"), table_name="attribute")
    op.drop_table("attribute")
    op.drop_index(op.f("ix_address_location_id"), table_name="address")
    op.drop_table("address")
    op.drop_index(op.f("ix_accessibility_location_id"), table_name="accessibility")
    op.drop_table("accessibility")
    op.drop_index(op.f("ix_taxonomy_term_taxonomy_id"), table_name="taxonomy_term")
    op.drop_index(op.f("ix_taxonomy_term_parent_id"), table_name="taxonomy_term")
    op.drop_table("taxonomy_term")
    op.drop_index(op.f("ix_program_organization_id"), table_name="program")
    op.drop_table("program")
    op.drop_index(op.f("ix_organization_identifier_organization_id"), table_name="organization_identifier")
    op.drop_table("organization_identifier")
    op.drop_index(op.f("ix_location_organization_id"), table_name="location")
    op.drop_table("location")
    op.drop_table("unit")
    op.drop_table("taxonomy")
    op.drop_index(op.f("ix_organization_parent_organization_id"), table_name="organization")
    op.drop_table("organization")
