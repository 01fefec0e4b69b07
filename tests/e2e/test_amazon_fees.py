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
from causeway.flows.channel_fees import FEES, ChannelFeesToErp
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
    references = {i: place_in_tryton(sqlite_store, tryton, amazon, i) for i in (good, odd)}
    flow = ChannelFeesToErp(
        sqlite_store, channels={AMAZON: amazon}, target=ERP, erp=tryton, party="Amazon EU"
    )
    with pytest.raises(PermanentError, match=rf"{references[odd]}: .*EUR, USD"):
        flow.on_run({"run": True})
    (invoice,) = fee_invoices(tryton, references[good])
    # FBA: 15% of 2 x 10.00 and 2 x 3.22 for the fulfilment.
    assert Decimal(str(invoice["total_amount"])) == Decimal("9.44")
    assert invoice["party."]["name"] == "Amazon EU"  # type: ignore[index]
    assert len(invoice["lines"]) == 2  # type: ignore[arg-type]
    assert fee_invoices(tryton, references[odd]) == []
