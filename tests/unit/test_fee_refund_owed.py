"""channel-fees: a fee refund the ERP refuses is asked about again by every run until it
is booked, then no more, with the real flow and a fake marketplace and ERP.

The case that needs it: an order's fees are booked late (Amazon posted them late, or the
hub was behind), and by then its refund was posted long before the refunds poll's
window. The refund is found with the fees; if the ERP refuses it, the poll never names
the order again, and only the order's "refund owed" marker brings it back.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from causeway.engine import links
from causeway.engine.store import Store
from causeway.errors import PermanentError
from causeway.flows.channel_fees import FEE_REFUNDS, FEES, REFUND_OWED, ChannelFeesToErp
from causeway.model.ports.fees import (
    AccountFeePeriods,
    BookedFees,
    ChannelFee,
    FeeRefund,
    OrderFees,
    RefundedOrders,
    RefundKind,
)
from causeway.orders.record import read_summary, update_order

AMAZON, ERP = "amazon", "erp"
ORDER_ID, HUB_ID, REFERENCE = "113-0000000-0000001", "hub-1", "AMZ-113-0000000-0000001"
REFUSED = "Tryton refused the credit note: the account 5.1.3 is closed"


def fee(kind: str, amount: str) -> ChannelFee:
    return ChannelFee(fee_type=kind, currency="USD", amount=Decimal(amount))


@dataclass
class FakeAmazon:
    """The marketplace: each order's posted fees and refunds; the date-range poll names
    the orders with a refund posted in the span asked (up to three minutes ago)."""

    fees: dict[str, OrderFees] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)  # order_fees calls, by order id

    def order_fees(self, external_id: str) -> OrderFees:
        self.asked.append(external_id)
        return self.fees.get(external_id, OrderFees(order_id=external_id, posted=False))

    def refunded_orders_since(self, since: datetime) -> RefundedOrders:
        until = datetime.now(UTC) - timedelta(minutes=3)
        named = tuple(
            order_id
            for order_id, posted in self.fees.items()
            if any(r.posted_at and since <= r.posted_at < until for r in posted.refunds)
        )
        return RefundedOrders(order_ids=named, until=until)

    def account_fees_since(self, since: datetime) -> AccountFeePeriods:
        return AccountFeePeriods(until=datetime.now(UTC) - timedelta(minutes=3))


@dataclass
class FakeErp:
    """The ERP: books by reference, finds what it booked; refuses credit notes while
    `refusing` says why."""

    refusing: str | None = None
    invoices: dict[str, BookedFees] = field(default_factory=dict)
    notes: dict[str, dict[tuple[RefundKind, int], BookedFees]] = field(default_factory=dict)
    created_notes: int = 0

    def book_channel_fees(
        self,
        sale_reference: str,
        fees: Sequence[ChannelFee],
        *,
        party: str,
        account: str | None = None,
    ) -> BookedFees:
        total = sum((f.amount for f in fees), Decimal(0))
        booked = BookedFees(
            document_id=len(self.invoices) + 1,
            number=f"SI-{len(self.invoices) + 1}",
            state="posted",
            currency="USD",
            total=total,
            created=True,
        )
        return self.invoices.setdefault(sale_reference, booked)

    def booked_channel_fees(self, sale_references: Sequence[str]) -> dict[str, BookedFees]:
        return {r: self.invoices[r] for r in sale_references if r in self.invoices}

    def book_fee_refund(
        self,
        sale_reference: str,
        refund: FeeRefund,
        *,
        party: str,
        account: str | None = None,
    ) -> BookedFees:
        if self.refusing:
            raise PermanentError(self.refusing)
        notes = self.notes.setdefault(sale_reference, {})
        if refund.series not in notes:
            self.created_notes += 1
            notes[refund.series] = BookedFees(
                document_id=100 + self.created_notes,
                number=f"CN-{self.created_notes}",
                state="posted",
                currency="USD",
                total=sum((f.amount for f in refund.fees), Decimal(0)),
                created=True,
            )
        return notes[refund.series]

    def booked_fee_refunds(self, sale_reference: str) -> dict[tuple[RefundKind, int], BookedFees]:
        return dict(self.notes.get(sale_reference, {}))


def in_the_erp(store: Store) -> None:
    """The Amazon order as orders-to-erp leaves it: linked to its sale, fees not booked."""
    with store.transaction() as conn:
        links.save(
            conn,
            hub_id=HUB_ID,
            system=AMAZON,
            entity_type="order",
            external_id=ORDER_ID,
            remote_updated_at=time.time() - 3 * 86400,
        )
        links.save(conn, hub_id=HUB_ID, system=ERP, entity_type="sale", external_id="7")
        update_order(conn, HUB_ID, state="in_erp", reference=REFERENCE)


def posted(order_id: str, *, refund_days_ago: float) -> OrderFees:
    """Fees of 3.00, and one refund (posted that long ago) giving 3.00 back, keeping 0.60."""
    return OrderFees(
        order_id=order_id,
        posted=True,
        fees=(fee("ReferralFee", "3.00"),),
        refunds=(
            FeeRefund(
                number=1,
                key="adj-1",
                posted_at=datetime.now(UTC) - timedelta(days=refund_days_ago),
                fees=(fee("ReferralFee", "-3.00"), fee("RefundCommission", "0.60")),
            ),
        ),
    )


def markers(store: Store) -> dict[str, str | None]:
    with store.read() as conn:
        return {r: m.fingerprint for r, m in links.all_of_type(conn, ERP, REFUND_OWED).items()}


def hourly(store: Store, amazon: FakeAmazon, erp: FakeErp) -> ChannelFeesToErp:
    # The refunds poll looks back one day at its first run: the refund is older than that.
    return ChannelFeesToErp(
        store, channels={AMAZON: amazon}, target=ERP, erp=erp, refund_window=86400.0
    )


def test_a_refused_refund_older_than_the_poll_is_asked_about_until_booked_once(
    sqlite_store: Store,
) -> None:
    in_the_erp(sqlite_store)
    amazon, erp = FakeAmazon(), FakeErp(refusing=REFUSED)
    # Amazon posted the fees late; the customer's refund was posted ten days ago.
    amazon.fees[ORDER_ID] = posted(ORDER_ID, refund_days_ago=10)
    flow = hourly(sqlite_store, amazon, erp)

    # The fees are booked; the refund, found with them, is refused: the run fails naming it.
    with pytest.raises(PermanentError, match=f"{REFERENCE} refund 1: {REFUSED}"):
        flow.on_run({})
    assert list(erp.invoices) == [REFERENCE]
    assert markers(sqlite_store) == {REFERENCE: "refund 1"}
    assert amazon.asked == [ORDER_ID]
    # The refunds poll did not name it (ten days ago), and moved on all the same.
    assert flow.cursors[AMAZON].value() is not None

    # Every following run asks about it again, and fails naming it again.
    for run in (2, 3):
        result = flow.run()
        assert result.owed == [REFERENCE]
        assert result.failed == {f"{REFERENCE} refund 1": REFUSED}
        assert (result.booked, result.refunds, result.refunded) == ([], [], [])
        assert amazon.asked == [ORDER_ID] * run
    assert erp.created_notes == 0
    with sqlite_store.read() as conn:
        summary = read_summary(conn, HUB_ID)
        assert summary["fees_total"] == "3.00" and "fees_refunded" not in summary
        assert links.of_hubs(conn, ERP, FEE_REFUNDS, [HUB_ID]) == {}
        assert links.of_hubs(conn, ERP, FEES, [HUB_ID])[HUB_ID].fingerprint == "3.00 USD"

    # The account is fixed in the ERP: the next run books the refund once, the marker goes.
    erp.refusing = None
    flow.on_run({})
    assert erp.created_notes == 1
    assert markers(sqlite_store) == {}
    with sqlite_store.read() as conn:
        (note,) = links.of_hubs_oldest_first(conn, [HUB_ID], ERP, FEE_REFUNDS)
        assert note.fingerprint == "-2.40 USD"
        assert read_summary(conn, HUB_ID)["fees_refunded"] == "-2.40"

    # Then the order is not asked about any more, and nothing is booked twice.
    asked = len(amazon.asked)
    quiet = flow.run()
    assert (quiet.owed, quiet.refunds, quiet.failed) == ([], [], {})
    assert len(amazon.asked) == asked
    assert erp.created_notes == 1


def test_a_refund_refused_when_the_poll_names_it_is_carried_by_its_marker(
    sqlite_store: Store,
) -> None:
    in_the_erp(sqlite_store)
    amazon, erp = FakeAmazon(), FakeErp()
    amazon.fees[ORDER_ID] = posted(ORDER_ID, refund_days_ago=0).model_copy(update={"refunds": ()})
    flow = hourly(sqlite_store, amazon, erp)
    assert flow.run().booked == [REFERENCE]

    # An hour later the customer is refunded; the ERP refuses the credit note.
    amazon.fees[ORDER_ID] = posted(ORDER_ID, refund_days_ago=1 / 24)
    erp.refusing = REFUSED
    named = flow.run()
    assert (named.refunded, named.rechecked) == ([REFERENCE], [REFERENCE])
    assert named.failed == {f"{REFERENCE} refund 1": REFUSED}
    assert markers(sqlite_store) == {REFERENCE: "refund 1"}
    moved = flow.cursors[AMAZON].value()
    assert moved is not None and moved > datetime.now(UTC) - timedelta(minutes=4)

    # The span still holds the refund (the overlap): the order is asked once a run, as owed.
    again = flow.run()
    assert (again.owed, again.rechecked) == ([REFERENCE], [])
    assert list(again.failed) == [f"{REFERENCE} refund 1"]

    erp.refusing = None
    fixed = flow.run()
    assert (fixed.owed, fixed.refunds, fixed.failed) == (
        [REFERENCE],
        [f"{REFERENCE} refund 1"],
        {},
    )
    assert markers(sqlite_store) == {}
    assert erp.created_notes == 1
    # Later runs find it linked: nothing booked twice.
    assert flow.run().refunds == []
    assert erp.created_notes == 1


def test_an_erp_that_cannot_say_what_it_booked_leaves_the_order_marked(
    sqlite_store: Store,
) -> None:
    in_the_erp(sqlite_store)
    amazon, erp = FakeAmazon(), FakeErp()
    amazon.fees[ORDER_ID] = posted(ORDER_ID, refund_days_ago=10)

    def unreadable(sale_reference: str) -> dict[tuple[RefundKind, int], BookedFees]:
        raise PermanentError("Tryton: access denied to account.invoice")

    erp.booked_fee_refunds = unreadable  # type: ignore[method-assign]
    flow = hourly(sqlite_store, amazon, erp)
    result = flow.run()
    assert result.booked == [REFERENCE]
    assert result.failed == {REFERENCE: "Tryton: access denied to account.invoice"}
    assert markers(sqlite_store) == {REFERENCE: "refunds not read"}

    del erp.booked_fee_refunds  # the ERP's own method again
    assert flow.run().refunds == [f"{REFERENCE} refund 1"]
    assert markers(sqlite_store) == {}
