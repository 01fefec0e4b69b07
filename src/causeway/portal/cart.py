"""A cart as the buyer sees it: each line priced for its quantity by the company's price
list (the break it reaches), its line amount, what is available now, and what keeps it
from being ordered (a SKU no longer sold, a quantity the ERP's rules refuse). The prices
are read again each time (cached a few seconds, catalogue.py), never kept in the cart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from causeway.engine.portal_accounts import Company
from causeway.engine.portal_carts import CartLine
from causeway.model.ports.portal import PortalProduct, PriceBreak
from causeway.portal.catalogue import Catalogue
from causeway.portal.ordering import quantity_problem

CENT = Decimal("0.01")


@dataclass(frozen=True)
class CartRow:
    sku: str
    quantity: Decimal
    product: PortalProduct | None  # None: no longer a salable product
    unit_price: Decimal | None
    amount: Decimal | None
    breaks: tuple[PriceBreak, ...]
    available: Decimal | None
    problem: str | None

    @property
    def name(self) -> str:
        return self.product.name if self.product else self.sku

    @property
    def short(self) -> bool:
        """More than is available now (it can still be ordered: it ships when it comes)."""
        return self.available is not None and self.quantity > self.available


@dataclass(frozen=True)
class Cart:
    rows: list[CartRow]
    currency: str
    total: Decimal  # untaxed, the lines that can be ordered

    @property
    def orderable(self) -> bool:
        return bool(self.rows) and not any(r.problem for r in self.rows)

    @property
    def problems(self) -> list[CartRow]:
        return [r for r in self.rows if r.problem]


def priced_cart(catalogue: Catalogue, company: Company, lines: Sequence[CartLine]) -> Cart:
    """The cart's lines priced for this company: three batched reads whatever its size."""
    products = catalogue.products()
    known = [products[line.sku] for line in lines if line.sku in products]
    offers = {o.sku: o for o in catalogue.offers(company, known)} if known else {}
    currency = next(iter(offers.values())).currency if offers else ""
    if not currency:
        currency = catalogue.prices(company.party_id, []).currency
    rows: list[CartRow] = []
    total = Decimal(0)
    for line in lines:
        offer = offers.get(line.sku)
        if offer is None:
            rows.append(
                CartRow(line.sku, line.quantity, None, None, None, (), None,
                        f"{line.sku} is no longer in the catalogue: remove it")
            )  # fmt: skip
            continue
        price = offer.unit_price(line.quantity)
        problem = quantity_problem(offer.product, line.quantity)
        if price is None and problem is None:
            problem = f"{line.sku} has no price for your company: ask us for one"
        amount = (price * line.quantity).quantize(CENT) if price is not None else None
        if amount is not None and problem is None:
            total += amount
        rows.append(
            CartRow(
                line.sku, line.quantity, offer.product, price, amount, offer.breaks,
                offer.total_available, problem,
            )
        )  # fmt: skip
    return Cart(rows, currency, total)
