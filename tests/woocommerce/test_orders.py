"""Orders from a WooCommerce store: changed since a cursor, one in full, in canonical form."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from causeway.connectors.woocommerce import WooCommerceConnector
from causeway.connectors.woocommerce.refusals import WooCommerceError
from causeway.errors import PermanentError
from causeway.model import FinancialStatus
from causeway.model.consistency import inconsistencies
from tests.woocommerce.conftest import add_product, buy, calls, connect


def test_every_order_then_only_those_changed_since_the_cursor(
    woo: Any, store: WooCommerceConnector
) -> None:
    add_product(woo, "MUG", 50)
    first, second = buy(woo, ("MUG", 1)), buy(woo, ("MUG", 2))
    everything = list(store.order_changes_since(None))
    assert {c.external_id for c in everything} == {str(first["id"]), str(second["id"])}
    cursor = max(c.updated_at for c in everything)

    woo.control("POST", "clock", json={"advance_seconds": 120})
    woo.control("POST", f"orders/{first['id']}/status", json={"status": "completed"})
    third = buy(woo, ("MUG", 1))
    changed = list(store.order_changes_since(cursor + timedelta(seconds=30)))
    assert {c.external_id for c in changed} == {str(first["id"]), str(third["id"])}
    asked = [c for c in calls(woo) if c["path"].endswith("/orders")][-1]
    assert "dates_are_gmt=true" in asked["query"] and "modified_after=" in asked["query"]


def test_a_change_in_the_cursors_own_second_is_not_missed(
    woo: Any, store: WooCommerceConnector
) -> None:
    add_product(woo, "MUG", 50)
    order = buy(woo, ("MUG", 1))
    (change,) = store.order_changes_since(None)
    # WooCommerce's modified_after is exclusive: reading from this very stamp still finds it.
    assert [c.external_id for c in store.order_changes_since(change.updated_at)] == [
        str(order["id"])
    ]


def test_many_orders_are_read_across_pages_each_once(woo: Any) -> None:
    add_product(woo, "MUG", 500)
    placed = {str(buy(woo, ("MUG", 1))["id"]) for _ in range(7)}
    with connect(woo, per_page=3) as small_pages:
        found = [c.external_id for c in small_pages.order_changes_since(None)]
    assert sorted(found) == sorted(placed)
    pages = [c for c in calls(woo) if c["path"].endswith("/orders")]
    assert len(pages) == 3


def test_an_order_maps_to_a_canonical_order_that_adds_up(
    woo: Any, store: WooCommerceConnector
) -> None:
    add_product(woo, "MUG", 5, regular_price="9.99")
    add_product(woo, "PEN", 5, regular_price="1.50")
    placed = buy(woo, ("MUG", 2), ("PEN", 3))
    order = store.order(str(placed["id"]))
    assert [(line.sku, line.quantity, line.unit_price) for line in order.lines] == [
        ("MUG", 2, Decimal("9.99")),
        ("PEN", 3, Decimal("1.50")),
    ]
    # The sandbox's store: 7.5 % State Tax, 10.00 flat rate.
    assert order.tax_lines[0].rate == Decimal("0.075")
    assert order.total == Decimal(placed["total"])
    assert order.financial_status == FinancialStatus.PAID
    assert inconsistencies(order) == []
    assert store.order_from_polled(store.order_node(str(placed["id"]))) == order


def test_a_deleted_order_is_a_permanent_error_naming_it(store: WooCommerceConnector) -> None:
    with pytest.raises(PermanentError, match="order 99999 not found in woo"):
        store.order_node("99999")


def test_the_query_string_fallback_reads_the_same_orders(woo: Any) -> None:
    add_product(woo, "MUG", 5)
    placed = buy(woo, ("MUG", 1))
    with connect(woo, auth="query") as by_query:
        assert by_query.order(str(placed["id"])).external_id == str(placed["id"])


def test_a_wrong_key_is_refused_with_what_to_check(woo: Any) -> None:
    with connect(woo) as store, pytest.raises(WooCommerceError) as caught:
        store.client._http.auth = None  # as when a server strips the Authorization header
        list(store.order_changes_since(None))
    assert caught.value.status == 401
    assert "auth: query" in str(caught.value)


def test_rate_limits_and_server_errors_are_waited_out(
    woo: Any, store: WooCommerceConnector
) -> None:
    add_product(woo, "MUG", 5)
    placed = buy(woo, ("MUG", 1))
    woo.control("PUT", "faults", json={"next_429": 2, "next_5xx": 2, "retry_after_s": 0})
    assert store.order(str(placed["id"])).external_id == str(placed["id"])
    assert store.client.throttle_waits == 2
    assert store.client.transient_retries == 2


def test_payments_and_cancellations_read_from_the_order(
    woo: Any, store: WooCommerceConnector
) -> None:
    add_product(woo, "MUG", 5)
    paid = buy(woo, ("MUG", 1))
    transfer = buy(woo, ("MUG", 1), payment_method="bacs")
    assert store.payment(str(paid["id"])).received == Decimal(paid["total"])
    waiting = store.payment(str(transfer["id"]))
    assert (waiting.financial_status, waiting.received) == (FinancialStatus.PENDING, Decimal(0))
    assert store.cancellation(str(paid["id"])) is None
    store.set_order_status(str(transfer["id"]), "cancelled")
    cancelled = store.cancellation(str(transfer["id"]))
    assert cancelled is not None and cancelled.order_number == transfer["number"]
