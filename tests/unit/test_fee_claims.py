"""channel-fees: a guarantee claim (Amazon's A-to-z) or a chargeback changes an order's
fees like a refund, and is booked like one: each kind its own series, each booked once,
a refused one marked by its kind, with the real flow and the fake marketplace and ERP of
test_fee_refund_owed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from causeway.engine import links
from causeway.engine.store import Store
from causeway.errors import PermanentError
from causeway.flows.channel_fees import FEE_REFUNDS
from causeway.model.ports.fees import BookedFees, FeeRefund, OrderFees, RefundKind
from causeway.orders.record import read_summary
from tests.unit.test_fee_refund_owed import (
    AMAZON,
    ERP,
    HUB_ID,
    ORDER_ID,
    REFERENCE,
    REFUSED,
    FakeAmazon,
    FakeErp,
    fee,
    hourly,
    in_the_erp,
    markers,
    posted,
)


def given_back(kind: RefundKind, number: int, amount: str, hours_ago: float) -> FeeRefund:
    return FeeRefund(
        kind=kind,
        number=number,
        key=f"{kind}-adj-{number}",
        posted_at=datetime.now(UTC) - timedelta(hours=hours_ago),
        fees=(fee("ReferralFee", f"-{amount}"),),
    )


def with_claims(order: OrderFees, *claims: FeeRefund) -> OrderFees:
    return order.model_copy(update={"refunds": (*order.refunds, *claims)})


def test_a_claim_and_a_chargeback_are_booked_once_each_beside_the_refund(
    sqlite_store: Store,
) -> None:
    in_the_erp(sqlite_store)
    amazon, erp = FakeAmazon(), FakeErp()
    # Fees of 3.00, refund 1 (3.00 back, 0.60 kept) posted an hour ago.
    amazon.fees[ORDER_ID] = posted(ORDER_ID, refund_days_ago=1 / 24)
    flow = hourly(sqlite_store, amazon, erp)
    first = flow.run()
    assert first.refunds == [f"{REFERENCE} refund 1"]

    # The buyer then files an A-to-z claim and a chargeback: each numbered 1 in its kind.
    amazon.fees[ORDER_ID] = with_claims(
        amazon.fees[ORDER_ID],
        given_back("claim", 1, "1.00", hours_ago=0.5),
        given_back("chargeback", 1, "0.50", hours_ago=0.25),
    )
    second = flow.run()
    assert second.refunds == [f"{REFERENCE} claim 1", f"{REFERENCE} chargeback 1"]
    assert sorted(erp.notes[REFERENCE]) == [("chargeback", 1), ("claim", 1), ("refund", 1)]
    with sqlite_store.read() as conn:
        notes = links.of_hubs_oldest_first(conn, [HUB_ID], ERP, FEE_REFUNDS)
        assert [n.fingerprint for n in notes] == ["-2.40 USD", "-1.00 USD", "-0.50 USD"]
        assert read_summary(conn, HUB_ID)["fees_refunded"] == "-3.90"

    # Three kinds, three links: the next runs book nothing and ask the ERP nothing.
    def not_asked(sale_reference: str) -> dict[tuple[RefundKind, int], BookedFees]:
        raise AssertionError("every kind is linked: the ERP is not asked")

    erp.booked_fee_refunds = not_asked  # type: ignore[method-assign]
    for _ in range(2):
        assert flow.run().refunds == []
    assert erp.created_notes == 3


def test_a_refused_claim_marks_the_order_by_its_kind_until_booked(sqlite_store: Store) -> None:
    in_the_erp(sqlite_store)
    amazon, erp = FakeAmazon(), FakeErp()
    amazon.fees[ORDER_ID] = posted(ORDER_ID, refund_days_ago=1 / 24)
    flow = hourly(sqlite_store, amazon, erp)
    flow.run()

    amazon.fees[ORDER_ID] = with_claims(
        amazon.fees[ORDER_ID], given_back("claim", 1, "1.00", hours_ago=0.5)
    )
    erp.refusing = REFUSED
    with pytest.raises(PermanentError, match=f"{REFERENCE} claim 1: {REFUSED}"):
        flow.on_run({})
    assert markers(sqlite_store) == {REFERENCE: "claim 1"}

    erp.refusing = None
    fixed = flow.run()
    assert (fixed.owed, fixed.refunds) == ([REFERENCE], [f"{REFERENCE} claim 1"])
    assert markers(sqlite_store) == {}
    assert erp.created_notes == 2
    assert flow.cursors[AMAZON].value() is not None
