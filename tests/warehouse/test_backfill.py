"""The order-facts backfill (flows/orders_to_erp/backfill.py) over a hub store seeded by
hand: which orders it selects, which inbox record it reads, what it counts, and that a
batch is written whole or not at all. The end-to-end run is
tests/e2e/test_warehouse_backfill.py."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import insert, select

from causeway.engine import entities, links
from causeway.engine import order_facts as fact_store
from causeway.engine.inbox import newest_kept
from causeway.engine.schema import inbox, order_facts
from causeway.engine.store import Store
from causeway.errors import InvalidPayloadError
from causeway.flows.orders_to_erp import backfill as module
from causeway.flows.orders_to_erp.backfill import Channel, backfill_orders, to_backfill
from causeway.model import Order
from causeway.model.customer import Customer
from causeway.model.order import OrderLine

D = Decimal
AT = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)


class FakeChannel:
    """Reads bodies {"id", "lines": [[sku, qty, price]], "email"}; "bad" is unreadable."""

    def order_from_webhook(self, body: dict[str, Any]) -> Order:
        if "bad" in body:
            raise InvalidPayloadError(f"order {body['id']}: line_items missing")
        lines = tuple(
            OrderLine(external_id=sku, sku=sku, title=sku, quantity=qty, unit_price=D(price))
            for sku, qty, price in body["lines"]
        )
        total = sum((x.unit_price * x.quantity for x in lines), D(0))
        return Order(
            external_id=str(body["id"]), number=f"#{body['id']}", currency="EUR",
            created_at=AT, updated_at=AT, customer=Customer(email=body.get("email")),
            lines=lines, subtotal=total, total_tax=D(0), total=total,
        )  # fmt: skip

    order_from_polled = order_from_webhook


CHANNELS = {"shop": Channel(FakeChannel(), "Retail"), "woo": Channel(FakeChannel())}  # type: ignore[arg-type]


def placed(
    store: Store,
    hub_id: str,
    order_id: str,
    *,
    system: str = "shop",
    order_type: str = "order",
    sale: str | None = "",
    state: str = "in_erp",
    **summary: Any,
) -> None:
    """The links (and the hub's order) record_placed leaves, without the facts."""
    with store.transaction() as conn:
        links.save(conn, hub_id=hub_id, system=system, entity_type=order_type,
                   external_id=order_id, fingerprint="in_erp")  # fmt: skip
        if sale is not None:  # the ERP's sale id: S<order id> unless given
            sale_id = sale or f"S{order_id}"
            links.save(conn, hub_id=hub_id, system="erp", entity_type="sale", external_id=sale_id)
        entities.merge(conn, hub_id, summary, entity_type="order", state=state)


def record(
    store: Store,
    order_id: str,
    body: dict[str, Any] | bytes,
    *,
    system: str = "shop",
    topic: str = "orders/updated",
    pruned: bool = False,
) -> int:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    with store.transaction() as conn:
        result = conn.execute(
            insert(inbox).values(
                source=system, event_id=f"e-{order_id}-{topic}-{len(raw)}-{pruned}", topic=topic,
                entity_key=f"order:{order_id}", headers="{}",
                body=b"" if pruned else raw, received_at=1.0, pruned_at=2.0 if pruned else None,
            )
        )  # fmt: skip
        return int(result.inserted_primary_key[0])


def body(order_id: str, *lines: tuple[str, int, str], **extra: Any) -> dict[str, Any]:
    return {"id": order_id, "lines": [list(x) for x in lines or [("SKU-A", 1, "10.00")]], **extra}


def stored(store: Store) -> dict[str, fact_store.OrderFact]:
    with store.read() as conn:
        hubs = conn.execute(select(order_facts.c.hub_id)).scalars().all()
        found = {h: fact_store.fact_of(conn, h) for h in hubs}
    return {h: f.fact for h, f in found.items() if f is not None}


def test_only_store_orders_the_erp_has_and_without_facts_are_selected(hub_store: Store) -> None:
    placed(hub_store, "h1", "1")
    placed(hub_store, "h2", "2", system="woo")
    placed(hub_store, "h3", "3", sale=None, state="cancelled")  # cancelled before the ERP
    placed(hub_store, "h4", "4", system="portal")  # a portal order
    placed(hub_store, "h5", "5", system="crm", order_type="deal")  # a won CRM deal
    placed(hub_store, "h6", "6", system="other")  # not one of the channels
    placed(hub_store, "h7", "7")
    with hub_store.transaction() as conn:  # h7 has its facts already
        fact_store.store(conn, "h7", a_fact("7"))
    with hub_store.read() as conn:
        args: dict[str, Any] = {"order_type": "order", "sale_type": "sale", "erp": "erp"}
        found = fact_store.placed_without_facts(conn, ["shop", "woo"], **args)
        assert [(u.hub_id, u.system, u.external_id, u.erp_sale_id) for u in found] == [
            ("h1", "shop", "1", "S1"),
            ("h2", "woo", "2", "S2"),
        ]
        page = fact_store.placed_without_facts(conn, ["shop", "woo"], after="h1", limit=1, **args)
        assert [u.hub_id for u in page] == ["h2"]
        assert fact_store.count_placed_without_facts(conn, ["shop", "woo"], **args) == 2
        assert fact_store.placed_without_facts(conn, ["shop"], erp="other-erp", **{
            k: v for k, v in args.items() if k != "erp"}) == []  # fmt: skip


def a_fact(order_id: str) -> fact_store.OrderFact:
    return fact_store.OrderFact(
        system="shop", order_id=order_id, number=None, customer_id=None, customer_group=None,
        currency="EUR", ordered_at=1.0, taxes_included=False, goods_net=D(1), discounts=D(0),
        shipping_charged=D(0), tax=D(0), total=D(1), source_name=None, landing_site=None,
        referring_site=None, landing_site_ref=None, erp_system="erp", erp_sale_id="7",
    )  # fmt: skip


def test_the_newest_record_still_holding_its_body_is_read(hub_store: Store) -> None:
    record(hub_store, "1", body("1"), topic="orders/create")
    newest = record(hub_store, "1", body("1", ("SKU-B", 2, "5.00")))
    record(hub_store, "1", body("1"), pruned=True)  # pruned: passed over
    record(hub_store, "1", body("1"), topic="orders/cancelled")  # not orders-to-erp's
    record(hub_store, "2", body("2"), pruned=True)
    topics = ("orders/create", "orders/updated", "orders/paid", "orders/poll")
    with hub_store.read() as conn:
        found = newest_kept(conn, "shop", ["order:1", "order:2", "order:3"], topics)
    assert set(found) == {"order:1", "order:2"}  # order 3 has no record at all
    assert found["order:1"] is not None and found["order:1"].id == newest
    assert found["order:2"] is None  # every record pruned


def test_backfill_counts_per_channel_and_a_second_run_writes_nothing(hub_store: Store) -> None:
    placed(hub_store, "h1", "1")
    record(hub_store, "1", body("1", ("SKU-A", 2, "10.00")))
    placed(hub_store, "h2", "2", state="cancelled", cancelled_at="2026-03-15T09:00:00+00:00")
    record(hub_store, "2", body("2"))
    placed(hub_store, "h3", "3")
    record(hub_store, "3", body("3"), pruned=True)
    placed(hub_store, "h4", "4")  # no record at all
    placed(hub_store, "h5", "5", system="woo")
    record(hub_store, "5", b"{not json", system="woo")
    placed(hub_store, "h6", "6", system="woo")
    record(hub_store, "6", body("6", bad=True), system="woo")
    placed(hub_store, "h7", "7", system="woo")
    record(hub_store, "7", body("7", bad=True), system="woo")
    placed(hub_store, "h8", "8", system="woo")
    record(hub_store, "8", body("8", email="rita@example.com"), system="woo")
    with hub_store.transaction() as conn:  # woo's customer rita is a known golden record
        links.save(conn, hub_id="g1", system="woo", entity_type="customer",
                   external_id="rita@example.com")  # fmt: skip
    assert to_backfill(hub_store, CHANNELS, erp="erp") == 8

    dry = backfill_orders(hub_store, CHANNELS, erp="erp", batch=3, dry_run=True)
    assert (dry.backfilled, stored(hub_store)) == (3, {})

    seen: list[int] = []
    report = backfill_orders(hub_store, CHANNELS, erp="erp", batch=3, progress=seen.append)
    assert seen == [3, 6, 8]
    shop, woo = report.channels["shop"], report.channels["woo"]
    assert (shop.backfilled, shop.cancelled, shop.pruned, shop.no_record, shop.unreadable) == (
        2, 1, 1, 1, 0,
    )  # fmt: skip
    assert (woo.backfilled, woo.pruned, woo.unreadable) == (1, 0, 3)
    assert set(woo.first_errors) == {"InvalidPayloadError"}  # the first of the kind only
    assert woo.first_errors["InvalidPayloadError"].startswith("order 5 (inbox record ")

    facts = stored(hub_store)
    assert set(facts) == {"h1", "h2", "h8"}
    assert (facts["h1"].goods_net, facts["h1"].customer_group, facts["h1"].state) == (
        D("20.00"), "Retail", "placed",
    )  # fmt: skip
    assert facts["h2"].state == "cancelled"
    assert facts["h2"].cancelled_at == datetime(2026, 3, 15, 9, tzinfo=UTC).timestamp()
    assert (facts["h8"].customer_id, facts["h8"].customer_group) == ("g1", None)
    assert (facts["h8"].erp_system, facts["h8"].erp_sale_id) == ("erp", "S8")

    again = backfill_orders(hub_store, CHANNELS, erp="erp", batch=3)
    assert again.backfilled == 0 and stored(hub_store) == facts


def test_an_error_while_writing_leaves_the_whole_batch_unwritten(
    hub_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in ("1", "2", "3"):
        placed(hub_store, f"h{n}", n)
        record(hub_store, n, body(n))
    real = module.backfill_facts

    def failing(conn: Any, hub_id: str, *args: Any, **kw: Any) -> bool:
        if hub_id == "h2":
            raise RuntimeError("the disk is full")
        return real(conn, hub_id, *args, **kw)

    monkeypatch.setattr(module, "backfill_facts", failing)
    with pytest.raises(RuntimeError, match="the disk is full"):
        backfill_orders(hub_store, CHANNELS, erp="erp", batch=10)
    assert stored(hub_store) == {}  # h1 was rolled back with h2
