"""Alembic owns the schema: migrations run on SQLite and PostgreSQL and match the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlmodel import SQLModel

from bot.db import MigrationError, create_all, current_revision, include_object, make_engine, migrated_tables
from tests.referrals.conftest import BACKENDS


def _head() -> str:
    from alembic.script import ScriptDirectory

    from bot.db import alembic_config

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_upgrade_head_creates_every_table_and_matches_the_models(db: Engine) -> None:
    create_all(db)  # idempotent
    assert current_revision(db) == _head()
    tables = set(inspect(db).get_table_names())
    assert {"conversation_session", "organization", "service", "location", "service_at_location", "address",
            "phone", "schedule", "language", "taxonomy", "taxonomy_term", "attribute", "required_document",
            "service_area", "service_capacity", "unit", "referral_index", "referral_card",
            "referral_hours"} <= tables  # fmt: skip
    owned = migrated_tables()
    assert {"conversation_session", "handoff_ticket", "inbox_message", "inbox_lease", "usage_count"} <= owned
    assert owned <= tables
    with db.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include_object}
        )
        assert compare_metadata(context, SQLModel.metadata) == []


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_downgrade_to_base_and_back(db: Engine) -> None:
    from alembic import command

    from bot.db import alembic_config

    with db.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    assert set(inspect(db).get_table_names()) <= {"alembic_version"}
    create_all(db)
    assert current_revision(db) == _head()


def test_a_database_from_before_migrations_is_adopted(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as conn:  # what the foundation's create_all made
        conn.execute(
            text(
                "CREATE TABLE conversation_session (id VARCHAR(64) PRIMARY KEY,"
                " channel VARCHAR(32) NOT NULL, language VARCHAR(16), stage VARCHAR(32) NOT NULL,"
                " topic VARCHAR(32), pending_topic VARCHAR(32), place VARCHAR(120), latitude FLOAT,"
                " longitude FLOAT, last_inbound_at DATETIME,"
                " created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL)"
            )
        )
        conn.execute(
            text("INSERT INTO conversation_session (id, channel, stage, created_at, updated_at)"
                 " VALUES ('s1', 'telegram', 'ready', '2026-11-01 10:00:00', '2026-11-01 10:00:00')")
        )  # fmt: skip
    create_all(engine)
    assert current_revision(engine) == _head()
    with engine.connect() as conn:
        assert (
            conn.execute(text("SELECT channel FROM conversation_session WHERE id = 's1'")).scalar()
            == "telegram"
        )
    engine.dispose()


def test_an_unknown_database_is_refused_not_guessed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'odd.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE something_else (id INTEGER PRIMARY KEY)"))
    with pytest.raises(MigrationError):
        create_all(engine)
    engine.dispose()
