"""fact_channel_fees holds the fees the ERP booked for an order (the channel-fees flow's
link) where it has them, and the configured estimate otherwise; a booking made after a
build reaches the next incremental build."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb

from causeway.config import CausewayConfig
from causeway.engine import links, order_facts
from causeway.engine.store import Store
from causeway.engine.warehouse_rows import BOOKED_FEE_REFUNDS, BOOKED_FEES
from causeway.warehouse.build import build
from tests.warehouse import hub_rows as seed
from tests.warehouse.conftest import TODAY
from tests.warehouse.erp_double import ErpDouble


def fees(path: Path) -> dict[str, Decimal]:
    with duckdb.connect(str(path), read_only=True) as con:
        found = con.execute("SELECT order_id, fee FROM fact_channel_fees ORDER BY 1").fetchall()
    return {order_id: fee for order_id, fee in found}


def book(store: Store, hub_id: str, fingerprint: str) -> None:
    """What the channel-fees flow writes when the ERP has booked the order's fees."""
    with store.transaction() as conn:
        links.save(
            conn,
            hub_id=hub_id,
            system="erp",
            entity_type=BOOKED_FEES,
            external_id=f"invoice-{hub_id}",
            fingerprint=fingerprint,
        )
        order_facts.touch(conn, hub_id)


def test_booked_fees_replace_the_estimate_and_reach_the_next_build(
    tmp_path: Path, hub_store: Store, settings: CausewayConfig, erp: ErpDouble
) -> None:
    # The configured estimate for "shop": 2 % of the total + 0.30 EUR.
    seed.put_order(hub_store, "shop:2001", lines=[("SKU-A", 1, "10.00")], sale=1)
    seed.put_order(hub_store, "shop:2002", lines=[("SKU-A", 2, "10.00")], sale=2)
    path = tmp_path / "warehouse.duckdb"
    build(hub_store, path, erp=erp, settings=settings, today=TODAY)
    assert fees(path) == {"2001": Decimal("0.6000"), "2002": Decimal("0.8000")}

    book(hub_store, "shop:2001", "3.45 EUR")
    book(hub_store, "shop:2002", "9.99 USD")  # not the order's currency: not its fee
    build(hub_store, path, erp=erp, settings=settings, today=TODAY)  # incremental
    assert fees(path) == {"2001": Decimal("3.4500"), "2002": Decimal("0.8000")}


def test_a_channel_without_an_estimate_has_rows_only_for_its_booked_orders(
    tmp_path: Path, hub_store: Store, settings: CausewayConfig, erp: ErpDouble
) -> None:
    seed.put_order(hub_store, "amazon:113-1", system="amazon", sale=1)
    seed.put_order(hub_store, "amazon:113-2", system="amazon", sale=2)
    book(hub_store, "amazon:113-1", "1.50 EUR")
    path = tmp_path / "warehouse.duckdb"
    build(hub_store, path, erp=erp, settings=settings, today=TODAY)
    assert fees(path) == {"113-1": Decimal("1.5000")}


def test_booked_refunds_of_fees_are_netted_in_the_next_build(
    tmp_path: Path, hub_store: Store, settings: CausewayConfig, erp: ErpDouble
) -> None:
    seed.put_order(hub_store, "amazon:113-1", system="amazon", sale=1)
    book(hub_store, "amazon:113-1", "3.00 EUR")
    path = tmp_path / "warehouse.duckdb"
    build(hub_store, path, erp=erp, settings=settings, today=TODAY)
    assert fees(path) == {"113-1": Decimal("3.0000")}

    # The order refunded: a credit note of -2.40 (3.00 given back, 0.60 kept), and one in
    # another currency than the order's, which is not its fee.
    with hub_store.transaction() as conn:
        for credit_note, fingerprint in (("note-1", "-2.40 EUR"), ("note-2", "-1.00 USD")):
            links.save(
                conn,
                hub_id="amazon:113-1",
                system="erp",
                entity_type=BOOKED_FEE_REFUNDS,
                external_id=credit_note,
                fingerprint=fingerprint,
            )
        order_facts.touch(conn, "amazon:113-1")
    build(hub_store, path, erp=erp, settings=settings, today=TODAY)  # incremental
    assert fees(path) == {"113-1": Decimal("0.6000")}
