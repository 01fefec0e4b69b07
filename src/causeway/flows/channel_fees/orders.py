"""Which orders a channel-fees run asks the marketplace about: one store read each.

- owing_fees: the orders the ERP has whose fees are not booked yet (one query however
  many orders have long been booked: links.still_owed);
- owing_refunds: the orders marked with a refund still owed (owed.py) whose fees are
  booked;
- with_fees_booked: among the orders a marketplace named refunded, those whose fees are
  booked (the others' refunds are booked with their fees).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping

from causeway.engine import entities, links
from causeway.engine.links import Link
from causeway.engine.store import Store
from causeway.engine.warehouse_rows import BOOKED_FEES
from causeway.flows.channel_fees.results import Pending
from causeway.flows.orders_to_erp import ORDER
from causeway.orders.record import CANCELLED, SALE


def owing_fees(
    store: Store, channels: Iterable[str], target: str, *, look_back: float, limit: int
) -> list[Pending]:
    """The channels' orders in the ERP `target` without booked fees, newest first, at most
    `limit`, none last changed longer than `look_back` seconds ago, none cancelled."""
    since = time.time() - look_back
    found: list[Pending] = []
    with store.read() as conn:
        for channel in channels:
            waiting = links.still_owed(
                conn,
                channel,
                ORDER,
                target=target,
                having=SALE,
                lacking=BOOKED_FEES,
                since=since,
                limit=limit,
                not_in_state=CANCELLED,  # the sale cancelled: no fees to book
            )
            records = entities.get_many(conn, [o.hub_id for o in waiting])
            for link in waiting:
                record = records.get(link.hub_id)
                reference = record.summary.get("reference") if record else None
                if reference:
                    found.append(pending(channel, link, str(reference)))
    found.sort(key=lambda p: (-p.updated_at, p.reference))
    return found[:limit]


def owing_refunds(
    store: Store, channels: Iterable[str], target: str, marked: Mapping[str, Link]
) -> list[Pending]:
    """The orders with a refund still owed (`marked`: hub id -> its mark, owed.py) whose
    fees are booked, by reference. An order whose fees link is missing is pending: its
    refunds are booked with its fees."""
    if not marked:
        return []
    found: list[Pending] = []
    with store.read() as conn:
        booked = links.of_hubs(conn, target, BOOKED_FEES, list(marked))
        for channel in channels:
            for hub_id, link in links.of_hubs(conn, channel, ORDER, list(booked)).items():
                found.append(pending(channel, link, marked[hub_id].external_id))
    found.sort(key=lambda p: p.reference)
    return found


def with_fees_booked(
    store: Store, channel: str, target: str, external_ids: tuple[str, ...]
) -> list[Pending]:
    """The channel's orders among `external_ids` whose fees are booked (a fees link on the
    order's hub id), in the order given."""
    with store.read() as conn:
        orders = links.find_many(conn, channel, ORDER, list(external_ids))
        hub_ids = [o.hub_id for o in orders.values()]
        booked = links.of_hubs(conn, target, BOOKED_FEES, hub_ids)
        records = entities.get_many(conn, [h for h in hub_ids if h in booked])
    found: list[Pending] = []
    for external_id in external_ids:
        link = orders.get(external_id)
        record = records.get(link.hub_id) if link else None
        reference = record.summary.get("reference") if record else None
        if link is not None and reference:
            found.append(pending(channel, link, str(reference)))
    return found


def pending(channel: str, order: Link, reference: str) -> Pending:
    """The order its `order` link names, as a run works on it."""
    return Pending(
        channel, order.external_id, order.hub_id, reference, order.remote_updated_at or 0.0
    )
