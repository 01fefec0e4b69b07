"""channel-fees: the fees a marketplace charged the seller's account (subscription, storage)
are booked once per closed settlement period, with the real flow and a fake marketplace
and ERP: an open period waits, a closed one is booked once across runs, a period the ERP
refuses is named and holds the cursor, an empty period books nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from causeway.engine import entities, links
from causeway.engine.cursors import Cursor
from causeway.engine.store import Store
from causeway.errors import PermanentError
from causeway.flows.channel_fees import ACCOUNT_FEES, ChannelFeesToErp
from causeway.flows.channel_fees.account_fees import OPEN_PERIOD, STREAM
from causeway.model.ports.fees import (
    AccountFeePeriods,
    AccountFees,
    BookedFees,
    ChannelFee,
    FeeRefund,
    OrderFees,
    RefundedOrders,
    RefundKind,
)

AMAZON, ERP = "amazon", "erp"


def fee(kind: str, amount: str, currency: str = "USD") -> ChannelFee:
    return ChannelFee(fee_type=kind, currency=currency, amount=Decimal(amount))


def days_ago(days: float) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)


@dataclass
class Period:
    group_id: str
    started_at: datetime
    fees: tuple[ChannelFee, ...] = ()
    closed: bool = True
    ended_at: datetime | None = None


@dataclass
class FakeAmazon:
    """The marketplace's settlement periods; no order has fees or refunds."""

    periods: list[Period] = field(default_factory=list)
    asked_since: list[datetime] = field(default_factory=list)

    def order_fees(self, external_id: str) -> OrderFees:
        return OrderFees(order_id=external_id, posted=False)

    def refunded_orders_since(self, since: datetime) -> RefundedOrders:
        return RefundedOrders(until=datetime.now(UTC) - timedelta(minutes=3))

    def account_fees_since(self, since: datetime) -> AccountFeePeriods:
        self.asked_since.append(since)
        started = [p for p in self.periods if p.started_at >= since]
        return AccountFeePeriods(
            closed=tuple(
                AccountFees(
                    group_id=p.group_id, started_at=p.started_at, ended_at=p.ended_at, fees=p.fees
                )
                for p in started
                if p.closed
            ),
            open=tuple((p.group_id, p.started_at) for p in started if not p.closed),
            until=datetime.now(UTC) - timedelta(minutes=3),
        )


@dataclass
class FakeErp:
    """Books a period's fees by its reference; refuses two currencies as Tryton does."""

    invoices: dict[str, BookedFees] = field(default_factory=dict)
    calls: int = 0

    def book_account_fees(
        self, channel: str, period: AccountFees, *, party: str, account: str | None = None
    ) -> BookedFees:
        self.calls += 1
        totals = period.totals()
        if len(totals) != 1:
            raise PermanentError(
                f"{channel} account fees of settlement {period.group_id} are in "
                f"{', '.join(sorted(totals))}: one supplier document takes one currency"
            )
        ((currency, total),) = totals.items()
        reference = f"{channel}-account-fees-{period.group_id}"
        booked = BookedFees(
            document_id=len(self.invoices) + 1,
            number=f"SI-{len(self.invoices) + 1}",
            state="posted",
            currency=currency,
            total=total,
            created=reference not in self.invoices,
        )
        return self.invoices.setdefault(reference, booked)

    def book_channel_fees(
        self,
        sale_reference: str,
        fees: Sequence[ChannelFee],
        *,
        party: str,
        account: str | None = None,
    ) -> BookedFees:
        raise AssertionError("no order has fees here")

    def booked_channel_fees(self, sale_references: Sequence[str]) -> dict[str, BookedFees]:
        return {}

    def book_fee_refund(
        self, sale_reference: str, refund: FeeRefund, *, party: str, account: str | None = None
    ) -> BookedFees:
        raise AssertionError("no refund here")

    def booked_fee_refunds(self, sale_reference: str) -> dict[tuple[RefundKind, int], BookedFees]:
        return {}


def flow(store: Store, amazon: FakeAmazon, erp: FakeErp) -> ChannelFeesToErp:
    return ChannelFeesToErp(store, channels={AMAZON: amazon}, target=ERP, erp=erp)


def booked_links(store: Store) -> dict[str, str | None]:
    with store.read() as conn:
        return {k: v.fingerprint for k, v in links.all_of_type(conn, ERP, ACCOUNT_FEES).items()}


def open_marks(store: Store) -> dict[str, str | None]:
    with store.read() as conn:
        marks = links.all_of_type(conn, AMAZON, OPEN_PERIOD)
    return {k: v.fingerprint for k, v in marks.items()}


