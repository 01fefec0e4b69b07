"""The checkout's quotes kept for a few seconds: "Place order" right after the checkout
form finds the form's quote for the same cart; another cart, another company or an older
quote is priced again, and a refusal is never kept."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from causeway.errors import PermanentError
from causeway.model.ports.portal import PortalQuote, PortalSale, QuotedLine
from causeway.portal.quotes import Quotes


class PricingErp:
    """Prices every line at 9.00, counting the quotes asked; refuses GAD-001 under 2."""

    def __init__(self) -> None:
        self.asked: list[tuple[int, tuple[tuple[str, Decimal], ...]]] = []

    def quote_portal_sale(self, sale: PortalSale) -> PortalQuote:
        self.asked.append((sale.party_id, tuple((x.sku, x.quantity) for x in sale.lines)))
        for line in sale.lines:
            if line.sku == "GAD-001" and line.quantity < 2:
                raise PermanentError("GAD-001: order at least 2 (you ordered 1)")
        return PortalQuote(
            currency="USD",
            lines=tuple(
                QuotedLine(sku=x.sku, name=x.sku, quantity=x.quantity, unit_price=Decimal("9"))
                for x in sale.lines
            ),
        )


def test_the_same_cart_is_priced_once_while_its_quote_is_fresh() -> None:
    erp, quotes = PricingErp(), Quotes(60)
    cart = [("WID-001", Decimal("3")), ("GAD-002", Decimal("12"))]
    first = quotes.quote(erp, 101, cart)
    again = quotes.quote(erp, 101, [("WID-001", Decimal("3.0")), ("GAD-002", Decimal("12"))])
    assert again == first and first.untaxed_amount == Decimal("135")
    assert len(erp.asked) == 1
    quotes.quote(erp, 101, [("WID-001", Decimal("4")), ("GAD-002", Decimal("12"))])
    quotes.quote(erp, 102, cart)  # another company: its own prices
    assert [party for party, _ in erp.asked] == [101, 101, 102]


def test_an_old_quote_is_priced_again_and_a_refusal_is_never_kept() -> None:
    erp, quotes = PricingErp(), Quotes(0.05)
    cart = [("WID-001", Decimal("3"))]
    quotes.quote(erp, 101, cart)
    time.sleep(0.06)
    quotes.quote(erp, 101, cart)
    assert len(erp.asked) == 2
    for _ in range(2):
        with pytest.raises(PermanentError, match="order at least 2"):
            quotes.quote(erp, 101, [("GAD-001", Decimal("1"))])
    assert len(erp.asked) == 4
