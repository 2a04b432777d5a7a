"""The audit log is append-only in the database itself, on SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DatabaseError
from sqlmodel import Session

from bot.db import create_all, make_engine
from desk.audit import Action, read_page, record
from desk.pages.records import diff_lines
from desk.schema import ensure_desk_tables


def _write_entries(engine: Engine, count: int) -> None:
    with Session(engine) as db:
        for i in range(count):
            record(db, actor="cora", action=Action.CONTENT_EDIT, target=f"t{i}", before="a\nb", after="a\nc")
        db.commit()


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM desk_audit WHERE actor = 'cora'")).scalar_one())


def _refuses_changes(engine: Engine) -> None:
    before = _count(engine)
    _write_entries(engine, 3)
    for statement in (
        "UPDATE desk_audit SET actor = 'someone else'",
        "DELETE FROM desk_audit",
    ):
        with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    if engine.dialect.name == "postgresql":
        with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
            conn.execute(text("TRUNCATE desk_audit"))
    assert _count(engine) == before + 3


def test_sqlite_refuses_to_change_or_delete_an_entry(db: Engine) -> None:
    _refuses_changes(db)
    ensure_desk_tables(db)  # idempotent: run at every start
    _refuses_changes(db)


@pytest.fixture
def pg(postgres_url: str) -> Iterator[Engine]:
    name = f"desk_{uuid.uuid4().hex[:10]}"
    admin = create_engine(
        postgres_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(postgres_url.rsplit("/", 1)[0] + "/" + name)
    create_all(engine)
    ensure_desk_tables(engine)
    ensure_desk_tables(engine)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.postgres
def test_postgres_refuses_to_change_delete_or_truncate_an_entry(pg: Engine) -> None:
    _refuses_changes(pg)


def test_pages_are_newest_first(db: Engine) -> None:
    _write_entries(db, 7)
    first = read_page(db, page=1, per_page=3)
    assert [e.target for e in first.entries] == ["t6", "t5", "t4"] and first.pages == 3
    last = read_page(db, page=3, per_page=3)
    assert [e.target for e in last.entries] == ["t0"]


def test_the_diff_shows_before_and_after_with_a_line_of_context() -> None:
    lines = diff_lines(
        "intent: x\nstatus: draft\nsummary: old\nsources: [S1]",
        "intent: x\nstatus: reviewed\nsummary: old\nsources: [S1]",
    )
    kinds = [(d.kind, d.text) for d in lines]
    assert ("remove", "status: draft") in kinds and ("add", "status: reviewed") in kinds
    assert ("same", "sources: [S1]") not in kinds  # only one line of context
    assert diff_lines(None, None) == ()
