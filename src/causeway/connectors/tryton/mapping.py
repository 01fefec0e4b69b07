"""Pure mapping between Causeway's canonical order and Tryton 8.2 records (no I/O).

Decisions made here, each one documented in docs/connectors/tryton.md:

- Line discounts are applied by lowering the unit price:
  ``unit_price = (quantity * price - discount) / quantity`` rounded half-up to 4 places
  (Tryton's price digits). The sale line then carries the net price the customer paid,
  and Tryton computes tax on it, as Shopify and WooCommerce do. The rounding error is
  below half a cent for quantities under 100.
- Discount not allocated to lines (``total_discounts`` minus the line discounts) becomes a
  DISCOUNT service line with a negative unit price, taxed with the taxes common to all
  product lines (so the tax base drops as the channel computed it).
- Each shipping line with a price above zero becomes a SHIPPING service line.
- Taxes are matched by rate, never by name: the channel's 0.06 is Tryton's tax of rate 0.06.
  When no product line has tax lines but the order has, the order's tax lines apply to
  every product line (WooCommerce and some Shopify exports give taxes per order only).
- Prices that include tax (``taxes_included``) are converted to net by dividing by
  ``1 + sum(rates)``, because a Tryton 8.2 sale line holds a net unit price.
- Tryton's create runs no on_change, so unit, unit price and taxes are always explicit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from causeway.errors import PermanentError
from causeway.model import Order, OrderLine, StockLevel, TaxLine

PRICE_PLACES = Decimal("0.0001")  # Tryton's product price_decimal default
RATE_PLACES = Decimal("0.000001")
ZERO = Decimal(0)

# What the connector reads of a sale to report it back.
SALE_FIELDS = (
    "reference",
    "number",
    "state",
    "party",
    "untaxed_amount",
    "tax_amount",
    "total_amount",
)


# What read_sale shows of a sale and of its lines.
SALE_DETAIL_FIELDS = (
    *("number", "state", "reference", "description", "comment", "party", "sale_date"),
    *("untaxed_amount", "tax_amount", "total_amount", "shipments", "invoices"),
)
LINE_DETAIL_FIELDS = ("product.code", "description", "quantity", "unit_price", "amount", "taxes")


@dataclass(frozen=True)
class PlacedSale:
    """A sale as Tryton holds it for one channel order reference.

    created is True only when this very call created the record; a sale found (also a
    draft or quotation left by an earlier crash and finished now) reports False.
    """

    reference: str
    sale_id: int
    number: str | None
    state: str
    created: bool
    total_amount: Decimal
    untaxed_amount: Decimal
    tax_amount: Decimal
    party_id: int


@dataclass(frozen=True)
class TrytonTax:
    id: int
    name: str
    rate: Decimal


@dataclass(frozen=True)
class TrytonProduct:
    id: int
    code: str
    uom: int
    type: str


def placed_sale(record: Mapping[str, Any], *, created: bool) -> PlacedSale:
    """PlacedSale from a ``sale.sale`` record read with SALE_FIELDS."""
    return PlacedSale(
        reference=str(record["reference"]),
        sale_id=int(record["id"]),
        number=record.get("number") or None,
        state=str(record["state"]),
        created=created,
        total_amount=Decimal(record.get("total_amount") or 0),
        untaxed_amount=Decimal(record.get("untaxed_amount") or 0),
        tax_amount=Decimal(record.get("tax_amount") or 0),
        party_id=int(record["party"]),
    )


# --- taxes --------------------------------------------------------------------------------


def _percent(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


def match_tax(tax_line: TaxLine, taxes: Sequence[TrytonTax], *, system: str = "erp") -> TrytonTax:
    """The Tryton customer tax with the same rate as the channel's tax line.

    Several taxes with one rate: the one whose name contains the channel's title wins,
    then the oldest (lowest id), so the choice is stable.
    """
    wanted = Decimal(tax_line.rate).quantize(RATE_PLACES)
    candidates = [t for t in taxes if Decimal(t.rate).quantize(RATE_PLACES) == wanted]
    if not candidates:
        raise PermanentError(
            f"no customer tax with rate {_percent(Decimal(tax_line.rate))} in {system} "
            f"(channel tax {tax_line.title!r}): create a percentage tax with rate "
            f"{wanted.normalize():f} in Tryton (Financial > Taxes), then run `causeway replay`"
        )
    title = tax_line.title.casefold()
    named = [t for t in candidates if title and title in t.name.casefold()]
    return min(named or candidates, key=lambda t: t.id)


def line_tax_lines(order: Order, line: OrderLine) -> tuple[TaxLine, ...]:
    """The tax lines that apply to a product line (order-level ones when lines have none)."""
    if line.tax_lines:
        return line.tax_lines
    if order.tax_lines and not any(other.tax_lines for other in order.lines):
        return order.tax_lines
    return ()


def tax_ids(
    tax_lines: Iterable[TaxLine], taxes: Sequence[TrytonTax], *, system: str = "erp"
) -> list[int]:
    """Tryton tax ids for tax lines; zero-rate lines need no tax and are skipped."""
    ids: list[int] = []
    for tax_line in tax_lines:
        if Decimal(tax_line.rate) == 0:
            continue
        tax_id = match_tax(tax_line, taxes, system=system).id
        if tax_id not in ids:
            ids.append(tax_id)
    return ids


# --- prices and lines ---------------------------------------------------------------------


def round_price(value: Decimal) -> Decimal:
    return value.quantize(PRICE_PLACES, rounding=ROUND_HALF_UP)


def net_of_tax(price: Decimal, tax_lines: Iterable[TaxLine], taxes_included: bool) -> Decimal:
    """A gross (tax-included) price made net; unchanged when prices exclude tax."""
    if not taxes_included:
        return price
    total_rate = sum((Decimal(t.rate) for t in tax_lines), ZERO)
    return price / (1 + total_rate) if total_rate else price


def line_unit_price(
    line: OrderLine, tax_lines: Iterable[TaxLine] = (), taxes_included: bool = False
) -> Decimal:
    """Net unit price after the line's own discount, rounded to Tryton's 4 places."""
    gross = Decimal(line.unit_price) * line.quantity - Decimal(line.discount)
    return round_price(net_of_tax(gross / line.quantity, tax_lines, taxes_included))


def unallocated_discount(order: Order) -> Decimal:
    """Order discount that the lines do not already carry (goes on the DISCOUNT line)."""
    allocated = sum((Decimal(line.discount) for line in order.lines), ZERO)
    rest = Decimal(order.total_discounts) - allocated
    return rest if rest > 0 else ZERO


def _taxes_value(ids: Sequence[int]) -> list[list[Any]]:
    return [["add", list(ids)]] if ids else []


def sale_lines(
    order: Order,
    products: Mapping[str, TrytonProduct],
    taxes: Sequence[TrytonTax],
    *,
    shipping: TrytonProduct | None,
    discount: TrytonProduct | None,
    system: str = "erp",
) -> list[dict[str, Any]]:
    """The ``sale.line`` create values of an order: products, shipping, discount.

    Raises PermanentError for what a person must fix (a missing tax, a missing SHIPPING
    or DISCOUNT product); unknown SKUs are checked before, see ``unknown_skus``.
    """
    values: list[dict[str, Any]] = []
    product_tax_sets: list[list[int]] = []
    for line in order.lines:
        product = products[str(line.sku)]
        applied = line_tax_lines(order, line)
        ids = tax_ids(applied, taxes, system=system)
        product_tax_sets.append(ids)
        values.append(
            {
                "type": "line",
                "product": product.id,
                "description": line.title,
                "quantity": float(line.quantity),
                "unit": product.uom,
                "unit_price": line_unit_price(line, applied, order.taxes_included),
                "taxes": _taxes_value(ids),
            }
        )
    for ship in order.shipping_lines:
        if Decimal(ship.price) <= 0:
            continue
        if shipping is None:
            raise PermanentError(
                f"order {order.number} charges shipping but {system} has no service product "
                f"for it: create a salable service product with the shipping SKU, then replay"
            )
        values.append(
            {
                "type": "line",
                "product": shipping.id,
                "description": ship.title or "Shipping",
                "quantity": 1.0,
                "unit": shipping.uom,
                "unit_price": round_price(
                    net_of_tax(Decimal(ship.price), ship.tax_lines, order.taxes_included)
                ),
                "taxes": _taxes_value(tax_ids(ship.tax_lines, taxes, system=system)),
            }
        )
    rest = unallocated_discount(order)
    if rest > 0:
        if discount is None:
            raise PermanentError(
                f"order {order.number} has a discount but {system} has no service product "
                f"for it: create a salable service product with the discount SKU, then replay"
            )
        # Taxed like every product line, so the tax base drops the way the channel's did.
        common = [i for i in product_tax_sets[0] if all(i in s for s in product_tax_sets)]
        common_lines = [
            t
            for t in line_tax_lines(order, order.lines[0])
            if t.rate and match_tax(t, taxes, system=system).id in common
        ]
        values.append(
            {
                "type": "line",
                "product": discount.id,
                "description": "Discount",
                "quantity": 1.0,
                "unit": discount.uom,
                "unit_price": -round_price(net_of_tax(rest, common_lines, order.taxes_included)),
                "taxes": _taxes_value(common),
            }
        )
    return values


def unknown_skus(order: Order, known: Iterable[str]) -> list[str]:
    known_set = set(known)
    return sorted({line.sku for line in order.lines if line.sku and line.sku not in known_set})


def check_order(order: Order) -> None:
    """Reject what cannot become a Tryton sale whatever the ERP holds."""
    missing = [line.title for line in order.lines if not line.sku]
    if missing:
        raise PermanentError(
            f"order {order.number}: line(s) without SKU ({', '.join(missing)}) cannot be "
            f"mapped to a Tryton product: give the item a SKU in the store, then replay"
        )
    if not order.lines:
        raise PermanentError(f"order {order.number} has no lines")


# --- header -------------------------------------------------------------------------------


def order_comment(order: Order) -> str:
    """The readable block put in ``sale.comment``: where the order came from and its state."""
    a = order.attribution
    rows = [
        ("Channel order", f"{order.number} (id {order.external_id})"),
        ("Payment status", str(order.financial_status.value)),
        ("Source", a.source_name),
        ("Landing site", a.landing_site),
        ("Referring site", a.referring_site),
        ("Landing site ref", a.landing_site_ref),
        ("Tags", ", ".join(order.tags) if order.tags else None),
        ("Note", order.note),
    ]
    lines = [f"{label}: {value}" for label, value in rows if value]
    return "\n".join(["Imported by Causeway", *lines])


def sale_values(
    order: Order,
    reference: str,
    *,
    party: int,
    invoice_address: int,
    shipment_address: int,
    lines: list[dict[str, Any]],
    warehouse: int,
    currency: int,
    payment_term: int | None,
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "party": party,
        "invoice_address": invoice_address,
        "shipment_address": shipment_address,
        "reference": reference,
        "description": order.number,
        "comment": order_comment(order),
        "sale_date": order.created_at.date(),
        "warehouse": warehouse,
        "currency": currency,
        "lines": [["create", lines]],
    }
    if payment_term is not None:
        values["payment_term"] = payment_term
    return values


def sale_line_row(line: Mapping[str, Any]) -> dict[str, Any]:
    """A ``sale.line`` read with LINE_DETAIL_FIELDS, as plain data (quantity as Decimal)."""
    return {
        "product_code": (line.get("product.") or {}).get("code"),
        "description": line["description"],
        "quantity": Decimal(str(line["quantity"])),
        "unit_price": line["unit_price"],
        "amount": line["amount"],
        "taxes": line["taxes"],
    }


def stock_level(record: Mapping[str, Any], location: str, as_of: dt.datetime) -> StockLevel:
    """A ``product.product`` read with quantity and forecast_quantity in a location context."""
    return StockLevel(
        sku=record["code"],
        location=location,
        on_hand=Decimal(str(record["quantity"])),
        forecast=Decimal(str(record["forecast_quantity"])),
        as_of=as_of,
    )


def latest_stamp(records: Iterable[Mapping[str, Any]]) -> dt.datetime | None:
    """The newest write_date/create_date of records, as an aware UTC datetime (a cursor).

    Tryton's timestamps are naive UTC.
    """
    stamps: list[dt.datetime] = [
        s for r in records for s in (r.get("write_date"), r.get("create_date")) if s
    ]
    return max(stamps).replace(tzinfo=dt.UTC) if stamps else None
