"""Portal orders placed in the real Tryton: priced by the party's price list, exactly once,
refused over the credit limit unless approved, and quantity rules in words a buyer reads."""

from __future__ import annotations

from decimal import Decimal

import pytest

from causeway.connectors.tryton.connector import TrytonConnector
from causeway.errors import PermanentError, UnknownSkuError
from causeway.model.ports.portal import CreditLimitExceeded, PortalSale, PortalSaleLine

ACME, BIRCH = "Acme Retail Ltd", "Birch Supplies"


def party(tryton: TrytonConnector, name: str) -> int:
    (found,) = tryton.rpc.model("party.party", "search", [("name", "=", name)])
    return int(found)


def sale(reference: str, party_id: int, *lines: tuple[str, str], **more: object) -> PortalSale:
    return PortalSale(
        reference=reference,
        party_id=party_id,
        lines=tuple(PortalSaleLine(sku=sku, quantity=Decimal(q)) for sku, q in lines),
        **more,  # type: ignore[arg-type]
    )


def sale_lines(tryton: TrytonConnector, reference: str) -> dict[str, Decimal]:
    records = tryton.rpc.search_read(
        "sale.line", [("sale.reference", "=", reference)], ["product.code", "unit_price"]
    )
    return {r["product."]["code"]: r["unit_price"] for r in records}


def test_the_price_list_prices_each_line_with_its_quantity_break(
    tryton: TrytonConnector, unique: str
) -> None:
    # Acme wholesale: 0.9 x list price, 0.8 from 10 units (list: WID-001 10.00, GAD-002 25.00).
    acme = party(tryton, ACME)
    placed = tryton.place_portal_sale(
        sale(f"pt-{unique}", acme, ("WID-001", "3"), ("GAD-002", "12"), po_number="PO-77")
    )
    assert placed.state in ("confirmed", "processing")
    assert placed.number
    assert sale_lines(tryton, f"pt-{unique}") == {
        "WID-001": Decimal("9.0000"),
        "GAD-002": Decimal("20.0000"),
    }
    assert placed.untaxed_amount == Decimal("267.00")
    (record,) = tryton.rpc.read("sale.sale", [placed.sale_id], ["description", "price_list"])
    assert record["description"] == "PO-77"
    assert record["price_list"] is not None


def test_placing_twice_makes_one_sale(tryton: TrytonConnector, unique: str) -> None:
    order = sale(f"pt-{unique}", party(tryton, ACME), ("WID-001", "2"))
    first = tryton.place_portal_sale(order)
    again = tryton.place_portal_sale(order)
    assert again.sale_id == first.sale_id and again.number == first.number
    found = tryton.rpc.model("sale.sale", "search", [("reference", "=", f"pt-{unique}")])
    assert len(found) == 1


def test_a_retry_finishes_a_quotation_left_by_a_crash(tryton: TrytonConnector, unique: str) -> None:
    order = sale(f"pt-{unique}", party(tryton, ACME), ("WID-001", "2"))
    values = tryton.portal_sales._values(order)
    (sale_id,) = tryton.rpc.create("sale.sale", [values])
    tryton.rpc.button("sale.sale", "quote", [sale_id])  # the crash: quoted, never confirmed
    placed = tryton.place_portal_sale(order)
    assert placed.sale_id == sale_id
    assert placed.state in ("confirmed", "processing")


def test_over_birchs_credit_limit_the_sale_stays_a_quotation_until_approved(
    tryton: TrytonConnector, unique: str
) -> None:
    birch = party(tryton, BIRCH)
    position = tryton.credit_position(birch)
    assert position.limit == Decimal("300") and position.currency == "USD"
    # Birch wholesale: 0.95 x 10.00 = 9.50 a widget; 40 of them is 380.00 untaxed.
    order = sale(f"pt-{unique}", birch, ("WID-001", "40"))
    with pytest.raises(CreditLimitExceeded, match="credit limit"):
        tryton.place_portal_sale(order)
    (record,) = tryton.rpc.search_read("sale.sale", [("reference", "=", f"pt-{unique}")], ["state"])
    assert record["state"] == "quotation"
    placed = tryton.place_portal_sale(order.model_copy(update={"credit_approved": True}))
    assert placed.sale_id == record["id"]
    assert placed.state in ("confirmed", "processing")
    # The confirmed sale now counts against Birch's credit (sale_credit_limit).
    assert tryton.credit_position(birch).used >= position.used + Decimal("380.00")


