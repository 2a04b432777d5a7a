"""Accounts, passwords, sessions and login throttling, below the web pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from desk.accounts import AccountError, add_user, find_user, set_active, set_password
from desk.audit import AuditEntry
from desk.passwords import Argon2Passwords, password_problem
from desk.policy import DeskPolicy
from desk.roles import Role
from desk.sessions import SessionStore, token_hash
from desk.throttle import Throttle
from tests.desk.conftest import Clock

GOOD = "una contraseña larga 2026"


def test_roles_are_ordered() -> None:
    assert Role.ADMIN.allows(Role.COORDINATOR) and Role.COORDINATOR.allows(Role.STAFF)
    assert not Role.STAFF.allows(Role.COORDINATOR) and not Role.COORDINATOR.allows(Role.ADMIN)


def test_argon2_hashes_verify_and_know_when_to_rehash(passwords: Argon2Passwords) -> None:
    hashed = passwords.hash(GOOD)
    assert hashed.startswith("$argon2id$") and GOOD not in hashed
    assert passwords.verify(hashed, GOOD)
    assert not passwords.verify(hashed, GOOD + "x")
    assert not passwords.verify("not a hash", GOOD)
    passwords.check_unknown(GOOD)  # the same work, no answer
    assert not passwords.needs_rehash(hashed)
    assert Argon2Passwords(time_cost=2, memory_cost=1024, parallelism=1).needs_rehash(hashed)


@pytest.mark.parametrize(
    ("password", "problem"),
    [("short", "at least 12"), ("ana.lopez", "at least 12"), ("aaaaaaaaaaaaaaa", "different"), (GOOD, None)],
)
def test_password_rules(password: str, problem: str | None) -> None:
    found = password_problem(password, username="ana.lopez", min_length=12)
    assert (found is None) if problem is None else (problem in (found or ""))
    assert password_problem("Ana.Lopez.2026", username="ana.lopez.2026", min_length=12) is not None


def test_add_user_normalises_refuses_duplicates_and_audits(db: Engine, passwords: Argon2Passwords) -> None:
    user = add_user(
        db, username="  Ana.Lopez ", role=Role.STAFF, password=GOOD, passwords=passwords, actor="admin"
    )
    assert user.username == "ana.lopez" and user.display_name == "ana.lopez" and user.active
    with pytest.raises(AccountError, match="already exists"):
        add_user(db, username="ana.lopez", role=Role.ADMIN, password=GOOD, passwords=passwords, actor="admin")
    with pytest.raises(AccountError, match="username"):
        add_user(db, username="ana lópez", role=Role.STAFF, password=GOOD, passwords=passwords, actor="a")
    with pytest.raises(AccountError, match="at least"):
        add_user(db, username="bob", role=Role.STAFF, password="short", passwords=passwords, actor="a")
    with Session(db) as s:
        entries = list(s.exec(select(AuditEntry)))
    assert [(e.actor, e.action, e.target, e.after) for e in entries] == [
        ("admin", "account.add", "user:ana.lopez", "role: staff")
    ]
    with db.connect() as conn:  # the password is stored only as an argon2 hash
        stored = conn.execute(text("SELECT password_hash FROM desk_user")).scalar_one()
    assert GOOD not in stored


def test_disabling_or_resetting_an_account_ends_its_sessions(
    db: Engine, passwords: Argon2Passwords, clock: Clock
) -> None:
    user = add_user(db, username="sam", role=Role.STAFF, password=GOOD, passwords=passwords, actor="a")
    assert user.id is not None
    store = SessionStore(db, DeskPolicy(), clock)
    token, _ = store.create(user.id)
    assert store.lookup(token) is not None

    set_active(db, username="sam", active=False, actor="a")
    assert store.lookup(token) is None
    set_active(db, username="sam", active=True, actor="a")
    token, _ = store.create(user.id)
    set_password(db, username="sam", password="otra contraseña 2027", passwords=passwords, actor="a")
    assert store.lookup(token) is None
    found = find_user(db, "sam")
    assert found is not None and passwords.verify(found.password_hash, "otra contraseña 2027")
    with pytest.raises(AccountError, match="no account"):
        set_active(db, username="nobody", active=False, actor="a")


def test_sessions_keep_only_a_hash_and_end_when_idle_or_old(
    db: Engine, passwords: Argon2Passwords, clock: Clock
) -> None:
    user = add_user(db, username="sam", role=Role.STAFF, password=GOOD, passwords=passwords, actor="a")
    assert user.id is not None
    policy = DeskPolicy(session_lifetime=timedelta(hours=12), session_idle=timedelta(hours=2))
    store = SessionStore(db, policy, clock)
    token, signed = store.create(user.id)
    with db.connect() as conn:
        keys = conn.execute(text("SELECT token_hash FROM desk_session")).scalars().all()
    assert keys == [token_hash(token)] and token not in keys
    assert signed.csrf_token and signed.csrf_token != token

    clock.advance(hours=1, minutes=50)
    assert store.lookup(token) is not None  # active: the idle clock restarts
    clock.advance(hours=1, minutes=50)
    assert store.lookup(token) is not None
    clock.advance(hours=2, minutes=1)
    assert store.lookup(token) is None  # idle too long

    token, _ = store.create(user.id)
    for _ in range(13):
        clock.advance(hours=1)
        alive = store.lookup(token)
    assert alive is None  # 12 hours after login, however active
    assert store.lookup("") is None and store.lookup("x" * 500) is None


def test_login_throttle_locks_a_username_and_an_address(db: Engine, clock: Clock) -> None:
    policy = DeskPolicy(user_failures=5, address_failures=10)
    throttle = Throttle(db, "secret", policy, clock)
    for _ in range(4):
        throttle.failure("sam", "10.0.0.1")
    assert throttle.locked_until("sam", "10.0.0.9") is None
    throttle.failure("SAM", "10.0.0.2")  # the fifth, from another address, another spelling
    until = throttle.locked_until("sam", "10.0.0.9")
    assert until == clock.now + timedelta(minutes=15)
    assert throttle.locked_until("cora", "10.0.0.9") is None  # only that username

    for i in range(10):  # ten different usernames from one address
        throttle.failure(f"user{i}", "192.0.2.7")
    assert throttle.locked_until("cora", "192.0.2.7") is not None
    assert throttle.locked_until("cora", "192.0.2.8") is None

    clock.advance(minutes=16)
    assert throttle.locked_until("sam", "10.0.0.9") is None
    with db.connect() as conn:  # neither usernames nor addresses are stored in clear
        keys = " ".join(conn.execute(text("SELECT key FROM desk_login_throttle")).scalars())
    assert "sam" not in keys and "192.0.2.7" not in keys


def test_failures_outside_the_window_do_not_add_up(db: Engine, clock: Clock) -> None:
    throttle = Throttle(db, "secret", DeskPolicy(), clock)
    for _ in range(4):
        throttle.failure("sam", "10.0.0.1")
    clock.advance(minutes=20)
    throttle.failure("sam", "10.0.0.1")
    assert throttle.locked_until("sam", "10.0.0.1") is None


def test_success_clears_the_username_count_but_not_the_address_count(db: Engine, clock: Clock) -> None:
    throttle = Throttle(db, "secret", DeskPolicy(user_failures=5, address_failures=5), clock)
    for _ in range(4):
        throttle.failure("sam", "10.0.0.1")
    throttle.success("sam")
    throttle.failure("sam", "10.0.0.1")
    assert throttle.locked_until("sam", "10.0.0.2") is None  # the username starts again
    assert throttle.locked_until("cora", "10.0.0.1") is not None  # the address had 5


def test_old_throttle_counts_and_ended_sessions_are_forgotten(
    db: Engine, passwords: Argon2Passwords, clock: Clock
) -> None:
    throttle = Throttle(db, "secret", DeskPolicy(), clock)
    throttle.failure("sam", "10.0.0.1")
    for _ in range(5):
        throttle.failure("cora", "10.0.0.2")
    clock.advance(minutes=16)
    assert throttle.purge() == 4  # two usernames, two addresses: windows over, the lock ended
    user = add_user(db, username="sam", role=Role.STAFF, password=GOOD, passwords=passwords, actor="a")
    assert user.id is not None
    store = SessionStore(db, DeskPolicy(), clock)
    store.create(user.id)
    kept, _ = store.create(user.id)
    clock.advance(hours=1)
    store.lookup(kept)
    clock.advance(hours=1, minutes=30)
    assert store.purge() == 1  # the one left idle for 2 h 30 min
    assert store.lookup(kept) is not None
