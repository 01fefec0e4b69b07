"""Amazon's fees reach the ERP, end to end: the Amazon sandbox, the hub's channel-fees flow,
the real Tryton.

An Amazon order is in Tryton (placed with the reference orders-to-erp gives it, and
linked in the hub as orders-to-erp links it). Before it ships Amazon has posted no fees:
the run books nothing and the order waits. Once it ships, Amazon's fee events give a 15%
referral fee: the next run books it as one posted supplier invoice for the "Amazon"
party, in the order's currency; runs after that book nothing new, and a hub that lost its
link (a crash after Tryton's write) finds Tryton's invoice instead of making a second.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
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
from causeway.engine.schema import links as link_rows
from causeway.engine.store import Store
from causeway.errors import PermanentError
from causeway.flows.channel_fees import FEE_REFUNDS, FEES, ChannelFeesToErp
from causeway.flows.orders_to_erp import ORDER, reference_for
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


def test_a_refund_after_the_fees_are_booked_becomes_one_supplier_credit_note(
    sqlite_store: Store,
    tryton: TrytonConnector,
    amazon_server: AmazonSandboxServer,
    amazon: AmazonConnector,
) -> None:
    order_id = new_order_id()
    shipped = new_order(order_id, sku="WID-001", status="SHIPPED")
    amazon_server.control("POST", "orders", json=[shipped])
    reference = place_in_tryton(sqlite_store, tryton, amazon, order_id)
    party = f"Amazon {order_id}"  # a party of its own: its payable is this order's alone
    daily = ChannelFeesToErp(
        sqlite_store, channels={AMAZON: amazon}, target=ERP, erp=tryton, party=party
    )
    assert daily.run().booked == [reference]  # 15 % of 2 x 10.00 = 3.00
    assert payable(tryton, party) == Decimal("3.00")

    # Weeks later the customer returns both units: Amazon gives the referral fee back and
    # keeps a refund commission (20 % of it). The order itself does not change at Amazon.
    amazon_server.control("POST", f"orders/{order_id}/refund", json={})
    # A run within a day of the booking does not ask Amazon again (the cost bound).
    soon = daily.run()
    assert (soon.booked, soon.rechecked, soon.refunds) == ([], [], [])
    assert refund_notes(tryton, reference) == []

    # A day later (refund_every 0 here: every run is "a day later") the order is asked
    # again and its refund booked once, after its fees.
    later = ChannelFeesToErp(
        sqlite_store,
        channels={AMAZON: amazon},
        target=ERP,
        erp=tryton,
        party=party,
        refund_every=0.0,
    )
    result = later.run()
    assert result.failed == {}
    assert (result.rechecked, result.refunds) == ([reference], [f"{reference} refund 1"])
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
    # Tryton's payable to the marketplace is the net: 3.00 owed, 2.40 credited.
    assert payable(tryton, party) == Decimal("0.60")
    with sqlite_store.read() as conn:
        (link,) = links.all_of_type(conn, ERP, FEE_REFUNDS).values()
        assert (link.external_id, link.fingerprint) == (str(note["id"]), "-2.40 USD")
        assert read_summary(conn, link.hub_id)["fees_refunded"] == "-2.40"

    # Runs after that, and a replay after the hub lost its link, book nothing twice.
    assert later.run().refunds == []
    with sqlite_store.transaction() as conn:
        conn.execute(delete(link_rows).where(link_rows.c.entity_type == FEE_REFUNDS))
    replay = later.run()
    assert (replay.refunds, replay.failed) == ([], {})
    assert len(refund_notes(tryton, reference)) == 1
    with sqlite_store.read() as conn:
        assert len(links.all_of_type(conn, ERP, FEE_REFUNDS)) == 1  # Tryton's note, relinked

    # A refund posted after the window is not looked for any more.
    closed = ChannelFeesToErp(
        sqlite_store,
        channels={AMAZON: amazon},
        target=ERP,
        erp=tryton,
        party=party,
        refund_every=0.0,
        refund_window=0.0,
    )
    assert closed.run().rechecked == []