def test_quantity_rules_and_unknown_skus_are_refused_with_a_reason(
    tryton: TrytonConnector, unique: str
) -> None:
    acme = party(tryton, ACME)
    with pytest.raises(PermanentError, match=r"GAD-002: order at least 2 \(you ordered 1\)"):
        tryton.place_portal_sale(sale(f"pt-{unique}-a", acme, ("GAD-002", "1")))
    with pytest.raises(PermanentError, match=r"GAD-002: order a multiple of 2"):
        tryton.place_portal_sale(sale(f"pt-{unique}-b", acme, ("GAD-002", "5")))
    with pytest.raises(UnknownSkuError):
        tryton.place_portal_sale(sale(f"pt-{unique}-c", acme, ("NOPE-404", "1")))
    assert not tryton.rpc.model("sale.sale", "search", [("reference", "like", f"pt-{unique}%")])


def test_another_partys_address_is_refused(tryton: TrytonConnector, unique: str) -> None:
    acme, birch = party(tryton, ACME), party(tryton, BIRCH)
    # Birch may have more than one by now (other tests add some): any of them will do.
    birch_address, *_ = tryton.rpc.model("party.address", "search", [("party", "=", birch)])
    with pytest.raises(PermanentError, match="not one of your company's addresses"):
        tryton.place_portal_sale(
            sale(f"pt-{unique}", acme, ("WID-001", "1"), shipment_address_id=birch_address)
        )


def test_a_quote_prices_like_the_sale_and_writes_nothing(
    tryton: TrytonConnector, unique: str
) -> None:
    acme = party(tryton, ACME)
    quote = tryton.quote_portal_sale(
        sale(f"pt-{unique}", acme, ("WID-001", "3"), ("GAD-002", "12"))
    )
    assert quote.currency == "USD"
    assert [(q.sku, q.unit_price) for q in quote.lines] == [
        ("WID-001", Decimal("9.0000")),
        ("GAD-002", Decimal("20.0000")),
    ]
    assert quote.untaxed_amount == Decimal("267.00")
    assert not tryton.rpc.model("sale.sale", "search", [("reference", "=", f"pt-{unique}")])
    (address,) = tryton.delivery_addresses(acme)
    assert address.name == ACME


def test_a_quote_costs_two_calls_and_one_more_per_further_price_break(
    tryton: TrytonConnector, unique: str
) -> None:
    """The buyer waits for these at checkout: the party (with its addresses and its price
    list's breaks), then the products with their prices, two calls whatever the number of
    lines; a line in a further break costs one call more."""
    acme = party(tryton, ACME)
    tryton.quote_portal_sale(sale(f"pt-{unique}", acme, ("WID-001", "1")))  # logged in

    def calls(*lines: tuple[str, str]) -> int:
        before = tryton.rpc.calls
        tryton.quote_portal_sale(sale(f"pt-{unique}", acme, *lines))
        return tryton.rpc.calls - before

    assert calls(("WID-001", "1")) == 2
    assert calls(("WID-001", "1"), ("GAD-001", "3"), ("GAD-002", "4")) == 2
    # Acme's price list has a break at 10 units: 12 gadgets are priced apart.
    assert calls(("WID-001", "1"), ("GAD-002", "12")) == 3


def test_a_quote_with_the_credit_reads_it_in_the_same_calls(
    tryton: TrytonConnector, unique: str
) -> None:
    birch = party(tryton, BIRCH)
    order = sale(f"pt-{unique}", birch, ("WID-001", "1"))
    tryton.quote_portal_sale(order)  # logged in
    before = tryton.rpc.calls
    quote = tryton.quote_portal_sale(order, with_credit=True)
    assert tryton.rpc.calls - before == 2
    assert quote.credit == tryton.credit_position(birch)
    assert quote.credit is not None and quote.credit.limit == Decimal("300")
    assert tryton.quote_portal_sale(order).credit is None
