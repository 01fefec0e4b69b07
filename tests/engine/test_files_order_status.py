"""order-status.csv's rows, from the hub's own records: received, in the ERP, shipped
with tracking, or failed with the reason an operator reads."""

from __future__ import annotations

import json

from causeway.engine import links, timeline
from causeway.engine.inbox import Inbox, InboxRecord
from causeway.engine.jobs import JobQueue
from causeway.engine.schema import entities
from causeway.engine.store import Store, now
from causeway.flows.orders_to_erp import order_job
from causeway.orders.status import order_statuses, tracking_of


def received(store: Store, queue: JobQueue, source: str, *numbers: str) -> None:
    inbox = Inbox(store, queue, lambda record, inbox_id: [order_job(source, record, inbox_id)])
    inbox.accept(
        [
            InboxRecord(source, f"file:abc:{n}", "orders/create", f"order:{n}", b"{}")
            for n in numbers
        ]
    )


def placed(store: Store, source: str, number: str, sale_number: str) -> str:
    hub_id = f"hub-{number}"
    with store.transaction() as conn:
        links.save(
            conn,
            hub_id=hub_id,
            system=source,
            entity_type="order",
            external_id=number,
            fingerprint="in_erp",
        )
        conn.execute(
            entities.insert().values(
                hub_id=hub_id,
                entity_type="order",
                state="in_erp",
                summary=json.dumps({"number": number, "erp_number": sale_number}),
                created_at=now(),
                updated_at=now(),
            )
        )
        timeline.record(conn, hub_id, "in_erp", detail={"erp_number": sale_number})
    return hub_id


def test_each_order_of_the_folder_has_its_state_sale_tracking_or_problem(
    sqlite_store: Store,
) -> None:
    queue = JobQueue(sqlite_store)
    received(sqlite_store, queue, "csv", "1001", "1002", "1003", "1004")
    received(sqlite_store, queue, "other-shop", "1005")  # not this folder's
    placed(sqlite_store, "csv", "1001", "SO0101")
    shipped = placed(sqlite_store, "csv", "1002", "SO0102")
    with sqlite_store.transaction() as conn:
        timeline.record(conn, shipped, "shipped", detail={"tracking_numbers": ["1Z999", "1Z998"]})
    # 1003's job is parked by orders-to-erp; 1004's is still waiting.
    (job,) = [
        j for j in queue.claim("w", ["orders-to-erp"], limit=10) if j.ordering_key.endswith("1003")
    ]
    queue.kill(job, "w", "unknown SKU NOPE in erp: create the product, then replay")

    with sqlite_store.read() as conn:
        rows = {r.order_number: r for r in order_statuses(conn, "csv")}

    assert sorted(rows) == ["1001", "1002", "1003", "1004"]
    assert (rows["1001"].state, rows["1001"].erp_sale_number, rows["1001"].tracking) == (
        "in_erp",
        "SO0101",
        None,
    )
    assert (rows["1002"].state, rows["1002"].tracking) == ("shipped", "1Z999 1Z998")
    assert rows["1003"].state == "failed"
    assert rows["1003"].problem == "unknown SKU NOPE in erp: create the product, then replay"
    assert (rows["1004"].state, rows["1004"].problem) == ("received", None)
    assert all(r.updated_at for r in rows.values())


def test_tracking_is_read_from_the_shipping_milestones_only() -> None:
    assert tracking_of([timeline.Milestone("in_erp", 1.0, {"tracking": "X"})]) is None
    assert (
        tracking_of(
            [
                timeline.Milestone("partially_shipped", 1.0, {"tracking_number": "A1"}),
                timeline.Milestone("shipped", 2.0, {"tracking_numbers": ["A1", "B2"]}),
            ]
        )
        == "A1 B2"
    )
