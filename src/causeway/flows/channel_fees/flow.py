"""channel-fees: the fees a marketplace kept on each order are booked in the ERP, once.

A marketplace (Amazon) posts an order's fees some time after the order ships (Amazon:
up to 48 hours). So, on a schedule, the flow looks at the marketplace's orders that the
ERP has (a sale link from orders-to-erp) and that have no fees booked yet (no "fees"
link), newest first and at most `per_run` of them, and for each:

1. asks the channel for the fees it has posted (ChannelFees.order_fees);
2. nothing posted yet: leaves the order for the next run (not parked: the fees come);
3. else books them in the ERP (ErpChannelFees.book_channel_fees: for Tryton, one posted
   supplier invoice for the marketplace's party, found by its reference before it is
   created), and writes the link (erp, "fees", document id) on the order's hub id and
   the booked total on the order's summary, in one transaction per order.

A crash between the ERP's booking and the link books nothing twice: the next run asks
the ERP, which finds its own booking. An order older than `look_back` is not asked
about any more (its fees would have been posted long since). One order's permanent
problem (fees in two currencies, a party Tryton refuses) does not stop the others: the
run books the rest, then fails with every problem named.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from causeway.engine import entities, links, order_facts
from causeway.engine.store import Store
from causeway.engine.warehouse_rows import BOOKED_FEES
from causeway.errors import PermanentError
from causeway.flows.base import FlowBase
from causeway.flows.orders_to_erp import ORDER
from causeway.model.ports.fees import BookedFees, ChannelFees, ErpChannelFees, OrderFees
from causeway.orders.record import CANCELLED, SALE, merge_summary

log = logging.getLogger("causeway.flows.channel_fees")

NAME = "channel-fees"
# Link type: the ERP's booking of an order's fees (a supplier invoice), fingerprint
# "<total> <currency>": the warehouse reads it as the order's actual fees.
FEES = BOOKED_FEES


@dataclass(frozen=True)
class Pending:
    """An order of a marketplace in the ERP whose fees are not booked yet."""

    channel: str
    external_id: str
    hub_id: str
    reference: str
    updated_at: float


@dataclass
class RunResult:
    booked: list[str] = field(default_factory=list)  # references booked now
    waiting: list[str] = field(default_factory=list)  # nothing posted by the channel yet
    failed: dict[str, str] = field(default_factory=dict)  # reference -> why


class ChannelFeesToErp(FlowBase[None]):
    name = NAME
    batch_size = 1
    # A run reads every waiting order and books: two at once would ask twice.
    exclusive = True
    runs_only = True

    def __init__(
        self,
        store: Store,
        *,
        channels: Mapping[str, ChannelFees],
        target: str,
        erp: ErpChannelFees,
        party: str = "Amazon",
        fees_account: str | None = None,
        per_run: int = 100,
        look_back: float = 60 * 86400.0,
    ) -> None:
        if not channels:
            raise ValueError(f"{NAME} needs at least one channel")
        self.store = store
        self.channels = dict(channels)
        self.target = target
        self.erp = erp
        self.party = party
        self.fees_account = fees_account
        self.per_run = per_run
        self.look_back = look_back

    def on_run(self, payload: Mapping[str, Any]) -> None:
        result = self.run()
        if result.failed:
            raise PermanentError(
                "; ".join(f"{ref}: {why}" for ref, why in sorted(result.failed.items()))
            )

    def run(self) -> RunResult:
        result = RunResult()
        for order in self.pending():
            try:
                fees = self.channels[order.channel].order_fees(order.external_id)
            except PermanentError as exc:
                result.failed[order.reference] = str(exc)
                continue
            if not fees.posted:
                result.waiting.append(order.reference)
                continue
            try:
                booked = self.erp.book_channel_fees(
                    order.reference, fees.fees, party=self.party, account=self.fees_account
                )
            except PermanentError as exc:
                result.failed[order.reference] = str(exc)
                continue
            self._record(order, fees, booked)
            result.booked.append(order.reference)
        if result.booked or result.failed:
            log.info(
                "fees: %d booked, %d not posted yet, %d failed",
                len(result.booked),
                len(result.waiting),
                len(result.failed),
            )
        return result

    def pending(self) -> list[Pending]:
        """The channels' orders in the ERP without booked fees, newest first, at most
        `per_run`, none older than `look_back`."""
        since = time.time() - self.look_back
        found: list[Pending] = []
        with self.store.read() as conn:
            for channel in self.channels:
                waiting = links.still_owed(
                    conn,
                    channel,
                    ORDER,
                    target=self.target,
                    having=SALE,
                    lacking=FEES,
                    since=since,
                    limit=self.per_run,
                    not_in_state=CANCELLED,  # the sale cancelled: no fees to book
                )
                records = entities.get_many(conn, [o.hub_id for o in waiting])
                for link in waiting:
                    record = records.get(link.hub_id)
                    reference = record.summary.get("reference") if record else None
                    if not reference:
                        continue
                    found.append(
                        Pending(
                            channel,
                            link.external_id,
                            link.hub_id,
                            str(reference),
                            link.remote_updated_at or 0.0,
                        )
                    )
        found.sort(key=lambda p: (-p.updated_at, p.reference))
        return found[: self.per_run]

    def _record(self, order: Pending, fees: OrderFees, booked: BookedFees) -> None:
        with self.store.transaction() as conn:
            # The link is what the warehouse's fact_channel_fees reads (engine/warehouse_rows).
            links.save(
                conn,
                hub_id=order.hub_id,
                system=self.target,
                entity_type=FEES,
                external_id=str(booked.document_id),
                fingerprint=f"{booked.total} {booked.currency}",
            )
            merge_summary(
                conn,
                order.hub_id,
                {
                    "fees_total": str(booked.total),
                    "fees_currency": booked.currency,
                    "fees_document": booked.number,
                },
            )
            order_facts.touch(conn, order.hub_id)  # the next warehouse build rewrites it