def cursor(store: Store) -> datetime | None:
    return Cursor(store, AMAZON, STREAM, timedelta(hours=1)).value()


def test_a_closed_periods_account_fees_are_booked_once_and_an_open_period_waits(
    sqlite_store: Store,
) -> None:
    amazon = FakeAmazon(
        [
            Period(
                "G1", days_ago(20), (fee("FBAStorageFee", "12.75"), fee("Subscription", "39.99"))
            ),
            Period("G2", days_ago(6), (fee("Subscription", "39.99"),), closed=False),
        ]
    )
    erp = FakeErp()
    channel_fees = flow(sqlite_store, amazon, erp)

    first = channel_fees.run()
    assert first.failed == {}
    assert (first.account_fees, first.account_fees_open) == (["amazon G1"], ["amazon G2"])
    assert booked_links(sqlite_store) == {"G1": "52.74 USD"}
    # The cursor moves on (its alert would otherwise fire while a period is merely open);
    # the open period is marked and the next run asks from its start again.
    moved = cursor(sqlite_store)
    assert moved is not None and moved > amazon.periods[1].started_at
    assert open_marks(sqlite_store) == {"G2": amazon.periods[1].started_at.isoformat()}

    second = channel_fees.run()
    assert amazon.asked_since[-1] == amazon.periods[1].started_at
    assert (second.account_fees, second.account_fees_open) == ([], ["amazon G2"])
    assert erp.calls == 1  # G1 is linked: the ERP is not asked again

    amazon.periods[1].closed = True
    third = channel_fees.run()
    assert third.account_fees == ["amazon G2"] and third.account_fees_open == []
    assert booked_links(sqlite_store) == {"G1": "52.74 USD", "G2": "39.99 USD"}
    assert open_marks(sqlite_store) == {}  # closed and booked: the mark goes
    channel_fees.run()
    assert amazon.asked_since[-1] > amazon.periods[1].started_at


def test_a_period_in_two_currencies_is_named_books_nothing_and_holds_the_cursor(
    sqlite_store: Store,
) -> None:
    amazon = FakeAmazon(
        [
            Period(
                "BAD",
                days_ago(20),
                (fee("Subscription", "39.99"), fee("FBAStorageFee", "3.00", "EUR")),
            ),
            Period("GOOD", days_ago(10), (fee("Subscription", "39.99"),)),
        ]
    )
    erp = FakeErp()
    channel_fees = flow(sqlite_store, amazon, erp)

    with pytest.raises(PermanentError, match=r"amazon account fees BAD: .*EUR, USD"):
        channel_fees.on_run({})
    assert booked_links(sqlite_store) == {"GOOD": "39.99 USD"}  # the others are booked
    assert cursor(sqlite_store) is None

    # Fixed at the marketplace (or booked by hand and removed): the next run goes on.
    amazon.periods[0].fees = (fee("Subscription", "39.99"),)
    assert channel_fees.run().account_fees == ["amazon BAD"]
    assert cursor(sqlite_store) is not None


def test_a_period_without_account_fees_books_nothing(sqlite_store: Store) -> None:
    amazon = FakeAmazon(
        [
            Period("EMPTY", days_ago(20)),
            Period("NETS", days_ago(5), (fee("A", "1.00"), fee("B", "-1.00"))),
        ]
    )
    erp = FakeErp()
    result = flow(sqlite_store, amazon, erp).run()
    assert (result.account_fees, result.failed, erp.calls) == ([], {}, 0)
    assert booked_links(sqlite_store) == {}
    assert cursor(sqlite_store) is not None  # nothing owed: the cursor moves on


def test_a_booked_period_keeps_its_channel_and_dates_for_the_warehouse(
    sqlite_store: Store,
) -> None:
    started, ended = days_ago(20), days_ago(6)
    amazon = FakeAmazon([Period("G1", started, (fee("Subscription", "39.99"),), ended_at=ended)])
    flow(sqlite_store, amazon, FakeErp()).run()

    with sqlite_store.read() as conn:
        link = links.all_of_type(conn, ERP, ACCOUNT_FEES)["G1"]
        record = entities.get(conn, link.hub_id)
    assert record is not None and record.entity_type == ACCOUNT_FEES
    assert record.summary == {
        "channel": AMAZON,
        "period_id": "G1",
        "period_start": started.isoformat(),
        "period_end": ended.isoformat(),
        "total": "39.99",
        "currency": "USD",
        "booked_at": link.remote_updated_at,
    }
