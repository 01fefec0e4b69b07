"""The search box on SQLite and PostgreSQL: the index is kept by the same writes that
place, ship and invoice an order or merge a customer, and a query finds them, exact
matches first, whatever is typed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Connection, delete, select, text

from causeway.config.customers import CustomerSettings
from causeway.customers import merges
from causeway.customers.resolve import resolve
from causeway.engine import links, search, timeline
from causeway.engine.schema import metadata, search_entries, search_terms
from causeway.engine.store import MIGRATIONS, Store
from causeway.model import Customer, Order, OrderLine
from causeway.orders.record import record_placed, update_order

SETTINGS = CustomerSettings()
STAMP = datetime(2026, 12, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Sale:
    sale_id: int
    number: str
    state: str = "confirmed"
    total_amount: Decimal = Decimal("42.00")


def an_order(external_id: str, number: str, email: str, *skus: str) -> Order:
    return Order(
        external_id=external_id,
        number=number,
        currency="USD",
        created_at=STAMP,
        updated_at=STAMP,
        customer=Customer(email=email),
        lines=tuple(
            OrderLine(external_id=sku, sku=sku, title=sku, quantity=1, unit_price=Decimal(21))
            for sku in skus
        ),
        subtotal=Decimal(42),
        total_tax=Decimal(0),
        total=Decimal(42),
    )


def place(conn: Connection, system: str, order: Order, sale: Sale, hub_id: str) -> None:
    """What orders-to-erp writes when the ERP took the order."""
    record_placed(
        conn,
        hub_id,
        order=order,
        source=system,
        source_type="order",
        reference=f"US-{order.number.lstrip('#')}",
        sale=sale,
        target="erp",
        state="in_erp",
        received_at=STAMP.timestamp(),
        sale_fingerprint=sale.state,
    )


def ship(conn: Connection, hub_id: str, tracking: str, carrier: str = "UPS") -> None:
    """What fulfillments-to-channels writes for a done shipment."""
    links.save(conn, hub_id=hub_id, system="erp", entity_type="shipment", external_id="77")
    timeline.record(
        conn,
        hub_id,
        "shipped",
        detail={"shipment": "SHIP-0077", "carrier": carrier, "tracking_number": tracking},
    )


def invoice(conn: Connection, hub_id: str, number: str) -> None:
    """What payments-and-invoices writes for a posted invoice."""
    links.save(conn, hub_id=hub_id, system="erp", entity_type="invoice", external_id="5")
    update_order(conn, hub_id, invoice_number=number, invoice_state="posted")
    timeline.record(conn, hub_id, "invoiced", detail={"invoice": number})


@pytest.fixture
def shop(store: Store) -> Store:
    """Ada's order #1001 placed, shipped and invoiced; Bob's #1002 only placed."""
    with store.transaction() as conn:
        place(
            conn,
            "shop",
            an_order("450789469", "#1001", "Ada@Example.com", "WID-001"),
            Sale(17, "SO0017"),
            "hub-ada",
        )
        place(
            conn,
            "shop",
            an_order("450789470", "#1002", "bob@example.com", "WID-002"),
            Sale(18, "SO0018"),
            "hub-bob",
        )
        ship(conn, "hub-ada", "1Z999AA10123456784")
        invoice(conn, "hub-ada", "INV-0042")
    return store


def found(store: Store, query: str) -> list[tuple[str, str, str, bool]]:
    return [(h.kind, h.field, h.url, h.exact) for h in search.search(store, query)]


ADA = "/console/orders/shop/450789469"


def test_an_order_is_found_by_its_number_with_or_without_the_hash(shop: Store) -> None:
    assert found(shop, "#1001") == found(shop, "1001") == [("order", "number", ADA, True)]


def test_an_order_is_found_by_its_id_its_erp_sale_and_its_reference(shop: Store) -> None:
    assert found(shop, "450789469") == [("order", "id", ADA, True)]
    assert found(shop, "so0017") == [("order", "ERP sale", ADA, True)]
    assert found(shop, "US-1001") == [("order", "reference", ADA, True)]


