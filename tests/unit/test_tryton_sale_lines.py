"""An order's Tryton sale lines, and what Tryton will compute for them, without a server.

`tryton_amounts` replays Tryton 8.2's arithmetic (line amounts and tax rounding, per line or
per document); the end-to-end tests (tests/tryton/test_tryton_amounts.py) check the same
orders against the real ERP. Here each mapping rule is a scenario, and a property test
feeds the mapping orders Shopify's own arithmetic could produce.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from causeway.connectors.shopify.mapping import order_from_rest
from causeway.connectors.tryton.rounding import Charge, TaxRounding, tryton_amounts, unit_prices
from causeway.connectors.tryton.sale_lines import Services, TrytonProduct, sale_lines
from causeway.connectors.tryton.taxes import TrytonTax
from causeway.errors import PermanentError
from causeway.model import Customer, Order, OrderLine, TaxLine
from causeway.model.amounts import order_amounts
from causeway.model.consistency import inconsistencies
from causeway.model.tax_map import TaxMap
from causeway_sandbox.shopify.pricing import Code, LinePrice, price_checkout
from tests.tryton_arithmetic import computed_by_tryton

D = Decimal
VAT = TrytonTax(1, "VAT 10%", D("0.10"))
STATE = TrytonTax(2, "State Tax 6%", D("0.06"))
TAXES = [VAT, STATE]
PRODUCTS = {
    sku: TrytonProduct(10 + i, sku, 1, "goods")
    for i, sku in enumerate(["WID-001", "GAD-001", "IPOD2008GREEN", "IPOD2008RED"])
}
SERVICES = Services(
    shipping=TrytonProduct(90, "SHIPPING", 1, "service"),
    discount=TrytonProduct(91, "DISCOUNT", 1, "service"),
    gift_card=TrytonProduct(92, "GIFTCARD", 1, "service"),
    tip=TrytonProduct(93, "TIP", 1, "service"),
)
NOW = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def shopify(lines: list[tuple[str | None, LinePrice]], **checkout: Any) -> Order:
    """The canonical order of a Shopify REST order priced by Shopify's checkout rules."""
    priced = price_checkout([p for _, p in lines], **checkout)
    payload = {
        "id": 1,
        "name": "#1001",
        "currency": "USD",
        "created_at": NOW.isoformat(),
        "updated_at": NOW.isoformat(),
        "line_items": [
            {
                "id": i + 1,
                "title": sku or "Gift card",
                "sku": sku,
                "price": str(p.price),
                "quantity": p.quantity,
                **amounts,
            }
            for i, ((sku, p), amounts) in enumerate(zip(lines, priced.lines, strict=True))
        ],
        "shipping_lines": [{"title": "Standard", **priced.shipping}],
        **priced.order,
    }
    return order_from_rest(payload)


def lines_of(order: Order, rounding: TaxRounding = "line", **options: Any) -> list[dict[str, Any]]:
    return sale_lines(order, PRODUCTS, TAXES, SERVICES, rounding=rounding, **options)


def lands(order: Order, rounding: TaxRounding = "line", **options: Any) -> list[dict[str, Any]]:
    """The order's sale lines, after checking Tryton's amounts are the store's to the cent."""
    assert inconsistencies(order) == []
    values = lines_of(order, rounding, **options)
    assert computed_by_tryton(values, TAXES, rounding) == order_amounts(order)
    return values


def plain(sku: str, price: str, quantity: int = 1, **extra: Any) -> tuple[str, LinePrice]:
    return sku, LinePrice(D(price), quantity, **extra)


# --- lines, one rule each ------------------------------------------------------------------


def test_a_product_line_carries_product_unit_price_and_taxes_explicitly() -> None:
    (line,) = lands(shopify([plain("WID-001", "10.00", 3)], tax_rate=D("0.10")))
    assert line == {
        "type": "line",
        "product": PRODUCTS["WID-001"].id,
        "description": "WID-001",
        "quantity": 3.0,
        "unit": 1,
        "unit_price": D("10.0000"),
        "taxes": [["add", [VAT.id]]],
    }


def test_a_line_discount_lowers_the_unit_price_so_the_line_amount_is_exact() -> None:
    (line,) = lands(shopify([plain("WID-001", "10.00", 3, discount=D("1.00"))]))
    assert line["unit_price"] == D("9.6667")  # 3 x 9.6667 = 29.0001, 29.00 in Tryton


def test_a_code_across_lines_is_carried_by_the_lines_it_was_allocated_to() -> None:
    order = shopify(
        [plain("IPOD2008GREEN", "199.00"), plain("IPOD2008RED", "199.00")],
        codes=[Code("TENOFF", "fixed_amount", D(10))],
        tax_rate=D("0.06"),
    )
    values = lands(order)
    assert [v["unit_price"] for v in values] == [D("194.0000"), D("194.0000")]
    assert all(v["product"] != SERVICES.discount.id for v in values)  # type: ignore[union-attr]


