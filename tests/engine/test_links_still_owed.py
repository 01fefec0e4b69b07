"""links.still_owed: the entities a flow still owes work for, found in one query (the
orders channel-fees has yet to book fees for), whatever else the store holds."""

from __future__ import annotations

import time

from causeway.engine import links
from causeway.engine.store import Store
from causeway.orders.record import update_order


def order(store: Store, name: str, *, age: float, sale: bool, fees: bool, state: str) -> None:
    hub_id = f"hub-{name}"
    with store.transaction() as conn:
        links.save(
            conn,
            hub_id=hub_id,
            system="amazon",
            entity_type="order",
            external_id=name,
            fingerprint="in_erp",
            remote_updated_at=time.time() - age,
        )
        if sale:
            links.save(conn, hub_id=hub_id, system="erp", entity_type="sale", external_id=name)
        if fees:
            links.save(conn, hub_id=hub_id, system="erp", entity_type="fees", external_id=name)
        update_order(conn, hub_id, state=state, reference=f"AMZ-{name}")


def owed(store: Store, limit: int = 10) -> list[str]:
    with store.read() as conn:
        found = links.still_owed(
            conn,
            "amazon",
            "order",
            target="erp",
            having="sale",
            lacking="fees",
            since=time.time() - 3600,
            limit=limit,
            not_in_state="cancelled",
        )
    return [link.external_id for link in found]


def test_only_orders_in_the_erp_without_fees_recent_and_not_cancelled_are_owed(
    store: Store,
) -> None:
    order(store, "newest", age=10, sale=True, fees=False, state="in_erp")
    order(store, "older", age=100, sale=True, fees=False, state="in_erp")
    order(store, "booked", age=5, sale=True, fees=True, state="in_erp")
    order(store, "not-placed", age=5, sale=False, fees=False, state="awaiting_payment")
    order(store, "cancelled", age=5, sale=True, fees=False, state="cancelled")
    order(store, "too-old", age=7200, sale=True, fees=False, state="in_erp")

    assert owed(store) == ["newest", "older"]
    assert owed(store, limit=1) == ["newest"]
