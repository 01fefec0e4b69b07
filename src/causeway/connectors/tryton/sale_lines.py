"""An order's sale lines: products, gift cards, shipping, tips and order-level discounts.

Each line is first planned as a Charge (what Tryton must compute for it: its untaxed
amount and, when the store says, its taxes), then rounding.unit_prices picks the unit
prices that make Tryton land on the store's figures. The rules (each one documented
in docs/connectors/tryton.md, "How an order's amounts map"):

- a product line carries its net price: (quantity x price - its discounts) / quantity,
  discounts being everything allocated to the line (its own, and its share of
  order-level ones, which is how Shopify states them); its taxes are its own tax lines,
  or the order's when no line has any (channels that give taxes per order only);
- prices that include tax become net: the line's amount less the tax the store
  charged on it (or divided by 1 + rate when only the order states taxes);
- a gift card sold is a line of the gift card service product, untaxed: the money is
  a liability until the card is spent, and spending it is a payment, not a discount;
- zero-priced lines stay, at price 0;
- each charged shipping line is a line of the shipping service product at its price
  after shipping discounts, with its own taxes; a tip is a line of the tip product;
- a discount no line carries becomes DISCOUNT lines, one per set of taxes of the lines
  it discounts, shared in proportion to their amounts and taxed like them, so the tax
  base drops the way the store's did;
- when no unit price lets Tryton land on the store's figures (a tax on exactly half a
  cent that the store rounded up and Tryton rounds to even, or more units than 4
  decimals can spread a cent over), an untaxed "Rounding" line of the DISCOUNT product
  carries the cent (rounding.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from causeway.connectors.tryton.rounding import (
    CENT,
    PRICE_PLACES,
    ZERO,
    Charge,
    Prices,
    TaxRounding,
    unit_prices,
)
from causeway.connectors.tryton.taxes import TrytonTax, amounts_by_tax, erp_taxes
from causeway.errors import PermanentError
from causeway.model import Order, OrderLine, TaxLine
from causeway.model.consistency import unallocated_discount
from causeway.model.tax_map import TaxMap


@dataclass(frozen=True)
class TrytonProduct:
    id: int
    code: str
    uom: int
    type: str


@dataclass(frozen=True)
class Services:
    """The service products a sale's non-goods lines use (None: Tryton has none)."""

    shipping: TrytonProduct | None = None
    discount: TrytonProduct | None = None
    gift_card: TrytonProduct | None = None
    tip: TrytonProduct | None = None


@dataclass(frozen=True)
class _Planned:
    product: TrytonProduct
    description: str
    charge: Charge
    estimated: bool = False  # amount divided out of a tax-included price, may move a cent


def line_tax_lines(order: Order, line: OrderLine) -> tuple[TaxLine, ...]:
    """The tax lines of a product line: its own, or the order's when no line has any."""
    if line.gift_card:
        return ()
    if line.tax_lines:
        return line.tax_lines
    if order.tax_lines and not any(other.tax_lines for other in order.lines):
        return order.tax_lines
    return ()


def _cents(value: Decimal, unit: Decimal) -> Decimal:
    return value.quantize(unit, ROUND_HALF_UP)