def test_a_tax_on_a_half_cent_is_rounded_up_as_the_store_did_not_to_even_as_tryton_would() -> None:
    # 12.25 x 10 % = 1.225: Shopify charged 1.23; at 12.2500 Tryton rounds half even to 1.22.
    order = shopify([plain("WID-001", "12.25")], tax_rate=D("0.10"))
    assert order.total_tax == D("1.23")
    (line,) = lands(order)
    assert line["unit_price"] == D("12.2501")  # the line is still 12.25, its tax 1.23


def test_taxes_included_become_net_prices_that_land_on_the_gross() -> None:
    order = shopify(
        [plain("WID-001", "19.99", 3), plain("GAD-001", "4.99")],
        tax_rate=D("0.10"),
        taxes_included=True,
    )
    values = lands(order)
    # What the customer paid, tax in it.
    assert computed_by_tryton(values, TAXES).total == D("64.96")


def test_a_tax_included_on_exactly_half_a_cent_is_carried_by_a_rounding_line() -> None:
    # 2.79 with 20 % in it: the store charged 0.465 -> 0.47 tax (half up) on 2.32. At any
    # price whose line is 2.32, Tryton rounds the tax half even to 0.46; at 2.3251 the tax
    # is 0.47 and the line 2.33: an untaxed rounding line takes the cent back.
    vat20 = TrytonTax(4, "VAT 20%", D("0.20"))
    order = shopify([plain("WID-001", "2.79")], tax_rate=D("0.20"), taxes_included=True)
    assert (order.total_tax, order.total) == (D("0.47"), D("2.79"))
    values = sale_lines(order, PRODUCTS, [vat20], SERVICES)
    assert [(v["description"], v["unit_price"], v["taxes"]) for v in values] == [
        ("WID-001", D("2.3251"), [["add", [4]]]),
        ("Rounding", D("-0.0100"), []),
    ]
    lines = [(1, v["unit_price"], (vat20,) if v["taxes"] else ()) for v in values]
    assert tryton_amounts(lines, "line") == (D("2.32"), {4: D("0.47")})
    # Without a DISCOUNT product there is no line to carry it: the sale is a cent off.
    no_discount = Services(**{**SERVICES.__dict__, "discount": None})
    (only,) = sale_lines(order, PRODUCTS, [vat20], no_discount)
    assert only["unit_price"] == D("2.3200")


def test_two_rates_on_different_lines_and_two_taxes_on_one() -> None:
    order = shopify(
        [plain("WID-001", "10.00", 3, tax_rate=D("0.10")), plain("GAD-001", "25.00")],
        tax_rate=D("0.06"),
    )
    first, second = lands(order)
    assert (first["taxes"], second["taxes"]) == ([["add", [VAT.id]]], [["add", [STATE.id]]])
    both = order.lines[0].model_copy(
        update={
            "tax_lines": (
                *order.lines[0].tax_lines,
                TaxLine(title="State", rate=D("0.06"), amount=D("1.80")),
            )
        }
    )
    two = order.model_copy(
        update={
            "lines": (both,),
            "total_tax": D("4.80"),
            "total": D("34.80"),
            "subtotal": D("30.00"),
            "tax_lines": (),
        }
    )
    (line,) = lines_of(two)
    assert line["taxes"] == [["add", [VAT.id, STATE.id]]]
    assert computed_by_tryton([line], TAXES).tax == D("4.80")


def test_shipping_is_a_service_line_after_its_discount_with_its_own_tax() -> None:
    order = shopify(
        [plain("WID-001", "10.00")],
        shipping_price=D("9.90"),
        shipping_taxable=True,
        codes=[Code("SHIPHALF", "shipping", D("4.95"))],
        tax_rate=D("0.10"),
    )
    _, ship = lands(order)
    assert (ship["product"], ship["description"], ship["unit_price"], ship["taxes"]) == (
        90,
        "Standard",
        D("4.9500"),
        [["add", [VAT.id]]],
    )


def test_shipping_made_free_by_a_code_adds_no_line() -> None:
    order = shopify(
        [plain("WID-001", "10.00")], shipping_price=D("4.90"), codes=[Code("FREESHIP", "shipping")]
    )
    assert [v["product"] for v in lands(order)] == [PRODUCTS["WID-001"].id]


