"""Order facts for orders placed before the hub kept them (`causeway warehouse
backfill-orders`, docs/order-facts.md).

A hub that placed orders before the order-facts tables existed (migration 0020) has no
facts of them, and the warehouse misses that history. Every such order still has its
links (the channel's order and the ERP's sale on one hub id) and, unless retention has
pruned it, its channel's records in the inbox: the newest one that still holds its body
is read by the channel that sent it exactly as orders-to-erp reads it (`parse_event`),
and its facts are stored as `record_placed` stores them (orders/record.py:
`backfill_facts`), cancelled when the hub's order is.

Orders go a batch at a time: the batch's links and records are read, each record parsed
outside any transaction, then the batch's facts are written in one transaction. A record
that cannot be read is counted and its order left without facts; an error while writing
rolls back the whole batch, so no order is ever half-written. Only orders without facts
are selected, and an order given facts meanwhile (by a worker) is left as it is, so a
second run writes nothing.

Portal orders and CRM quotes (quotes-to-erp) are not store orders: there is no channel
record to read again, and they are left out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from causeway.engine import entities
from causeway.engine import inbox as inbox_store
from causeway.engine import order_facts as fact_store
from causeway.engine.entities import Entity
from causeway.engine.inbox import StoredEvent
from causeway.engine.order_facts import Unrecorded
from causeway.engine.store import Store
from causeway.flows.orders_to_erp.flow import ORDER, ORDER_TOPICS, parse_event
from causeway.model import Order
from causeway.model.ports.channel import OrderChannel
from causeway.orders.record import CANCELLED, SALE, backfill_facts, timestamp

log = logging.getLogger("causeway.flows.orders_to_erp.backfill")

BATCH = 200


@dataclass(frozen=True)
class Channel:
    """A store orders-to-erp takes orders from: its connector reads the records, and
    its configured customer group goes into the facts (as record_placed's does)."""

    connector: OrderChannel
    customer_group: str | None = None


@dataclass
class ChannelCount:
    """What the backfill did with one channel's orders."""

    backfilled: int = 0  # facts written (with --dry-run: that would be)
    cancelled: int = 0  # of those, the hub's order is cancelled
    pruned: int = 0  # every record's body pruned: the facts cannot be rebuilt
    no_record: int = 0  # no record of the order in the inbox at all
    unreadable: int = 0  # the record could not be read by the channel
    first_errors: dict[str, str] = field(default_factory=dict)  # error kind -> the first


@dataclass
class BackfillReport:
    dry_run: bool
    channels: dict[str, ChannelCount] = field(default_factory=dict)

    def of(self, system: str) -> ChannelCount:
        return self.channels.setdefault(system, ChannelCount())

    @property
    def backfilled(self) -> int:
        return sum(c.backfilled for c in self.channels.values())


@dataclass(frozen=True)
class _Readable:
    """An order of the batch whose record was read: ready to be written."""

    unrecorded: Unrecorded
    order: Order
    cancelled_at: float | None


Progress = Callable[[int], None]  # how many orders have been looked at so far


def to_backfill(store: Store, channels: Mapping[str, Channel], *, erp: str) -> int:
    """How many orders of these channels the ERP has and the hub keeps no facts of."""
    with store.read() as conn:
        return fact_store.count_placed_without_facts(
            conn, list(channels), order_type=ORDER, sale_type=SALE, erp=erp
        )


def backfill_orders(
    store: Store,
    channels: Mapping[str, Channel],
    *,
    erp: str,
    batch: int = BATCH,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> BackfillReport:
    """Store the facts of every order of `channels` placed in `erp` that has none, and
    count what could not be; with `dry_run`, read and count but write nothing."""
    report = BackfillReport(dry_run=dry_run)
    after: str | None = None
    looked = 0
    while True:
        with store.read() as conn:
            found = fact_store.placed_without_facts(
                conn,
                list(channels),
                order_type=ORDER,
                sale_type=SALE,
                erp=erp,
                after=after,
                limit=batch,
            )
        if not found:
            return report
        # Keyset paging: orders left without facts (pruned, unreadable) are not met again.
        after = found[-1].hub_id
        looked += len(found)
        readable = _read_batch(store, channels, found, report)
        if readable and not dry_run:
            _write_batch(store, channels, readable, report)
        elif dry_run:
            for item in readable:
                _count_backfilled(report, item)
        if progress is not None:
            progress(looked)


def _read_batch(
    store: Store, channels: Mapping[str, Channel], found: list[Unrecorded], report: BackfillReport
) -> list[_Readable]:
    by_system: dict[str, list[Unrecorded]] = {}
    for item in found:
        by_system.setdefault(item.system, []).append(item)
    with store.read() as conn:
        hubs = entities.get_many(conn, [item.hub_id for item in found])
        records = {
            system: inbox_store.newest_kept(
                conn, system, [_entity_key(item) for item in items], ORDER_TOPICS
            )
            for system, items in by_system.items()
        }
    readable = []
    for item in found:
        count = report.of(item.system)
        key = _entity_key(item)
        if key not in records[item.system]:
            count.no_record += 1
            continue
        event = records[item.system][key]
        if event is None:
            count.pruned += 1
            continue
        order = _parsed(event, channels[item.system].connector, item, count)
        if order is None:
            continue
        readable.append(_Readable(item, order, _cancelled_at(hubs.get(item.hub_id), order)))
    return readable


def _entity_key(item: Unrecorded) -> str:
    return f"{ORDER}:{item.external_id}"  # the inbox's key of the order (order_job's)


def _parsed(
    event: StoredEvent, connector: OrderChannel, item: Unrecorded, count: ChannelCount
) -> Order | None:
    try:
        return parse_event(event, connector)
    except Exception as exc:  # whatever the channel cannot read is reported, not raised
        count.unreadable += 1
        kind = type(exc).__name__
        if kind not in count.first_errors:
            count.first_errors[kind] = f"order {item.external_id} (inbox record {event.id}): {exc}"
        log.info(
            "order %s of %s: record %d unreadable: %s", item.external_id, item.system, event.id, exc
        )
        return None


def _cancelled_at(hub: Entity | None, order: Order) -> float | None:
    """When the hub's order was cancelled (None: it is not): as the cancellations flow
    recorded it, else as the channel's record says, else when the hub last changed it."""
    if hub is None or hub.state != CANCELLED:
        return None
    recorded = hub.summary.get("cancelled_at")
    if isinstance(recorded, str):
        try:
            return timestamp(datetime.fromisoformat(recorded))
        except ValueError:
            pass
    if order.cancelled_at is not None:
        return timestamp(order.cancelled_at)
    return hub.updated_at


def _write_batch(
    store: Store, channels: Mapping[str, Channel], readable: list[_Readable], report: BackfillReport
) -> None:
    """The batch's facts in one transaction: all of them or, on an error, none."""
    written = []
    with store.transaction() as conn:
        for read in readable:
            order = read.unrecorded
            # Read again in the transaction that writes: the order may have been
            # cancelled since the batch was read.
            hub = entities.get(conn, order.hub_id)
            ready = replace(read, cancelled_at=_cancelled_at(hub, read.order))
            if backfill_facts(
                conn,
                order.hub_id,
                ready.order,
                source=order.system,
                customer_group=channels[order.system].customer_group,
                erp_system=order.erp_system,
                erp_sale_id=order.erp_sale_id,
                cancelled_at=ready.cancelled_at,
            ):
                written.append(ready)
    # Counted once committed: a batch rolled back counts nothing.
    for item in written:
        _count_backfilled(report, item)


def _count_backfilled(report: BackfillReport, item: _Readable) -> None:
    count = report.of(item.unrecorded.system)
    count.backfilled += 1
    if item.cancelled_at is not None:
        count.cancelled += 1
