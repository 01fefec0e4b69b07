"""Failed console logins are limited per e-mail and per client address, in the store,
so that every hub process sharing it enforces the same count."""

from __future__ import annotations

from causeway.engine import login_throttle
from causeway.engine.login_throttle import ADDRESS_LIMIT, EMAIL_LIMIT, WINDOW
from causeway.engine.store import Store

T0 = 1_800_000_000.0


def fail(store: Store, times: int, email: str, address: str, at: float = T0) -> None:
    for n in range(times):
        login_throttle.record_failure(store, email, address, at=at + n)


def test_five_failures_for_one_e_mail_stop_the_sixth_try_from_anywhere(store: Store) -> None:
    fail(store, EMAIL_LIMIT - 1, "ada@example.com", "10.0.0.1")
    assert login_throttle.retry_after(store, "ada@example.com", "10.0.0.9", at=T0 + 10) is None
    fail(store, 1, "ADA@example.com", "10.0.0.2", at=T0 + 10)
    wait = login_throttle.retry_after(store, "ada@example.com", "10.0.0.9", at=T0 + 20)
    # The oldest of the five ages out first: then one more try is allowed.
    assert wait == T0 + WINDOW - (T0 + 20)
    assert login_throttle.retry_after(store, "bob@example.com", "10.0.0.9", at=T0 + 20) is None
    assert login_throttle.retry_after(store, "ada@example.com", "10.0.0.9", at=T0 + WINDOW) is None


def test_twenty_failures_from_one_address_stop_it_whatever_the_e_mail(store: Store) -> None:
    for n in range(ADDRESS_LIMIT):
        login_throttle.record_failure(store, f"user{n}@example.com", "203.0.113.7", at=T0 + n)
    wait = login_throttle.retry_after(store, "new@example.com", "203.0.113.7", at=T0 + 100)
    assert wait is not None and 0 < wait <= WINDOW
    assert login_throttle.retry_after(store, "new@example.com", "203.0.113.8", at=T0 + 100) is None


def test_a_good_login_clears_the_e_mail_but_not_the_address(store: Store) -> None:
    fail(store, EMAIL_LIMIT, "ada@example.com", "10.0.0.1")
    login_throttle.clear(store, "ada@example.com")
    assert login_throttle.retry_after(store, "ada@example.com", "10.0.0.2", at=T0 + 10) is None
    fail(store, ADDRESS_LIMIT - EMAIL_LIMIT, "x@example.com", "10.0.0.1", at=T0 + 20)
    assert login_throttle.retry_after(store, "ada@example.com", "10.0.0.1", at=T0 + 100)


def test_the_count_holds_across_processes_that_share_the_store(
    sqlite_store: Store, tmp_path: object
) -> None:
    other_process = Store(str(sqlite_store.engine.url))
    try:
        fail(sqlite_store, EMAIL_LIMIT, "ada@example.com", "10.0.0.1")
        assert login_throttle.retry_after(other_process, "ada@example.com", None, at=T0 + 10)
    finally:
        other_process.dispose()


def test_failures_that_aged_out_are_forgotten(store: Store) -> None:
    fail(store, EMAIL_LIMIT, "ada@example.com", "10.0.0.1")
    login_throttle.record_failure(store, "bob@example.com", "10.0.0.2", at=T0 + 2 * WINDOW)
    assert login_throttle.retry_after(store, "ada@example.com", None, at=T0 + 2 * WINDOW) is None
