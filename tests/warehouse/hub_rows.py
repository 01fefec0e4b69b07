"""Seeding the hub's store for warehouse tests: order facts as the engine declares them
(engine/schema.py: order_facts, order_fact_lines), and through the engine's own writers
for order changes, storefront events, stock snapshots, carts and jobs."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, insert, update

from causeway.engine import order_changes
from causeway.engine.schema import carts, customers, jobs, order_fact_lines, order_facts
from causeway.engine.stock_snapshots import SnapshotRow, replace_day
from causeway.engine.store import Store
from causeway.engine.web_events import WebEvent, store_web_events


def ts(day: str, hour: int = 12) -> float:
    return dt.datetime.fromisoformat(f"{day}T{hour:02d}:00:00+00:00").timestamp()


def put_order(
    store: Store,
    hub_id: str,
    *,
    system: str = "shop",
    day: str = "2026-03-02",
    customer: str | None = "c1",
    currency: str = "EUR",
    lines: list[tuple[str, int, str]] = [("SKU-A", 1, "10.00")],  # noqa: B006 - read only
    state: str = "placed",
    sale: int | None = None,
    landing_site: str | None = "/?utm_source=news&utm_campaign=spring&utm_medium=email",
    changed_at: float | None = None,
    shipping: str = "5.00",
) -> None:
    """An order fact (rewritten whole, as orders/record.py does): lines are
    (sku, quantity, unit price); tax 0, no discounts."""
    goods = sum((Decimal(p) * q for _, q, p in lines), Decimal(0))
    row: dict[str, Any] = {
        "hub_id": hub_id,
        "system": system,
        "order_id": hub_id.rsplit(":", 1)[-1],
        "number": f"#{hub_id}",
        "customer_id": customer,
        "customer_group": "retail",
        "currency": currency,
        "ordered_at": ts(day),
        "state": state,
        "cancelled_at": ts(day, 15) if state == "cancelled" else None,
        "taxes_included": False,
        "goods_net": str(goods),
        "discounts": "0",
        "shipping_charged": shipping,
        "tax": "0",
        "total": str(goods + Decimal(shipping)),
        "source_name": "web",
        "landing_site": landing_site,
        "referring_site": "https://www.google.com/search?q=x",
        "landing_site_ref": None,
        "erp_system": "erp" if sale else None,
        "erp_sale_id": str(sale) if sale else None,
        "changed_at": changed_at if changed_at is not None else dt.datetime.now(dt.UTC).timestamp(),
    }
    with store.transaction() as conn:
        conn.execute(delete(order_fact_lines).where(order_fact_lines.c.hub_id == hub_id))
        conn.execute(delete(order_facts).where(order_facts.c.hub_id == hub_id))
        conn.execute(insert(order_facts).values(row))
        for no, (sku, quantity, price) in enumerate(lines, start=1):
            conn.execute(
                insert(order_fact_lines).values(
                    hub_id=hub_id,
                    line_no=no,
                    sku=sku,
                    title=f"Product {sku}",
                    quantity=quantity,
                    unit_price=price,
                    discount="0",
                    tax="0",
                )
            )


def put_refund(
    store: Store, hub_id: str, refund: str, sku: str, quantity: int, price: str, *, day: str
) -> None:
    with store.transaction() as conn:
        order_changes.record_change(
            conn,
            hub_id=hub_id,
            system="shop",
            order_id=hub_id.rsplit(":", 1)[-1],
            kind="refund",
            dedupe_key=f"shop:refund:{refund}",
            before={"state": "placed"},
            after={
                "state": "placed",
                "refund": refund,
                "refund_lines": [
                    {
                        "sku": sku,
                        "title": sku,
                        "quantity": quantity,
                        "unit_price": price,
                        "restock": "return",
                    }
                ],
            },
            occurred_at=ts(day),
            amount_delta=str(-Decimal(price) * quantity),
            currency="EUR",
        )


def put_events(
    store: Store, client: str, order_id: str | None, *, day: str, n: int = 2, first: int = 0
) -> None:
    events = [
        WebEvent(
            system="shop",
            event_id=f"{client}-{first + i}",
            name="product_viewed",
            client_id=client,
            occurred_at=ts(day, 10),
            received_at=dt.datetime.now(dt.UTC).timestamp(),
            product_sku="SKU-A",
            value="10.00",
            currency="EUR",
        )
        for i in range(n)
    ]
    if order_id is not None:
        events.append(
            WebEvent(
                system="shop",
                event_id=f"{client}-done",
                name="checkout_completed",
                client_id=client,
                occurred_at=ts(day, 11),
                received_at=dt.datetime.now(dt.UTC).timestamp(),
                data=json.dumps(
                    {"checkout": {"order": {"id": f"gid://shopify/OrderIdentity/{order_id}"}}}
                ),
            )
        )
    store_web_events(store, events)


def put_snapshot(store: Store, day: str, quantities: dict[str, int]) -> None:
    replace_day(
        store,
        day=day,
        system="erp",
        kind="erp",
        rows=[
            SnapshotRow(sku=s, location="WH", quantity=Decimal(q)) for s, q in quantities.items()
        ],
        taken_at=dt.datetime.now(dt.UTC).timestamp(),
    )


def put_cart(store: Store, checkout: str, state: str, *, day: str, abandoned: bool = False) -> None:
    with store.transaction() as conn:
        conn.execute(
            insert(carts).values(
                system="shop",
                checkout_id=checkout,
                state=state,
                currency="EUR",
                total="20.00",
                line_count=1,
                lines="[]",
                created_at=ts(day),
                updated_at=ts(day),
                abandoned_at=ts(day, 18) if abandoned else None,
                received_at=ts(day),
            )
        )


def put_customer(
    store: Store,
    customer_id: str,
    *,
    country: str = "DE",
    group: str | None = None,
    merged_into: str | None = None,
) -> None:
    fields: dict[str, dict[str, object]] = {"address": {"value": {"country_code": country}}}
    if group:
        fields["customer_group"] = {"value": group}
    now = dt.datetime.now(dt.UTC).timestamp()
    with store.transaction() as conn:
        conn.execute(delete(customers).where(customers.c.id == customer_id))
        conn.execute(
            insert(customers).values(
                id=customer_id,
                record=json.dumps({"fields": fields}),
                version=1,
                merged_into=merged_into,
                created_at=now,
                updated_at=now,
            )
        )


def put_job(
    store: Store, flow: str, state: str, *, finished: float, parked: float | None = None
) -> int:
    """A finished job; its id."""
    history = json.dumps([{"at": parked, "error": "x", "class": None}]) if parked else None
    with store.transaction() as conn:
        inserted = conn.execute(
            insert(jobs).values(
                flow=flow,
                ordering_key=f"shop:order:{finished}",
                payload="{}",
                state=state,
                attempts=1,
                max_attempts=3,
                run_at=finished,
                created_at=finished - 60,
                updated_at=finished,
                finished_at=finished,
                error_history=history,
            )
        )
        return int(inserted.inserted_primary_key[0])


def replay_job(store: Store, job_id: int, *, finished: float | None, state: str = "done") -> None:
    """What replaying a parked job does to its row (engine/jobs.py): queued again and
    unfinished (`finished` None), then done at `finished`; its parkings stay."""
    values: dict[str, Any] = (
        {"state": "queued", "finished_at": None}
        if finished is None
        else {"state": state, "finished_at": finished}
    )
    with store.transaction() as conn:
        conn.execute(update(jobs).where(jobs.c.id == job_id).values(**values))


def prune_job(store: Store, job_id: int) -> None:
    """What retention does to a job finished long enough ago (engine/retention.py)."""
    with store.transaction() as conn:
        conn.execute(delete(jobs).where(jobs.c.id == job_id))
