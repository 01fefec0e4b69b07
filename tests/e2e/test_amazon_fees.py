"""Amazon's fees reach the ERP, end to end: the Amazon sandbox, the hub's channel-fees flow,
the real Tryton.

An Amazon order is in Tryton (placed with the reference orders-to-erp gives it, and
linked in the hub as orders-to-erp links it). Before it ships Amazon has posted no fees:
the run books nothing and the order waits. Once it ships, Amazon's fee events give a 15%
referral fee: the next run books it as one posted supplier invoice for the "Amazon"
party, in the order's currency; runs after that book nothing new, and a hub that lost its
link (a crash after Tryton's write) finds Tryton's invoice instead of making a second.
A refund posted later is found by the run's one date-range call (listFinancialEvents)
and booked as a credit note; an order never refunded is not asked about again; a refund
posted while the hub was down is found from the refund cursor; a refund Tryton cannot book
is asked about (and named) by every run until it is booked.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import delete

from causeway.connectors.amazon import AmazonConnector
from causeway.connectors.amazon.auth import LwaCredentials
from causeway.connectors.amazon.orders import order_from_amazon
from causeway.connectors.http_retry import RetryPolicy
from causeway.connectors.tryton.connector import TrytonConnector
from causeway.engine import links
from causeway.engine.rate import RateBudgets
from causeway.engine.schema import cursors
from causeway.engine.schema import links as link_rows
from causeway.engine.store import Store
from causeway.errors import PermanentError
from causeway.flows.channel_fees import FEE_REFUNDS, FEES, REFUND_OWED, ChannelFeesToErp
from causeway.flows.orders_to_erp import ORDER, reference_for
from causeway.model.ports.fees import ChannelFee, FeeRefund
from causeway.orders.record import read_summary, record_placed, timestamp
from causeway_sandbox.amazon import AmazonSandboxServer, AmazonSandboxSettings
from tests.amazon.conftest import MARKETPLACE, new_order

pytestmark = pytest.mark.tryton

AMAZON, ERP = "amazon", "erp"


@pytest.fixture(scope="module")
def amazon_server() -> Iterator[AmazonSandboxServer]:
    with AmazonSandboxServer(AmazonSandboxSettings()) as server:
        yield server


@pytest.fixture
def amazon(amazon_server: AmazonSandboxServer) -> Iterator[AmazonConnector]:
    amazon_server.control("POST", "reset")
    s = amazon_server.settings
    connector = AmazonConnector(
        amazon_server.endpoint,
        LwaCredentials(amazon_server.token_url, s.client_id, s.client_secret, s.refresh_token),
        marketplace_ids=[MARKETPLACE],
        selling_partner_id=s.selling_partner_id,
        budgets=RateBudgets(),
        retry=RetryPolicy(backoff_initial=0.01, backoff_max=0.05),
    )
    yield connector
    connector.close()


def new_order_id() -> str:
    """An Amazon order id (3-7-7) of this test's own: the session's Tryton is shared."""
    return f"113-{random.randrange(10**7):07d}-{random.randrange(10**7):07d}"


def place_in_tryton(
    store: Store, tryton: TrytonConnector, amazon: AmazonConnector, order_id: str
) -> str:
    """The order in Tryton and in the hub, as orders-to-erp places and links it."""
    order = order_from_amazon(amazon.order_node(order_id))
    reference = reference_for(f"{AMAZON}-", order)
    (sale,) = tryton.place_orders([(reference, order)]).values()
    assert not isinstance(sale, BaseException), sale
    with store.transaction() as conn:
        record_placed(
            conn,
            links.new_hub_id(),
            order=order,
            source=AMAZON,
            source_type=ORDER,
            reference=reference,
            sale=sale,
            target=ERP,
            state="in_erp",
            received_at=timestamp(order.created_at),
            sale_fingerprint=sale.state,
        )
    return reference


def fee_invoices(tryton: TrytonConnector, reference: str) -> list[dict[str, object]]:
    return tryton.rpc.search_read(
        "account.invoice",
        [("reference", "=", f"{reference}-fees")],
        ["type", "state", "total_amount", "currency.code", "party.name", "lines"],
    )


def test_an_amazon_orders_fees_become_one_supplier_invoice_once_posted(
    sqlite_store: Store,
    tryton: TrytonConnector,
    amazon_server: AmazonSandboxServer,
    amazon: AmazonConnector,
) -> None:
    order_id = new_order_id()
    amazon_server.control("POST", "orders", json=[new_order(order_id, sku="WID-001")])
    reference = place_in_tryton(sqlite_store, tryton, amazon, order_id)
    flow = ChannelFeesToErp(sqlite_store, channels={AMAZON: amazon}, target=ERP, erp=tryton)

    # Not shipped: Amazon has posted nothing yet. Nothing booked, and the order waits.
    first = flow.run()
    assert (first.booked, first.waiting, first.failed) == ([], [reference], {})
    assert fee_invoices(tryton, reference) == []

    amazon_server.control("PATCH", f"orders/{order_id}", json={"fulfillmentStatus": "SHIPPED"})
    shipped = flow.run()
    assert shipped.failed == {}
    assert shipped.booked == [reference]
    (invoice,) = fee_invoices(tryton, reference)
    assert invoice["type"] == "in" and invoice["state"] == "posted"
    assert invoice["party."] == {"name": "Amazon", "id": invoice["party."]["id"]}  # type: ignore[index]
    assert invoice["currency."]["code"] == "USD"  # type: ignore[index]
    assert Decimal(str(invoice["total_amount"])) == Decimal("3.00")  # 15% of 2 x 10.00
    with sqlite_store.read() as conn:
        (link,) = links.all_of_type(conn, ERP, FEES).values()
        assert link.external_id == str(invoice["id"])
        assert read_summary(conn, link.hub_id)["fees_total"] == "3.00"

    # Runs after that book nothing new.
    again = flow.run()
    assert (again.booked, again.waiting) == ([], [])
    assert len(fee_invoices(tryton, reference)) == 1

    # The hub lost its link (a crash after Tryton's write): Tryton's invoice is found.
    with sqlite_store.transaction() as conn:
        conn.execute(delete(link_rows).where(link_rows.c.entity_type == FEES))
    assert flow.run().booked == [reference]
    assert len(fee_invoices(tryton, reference)) == 1


def test_one_orders_unbookable_fees_are_named_and_the_others_still_booked(
    sqlite_store: Store,
    tryton: TrytonConnector,
    amazon_server: AmazonSandboxServer,
    amazon: AmazonConnector,
) -> None:
    good, odd = new_order_id(), new_order_id()
    amazon_server.control(
        "POST",
        "orders",
        json=[
            new_order(i, sku="WID-001", status="SHIPPED", fulfilled_by="AMAZON")
            for i in (good, odd)
        ],
    )
    usd = {"FeeType": "Commission", "FeeAmount": {"CurrencyCode": "USD", "CurrencyAmount": -1.5}}
    eur = {"FeeType": "Commission", "FeeAmount": {"CurrencyCode": "EUR", "CurrencyAmount": -1.2}}
    amazon_server.control(
        "POST",
        f"financial-events/{odd}",
        json=[{"AmazonOrderId": odd, "ShipmentItemList": [{"ItemFeeList": [usd, eur]}]}],
    )
    # The good order's refund changed fees in two currencies: one credit note cannot hold it.
    amazon_server.control(
        "POST",
        f"financial-events/{good}",
        json={
            "RefundEventList": [
                {
                    "AmazonOrderId": good,
                    "ShipmentFeeAdjustmentList": [eur],
                    "OrderFeeAdjustmentList": [usd],
                }
            ]
        },
    )
    references = {i: place_in_tryton(sqlite_store, tryton, amazon, i) for i in (good, odd)}
    flow = ChannelFeesToErp(
        sqlite_store, channels={AMAZON: amazon}, target=ERP, erp=tryton, party="Amazon EU"
    )
    with pytest.raises(PermanentError, match=rf"{references[odd]}: .*EUR, USD") as failed:
        flow.on_run({"run": True})
    assert f"{references[good]} refund 1: fee refund 1 of {references[good]} are in EUR, USD" in (
        str(failed.value)
    )
    (invoice,) = fee_invoices(tryton, references[good])
    # FBA: 15% of 2 x 10.00 and 2 x 3.22 for the fulfilment.
    assert Decimal(str(invoice["total_amount"])) == Decimal("9.44")
    assert invoice["party."]["name"] == "Amazon EU"  # type: ignore[index]
    assert len(invoice["lines"]) == 2  # type: ignore[arg-type]
    assert fee_invoices(tryton, references[odd]) == []


def payable(tryton: TrytonConnector, party: str) -> Decimal:
    """What the company owes the party in Tryton (its `payable` is debit - credit of the
    party's payable lines: negative while the company owes)."""
    (found,) = tryton.rpc.search_read("party.party", [("name", "=", party)], ["payable"])
    return -Decimal(str(found["payable"]))


def refund_notes(tryton: TrytonConnector, reference: str) -> list[dict[str, Any]]:
    return tryton.rpc.search_read(
        "account.invoice",
        [("reference", "like", f"{reference}-fees-refund-%")],
        ["reference", "type", "state", "total_amount", "number", "lines"],
    )


def per_order_calls(amazon_server: AmazonSandboxServer, order_id: str) -> int:
    """listFinancialEventsByOrderId calls about the order so far (the sandbox's call log)."""
    return sum(
        1
        for c in amazon_server.control("GET", "calls").json()
        if c["operation"] == "listFinancialEventsByOrderId" and order_id in c["path"]
    )


def refund_posted_ago(
    amazon_server: AmazonSandboxServer, order_id: str, seconds: float, kind: str = "refund"
) -> dict[str, Any]:
    """Refund every unit of the order (`kind`: or pay it back by a guarantee claim or a
    chargeback), posted `seconds` ago by the sandbox's clock: Amazon's date-range
    operation shows nothing posted in the last two minutes, so a refund posted just now
    would be the next hour's run's."""
    amazon_server.control("POST", "clock", json={"advance_seconds": -seconds})
    try:
        body = {"kind": kind}
        return amazon_server.control("POST", f"orders/{order_id}/refund", json=body).json()
    finally:
        amazon_server.control("POST", "clock", json={"advance_seconds": seconds})


def test_a_refund_after_the_fees_are_booked_becomes_one_supplier_credit_note(
    sqlite_store: Store,
    tryton: TrytonConnector,
    amazon_server: AmazonSandboxServer,
    amazon: AmazonConnector,
) -> None:
    order_id, quiet_id = new_order_id(), new_order_id()
    amazon_server.control(
        "POST",
        "orders",
        json=[new_order(i, sku="WID-001", status="SHIPPED") for i in (order_id, quiet_id)],
    )
    reference = place_in_tryton(sqlite_store, tryton, amazon, order_id)
    quiet = place_in_tryton(sqlite_store, tryton, amazon, quiet_id)
    party = f"Amazon {order_id}"  # a party of its own: its payable is this order's alone
    hourly = ChannelFeesToErp(
        sqlite_store, channels={AMAZON: amazon}, target=ERP, erp=tryton, party=party
    )
    assert sorted(hourly.run().booked) == sorted([reference, quiet])  # 15 % of 2 x 10.00
    assert payable(tryton, party) == Decimal("6.00")
    asked = {i: per_order_calls(amazon_server, i) for i in (order_id, quiet_id)}
    assert asked == {order_id: 1, quiet_id: 1}  # once each, for its fees

    # Later the customer returns both units of one order: Amazon gives the referral fee
    # back and keeps a refund commission (20 % of it). The order itself does not change
    # at Amazon; the run's date-range poll (listFinancialEvents) names it.
    refund_posted_ago(amazon_server, order_id, 600)
    result = hourly.run()
    assert result.failed == {}
    assert (result.refunded, result.rechecked) == ([reference], [reference])
    assert result.refunds == [f"{reference} refund 1"]
    (note,) = refund_notes(tryton, reference)
    assert note["reference"] == f"{reference}-fees-refund-1"
    assert (note["type"], note["state"]) == ("in", "posted")
    assert Decimal(str(note["total_amount"])) == Decimal("-2.40")  # 3.00 back, 0.60 kept
    lines = tryton.rpc.read(
        "account.invoice.line", list(note["lines"]), ["description", "quantity", "unit_price"]
    )
    assert sorted(
        (x["description"], x["quantity"], Decimal(str(x["unit_price"]))) for x in lines
    ) == [
        (f"{party} ReferralFee", -1.0, Decimal("3.00")),  # Tryton's credit line
        (f"{party} RefundCommission", 1.0, Decimal("0.60")),
    ]
    # Tryton's payable to the marketplace is the net: 6.00 owed, 2.40 credited.
    assert payable(tryton, party) == Decimal("3.60")
    with sqlite_store.read() as conn:
        (link,) = links.all_of_type(conn, ERP, FEE_REFUNDS).values()
        assert (link.external_id, link.fingerprint) == (str(note["id"]), "-2.40 USD")
        assert read_summary(conn, link.hub_id)["fees_refunded"] == "-2.40"
    # The refunded order was asked once more; the one never refunded costs no call at all.
    assert per_order_calls(amazon_server, order_id) == 2
    assert per_order_calls(amazon_server, quiet_id) == 1
    calls = amazon_server.control("GET", "calls").json()
    assert sum(c["operation"] == "listFinancialEvents" for c in calls) == 2  # one a run

    # Runs after that (the refund still in the cursor's overlap), and a replay after the
    # hub lost its link, book nothing twice.
    assert hourly.run().refunds == []
    with sqlite_store.transaction() as conn:
        conn.execute(delete(link_rows).where(link_rows.c.entity_type == FEE_REFUNDS))
    replay = hourly.run()
    assert (replay.refunds, replay.failed) == ([], {})
    assert len(refund_notes(tryton, reference)) == 1
    with sqlite_store.read() as conn:
        assert len(links.all_of_type(conn, ERP, FEE_REFUNDS)) == 1  # Tryton's note, relinked
    assert per_order_calls(amazon_server, quiet_id) == 1


def test_a_refund_posted_while_the_hub_was_down_is_found_by_the_cursor(
    sqlite_store: Store,
    tryton: TrytonConnector,
    amazon_server: AmazonSandboxServer,
    amazon: AmazonConnector,
) -> None:
    order_id = new_order_id()
    amazon_server.control(
        "POST", "orders", json=[new_order(order_id, sku="WID-001", status="SHIPPED")]
    )
    reference = place_in_tryton(sqlite_store, tryton, amazon, order_id)
    # No overlap: only the cursor carries the span from the last run to the next.
    flow = ChannelFeesToErp(
        sqlite_store,
        channels={AMAZON: amazon},
        target=ERP,
        erp=tryton,
        party=f"Amazon {order_id}",
        refund_overlap=0.0,
    )
    assert flow.run().booked == [reference]
    # The hub's last run was two hours ago (its cursor says so); then it was down, and
    # Amazon posted the refund an hour ago. The runs in between never happened.
    cursor = flow.cursors[AMAZON]
    last_look = datetime.now(UTC) - timedelta(hours=2)
    with sqlite_store.transaction() as conn:
        conn.execute(
            cursors.update()
            .where(cursors.c.system == AMAZON, cursors.c.stream == cursor.stream)
            .values(value=last_look.isoformat())
        )
    refund_posted_ago(amazon_server, order_id, 3600)

    back = flow.run()
    assert (back.refunded, back.refunds, back.failed) == (
        [reference],
        [f"{reference} refund 1"],
        {},
    )
    assert len(refund_notes(tryton, reference)) == 1
    moved = cursor.value()
    assert moved is not None and moved > datetime.now(UTC) - timedelta(minutes=4)

    # A run that fails for a refunded order keeps the span: the next one asks again.
    # (Another outage; then a second refund changing fees in two currencies, which one
    # credit note cannot hold.)
    with sqlite_store.transaction() as conn:
        conn.execute(
            cursors.update()
            .where(cursors.c.system == AMAZON, cursors.c.stream == cursor.stream)
            .values(value=last_look.isoformat())
        )
    usd = {"FeeType": "Commission", "FeeAmount": {"CurrencyCode": "USD", "CurrencyAmount": 1.5}}
    eur = {"FeeType": "Commission", "FeeAmount": {"CurrencyCode": "EUR", "CurrencyAmount": 1.2}}
    posted = (datetime.now(UTC) - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    amazon_server.control(
        "POST",
        f"financial-events/{order_id}",
        json={
            "RefundEventList": [
                {
                    "AmazonOrderId": order_id,
                    "PostedDate": posted,
                    "ShipmentFeeAdjustmentList": [eur],
                    "OrderFeeAdjustmentList": [usd],
                }
            ]
        },
    )
    failing = flow.run()
    assert failing.refunded == [reference]
    assert list(failing.failed) == [f"{reference} refund 2"]
    # The refused refund marks its order; the cursor moves on, and every later run asks
    # about the order as owed a refund (the poll no longer names it) and names it again.
    moved_on = cursor.value()
    assert moved_on is not None and moved_on > last_look
    with sqlite_store.read() as conn:
        (marker,) = links.all_of_type(conn, ERP, REFUND_OWED).values()
        assert (marker.external_id, marker.fingerprint) == (reference, "refund 2")
    for _ in range(2):
        again = flow.run()
        assert (again.refunded, again.owed) == ([], [reference])
        assert list(again.failed) == [f"{reference} refund 2"]
    assert len(refund_notes(tryton, reference)) == 1  # refund 1 is not booked twice

    # A person books refund 2 by hand in Tryton, in dollars, with the flow's reference:
    # the next run finds it, links it, books nothing and drops the marker.
    by_hand = FeeRefund(
        number=2,
        key="booked by hand",
        fees=(ChannelFee(fee_type="Commission", currency="USD", amount=Decimal("-1.50")),),
    )
    tryton.book_fee_refund(reference, by_hand, party=f"Amazon {order_id}")
    settled = flow.run()
    assert (settled.owed, settled.refunds, settled.failed) == ([reference], [], {})
    assert len(refund_notes(tryton, reference)) == 2
    with sqlite_store.read() as conn:
        assert links.all_of_type(conn, ERP, REFUND_OWED) == {}
        assert len(links.all_of_type(conn, ERP, FEE_REFUNDS)) == 2
    assert flow.run().owed == []
