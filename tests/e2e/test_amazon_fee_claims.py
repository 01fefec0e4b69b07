"""An A-to-z guarantee claim on an Amazon order reaches the ERP like a refund, end to end:
the Amazon sandbox, the hub's channel-fees flow, the real Tryton.

The order's fees are booked; later the buyer is paid back by a guarantee claim, which
gives the referral fee back as a refund does. The run's date-range poll names the order,
and the claim becomes one posted supplier credit note `<sale>-fees-claim-1` (its own
series: no refund note), booked once over two runs and a replay after the hub lost its
link; Tryton's payable to the marketplace is the net.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import delete

from causeway.connectors.amazon import AmazonConnector
from causeway.connectors.tryton.connector import TrytonConnector
from causeway.engine import links
from causeway.engine.schema import links as link_rows
from causeway.engine.store import Store
from causeway.flows.channel_fees import FEE_REFUNDS, ChannelFeesToErp
from causeway.orders.record import read_summary
from causeway_sandbox.amazon import AmazonSandboxServer
from tests.amazon.conftest import new_order
from tests.e2e.test_amazon_fees import (  # noqa: F401 (the fixtures)
    AMAZON,
    ERP,
    amazon,
    amazon_server,
    new_order_id,
    payable,
    place_in_tryton,
    refund_notes,
    refund_posted_ago,
)

pytestmark = pytest.mark.tryton


def claim_notes(tryton: TrytonConnector, reference: str) -> list[dict[str, object]]:
    return tryton.rpc.search_read(
        "account.invoice",
        [("reference", "like", f"{reference}-fees-claim-%")],
        ["reference", "type", "state", "total_amount"],
    )


def test_a_guarantee_claim_becomes_one_supplier_credit_note_of_its_own(
    sqlite_store: Store,
    tryton: TrytonConnector,
    amazon_server: AmazonSandboxServer,  # noqa: F811
    amazon: AmazonConnector,  # noqa: F811
) -> None:
    order_id = new_order_id()
    amazon_server.control(
        "POST", "orders", json=[new_order(order_id, sku="WID-001", status="SHIPPED")]
    )
    reference = place_in_tryton(sqlite_store, tryton, amazon, order_id)
    party = f"Amazon {order_id}"  # a party of its own: its payable is this order's alone
    hourly = ChannelFeesToErp(
        sqlite_store, channels={AMAZON: amazon}, target=ERP, erp=tryton, party=party
    )
    assert hourly.run().booked == [reference]  # 15 % of 2 x 10.00
    assert payable(tryton, party) == Decimal("3.00")

    # The buyer files an A-to-z claim and Amazon grants it: both units paid back, the
    # referral fee given back and a refund commission (20 % of it) kept, as on a refund.
    refund_posted_ago(amazon_server, order_id, 600, kind="claim")
    result = hourly.run()
    assert result.failed == {}
    assert (result.refunded, result.refunds) == ([reference], [f"{reference} claim 1"])
    (note,) = claim_notes(tryton, reference)
    assert note["reference"] == f"{reference}-fees-claim-1"
    assert (note["type"], note["state"]) == ("in", "posted")
    assert Decimal(str(note["total_amount"])) == Decimal("-2.40")  # 3.00 back, 0.60 kept
    assert refund_notes(tryton, reference) == []  # not a refund: its own series
    assert payable(tryton, party) == Decimal("0.60")  # 3.00 owed, 2.40 credited
    with sqlite_store.read() as conn:
        (link,) = links.all_of_type(conn, ERP, FEE_REFUNDS).values()
        assert (link.external_id, link.fingerprint) == (str(note["id"]), "-2.40 USD")
        assert read_summary(conn, link.hub_id)["fees_refunded"] == "-2.40"

    # The next run (the claim still in the cursor's overlap) and a replay after the hub
    # lost its link book nothing twice: Tryton's note is found by its reference.
    assert hourly.run().refunds == []
    with sqlite_store.transaction() as conn:
        conn.execute(delete(link_rows).where(link_rows.c.entity_type == FEE_REFUNDS))
    replay = hourly.run()
    assert (replay.refunds, replay.failed) == ([], {})
    assert len(claim_notes(tryton, reference)) == 1
    assert payable(tryton, party) == Decimal("0.60")
    with sqlite_store.read() as conn:
        assert len(links.all_of_type(conn, ERP, FEE_REFUNDS)) == 1  # relinked
