"""Before and after of each kind of change, built from the hub's record of the order
(pure functions: orders/changes.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from causeway.orders import changes
from tests.order_changes.orders import cancellation, order, refund

PLACED = ("in_erp", {"total": "60.00", "erp_total": "60.00", "currency": "EUR"})


def test_a_snapshot_keeps_totals_with_their_currency_and_says_it_has_no_lines() -> None:
    snap = changes.snapshot(*PLACED)
    assert snap["state"] == "in_erp"
    assert snap["total"] == {"amount": "60.00", "currency": "EUR"}
    assert snap["refunded"] == {"amount": "0", "currency": "EUR"}
    assert snap["lines"] is None  # the hub keeps no lines of a placed order


def test_a_refund_is_negative_money_in_its_currency_with_the_refunded_lines() -> None:
    after = ("refunded", {**PLACED[1], "refunds": {"929361464": {"amount": "20.00"}}})
    change = changes.refund_change("shop", refund(), before=PLACED, after=after)
    assert change.kind == "refund"
    assert change.dedupe_key == "shop:refund:929361464"
    assert (change.amount_delta, change.currency) == ("-20.00", "EUR")
    assert change.before["refunded"]["amount"] == "0"
    assert change.after["refunded"] == {"amount": "20.00", "currency": "EUR"}
    assert change.after["refund_lines"] == [
        {"sku": "SKU-1", "title": "SKU-1", "quantity": 1, "unit_price": "20.00",
         "restock": "return"}
    ]  # fmt: skip
    assert change.occurred_at == datetime(2026, 3, 16, 12, 0, tzinfo=UTC).timestamp()


def test_refunds_already_booked_add_up_in_the_before() -> None:
    before = ("refunded", {**PLACED[1], "refunds": {"1": {"amount": "5"}, "2": {"amount": "2.5"}}})
    assert changes.snapshot(*before)["refunded"] == {"amount": "7.5", "currency": "EUR"}


def test_a_cancellation_is_keyed_by_the_order_and_keeps_the_reason() -> None:
    after = ("cancelled", {**PLACED[1], "cancelled_at": "2026-03-15T09:00:00+00:00"})
    change = changes.cancellation_change("shop", cancellation(), before=PLACED, after=after)
    assert change.dedupe_key == "shop:cancellation:450789469"
    assert (change.before["state"], change.after["state"]) == ("in_erp", "cancelled")
    assert change.after["reason"] == "customer"
    assert change.amount_delta is None  # the money goes back by refunds, recorded as such


def test_an_edit_has_the_new_lines_and_the_change_of_total() -> None:
    edited = order(("SKU-1", 1, "20.00"), ("SKU-2", 1, "40.00"), updated_at=datetime(
        2026, 3, 14, 11, 0, tzinfo=UTC))  # fmt: skip
    after = ("in_erp", {**PLACED[1], "total": "60.00"})
    before = ("in_erp", {**PLACED[1], "total": "80.00"})
    change = changes.edit_change("shop", edited, edited.updated_at.timestamp(), before=before,
                                 after=after)  # fmt: skip
    assert (change.amount_delta, change.currency) == ("-20.00", "EUR")
    assert change.before["lines"] is None
    assert [
        (line["sku"], line["quantity"], line["unit_price"]) for line in change.after["lines"]
    ] == [
        ("SKU-1", 1, "20.00"),
        ("SKU-2", 1, "40.00"),
    ]
    assert change.dedupe_key.startswith("shop:edit:450789469:")


def test_an_order_the_hub_never_knew_has_an_empty_before() -> None:
    snap = changes.snapshot(None, {})
    assert snap["state"] is None and snap["total"] is None and snap["refunded"] is None
