"""Console sessions in the store: a new random token at every login, kept only as its
hash, alive while used, ended by logout, by idleness and by age, whatever happens."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from causeway.engine import console_sessions, users
from causeway.engine.console_sessions import SEEN_RECORDED_EVERY, SessionPolicy
from causeway.engine.schema import console_sessions as sessions_table
from causeway.engine.store import Store

POLICY = SessionPolicy(idle=1800.0, lifetime=12 * 3600.0)
T0 = 1_800_000_000.0


@pytest.fixture
def ada(store: Store) -> int:
    return users.add(store, "ada@example.com", "operator", "correct horse battery", actor="t").id


def test_a_session_is_kept_only_as_the_hash_of_its_token(store: Store, ada: int) -> None:
    token = console_sessions.start(store, ada, POLICY, at=T0)
    with store.read() as conn:
        row = conn.execute(select(sessions_table)).one()
    assert row.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert token not in " ".join(str(value) for value in row)
    session = console_sessions.find(store, token, POLICY, at=T0 + 1)
    assert session is not None
    assert (session.email, session.role, session.user_id) == ("ada@example.com", "operator", ada)
    assert len(session.csrf_token) >= 43 and session.csrf_token != token


def test_every_login_gets_a_new_token_and_its_own_csrf_token(store: Store, ada: int) -> None:
    tokens = [console_sessions.start(store, ada, POLICY, at=T0) for _ in range(5)]
    found = [console_sessions.find(store, t, POLICY, at=T0) for t in tokens]
    assert len(set(tokens)) == 5
    assert len({s.csrf_token for s in found if s is not None}) == 5


@pytest.mark.parametrize("token", ["", "forged-token", "x" * 500])
def test_a_token_nobody_was_given_opens_nothing(store: Store, ada: int, token: str) -> None:
    console_sessions.start(store, ada, POLICY, at=T0)
    assert console_sessions.find(store, token, POLICY, at=T0) is None


def test_a_session_left_idle_too_long_ends(store: Store, ada: int) -> None:
    token = console_sessions.start(store, ada, POLICY, at=T0)
    assert console_sessions.find(store, token, POLICY, at=T0 + POLICY.idle - 1) is not None
    # Used just now: the idle clock started again.
    assert console_sessions.find(store, token, POLICY, at=T0 + 2 * POLICY.idle - 2) is not None
    assert console_sessions.find(store, token, POLICY, at=T0 + 3 * POLICY.idle) is None
    assert console_sessions.count(store, ada) == 0  # and it is gone, not just refused


def test_a_session_in_use_still_ends_at_its_absolute_lifetime(store: Store, ada: int) -> None:
    token = console_sessions.start(store, ada, POLICY, at=T0)
    at = T0
    while at + 600 < T0 + POLICY.lifetime:
        at += 600
        assert console_sessions.find(store, token, POLICY, at=at) is not None
    assert console_sessions.find(store, token, POLICY, at=T0 + POLICY.lifetime + 1) is None


def test_last_seen_is_written_only_now_and_then(store: Store, ada: int) -> None:
    token = console_sessions.start(store, ada, POLICY, at=T0)
    seen = console_sessions.find(store, token, POLICY, at=T0 + SEEN_RECORDED_EVERY / 2)
    assert seen is not None and seen.last_seen_at == T0
    seen = console_sessions.find(store, token, POLICY, at=T0 + SEEN_RECORDED_EVERY)
    assert seen is not None and seen.last_seen_at == T0 + SEEN_RECORDED_EVERY


def test_logout_ends_the_session_and_only_that_one(store: Store, ada: int) -> None:
    laptop = console_sessions.start(store, ada, POLICY, at=T0)
    phone = console_sessions.start(store, ada, POLICY, at=T0)
    assert console_sessions.end(store, laptop)
    assert not console_sessions.end(store, laptop)  # twice: nothing more to end
    assert console_sessions.find(store, laptop, POLICY, at=T0) is None
    assert console_sessions.find(store, phone, POLICY, at=T0) is not None


def test_a_new_login_sweeps_out_expired_sessions(store: Store, ada: int) -> None:
    console_sessions.start(store, ada, POLICY, at=T0)
    console_sessions.start(store, ada, POLICY, at=T0 + POLICY.idle + 1)
    assert console_sessions.count(store, ada) == 1
