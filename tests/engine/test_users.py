"""People who log in to the console, on SQLite and PostgreSQL: one login per e-mail
whatever its case, passwords kept only as argon2id hashes and rehashed when the
parameters change, one answer for every bad login, and a role change or a disabled
person ending their sessions at once."""

from __future__ import annotations

import time

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update

from causeway.engine import console_sessions, users
from causeway.engine.console_sessions import SessionPolicy
from causeway.engine.schema import users as users_table
from causeway.engine.store import Store
from causeway.engine.users import UserError

PASSWORD = "correct horse battery"
POLICY = SessionPolicy(idle=1800.0, lifetime=43200.0)


def stored_hash(store: Store, email: str) -> str:
    with store.read() as conn:
        return str(
            conn.execute(
                select(users_table.c.password_hash).where(users_table.c.email == email)
            ).scalar_one()
        )


def test_a_person_is_known_by_their_e_mail_in_lower_case(store: Store) -> None:
    added = users.add(store, "  Ada@Example.COM ", "operator", PASSWORD, actor="cli:root")
    assert (added.email, added.role, added.disabled) == ("ada@example.com", "operator", False)
    assert users.find(store, "ADA@example.com") == added
    with pytest.raises(UserError, match=r"ada@example\.com already has a login"):
        users.add(store, "ada@EXAMPLE.com", "viewer", PASSWORD, actor="cli:root")


def test_the_password_is_kept_only_as_an_argon2id_hash(store: Store) -> None:
    users.add(store, "ada@example.com", "viewer", PASSWORD, actor="cli:root")
    with store.read() as conn:
        row = conn.execute(select(users_table)).one()
    assert row.password_hash.startswith("$argon2id$")
    assert PASSWORD not in " ".join(str(value) for value in row)


@pytest.mark.parametrize(
    ("email", "role", "password", "message"),
    [
        ("not-an-address", "viewer", PASSWORD, "not an e-mail address"),
        ("ada@example.com", "superuser", PASSWORD, "unknown role 'superuser'"),
        ("ada@example.com", "viewer", "short", "too short: use at least 12"),
        ("ada@example.com", "viewer", " " * 20, "only spaces"),
        ("ada@example.com", "viewer", "x" * 2000, "too long"),
    ],
)
def test_what_cannot_be_a_login_is_refused_with_the_rule(
    store: Store, email: str, role: str, password: str, message: str
) -> None:
    with pytest.raises(UserError, match=message):
        users.add(store, email, role, password, actor="cli:root")
    assert users.list_users(store) == []


def test_a_good_login_is_recorded_and_a_bad_one_gets_nothing(store: Store) -> None:
    users.add(store, "ada@example.com", "admin", PASSWORD, actor="cli:root")
    assert users.authenticate(store, "ada@example.com", "wrong password!") is None
    assert users.get(store, "ada@example.com").last_login_at is None
    user = users.authenticate(store, "ADA@example.com ", PASSWORD)
    assert user is not None and user.role == "admin" and user.last_login_at is not None
    assert users.get(store, "ada@example.com").last_login_at == user.last_login_at


def test_an_unknown_e_mail_takes_as_long_as_a_wrong_password(store: Store) -> None:
    """Constant-ish time: the unknown e-mail is checked against a dummy hash, so the
    answer's timing does not tell who has a login."""
    users.add(store, "ada@example.com", "viewer", PASSWORD, actor="cli:root")

    def timed(email: str) -> float:
        started = time.perf_counter()
        assert users.authenticate(store, email, "wrong password!") is None
        return time.perf_counter() - started

    wrong = min(timed("ada@example.com") for _ in range(3))
    unknown = min(timed("nobody@example.com") for _ in range(3))
    assert unknown > wrong / 3  # both pay for one argon2 verification


def test_a_disabled_person_cannot_log_in_and_their_sessions_end(store: Store) -> None:
    user = users.add(store, "ada@example.com", "operator", PASSWORD, actor="cli:root")
    token = console_sessions.start(store, user.id, POLICY)
    disabled, changed = users.disable(store, "ada@example.com", actor="admin@example.com")
    assert changed and disabled.disabled
    assert console_sessions.find(store, token, POLICY) is None
    assert users.authenticate(store, "ada@example.com", PASSWORD) is None
    again, changed = users.disable(store, "ada@example.com", actor="admin@example.com")
    assert not changed and again.disabled_at == disabled.disabled_at
    users.enable(store, "ada@example.com", actor="admin@example.com")
    assert users.authenticate(store, "ada@example.com", PASSWORD) is not None


