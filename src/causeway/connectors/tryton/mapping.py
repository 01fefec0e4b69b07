"""Pure mapping between Causeway's canonical order and Tryton 8.2 records (no I/O).

The sale header (party, addresses, reference, comment) is mapped here; the sale lines
and their amounts in sale_lines.py (taxes in taxes.py, Tryton's rounding in
rounding.py). Tryton's create runs no on_change, so unit, unit price and taxes are
always explicit. Each decision is documented in docs/connectors/tryton.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from causeway.connectors.tryton.sale_lines import Services, TrytonProduct, sale_lines
from causeway.connectors.tryton.taxes import TrytonTax, match_tax, tax_ids
from causeway.errors import InvalidPayloadError
from causeway.model import Discount, Order, StockLevel

__all__ = [
    "PlacedSale",
    "Services",
    "TrytonProduct",
    "TrytonTax",
    "match_tax",
    "sale_lines",
    "tax_ids",
]

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


# --- lines ----------------------------------------------------------------------------


def product_skus(order: Order) -> set[str]:
    """The SKUs whose Tryton products the order's lines need (gift cards use a service)."""
    return {line.sku for line in order.lines if line.sku and not line.gift_card}


def unknown_skus(order: Order, known: Iterable[str]) -> list[str]:
    return sorted(product_skus(order) - set(known))


def check_order(order: Order) -> None:
    """Reject what cannot become a Tryton sale whatever the ERP holds."""
    missing = [line.title for line in order.lines if not line.sku and not line.gift_card]
    if missing:
        raise InvalidPayloadError(
            f"order {order.number}: line(s) without SKU ({', '.join(missing)}) cannot be "
            f"mapped to a Tryton product: give the item a SKU in the store, then replay"
        )
    if not order.lines:
        raise InvalidPayloadError(f"order {order.number} has no lines")


# --- header -------------------------------------------------------------------------------


def _discount_text(discount: Discount) -> str:
    value = discount.value
    worth = f"{value.normalize():f}%" if discount.kind == "percentage" else str(value)
    return (
        f"{discount.title} ({worth}{' on shipping' if discount.target == 'shipping_line' else ''})"
    )


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
        ("Discounts", ", ".join(_discount_text(d) for d in order.discounts) or None),
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
    price_list: int | None = None,
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
    if price_list is not None:
        values["price_list"] = price_list
    return values


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