def test_the_customer_email_finds_the_order_whatever_its_case(shop: Store) -> None:
    assert found(shop, "ADA@example.COM") == [("order", "email", ADA, True)]


def test_shipping_makes_the_tracking_number_find_the_order(shop: Store) -> None:
    hits = search.search(shop, "1Z999AA10123456784")
    assert [(h.kind, h.field, h.url, h.exact) for h in hits] == [
        ("document", "tracking", ADA, True)
    ]
    assert hits[0].shown == "1Z999AA10123456784 (UPS)"
    assert "#1001" in hits[0].label
    assert found(shop, "ship-0077") == [("document", "shipment", ADA, True)]
    # A prefix is enough, and comes after exact matches.
    assert found(shop, "1z999") == [("document", "tracking", ADA, False)]


def test_invoicing_makes_the_invoice_number_find_the_order(shop: Store) -> None:
    assert found(shop, "inv-0042") == [("document", "invoice", ADA, True)]


def test_a_sku_sold_opens_its_product(shop: Store) -> None:
    assert found(shop, "wid-001") == [("product", "SKU", "/console/products/WID-001", True)]


def test_exact_matches_come_before_prefixes(shop: Store) -> None:
    with shop.transaction() as conn:
        place(
            conn,
            "woo",
            an_order("10010", "#10010", "carol@example.com"),
            Sale(19, "SO0019"),
            "hub-carol",
        )
    hits = search.search(shop, "1001")
    assert [(h.url, h.exact) for h in hits][:2] == [
        (ADA, True),
        ("/console/orders/woo/10010", False),
    ]


def test_a_customer_is_found_by_email_phone_and_name_and_a_merge_moves_them(store: Store) -> None:
    with store.transaction() as conn:
        ada = resolve(
            conn,
            "shop",
            "c1",
            {"email": "Ada@Example.com", "first_name": "Ada", "last_name": "Lovelace"},
            1.0,
            SETTINGS,
        )
        other = resolve(
            conn,
            "crm",
            "901",
            {"phone": "(415) 555-0132", "first_name": "Augusta", "last_name": "King"},
            2.0,
            SETTINGS,
        )
    assert ada.customer_id != other.customer_id
    page = f"/console/customers/{ada.customer_id}"
    assert found(store, "ada@example.com")[0] == ("customer", "email", page, True)
    assert found(store, "lovelace ada")[0] == ("customer", "name", page, True)
    assert found(store, "lovel")[0] == ("customer", "name", page, False)
    assert found(store, "+1 415 555 0132")[0][:2] == ("customer", "phone")

    with store.transaction() as conn:
        merged = merges.merge(conn, ada.customer_id, other.customer_id, "same person", SETTINGS)
    # Her phone and her CRM id now find the survivor; the merged record is gone.
    assert found(store, "415-555-0132") == [("customer", "phone", page, True)]
    assert found(store, "901") == [("customer", "id", page, True)]
    assert found(store, "augusta")[0][2] == page

    with store.transaction() as conn:
        merges.undo(conn, merged.merge_id, SETTINGS)
    assert found(store, "415-555-0132")[0][2] == f"/console/customers/{other.customer_id}"


@pytest.mark.parametrize(
    "odd",
    [
        "",
        "\x00",
        "ada\x00@example.com",
        "x" * 10_000,
        "' OR 1=1 --",
        "'; DROP TABLE search_terms; --",
        "%",
        "_",
        "%%__",
        "\\",
        "1001%",
        "#",
        "\ud800",
        "\U0010ffff",
        "🦆",
        "a\u0000%_\\'\"",
    ],
)
def test_odd_input_never_raises_and_never_matches_by_wildcard(shop: Store, odd: str) -> None:
    hits = search.search(shop, odd)
    assert hits == [] or all(h.url.startswith("/console/") for h in hits)
    assert found(shop, "%") == found(shop, "_") == []
    with shop.read() as conn:
        assert conn.execute(select(search_terms)).first() is not None  # nothing dropped


