"""Amazon's fees on the seller's account reach the ERP, end to end: the Amazon sandbox's
settlement periods (financial event groups), the hub's channel-fees flow, the real Tryton.

A closed settlement period with the monthly subscription and a storage fee becomes one
posted supplier invoice for the "Amazon" party with two lines, booked once however many
runs follow (and found in Tryton by its reference when the hub lost its link); the open
period is named and not booked. A period whose fees are in two currencies is reported by
the run and books nothing. A period's Sponsored Products charge is booked with its
subscription, an invoice line of its own.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete

from causeway.connectors.amazon import AmazonConnector
from causeway.connectors.tryton.connector import TrytonConnector
from causeway.engine import links
from causeway.engine.schema import links as link_rows
from causeway.engine.store import Store
from causeway.errors import PermanentError
from causeway.flows.channel_fees import ACCOUNT_FEES, ChannelFeesToErp
from causeway_sandbox.amazon import AmazonSandboxServer
from tests.amazon.test_account_fees import Posted, ads_payment, post_event, service_fee, stamp
from tests.e2e.test_amazon_fees import amazon, amazon_server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.tryton

AMAZON, ERP = "amazon", "erp"


def group_id() -> str:
    """A group id of this test's own: the session's Tryton is shared."""
    return f"G{random.randrange(10**12):012d}"


def settlement(sandbox: AmazonSandboxServer, *fees: Posted, days_ago: float, closed: bool) -> str:
    started = datetime.now(UTC) - timedelta(days=days_ago)
    made = group_id()
    body = {"FinancialEventGroupId": made, "start": stamp(started)}
    sandbox.control("POST", "financial-event-groups", json=body)
    for fee in fees:
        post_event(sandbox, fee)
    if closed:
        sandbox.control("POST", f"financial-event-groups/{made}/close")
    return made


def account_fee_invoices(tryton: TrytonConnector, group: str) -> list[dict[str, object]]:
    return tryton.rpc.search_read(
        "account.invoice",
        [("reference", "=", f"{AMAZON}-account-fees-{group}")],
        ["type", "state", "total_amount", "currency.code", "party.name", "lines"],
    )


def invoice_lines(tryton: TrytonConnector, invoice: dict[str, object]) -> list[dict[str, object]]:
    return tryton.rpc.search_read(
        "account.invoice.line",
        [("id", "in", invoice["lines"])],
        ["description", "quantity", "unit_price", "amount"],
    )


def test_a_closed_periods_subscription_and_storage_fees_become_one_invoice_once(
    sqlite_store: Store,
    tryton: TrytonConnector,
    amazon_server: AmazonSandboxServer,  # noqa: F811
    amazon: AmazonConnector,  # noqa: F811
) -> None:
    closed = settlement(
        amazon_server,
        service_fee("Subscription", "Subscription", "-39.99"),
        service_fee("FBAStorageFee", "FBAStorageFee", "-12.75"),
        days_ago=14,
        closed=True,
    )
    still_open = settlement(
        amazon_server,
        service_fee("FBAStorageFee", "FBAStorageFee", "-3.10"),
        days_ago=1,
        closed=False,
    )
    flow = ChannelFeesToErp(sqlite_store, channels={AMAZON: amazon}, target=ERP, erp=tryton)

    first = flow.run()
    assert first.failed == {}
    assert first.account_fees == [f"{AMAZON} {closed}"]
    assert first.account_fees_open == [f"{AMAZON} {still_open}"]
    (invoice,) = account_fee_invoices(tryton, closed)
    assert invoice["type"] == "in" and invoice["state"] == "posted"
    assert invoice["party."]["name"] == "Amazon"  # type: ignore[index]
    assert invoice["currency."]["code"] == "USD"  # type: ignore[index]
    assert len(invoice["lines"]) == 2  # type: ignore[arg-type]
    assert Decimal(str(invoice["total_amount"])) == Decimal("52.74")
    assert account_fee_invoices(tryton, still_open) == []
    with sqlite_store.read() as conn:
        (link,) = links.all_of_type(conn, ERP, ACCOUNT_FEES).values()
    assert (link.external_id, link.fingerprint) == (closed, "52.74 USD")

    # The next run books nothing new; the open period is asked about again.
    again = flow.run()
    assert (again.account_fees, again.account_fees_open) == ([], [f"{AMAZON} {still_open}"])
    assert len(account_fee_invoices(tryton, closed)) == 1

    # The hub lost its link (a crash after Tryton's write): Tryton's invoice is found.
    with sqlite_store.transaction() as conn:
        conn.execute(delete(link_rows).where(link_rows.c.entity_type == ACCOUNT_FEES))
    flow.run()
    assert len(account_fee_invoices(tryton, closed)) == 1

    # Once Amazon closes the open period, it is booked too.
    amazon_server.control("POST", f"financial-event-groups/{still_open}/close")
    assert flow.run().account_fees == [f"{AMAZON} {still_open}"]
    (storage,) = account_fee_invoices(tryton, still_open)
    assert Decimal(str(storage["total_amount"])) == Decimal("3.10")


def test_a_period_in_two_currencies_is_reported_and_books_nothing(
    sqlite_store: Store,
    tryton: TrytonConnector,
    amazon_server: AmazonSandboxServer,  # noqa: F811
    amazon: AmazonConnector,  # noqa: F811
) -> None:
    bad = settlement(
        amazon_server,
        service_fee("Subscription", "Subscription", "-39.99"),
        service_fee("FBAStorageFee", "FBAStorageFee", "-3.00", currency="EUR"),
        days_ago=14,
        closed=True,
    )
    flow = ChannelFeesToErp(sqlite_store, channels={AMAZON: amazon}, target=ERP, erp=tryton)
    with pytest.raises(PermanentError, match=rf"{AMAZON} account fees {bad}: .*EUR, USD"):
        flow.on_run({"run": True})
    assert account_fee_invoices(tryton, bad) == []
    with sqlite_store.read() as conn:
        assert links.all_of_type(conn, ERP, ACCOUNT_FEES) == {}


def test_a_periods_ads_charge_is_booked_with_its_subscription(
    sqlite_store: Store,
    tryton: TrytonConnector,
    amazon_server: AmazonSandboxServer,  # noqa: F811
    amazon: AmazonConnector,  # noqa: F811
) -> None:
    closed = settlement(
        amazon_server,
        service_fee("Subscription", "Subscription", "-39.99"),
        ads_payment("charge", "-120.00", "-6.00"),
        days_ago=14,
        closed=True,
    )
    flow = ChannelFeesToErp(sqlite_store, channels={AMAZON: amazon}, target=ERP, erp=tryton)

    assert f"{AMAZON} {closed}" in flow.run().account_fees
    (invoice,) = account_fee_invoices(tryton, closed)
    assert invoice["type"] == "in" and invoice["state"] == "posted"
    assert Decimal(str(invoice["total_amount"])) == Decimal("165.99")
    lines = invoice_lines(tryton, invoice)
    assert sorted(Decimal(str(line["amount"])) for line in lines) == [
        Decimal("39.99"),
        Decimal("126.00"),
    ]
    assert any("ProductAds" in str(line["description"]) for line in lines)