class _Planner:
    """An order's lines planned against one ERP's taxes and service products."""

    def __init__(
        self,
        order: Order,
        taxes: Sequence[TrytonTax],
        services: Services,
        *,
        system: str,
        tax_map: TaxMap | None,
        unit: Decimal,
    ) -> None:
        self.order = order
        self.taxes = taxes
        self.services = services
        self.system = system
        self.tax_map = tax_map
        self.unit = unit

    def erp(self, tax_lines: Sequence[TaxLine]) -> tuple[TrytonTax, ...]:
        return erp_taxes(tax_lines, self.taxes, system=self.system, tax_map=self.tax_map)

    def by_tax(self, tax_lines: Sequence[TaxLine]) -> dict[int, Decimal]:
        return amounts_by_tax(tax_lines, self.taxes, system=self.system, tax_map=self.tax_map)

    def needs(self, product: TrytonProduct | None, what: str, key: str) -> TrytonProduct:
        if product is None:
            raise PermanentError(
                f"order {self.order.number} {what} but {self.system} has no service product "
                f"for it: create a salable service product with the code set as the system's "
                f"`{key}`, then replay"
            )
        return product

    def plan(self, products: Mapping[str, TrytonProduct]) -> list[_Planned]:
        order, services = self.order, self.services
        planned: list[_Planned] = []
        for line in order.lines:
            if line.gift_card:
                card = self.needs(services.gift_card, "sells a gift card", "gift_card_sku")
                planned.append(
                    self.charged(card, line.title, line.quantity, line.net, (), own_taxes=True)
                )
                continue
            planned.append(
                self.charged(
                    products[str(line.sku)],
                    line.title,
                    line.quantity,
                    line.net,
                    line_tax_lines(order, line),
                    own_taxes=bool(line.tax_lines),
                )
            )
        for ship in order.shipping_lines:
            if ship.net <= 0:
                continue
            product = self.needs(services.shipping, "charges shipping", "shipping_sku")
            planned.append(
                self.charged(
                    product, ship.title or "Shipping", 1, ship.net, ship.tax_lines, own_taxes=True
                )
            )
        if order.tip > 0:
            product = self.needs(services.tip, "has a tip", "tip_sku")
            planned.append(self.charged(product, "Tip", 1, order.tip, (), own_taxes=True))
        if unallocated_discount(order) > 0:
            product = self.needs(services.discount, "has a discount", "discount_sku")
            planned += self.discount_lines(product)
        return _balance(planned, order.total - order.total_tax, self.unit)

    def store_tax_targets(self) -> dict[int, Decimal]:
        """What the store charged per Tryton tax: its order tax lines, else its lines'."""
        order = self.order
        stated = list(order.tax_lines) or [
            *(t for line in order.lines for t in line.tax_lines),
            *(t for ship in order.shipping_lines for t in ship.tax_lines),
        ]
        return self.by_tax(stated)

    def charged(
        self,
        product: TrytonProduct,
        description: str,
        quantity: int,
        amount: Decimal,
        applied: Sequence[TaxLine],
        *,
        own_taxes: bool,
    ) -> _Planned:
        """A line of `amount` (tax included when the order says so) taxed by `applied`."""
        taxes = self.erp(applied)
        stated = self.by_tax(applied) if own_taxes else None
        estimated = False
        if self.order.taxes_included and applied:
            if own_taxes:
                amount -= sum((t.amount for t in applied), ZERO)
            else:
                amount /= 1 + sum((Decimal(t.rate) for t in applied), ZERO)
                estimated = True
        charge = Charge(quantity, _cents(amount, self.unit), taxes, stated)
        return _Planned(product, description, charge, estimated)

    def discount_lines(self, product: TrytonProduct) -> list[_Planned]:
        """The discount no line carries, per set of taxes, in proportion to the lines."""
        rest = unallocated_discount(self.order)
        if rest <= 0:
            return []
        groups: dict[tuple[int, ...], list[TaxLine]] = {}
        weights: dict[tuple[int, ...], Decimal] = {}
        for line in self.order.lines:
            if line.gift_card:
                continue
            applied = line_tax_lines(self.order, line)
            key = tuple(t.id for t in self.erp(applied))
            groups.setdefault(key, list(applied))
            weights[key] = weights.get(key, ZERO) + max(line.net, ZERO)
        if not groups or not sum(weights.values()):
            groups, weights = {(): []}, {(): Decimal(1)}
        shares = _split(rest, weights, self.unit)
        title = " ".join(["Discount", *self.order.discount_codes])
        return [
            self.charged(product, title, 1, -shares[key], groups[key], own_taxes=False)
            for key in groups
            if shares[key]
        ]


def _split(
    amount: Decimal, weights: Mapping[tuple[int, ...], Decimal], unit: Decimal
) -> dict[tuple[int, ...], Decimal]:
    """`amount` in proportion to the weights, in whole units, adding up exactly."""
    total = sum(weights.values(), ZERO)
    exact = {key: amount * weight / total for key, weight in weights.items()}
    shares = {
        key: (value / unit).to_integral_value(rounding=ROUND_FLOOR) * unit
        for key, value in exact.items()
    }
    left = int((amount - sum(shares.values(), ZERO)) / unit)
    for key in sorted(exact, key=lambda k: exact[k] - shares[k], reverse=True)[:left]:
        shares[key] += unit
    return shares


def _balance(planned: list[_Planned], untaxed: Decimal, unit: Decimal) -> list[_Planned]:
    """Move the cents that dividing tax-included prices lost onto those lines, so the
    lines add up to the store's untaxed amount."""
    estimated = [i for i, p in enumerate(planned) if p.estimated]
    gap = untaxed - sum((p.charge.amount for p in planned), ZERO)
    if not estimated or not gap or abs(gap) > unit * len(estimated):
        return planned
    step = unit.copy_sign(gap)
    fixed = list(planned)
    for i in sorted(estimated, key=lambda i: abs(planned[i].charge.amount), reverse=True):
        if not gap:
            break
        p = fixed[i]
        charge = Charge(p.charge.quantity, p.charge.amount + step, p.charge.taxes, None)
        fixed[i] = _Planned(p.product, p.description, charge, True)
        gap -= step
    return fixed


def sale_lines(
    order: Order,
    products: Mapping[str, TrytonProduct],
    taxes: Sequence[TrytonTax],
    services: Services,
    *,
    rounding: TaxRounding = "line",
    system: str = "erp",
    tax_map: TaxMap | None = None,
    unit: Decimal = CENT,
) -> list[dict[str, Any]]:
    """The ``sale.line`` create values of an order.

    Raises PermanentError for what a person must fix (a tax Tryton lacks, a service
    product missing); unknown SKUs are checked before, see mapping.unknown_skus.
    """
    planner = _Planner(order, taxes, services, system=system, tax_map=tax_map, unit=unit)
    planned = planner.plan(products)
    prices = unit_prices(
        [p.charge for p in planned],
        planner.store_tax_targets(),
        rounding,
        unit,
        adjustable=services.discount is not None,
    )
    if prices.adjustment and services.discount is not None:
        planned.append(_Planned(services.discount, "Rounding", Charge(1, prices.adjustment)))
        prices = Prices([*prices.unit_prices, prices.adjustment], ZERO)
    return [
        {
            "type": "line",
            "product": p.product.id,
            "description": p.description,
            "quantity": float(p.charge.quantity),
            "unit": p.product.uom,
            "unit_price": price.quantize(PRICE_PLACES),
            "taxes": [["add", [t.id for t in p.charge.taxes]]] if p.charge.taxes else [],
        }
        for p, price in zip(planned, prices.unit_prices, strict=True)
    ]