def test_a_nul_inside_a_real_query_is_ignored(shop: Store) -> None:
    assert found(shop, "#10\x0001") == [("order", "number", ADA, True)]


def test_the_index_serves_exact_and_prefix_lookups(store: Store) -> None:
    """EXPLAIN: both lookups are ranges on the primary key, never a scan."""
    exact = "SELECT term FROM search_terms WHERE term = :t LIMIT 20"
    prefix = "SELECT term FROM search_terms WHERE term > :t AND term < :u ORDER BY term LIMIT 20"
    with store.read() as conn:
        for query in (exact, prefix):
            params = {"t": "abc", "u": "abd"}
            if store.is_sqlite:
                plan = " ".join(
                    str(r[-1]) for r in conn.execute(text("EXPLAIN QUERY PLAN " + query), params)
                )
                assert "SEARCH search_terms USING PRIMARY KEY" in plan, plan
            else:
                conn.execute(text("SET enable_seqscan = off"))  # a tiny table: force the choice
                plan = " ".join(r[0] for r in conn.execute(text("EXPLAIN " + query), params))
                assert (
                    "Index Only Scan using search_terms_pkey" in plan
                    or "Index Scan using search_terms_pkey" in plan
                ), plan
                assert "Sort" not in plan, plan  # the index's own order: "C" collation


def test_the_migration_backfills_what_the_store_already_holds(shop: Store) -> None:
    with shop.transaction() as conn:
        resolve(
            conn, "shop", "c1", {"email": "dora@example.com", "last_name": "Dora"}, 1.0, SETTINGS
        )
        conn.execute(delete(search_terms))
        conn.execute(delete(search_entries))
    assert found(shop, "1001") == []

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with shop.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0013")
        command.upgrade(config, "head")

    assert found(shop, "#1001") == [("order", "number", ADA, True)]
    assert found(shop, "1Z999AA10123456784")[0][:2] == ("document", "tracking")
    assert found(shop, "inv-0042")[0][:2] == ("document", "invoice")
    assert found(shop, "450789470")[0][2] == "/console/orders/shop/450789470"
    assert found(shop, "dora@example.com")[0][:2] == ("customer", "email")


def test_migration_0014_creates_the_tables_schema_py_describes(store: Store) -> None:
    with store.read() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert [d for d in diff if re.search(r"\bsearch_(terms|entries)\b", str(d))] == []


def test_the_backfill_builds_the_same_index_the_writes_kept(shop: Store) -> None:
    """What migration 0014 fills in, in batches, is term for term what the engine wrote
    as each order, link and customer came. Except the SKUs of orders placed before the
    index existed: a summary does not name them (the SKUs that stock-to-channels and
    catalog-to-channels publish are linked, and come back)."""
    with shop.transaction() as conn:
        resolve(
            conn, "shop", "c1", {"email": "dora@example.com", "last_name": "Dora"}, 1.0, SETTINGS
        )
        resolve(
            conn, "erp", "p7", {"email": "eve@example.com", "phone": "+4930123456"}, 2.0, SETTINGS
        )

    def snapshot() -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
        with shop.read() as conn:
            terms = {tuple(r) for r in conn.execute(select(search_terms)) if r.kind != "product"}
            entries = {
                (r.kind, r.key, r.label, r.system, r.external_id)
                for r in conn.execute(select(search_entries))
                if r.kind != "product"
            }
        return terms, entries

    kept = snapshot()
    assert kept[0] and kept[1]
    with shop.transaction() as conn:
        conn.execute(delete(search_terms))
        conn.execute(delete(search_entries))
        search.backfill(conn, batch=2)  # several batches of each kind
    assert snapshot() == kept


def test_where_the_orders_found_stand_is_read_in_one_go(shop: Store) -> None:
    """A results list says beside each order where it stands (engine/timeline.py)."""
    assert timeline.statuses(shop, ["hub-ada", "hub-bob", "hub-nobody"]) == {
        "hub-ada": "invoiced",
        "hub-bob": "in_erp",
    }
    assert timeline.statuses(shop, []) == {}