def test_a_gift_card_sold_is_an_untaxed_gift_card_line_and_a_free_item_stays_at_zero() -> None:
    order = shopify(
        [
            plain("WID-001", "10.00"),
            (None, LinePrice(D("50.00"), 1, gift_card=True)),
            plain("GAD-001", "0.00"),
        ],
        tax_rate=D("0.10"),
    )
    _, card, free = lands(order)
    assert (card["product"], card["unit_price"], card["taxes"]) == (92, D("50.0000"), [])
    assert (free["product"], free["unit_price"]) == (PRODUCTS["GAD-001"].id, D("0.0000"))


def test_a_tip_is_an_untaxed_tip_line() -> None:
    order = shopify([plain("WID-001", "10.00")], tax_rate=D("0.10"), tip=D("3.00"))
    _, tip = lands(order)
    assert (tip["product"], tip["unit_price"], tip["taxes"]) == (93, D("3.0000"), [])


@pytest.mark.parametrize(
    ("service", "key"),
    [
        ("shipping", "shipping_sku"),
        ("gift_card", "gift_card_sku"),
        ("tip", "tip_sku"),
        ("discount", "discount_sku"),
    ],
)
def test_a_missing_service_product_names_the_setting(service: str, key: str) -> None:
    order = shopify(
        [plain("WID-001", "10.00"), (None, LinePrice(D("5"), 1, gift_card=True))],
        shipping_price=D("4.90"),
        tip=D("1"),
    ).model_copy(update={"total_discounts": D("1.00")})
    missing = Services(**{**SERVICES.__dict__, service: None})
    with pytest.raises(PermanentError, match=f"`{key}`"):
        sale_lines(order, PRODUCTS, TAXES, missing)


def order_level(lines: list[tuple[str, str, int, TaxLine | None]], discount: str) -> Order:
    """A channel that taxes per order and discounts the order without spreading it."""
    order_lines = tuple(
        OrderLine(
            external_id=str(i),
            sku=sku,
            title=sku,
            quantity=q,
            unit_price=D(price),
            tax_lines=(tax,) if tax else (),
        )
        for i, (sku, price, q, tax) in enumerate(lines)
    )
    gross = sum((line.gross for line in order_lines), D(0))
    return Order(
        external_id="7",
        number="#7",
        currency="USD",
        created_at=NOW,
        updated_at=NOW,
        customer=Customer(email="a@example.com"),
        lines=order_lines,
        subtotal=gross - D(discount),
        total_tax=sum((line.tax_lines[0].amount for line in order_lines if line.tax_lines), D(0)),
        total_discounts=D(discount),
        total=D(0),
    )


def test_a_discount_no_line_carries_is_shared_per_tax_group_and_taxed_like_it() -> None:
    vat = TaxLine(title="VAT", rate=D("0.10"), amount=D("2.70"))  # on 30 - 3 of the discount
    state = TaxLine(title="State", rate=D("0.06"), amount=D("0.42"))  # on 10 - 3 ... see below
    order = order_level([("WID-001", "10.00", 3, vat), ("GAD-001", "10.00", 1, state)], "4.00")
    values = lines_of(order)
    discounts = [v for v in values if v["product"] == 91]
    assert [(v["unit_price"], v["taxes"]) for v in discounts] == [
        (D("-3.0000"), [["add", [VAT.id]]]),
        (D("-1.0000"), [["add", [STATE.id]]]),
    ]
    assert [v["description"] for v in discounts] == ["Discount", "Discount"]


# --- the tax map ---------------------------------------------------------------------------


def test_the_tax_map_chooses_between_two_taxes_of_one_rate() -> None:
    other_state = TrytonTax(3, "KY State Tax", D("0.06"))
    order = shopify([plain("WID-001", "10.00")], tax_rate=D("0.06"), tax_title="Sales Tax")
    (line,) = sale_lines(
        order,
        PRODUCTS,
        [*TAXES, other_state],
        SERVICES,
        tax_map=TaxMap.parse({"Sales Tax": "KY State Tax"}),
    )
    assert line["taxes"] == [["add", [3]]]
    (by_rate,) = sale_lines(order, PRODUCTS, [*TAXES, other_state], SERVICES)
    assert by_rate["taxes"] == [["add", [STATE.id]]]  # the oldest of that rate


def test_a_tax_map_naming_a_tax_the_erp_lacks_or_of_another_rate_is_refused_with_the_fix() -> None:
    order = shopify([plain("WID-001", "10.00")], tax_rate=D("0.06"), tax_title="Sales Tax")
    with pytest.raises(PermanentError, match=r"has no customer tax of that name.*tax_map"):
        lines_of(order, tax_map=TaxMap.parse({"Sales Tax": "Nope"}))
    with pytest.raises(PermanentError, match=r"whose rate is 10%.*map it to a tax of 6%"):
        lines_of(order, tax_map=TaxMap.parse({"@ 6%": "VAT 10%"}))