def test_a_new_role_ends_the_sessions_that_held_the_old_one(store: Store) -> None:
    user = users.add(store, "ada@example.com", "admin", PASSWORD, actor="cli:root")
    other = users.add(store, "bob@example.com", "admin", PASSWORD, actor="cli:root")
    tokens = [console_sessions.start(store, user.id, POLICY) for _ in range(2)]
    bobs = console_sessions.start(store, other.id, POLICY)
    changed_user, changed = users.set_role(store, "ada@example.com", "viewer", actor="bob@x.io")
    assert changed and changed_user.role == "viewer"
    assert all(console_sessions.find(store, t, POLICY) is None for t in tokens)
    assert console_sessions.find(store, bobs, POLICY) is not None
    _, changed = users.set_role(store, "ada@example.com", "viewer", actor="bob@x.io")
    assert not changed


def test_a_new_password_replaces_the_old_and_ends_every_session(store: Store) -> None:
    user = users.add(store, "ada@example.com", "viewer", PASSWORD, actor="cli:root")
    token = console_sessions.start(store, user.id, POLICY)
    users.set_password(store, "ada@example.com", "a much newer passphrase", actor="cli:root")
    assert console_sessions.find(store, token, POLICY) is None
    assert users.authenticate(store, "ada@example.com", PASSWORD) is None
    assert users.authenticate(store, "ada@example.com", "a much newer passphrase") is not None


def test_a_hash_made_with_older_parameters_is_replaced_at_the_next_good_login(
    store: Store,
) -> None:
    users.add(store, "ada@example.com", "viewer", PASSWORD, actor="cli:root")
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with store.transaction() as conn:
        conn.execute(update(users_table).values(password_hash=weak))
    assert users.authenticate(store, "ada@example.com", "wrong password!") is None
    assert stored_hash(store, "ada@example.com") == weak  # only a good login rehashes
    assert users.authenticate(store, "ada@example.com", PASSWORD) is not None
    rehashed = stored_hash(store, "ada@example.com")
    assert rehashed != weak and not users.HASHER.check_needs_rehash(rehashed)
    assert users.authenticate(store, "ada@example.com", PASSWORD) is not None


def test_changing_someone_who_does_not_exist_says_how_to_find_who_does(store: Store) -> None:
    with pytest.raises(UserError, match=r"nobody logs in as 'eve@example\.com'.*users list"):
        users.set_role(store, "eve@example.com", "admin", actor="cli:root")


def test_the_last_admin_cannot_be_demoted_or_disabled(store: Store) -> None:
    users.add(store, "ada@example.com", "admin", PASSWORD, actor="cli:root")
    with pytest.raises(UserError, match=r"ada@example\.com is the last admin"):
        users.set_role(store, "ada@example.com", "operator", actor="cli:root")
    with pytest.raises(UserError, match="the last admin who can log in"):
        users.disable(store, "ada@example.com", actor="cli:root")
    assert users.get(store, "ada@example.com").role == "admin"
    users.add(store, "bob@example.com", "admin", PASSWORD, actor="cli:root")
    users.disable(store, "ada@example.com", actor="bob@example.com")
    assert users.get(store, "ada@example.com").disabled


def test_every_change_is_audited_without_a_password_or_hash(store: Store) -> None:
    from causeway.engine import audit

    users.add(store, "ada@example.com", "admin", PASSWORD, actor="cli:root")
    users.add(store, "bob@example.com", "viewer", PASSWORD, actor="ada@example.com")
    users.set_role(store, "bob@example.com", "operator", actor="ada@example.com")
    users.set_password(store, "bob@example.com", PASSWORD + "!", actor="ada@example.com")
    users.disable(store, "bob@example.com", actor="ada@example.com")
    entries = audit.recent(store, subject="user:bob@example.com")
    assert [e.action for e in entries] == [
        "user.disable", "user.set_password", "user.set_role", "user.add",
    ]  # fmt: skip
    assert {e.actor for e in entries} == {"ada@example.com"}
    assert entries[2].changes() == [("role", "viewer", "operator")]
    assert entries[0].changes() == [("disabled", False, True)]
    everything = repr(audit.recent(store))
    assert PASSWORD not in everything and "argon2" not in everything
