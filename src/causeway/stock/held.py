"""Stock held by orders taken that the ERP does not have yet, from the hub's own records.

An order is pending from the moment its webhook (or the reconciling poll) reaches the
inbox until orders-to-erp has placed it: its job is queued, held by a schedule, running,
or parked. A late update of an order the ERP already has is queued too; its stock is
already out of the ERP forecast and is not held back twice. An order whose webhooks
came more than once while it waits (orders/create then orders/paid or orders/updated;
WooCommerce's order.created then order.updated when the payment goes through) holds its
quantities once, as its latest version has them. An order taken but not paid yet
(Amazon's Pending: orders-to-erp records it awaiting payment and finishes its job) holds
its units too, as its latest stored version has them, until a paid version is placed or
a cancelled one is recorded. The reads are the engine's; the rule is stock/sellable.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal

from causeway.engine import inbox as inbox_store
from causeway.engine import links
from causeway.engine.inbox import Inbox, StoredEvent
from causeway.engine.jobs import JobQueue
from causeway.engine.store import Store
from causeway.errors import CausewayError
from causeway.flows.orders_to_erp import NAME, ORDER, ORDER_TOPICS, parse_event
from causeway.model import Order
from causeway.model.ports.channel import NotifiedUnits, OrderChannel
from causeway.model.topics import ORDER_CHANGE
from causeway.orders.record import AWAITING_PAYMENT
from causeway.stock.sellable import HeldStock, pending_quantities

IN_ERP = "in_erp"  # the order link's fingerprint once its sale is placed


def held_by_channel(
    store: Store, inbox: Inbox, jobs: JobQueue, channels: Mapping[str, OrderChannel]
) -> dict[str, dict[str, Decimal]]:
    """store -> SKU -> quantity of the orders it took that the ERP does not have yet (by
    store, because each store's sales ship from its own warehouse: stock/sellable.py)."""
    events = inbox.get_many(jobs.open_inbox_ids(NAME)) | _awaiting_payment(store, channels)
    # An order with several records waiting (created, then paid) holds its units once,
    # as its latest record says.
    latest: dict[tuple[str, str], StoredEvent] = {}
    for inbox_id in sorted(events):  # received order: a later version replaces an earlier
        event = events[inbox_id]
        # Not a system since removed from causeway.yaml, nor a notification that only
        # names the order (its fetched version is a record of its own).
        if event.source in channels and event.topic in ORDER_TOPICS:
            latest[(event.source, _order_id(event))] = event
    by_source: dict[str, list[StoredEvent]] = defaultdict(list)
    for event in latest.values():
        by_source[event.source].append(event)
    held: dict[str, dict[str, Decimal]] = {}
    for source, received in by_source.items():
        placed = _in_erp(store, source, {_order_id(e) for e in received})
        channel = channels[source]
        orders: list[Order] = []
        for event in received:
            if _order_id(event) in placed:
                continue
            try:
                orders.append(parse_event(event, channel))
            except CausewayError:  # holds nothing; its job is parked with the reason
                continue
        if quantities := pending_quantities(orders):
            held[source] = quantities
    for source, quantities in _notified(store, events.values(), latest, channels).items():
        for sku, units in quantities.items():
            into = held.setdefault(source, {})
            into[sku] = into.get(sku, Decimal(0)) + units
    return held


def _notified(
    store: Store,
    events: Iterable[StoredEvent],
    fetched: Mapping[tuple[str, str], StoredEvent],
    channels: Mapping[str, OrderChannel],
) -> dict[str, dict[str, Decimal]]:
    """store -> SKU -> units of orders known only by a notification not fetched yet (its
    job open, no record of the order itself): the sale is made, its order not read."""
    named: dict[str, dict[str, StoredEvent]] = defaultdict(dict)
    for event in sorted(events, key=lambda e: e.id):
        channel = channels.get(event.source)
        if event.topic != ORDER_CHANGE or not isinstance(channel, NotifiedUnits):
            continue
        if (event.source, _order_id(event)) not in fetched:
            named[event.source][_order_id(event)] = event  # the latest notification
    held: dict[str, dict[str, Decimal]] = {}
    for source, by_order in named.items():
        placed = _in_erp(store, source, set(by_order))
        channel = channels[source]
        assert isinstance(channel, NotifiedUnits)
        for order_id, event in by_order.items():
            if order_id in placed:
                continue
            try:
                units = channel.units_notified(event.body)
            except CausewayError:  # its job fetches the order or parks with the reason
                continue
            into = held.setdefault(source, {})
            for sku, quantity in units.items():
                into[sku] = into.get(sku, Decimal(0)) + quantity
    return held


def held_quantities(
    store: Store, inbox: Inbox, jobs: JobQueue, channels: Mapping[str, OrderChannel]
) -> dict[str, Decimal]:
    """SKU -> quantity of the orders taken that the ERP does not have yet, every store's."""
    # With no store's warehouse known, every order is held "anywhere": the sum of all.
    held = HeldStock.of_channels(held_by_channel(store, inbox, jobs, channels), {})
    return dict(held.anywhere)


def orders_landing(jobs: JobQueue) -> bool:
    """Whether orders-to-erp is placing orders (jobs queued or running; parked ones are
    waiting for someone, not landing)."""
    return jobs.unfinished([NAME]) > 0


def _order_id(event: StoredEvent) -> str:
    return event.entity_key.removeprefix(f"{ORDER}:")


def _awaiting_payment(store: Store, channels: Mapping[str, OrderChannel]) -> dict[int, StoredEvent]:
    """Inbox id -> the latest stored version of each order the hub holds awaiting payment
    (its job is done, so no open job names it)."""
    found: dict[int, StoredEvent] = {}
    with store.read() as conn:
        for source in channels:
            waiting = links.all_of_type(conn, source, ORDER, fingerprint=AWAITING_PAYMENT)
            keys = [f"{ORDER}:{external_id}" for external_id in waiting]
            newest = inbox_store.newest_kept(conn, source, keys, ORDER_TOPICS)
            found |= {event.id: event for event in newest.values() if event is not None}
    return found


def _in_erp(store: Store, source: str, order_ids: set[str]) -> set[str]:
    with store.read() as conn:
        found = links.find_many(conn, source, ORDER, sorted(order_ids))
    return {order_id for order_id, link in found.items() if link.fingerprint == IN_ERP}
