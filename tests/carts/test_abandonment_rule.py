"""The abandonment rule (flows/carts/abandonment.py), with the clock driven by the test."""

from __future__ import annotations

import pytest

from causeway.flows.carts import ABANDONED, COMPLETED, OPEN, RECOVERED, Abandonment
from causeway.flows.carts.abandonment import is_newer

HOUR = Abandonment(after_seconds=3600)
T0 = 1_800_000_000.0


def test_an_open_cart_is_not_abandoned_a_second_before_the_configured_time() -> None:
    assert not HOUR.is_abandoned(OPEN, T0, T0 + 3599)


def test_an_open_cart_is_abandoned_once_the_configured_time_has_passed() -> None:
    assert HOUR.is_abandoned(OPEN, T0, T0 + 3600)
    assert HOUR.is_abandoned(OPEN, T0, T0 + 86400)


@pytest.mark.parametrize("state", [ABANDONED, RECOVERED, COMPLETED])
def test_only_an_open_cart_can_be_counted_abandoned(state: str) -> None:
    assert not HOUR.is_abandoned(state, T0, T0 + 86400)


def test_a_cart_known_only_from_its_order_is_never_abandoned_by_the_clock() -> None:
    assert not HOUR.is_abandoned(OPEN, None, T0 + 86400)


def test_the_configured_time_is_the_setting_not_a_constant() -> None:
    ten_minutes = Abandonment(after_seconds=600)
    assert ten_minutes.is_abandoned(OPEN, T0, T0 + 600)
    assert ten_minutes.due_before(T0 + 600) == T0


def test_an_order_from_an_open_cart_completes_it() -> None:
    assert HOUR.after_order(OPEN, T0, T0 + 60) == COMPLETED


def test_an_order_from_an_abandoned_cart_recovers_it() -> None:
    assert HOUR.after_order(ABANDONED, T0, T0 + 7200) == RECOVERED


def test_an_order_placed_before_the_time_ran_out_completes_a_cart_a_sweep_counted_early() -> None:
    # The order's webhook arrived after the sweep: the shopper never left.
    assert HOUR.after_order(ABANDONED, T0, T0 + 1800) == COMPLETED


@pytest.mark.parametrize("state", [RECOVERED, COMPLETED])
def test_a_second_order_or_a_redelivery_changes_nothing(state: str) -> None:
    assert HOUR.after_order(state, T0, T0 + 7200) == state


def test_only_a_strictly_newer_update_replaces_what_is_kept() -> None:
    assert is_newer(T0 + 1, T0)
    assert not is_newer(T0, T0)  # a redelivery
    assert not is_newer(T0 - 1, T0)  # stale
    assert is_newer(T0, None)  # a cart known only from its order


def test_the_setting_defaults_to_an_hour_and_is_refused_below_a_minute() -> None:
    from pydantic import ValidationError

    from causeway.flows.carts.declaration import CartsFlow

    assert CartsFlow(sources=["shop"]).abandon_after_minutes == 60
    with pytest.raises(ValidationError, match="abandon_after_minutes"):
        CartsFlow(sources=["shop"], abandon_after_minutes=0)