def test_a_rate_neither_the_map_nor_the_erp_has_parks_the_order_with_both_fixes() -> None:
    order = shopify([plain("WID-001", "10.00")], tax_rate=D("0.075"), tax_title="GST")
    with pytest.raises(PermanentError) as caught:
        lines_of(order, tax_map=TaxMap.parse({"VAT": "VAT 10%"}))
    assert "no customer tax with rate 7.5%" in str(caught.value)
    assert "tax_map" in str(caught.value) and "causeway replay" in str(caught.value)


# --- Tryton's arithmetic -------------------------------------------------------------------


def test_tryton_rounds_half_even_per_line_or_once_per_group_of_taxes_and_sign() -> None:
    lines = [(1, D("1.05"), (VAT,)), (1, D("1.05"), (VAT,)), (1, D("1.05"), (VAT,))]
    assert tryton_amounts(lines, "line") == (D("3.15"), {VAT.id: D("0.30")})  # 0.10 x 3
    assert tryton_amounts(lines, "document") == (D("3.15"), {VAT.id: D("0.32")})  # 0.315
    with_discount = [*lines, (1, D("-0.05"), (VAT,))]  # its own group: negative amounts
    assert tryton_amounts(with_discount, "document")[1] == {VAT.id: D("0.32")}


def test_a_lines_two_taxes_keep_the_rounding_remainder_on_one_of_them() -> None:
    # 0.25 x 6 % = 0.015 twice: each rounds to 0.02, the line's 0.03 puts one cent back.
    assert tryton_amounts([(1, D("0.25"), (STATE, TrytonTax(4, "B", D("0.06"))))], "line")[1] == {
        STATE.id: D("0.01"),
        4: D("0.02"),
    }


def test_per_document_the_prices_move_the_groups_sum_onto_the_stores_rounding() -> None:
    # Taxes per order: the store rounded 10 % of 3 x 1.05 once, to 0.32 (half up).
    charges = [Charge(1, D("1.05"), (VAT,)) for _ in range(3)]
    prices = unit_prices(charges, {VAT.id: D("0.32")}, "document").unit_prices
    assert tryton_amounts([(1, p, (VAT,)) for p in prices], "document") == (
        D("3.15"),
        {VAT.id: D("0.32")},
    )


# --- every order Shopify could make lands to the cent --------------------------------------

AMOUNT = st.decimals(min_value=D("0.00"), max_value=D("250.00"), places=2)


@st.composite
def shopify_orders(draw: st.DrawFn) -> Order:
    rates = [D("0.06"), D("0.10"), D("0.0825"), D("0.20")]
    lines = []
    for i in range(draw(st.integers(1, 5))):
        price = draw(AMOUNT)
        quantity = draw(st.integers(1, 12))
        gift = draw(st.booleans()) and draw(st.booleans()) and draw(st.booleans())
        discount = draw(st.decimals(min_value=0, max_value=price * quantity, places=2))
        lines.append(
            (
                None if gift else f"SKU-{i}",
                LinePrice(
                    price,
                    quantity,
                    taxable=draw(st.booleans()) or True,
                    gift_card=gift,
                    tax_rate=draw(st.sampled_from([None, *rates[:2]])),
                    tax_title=None,
                    discount=discount if draw(st.booleans()) else D(0),
                ),
            )
        )
    codes = []
    if draw(st.booleans()):
        codes.append(Code("FIXED", "fixed_amount", draw(st.decimals(D("0.01"), D(60), places=2))))
    if draw(st.booleans()):
        codes.append(Code("PCT", "percentage", draw(st.decimals(D(1), D(50), places=1))))
    if draw(st.booleans()):
        codes.append(Code("SHIP", "shipping", draw(st.one_of(st.none(), AMOUNT))))
    return shopify(
        lines,
        codes=codes,
        shipping_price=draw(AMOUNT),
        shipping_taxable=draw(st.booleans()),
        tax_rate=draw(st.sampled_from(rates)),
        tax_title="Tax",
        taxes_included=draw(st.booleans()),
        tip=draw(st.sampled_from([D(0), D("2.50")])),
    )


RATES = [VAT, STATE, TrytonTax(3, "Sales tax", D("0.0825")), TrytonTax(4, "VAT 20%", D("0.20"))]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(order=shopify_orders())
def test_every_order_shopify_could_make_lands_to_the_cent_with_tax_rounded_per_line(
    order: Order,
) -> None:
    products = {sku: TrytonProduct(100 + i, sku, 1, "goods") for i, sku in enumerate(order.skus)}
    assert inconsistencies(order) == []
    values = sale_lines(order, products, RATES, SERVICES, rounding="line")
    assert computed_by_tryton(values, RATES) == order_amounts(order)
