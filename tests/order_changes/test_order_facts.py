"""The warehouse's order facts (docs/order-facts.md): written when the ERP gets the sale,
rewritten on an edit, marked on a cancellation; handling anything again writes nothing.
The flows run against the store (SQLite and PostgreSQL) as in test_recorded_by_the_flows."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from causeway.customers.record import GoldenRecord
from causeway.engine import golden_records, links, order_facts
from causeway.engine.order_facts import StoredOrderFact, fact_of
from causeway.engine.portal_checkouts import Checkout, CheckoutLine
from causeway.engine.store import Store
from causeway.engine.warehouse_rows import order_facts_since
from causeway.flows.orders_to_erp.order_edits import OrderEdits
from causeway.model.customer import Customer
from causeway.model.ports.portal import PlacedPortalSale
from causeway.orders.facts import order_fact
from causeway.portal import order_record
from tests.order_changes.orders import PLACED_AT, cancellation, order, placed
from tests.order_changes.test_recorded_by_the_flows import Erp, cancellations

D = Decimal


def facts(store_: Store, hub_id: str) -> StoredOrderFact:
    with store_.read() as conn:
        found = fact_of(conn, hub_id)
    assert found is not None, "the order has no facts"
    return found


def changed(store_: Store, since: float = 0.0) -> list[dict[str, object]]:
    """What the warehouse build reads of the order facts changed since `since`."""
    return [row for page in order_facts_since(store_, since) for row in page]


def test_a_placed_order_has_its_facts(store: Store) -> None:
    hub_id = placed(store, order(("SKU-1", 1, "20.00"), ("SKU-2", 2, "40.00")))
    stored = facts(store, hub_id)
    fact = stored.fact
    assert (fact.system, fact.order_id, fact.number, fact.currency) == (
        "shop", "450789469", "#1001", "EUR",
    )  # fmt: skip
    assert (fact.erp_system, fact.erp_sale_id, fact.state) == ("erp", "7", "placed")
    assert fact.ordered_at == PLACED_AT.timestamp()
    assert (fact.goods_net, fact.total) == (D("100.00"), D("100.00"))
    assert [(x.line_no, x.sku, x.quantity, x.unit_price) for x in fact.lines] == [
        (1, "SKU-1", 1, D("20.00")), (2, "SKU-2", 2, D("40.00")),
    ]  # fmt: skip
    assert fact.customer_id is None  # nobody resolved rita yet: the build does later
    assert [f["hub_id"] for f in changed(store)] == [hub_id]


def test_a_known_customer_is_stored_as_the_golden_record(store: Store) -> None:
    with store.transaction() as conn:
        golden = golden_records.create(conn, GoldenRecord()).id
        links.save(conn, hub_id=golden, system="shop", entity_type="customer",
                   external_id="rita@example.com")  # fmt: skip
    hub_id = placed(store, order(("SKU-1", 1, "20.00")))
    assert facts(store, hub_id).fact.customer_id == golden


def test_an_edit_replaces_the_lines_and_amounts(store: Store) -> None:
    hub_id = placed(store, order(("SKU-1", 1, "20.00"), ("SKU-2", 1, "40.00")))
    first = facts(store, hub_id)
    edited_at = datetime(2026, 3, 14, 11, 0, tzinfo=UTC)
    edited = order(("SKU-1", 3, "20.00"), updated_at=edited_at)
    edits = OrderEdits(store, source="shop", target="erp", connector=Erp())
    with store.read() as conn:
        link = links.find(conn, "shop", "order", "450789469")
    assert link is not None
    edits.apply(edited, edited_at.timestamp(), link, "shop-1001")

    now = facts(store, hub_id)
    assert [(x.sku, x.quantity) for x in now.fact.lines] == [("SKU-1", 3)]
    assert (now.fact.goods_net, now.fact.total) == (D("60.00"), D("60.00"))
    assert now.changed_at > first.changed_at
    assert [f["hub_id"] for f in changed(store, first.changed_at + 1e-6)] == [now.hub_id]

    edits.apply(edited, edited_at.timestamp(), link, "shop-1001")  # a retried job
    assert facts(store, hub_id) == now  # nothing written: the watermark stays


def test_a_cancellation_marks_the_facts_once(store: Store) -> None:
    hub_id = placed(store, order(("SKU-1", 1, "20.00"), ("SKU-2", 1, "40.00")))
    before = facts(store, hub_id)
    flow, channel = cancellations(store, Erp())
    flow.cancel(channel, cancellation())

    after = facts(store, hub_id)
    assert after.fact.state == "cancelled"
    assert after.fact.cancelled_at == datetime(2026, 3, 15, 9, 0, tzinfo=UTC).timestamp()
    assert after.fact.lines == before.fact.lines  # what was ordered stays known
    assert after.changed_at > before.changed_at

    flow.cancel(channel, cancellation())  # redelivered
    assert facts(store, hub_id) == after


def test_a_replayed_placement_writes_nothing_twice(store: Store) -> None:
    placed_order = order(("SKU-1", 1, "20.00"))
    hub_id = placed(store, placed_order)
    first = facts(store, hub_id)
    placed(store, placed_order)  # the same record_placed again (a replayed job)
    assert facts(store, hub_id) == first
    assert len(changed(store)) == 1


def test_the_warehouse_pages_through_the_changes_in_order(store: Store) -> None:
    one = order(("SKU-1", 1, "20.00"))
    with store.transaction() as conn:
        for hub_id, at in (("b", 10.0), ("a", 10.0), ("c", 11.0)):
            fact = order_fact(one.model_copy(update={"external_id": hub_id}), system="shop",
                              customer_id=None, customer_group=None, erp_system="erp",
                              erp_sale_id=None)  # fmt: skip
            assert order_facts.store(conn, hub_id, fact, now=at)
    pages = list(order_facts_since(store, 0.0, page=2))
    assert [[(f["hub_id"], f["changed_at"]) for f in p] for p in pages] == [
        [("a", 10.0), ("b", 10.0)], [("c", 11.0)],
    ]  # fmt: skip
    assert pages[1][0]["lines"][0]["sku"] == "SKU-1"
    assert list(order_facts_since(store, 11.5)) == []


def test_a_guest_without_email_has_no_customer(store: Store) -> None:
    guest = order(("SKU-1", 1, "20.00")).model_copy(update={"customer": Customer()})
    hub_id = placed(store, guest)
    assert facts(store, hub_id).fact.customer_id is None


def portal_checkout() -> Checkout:
    return Checkout(
        id=5, company_id=1, user_id=1, idempotency_key="k1", reference="portal-5",
        state="placed", lines=(
            CheckoutLine("WID-001", D(3), D("9.00"), "Widget"),
            CheckoutLine("GAD-002", D(2), D("20.00"), "Gadget"),
        ),
        shipment_address_id=None, po_number="PO-9", currency="USD", total=D("67.00"),
        hold_reason=None, created_at=PLACED_AT.timestamp(), decided_by=None, decided_at=None,
        decision_note=None, sale_id=None, erp_number=None, error=None,
    )  # fmt: skip


def test_a_portal_order_has_its_facts_with_the_companys_golden_customer(store: Store) -> None:
    sale = PlacedPortalSale(
        sale_id=41, reference="portal-5", number="SO41", state="processing", currency="USD",
        untaxed_amount=D("67.00"), tax_amount=D("6.70"), total_amount=D("73.70"),
    )  # fmt: skip
    with store.transaction() as conn:
        golden = golden_records.create(conn, GoldenRecord()).id
        links.save(conn, hub_id=golden, system="erp", entity_type="customer", external_id="101")
        hub_id = order_record.placed(conn, portal_checkout(), sale, "erp", party_id=101)
    fact = facts(store, hub_id).fact
    assert (fact.system, fact.order_id, fact.customer_id, fact.erp_sale_id) == (
        "portal", "portal-5", golden, "41",
    )  # fmt: skip
    assert (fact.goods_net, fact.tax, fact.total, fact.shipping_charged) == (
        D("67.00"), D("6.70"), D("73.70"), D(0),
    )  # fmt: skip
    # The ERP's tax shared over the lines by amount: 27.00 and 40.00 of 67.00.
    assert [(x.sku, x.quantity, x.tax) for x in fact.lines] == [
        ("WID-001", 3, D("2.7000")), ("GAD-002", 2, D("4.0000")),
    ]  # fmt: skip
    assert sum(x.tax for x in fact.lines) == fact.tax


def test_a_customer_resolved_later_is_written_once(store: Store) -> None:
    hub_id = placed(store, order(("SKU-1", 1, "20.00")))
    first = facts(store, hub_id)
    with store.transaction() as conn:
        assert order_facts.set_customer(conn, hub_id, "golden-1", now=first.changed_at + 1)
        assert not order_facts.set_customer(conn, hub_id, "golden-1", now=first.changed_at + 2)
        assert not order_facts.set_customer(conn, "no-such-order", "golden-1")
    now = facts(store, hub_id)
    assert (now.fact.customer_id, now.changed_at) == ("golden-1", first.changed_at + 1)
