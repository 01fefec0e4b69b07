"""An order's lines and amounts as the channel and the ERP have them, side by side, and
where a system's copy drifted from the hub's: what the console's order page marks."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from causeway.engine.portal_checkouts import CheckoutLine
from causeway.model import Customer, FinancialStatus, Order, OrderLine
from causeway.model.ports.erp import SaleInvoiceRead, SaleLineRead, SaleRead, SaleShipmentRead
from causeway.orders.drift import Drift, channel_drift, crm_drift, erp_drift, hub_tracking
from causeway.orders.side_by_side import compare_live, compare_recorded, lines_side
from causeway.orders.tracking import tracking_url

D = Decimal
STAMP = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def order(*lines: tuple[str, int, str], tax: str = "2.20", **changes: object) -> Order:
    goods = tuple(
        OrderLine(external_id=str(i), sku=sku, title=f"Item {sku}", quantity=q, unit_price=D(p))
        for i, (sku, q, p) in enumerate(lines)
    )
    subtotal = sum((line.net for line in goods), D(0))
    values: dict[str, object] = {
        "external_id": "450789469",
        "number": "#1001",
        "currency": "USD",
        "created_at": STAMP,
        "updated_at": STAMP,
        "customer": Customer(email="ann@example.com"),
        "lines": goods,
        "subtotal": subtotal,
        "total_tax": D(tax),
        "total": subtotal + D(tax),
        "financial_status": FinancialStatus.PAID,
    }
    return Order.model_validate(values | changes)


def sale(*lines: tuple[str, str, str], total: str = "22.20", **changes: object) -> SaleRead:
    values: dict[str, object] = {
        "sale_id": 17,
        "reference": "US-1001",
        "number": "SO17",
        "state": "processing",
        "currency": "USD",
        "untaxed_amount": D(total) - D("2.20"),
        "tax_amount": D("2.20"),
        "total_amount": D(total),
        "lines": tuple(
            SaleLineRead(
                sku=sku,
                description=sku,
                quantity=D(q),
                unit_price=D(a) / D(q),
                amount=D(a),
                service=sku == "SHIPPING",
            )
            for sku, q, a in lines
        ),
    }
    return SaleRead.model_validate(values | changes)


def test_lines_that_agree_are_not_marked_and_services_stand_apart() -> None:
    side = compare_live(
        order(("WID-001", 2, "10.00")), sale(("WID-001", "2", "20.00"), ("SHIPPING", "1", "0"))
    )
    assert not side.mismatched and side.erp_source == "live"
    assert [(r.sku, r.channel_quantity, r.erp_quantity, r.service) for r in side.lines] == [
        ("WID-001", 2, D(2), False),
        ("SHIPPING", None, D(1), True),
    ]
    assert [(r.part, r.channel, r.erp, r.differs) for r in side.amounts] == [
        ("untaxed", D("20.00"), D("20.00"), False),
        ("tax", D("2.20"), D("2.20"), False),
        ("total", D("22.20"), D("22.20"), False),
    ]


def test_a_quantity_a_missing_line_and_a_total_that_differ_are_marked() -> None:
    side = compare_live(
        order(("WID-001", 2, "10.00"), ("GAD-001", 1, "5.00")),
        sale(("WID-001", "1", "10.00"), ("SKU-9", "1", "17.20"), total="29.40"),
    )
    marked = {r.sku: (r.channel_quantity, r.erp_quantity) for r in side.lines if r.differs}
    assert marked == {"WID-001": (2, D(1)), "GAD-001": (1, None), "SKU-9": (None, D(1))}
    assert {r.part for r in side.amounts if r.differs} == {"untaxed", "total"}
    assert side.mismatched


def test_a_sale_in_another_currency_differs_in_every_part() -> None:
    side = compare_live(
        order(("WID-001", 2, "10.00")), sale(("WID-001", "2", "20.00"), currency="EUR")
    )
    assert all(r.differs for r in side.amounts)


def test_without_a_live_read_the_erp_side_is_what_the_hub_recorded() -> None:
    placed = order(("WID-001", 2, "10.00"))
    agreed = compare_recorded(placed, {"erp_total": "22.20", "currency": "USD"}, None)
    assert agreed.erp_source == "recorded" and not agreed.mismatched
    # Only the total was recorded: the other parts are unknown, never marked.
    assert [(r.part, r.erp) for r in agreed.amounts] == [
        ("untaxed", None),
        ("tax", None),
        ("total", D("22.20")),
    ]
    assert [(r.sku, r.erp_quantity, r.differs) for r in agreed.lines] == [("WID-001", None, False)]

    finding = {
        "channel": {"untaxed": "20.00", "tax": "2.20", "total": "22.20", "currency": "USD"},
        "erp": {"untaxed": "20.00", "tax": "2.00", "total": "22.00", "currency": "USD"},
        "tolerance": "0.01",
    }
    found = compare_recorded(placed, {"erp_total": "22.00"}, finding)
    assert {r.part for r in found.amounts if r.differs} == {"tax", "total"}

    nothing = compare_recorded(None, {}, None)
    assert nothing.erp_source is None and not nothing.mismatched and nothing.lines == ()


def test_a_portal_checkouts_lines_stand_for_the_channel_with_their_unit_prices() -> None:
    # A portal order has no channel copy: its checkout's untaxed lines are the channel side.
    checkout = lines_side(
        [
            CheckoutLine("WID-001", D("3"), D("9.00"), "Widget"),
            CheckoutLine("GAD-002", D("12"), D("20.00"), "Gadget"),
        ],
        "USD",
        "the portal checkout",
    )
    live = compare_live(
        checkout,
        sale(("WID-001", "3", "27.00"), ("GAD-002", "12", "240.00"), total="269.20"),
    )
    assert live.unit_prices and live.channel_source == "the portal checkout"
    assert [
        (r.sku, r.title, r.channel_quantity, r.channel_unit_price, r.channel_amount)
        for r in live.lines
    ] == [
        ("WID-001", "Widget", D(3), D("9.00"), D("27.00")),
        ("GAD-002", "Gadget", D(12), D("20.00"), D("240.00")),
    ]
    # The checkout states its untaxed amount only: tax and total are the ERP's alone.
    assert [(r.part, r.channel, r.erp, r.differs) for r in live.amounts] == [
        ("untaxed", D("267.00"), D("267.00"), False),
        ("tax", None, D("2.20"), False),
        ("total", None, D("269.20"), False),
    ]
    assert not live.mismatched

    fewer = compare_live(checkout, sale(("WID-001", "2", "18.00"), ("GAD-002", "12", "240.00")))
    assert [r.sku for r in fewer.lines if r.differs] == ["WID-001"]
    assert [r.part for r in fewer.amounts if r.differs] == ["untaxed"]

    # Recorded at placing: the ERP's total (with tax) only; nothing to compare it with.
    recorded = compare_recorded(checkout, {"erp_total": "269.20", "currency": "USD"}, None)
    assert [(r.part, r.channel, r.erp) for r in recorded.amounts] == [
        ("untaxed", D("267.00"), None),
        ("tax", None, None),
        ("total", None, D("269.20")),
    ]
    assert not recorded.mismatched and recorded.lines[0].channel_unit_price == D("9.00")


def test_the_channel_drifts_in_status_lines_total_and_tracking() -> None:
    stored = order(("WID-001", 2, "10.00"))
    live = order(
        ("WID-001", 1, "10.00"),
        financial_status=FinancialStatus.PARTIALLY_REFUNDED,
        fulfillment_status="fulfilled",
    )
    assert channel_drift(stored, stored, hub_tracking=["1Z1"], live_tracking=["1Z1"]) == []
    assert channel_drift(stored, live, hub_tracking=["1Z1"], live_tracking=[]) == [
        Drift("payment status", "paid", "partially_refunded"),
        Drift("fulfilment status", "-", "fulfilled"),
        Drift("total", "22.20", "12.20"),
        Drift("line WID-001", "2", "1"),
        Drift("tracking", "1Z1", "-"),
    ]
    assert channel_drift(None, live)[0].what == "order"


def test_the_erp_drifts_from_what_the_hub_recorded_of_its_sale() -> None:
    summary = {"erp_number": "SO17", "erp_state": "confirmed", "erp_total": "22.20"}
    now = sale(
        ("WID-001", "2", "20.00"),
        ("SHIPPING", "1", "0"),
        shipments=(
            SaleShipmentRead(shipment_id=3, number="CS3", state="done", tracking_number="1Z9"),
        ),
        invoices=(
            SaleInvoiceRead(invoice_id=5, number="INV5", state="posted", total_amount=D("22.20")),
        ),
    )
    stored = order(("WID-001", 2, "10.00"))
    assert erp_drift(summary, "17", now, hub_tracking=set(), stored=stored) == [
        Drift("state", "confirmed", "processing"),
        Drift("invoice state", "-", "posted"),
        Drift("tracking", "-", "1Z9"),
    ]
    same = summary | {"erp_state": "processing", "invoice_state": "posted"}
    assert erp_drift(same, "17", now, hub_tracking={"1Z9"}, stored=stored) == []
    assert erp_drift(summary, "17", None) == [Drift("sale", "SO17", "- (not found)")]
    assert erp_drift({}, None, now)[0].live == "SO17"  # a sale the hub does not know of
    assert erp_drift({}, None, None) == []


def test_the_crm_drifts_when_its_contact_is_not_the_one_the_hub_linked() -> None:
    assert crm_drift("51", "51", "ann@example.com") == []
    assert crm_drift("51", None, "ann@example.com") == [
        Drift("contact", "51", "- (none for ann@example.com)")
    ]
    assert crm_drift(None, "77", "ann@example.com") == [Drift("contact", "-", "77")]


def test_the_hub_ships_with_the_tracking_numbers_its_timeline_recorded() -> None:
    timeline = [
        {"milestone": "in_erp", "detail": {"erp_number": "SO17"}},
        {"milestone": "partially_shipped", "detail": {"tracking_number": "1Z1"}},
        {"milestone": "shipped", "detail": {"tracking_number": "1Z2"}},
        {"milestone": "shipped", "detail": {"tracking_number": None}},
    ]
    assert hub_tracking(timeline) == {"1Z1", "1Z2"}


def test_a_tracking_link_comes_from_the_fulfilment_then_the_operator_then_the_carrier() -> None:
    assert tracking_url("UPS", "1Z 999", given="https://track.example/1Z999") == (
        "https://track.example/1Z999"
    )
    assert tracking_url("ups", "1Z 999") == "https://www.ups.com/track?tracknum=1Z%20999"
    assert tracking_url("Canada-Post", "7023") == (
        "https://www.canadapost-postescanada.ca/track-reperage/en#/search?searchFor=7023"
    )
    mine = {"Acme Freight": "https://acme.example/t/{number}"}
    assert tracking_url("ACME freight", "A1", templates=mine) == "https://acme.example/t/A1"
    assert tracking_url("UPS", "1Z", templates={"UPS": "https://mine.example/{number}"}) == (
        "https://mine.example/1Z"
    )
    assert tracking_url("Pigeon Post", "42") is None
    assert tracking_url("UPS", None) is None
    assert tracking_url("UPS", "1Z", given="javascript:alert(1)") == (
        "https://www.ups.com/track?tracknum=1Z"
    )
