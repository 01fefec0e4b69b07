"""What the hub keeps of an order for the warehouse (orders/facts.py): every amount tax
excluded, whether the channel's prices include tax or not; gift cards are not goods."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from causeway.model import Order
from causeway.model.customer import Customer
from causeway.model.order import Attribution, OrderLine, ShippingLine, TaxLine
from causeway.orders.facts import order_fact

D = Decimal
AT = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)


def vat(amount: str, rate: str = "0.20") -> tuple[TaxLine, ...]:
    return (TaxLine(title="VAT", rate=D(rate), amount=D(amount)),)


def line(
    sku: str, qty: int, price: str, *, discount: str = "0", tax: str | None = None, **kw: object
) -> OrderLine:
    return OrderLine(
        external_id=sku, sku=sku, title=f"The {sku}", quantity=qty, unit_price=D(price),
        discount=D(discount), tax_lines=vat(tax) if tax else (), **kw,  # type: ignore[arg-type]
    )  # fmt: skip


def order(*lines: OrderLine, included: bool, shipping: ShippingLine | None = None,
          total_tax: str = "0", total: str = "0", **kw: object) -> Order:  # fmt: skip
    return Order(
        external_id="1", number="#1001", currency="EUR", created_at=AT, updated_at=AT,
        customer=Customer(email="rita@example.com"), lines=lines,
        shipping_lines=(shipping,) if shipping else (), taxes_included=included,
        subtotal=sum((x.net for x in lines), D(0)), total_tax=D(total_tax), total=D(total),
        **kw,  # type: ignore[arg-type]
    )  # fmt: skip


def fact_of(o: Order):  # type: ignore[no-untyped-def]
    return order_fact(
        o, system="shop", customer_id="c1", customer_group="Retail", erp_system="erp",
        erp_sale_id="7",
    )  # fmt: skip


def test_prices_without_tax_are_kept_as_the_channel_gave_them() -> None:
    fact = fact_of(
        order(
            line("MUG", 2, "20.00", discount="4.00", tax="7.20"),
            included=False,
            shipping=ShippingLine(title="Post", price=D("5.00"), discount=D("1.00")),
            total_tax="7.20",
            total="47.20",
        )
    )
    (mug,) = fact.lines
    assert (mug.line_no, mug.sku, mug.title, mug.quantity) == (1, "MUG", "The MUG", 2)
    assert (mug.unit_price, mug.discount, mug.tax, mug.net) == (
        D("20.00"), D("4.00"), D("7.20"), D("36.00"),
    )  # fmt: skip
    assert (fact.goods_net, fact.discounts, fact.shipping_charged) == (D(36), D(5), D(4))
    assert (fact.tax, fact.total, fact.currency) == (D("7.20"), D("47.20"), "EUR")
    assert fact.ordered_at == AT.timestamp() and fact.state == "placed"
    assert (fact.customer_id, fact.customer_group, fact.erp_sale_id) == ("c1", "Retail", "7")


def test_prices_with_tax_are_stored_without_it() -> None:
    # 120.00 incl. 20 % VAT, 12.00 off: the customer paid 108.00, of which 18.00 is tax.
    fact = fact_of(
        order(
            line("LAMP", 1, "120.00", discount="12.00", tax="18.00"),
            included=True,
            shipping=ShippingLine(title="Post", price=D("6.00"), tax_lines=vat("1.00")),
            total_tax="19.00",
            total="114.00",
        )
    )
    (lamp,) = fact.lines
    assert (lamp.unit_price, lamp.discount, lamp.tax) == (D("100.0000"), D("10.0000"), D(18))
    assert lamp.net == D(90)
    assert (fact.goods_net, fact.discounts, fact.shipping_charged) == (D(90), D(10), D(5))
    assert (fact.tax, fact.total, fact.taxes_included) == (D(19), D(114), True)


def test_goods_net_is_exact_where_a_unit_price_must_be_rounded() -> None:
    # 3 x 10.00 incl. 7 % VAT: 1.96 tax on 30.00, so 28.04 net, 9.34666.. a unit.
    fact = fact_of(order(line("PEN", 3, "10.00", tax="1.96"), included=True, total="30.00"))
    (pen,) = fact.lines
    assert pen.unit_price == D("9.3467")
    assert abs(pen.net - D("28.04")) < D("0.0001") * 3
    assert fact.goods_net == D("28.04")


def test_a_line_discounted_to_nothing_goes_by_its_tax_rate() -> None:
    fact = fact_of(order(line("GIFT-MUG", 1, "12.00", discount="12.00", tax="0.00"), included=True))
    (mug,) = fact.lines
    assert (mug.unit_price, mug.discount, mug.net) == (D("10.0000"), D("10.0000"), D(0))


def test_gift_cards_are_not_goods_and_attribution_is_kept() -> None:
    fact = fact_of(
        order(
            line("MUG", 1, "20.00"),
            line("CARD", 1, "50.00", gift_card=True),
            included=False,
            total="70.00",
            attribution=Attribution(
                source_name="web",
                landing_site="/spring?utm_campaign=spring",
                referring_site="https://news.example",
                landing_site_ref="spring",
            ),
        )
    )
    assert [x.sku for x in fact.lines] == ["MUG"]
    assert (fact.goods_net, fact.total) == (D(20), D(70))
    assert (fact.source_name, fact.landing_site_ref) == ("web", "spring")
    assert fact.referring_site == "https://news.example"
