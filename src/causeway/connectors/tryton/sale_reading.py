"""A sale as Tryton holds it now, read for the console's "refresh from the systems":
its amounts and states, its lines, its customer shipments (carrier and tracking number)
and its customer invoices, in four calls whatever the number of sales. It only reads.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal
from typing import Any

from causeway.connectors.tryton.rpc import TrytonRPC
from causeway.model.ports.erp import SaleInvoiceRead, SaleLineRead, SaleRead, SaleShipmentRead

SALE_FIELDS = (
    "reference",
    "number",
    "state",
    "currency.code",
    "untaxed_amount",
    "tax_amount",
    "total_amount",
    "shipment_state",
    "invoice_state",
    "lines",
    "shipments",
    "invoices",
)
LINE_FIELDS = ("sale", "type", "product.code", "description", "quantity", "unit_price", "amount")
SHIPMENT_FIELDS = ("number", "state", "carrier.party.name", "shipping_reference")
INVOICE_FIELDS = ("number", "state", "total_amount", "type")


def read_sales(
    rpc: TrytonRPC, references: Sequence[str], *, service_skus: Collection[str] = ()
) -> dict[str, SaleRead]:
    """reference -> its sale (a sale not cancelled preferred, should two share one);
    lines of `service_skus` (the connector's shipping, discount, gift card and tip
    products) are marked as services."""
    if not references:
        return {}
    records = rpc.search_read(
        "sale.sale",
        [("reference", "in", list(references))],
        SALE_FIELDS,
        order=[("id", "ASC")],
        context={**rpc.context, "active_test": False},
    )
    chosen: dict[str, dict[str, Any]] = {}
    for record in records:
        current = chosen.get(record["reference"])
        if current is None or (current["state"] == "cancelled" and record["state"] != "cancelled"):
            chosen[record["reference"]] = record
    built = build_sales(rpc, list(chosen.values()), service_skus=service_skus)
    return {sale.reference: sale for sale in built}


def build_sales(
    rpc: TrytonRPC,
    records: Sequence[Mapping[str, Any]],
    *,
    service_skus: Collection[str] = (),
) -> list[SaleRead]:
    """Each sale record (read with SALE_FIELDS) with its lines, shipments and invoices,
    in the records' order, in three calls whatever their number."""
    lines = _by_id(
        rpc, "sale.line", [i for s in records for i in s.get("lines") or []], LINE_FIELDS
    )
    shipments = _by_id(
        rpc,
        "stock.shipment.out",
        [i for s in records for i in s.get("shipments") or []],
        SHIPMENT_FIELDS,
    )
    invoices = _by_id(
        rpc,
        "account.invoice",
        [i for s in records for i in s.get("invoices") or []],
        INVOICE_FIELDS,
    )
    return [_sale(s, lines, shipments, invoices, service_skus) for s in records]


def _by_id(
    rpc: TrytonRPC, model: str, ids: list[int], fields: Sequence[str]
) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    return {int(r["id"]): r for r in rpc.read(model, sorted(set(ids)), fields)}


def _sale(
    record: Mapping[str, Any],
    lines: Mapping[int, Mapping[str, Any]],
    shipments: Mapping[int, Mapping[str, Any]],
    invoices: Mapping[int, Mapping[str, Any]],
    service_skus: Collection[str],
) -> SaleRead:
    return SaleRead(
        sale_id=int(record["id"]),
        reference=str(record["reference"]),
        number=record.get("number") or None,
        state=str(record["state"]),
        currency=_nested(record, "currency", "code"),
        untaxed_amount=_decimal(record.get("untaxed_amount")),
        tax_amount=_decimal(record.get("tax_amount")),
        total_amount=_decimal(record.get("total_amount")),
        shipment_state=record.get("shipment_state"),
        invoice_state=record.get("invoice_state"),
        lines=tuple(
            _line(lines[i], service_skus)
            for i in record.get("lines") or []
            if _is_line(lines.get(i))
        ),
        shipments=tuple(
            _shipment(shipments[i]) for i in sorted(record.get("shipments") or []) if i in shipments
        ),
        invoices=tuple(
            _invoice(invoices[i])
            for i in sorted(record.get("invoices") or [])
            if invoices.get(i, {}).get("type") == "out"
        ),
    )


def _is_line(record: Mapping[str, Any] | None) -> bool:
    """A line that sells something (not a title, subtotal or comment line)."""
    return record is not None and record.get("type", "line") == "line"


def _line(record: Mapping[str, Any], service_skus: Collection[str]) -> SaleLineRead:
    sku = _nested(record, "product", "code") or None
    return SaleLineRead(
        sku=sku,
        description=str(record.get("description") or ""),
        quantity=_decimal(record.get("quantity")),
        unit_price=_decimal(record.get("unit_price")),
        amount=_decimal(record.get("amount")),
        service=sku in service_skus,
    )


def _shipment(record: Mapping[str, Any]) -> SaleShipmentRead:
    carrier = record.get("carrier.")
    party = carrier.get("party.") if isinstance(carrier, Mapping) else None
    return SaleShipmentRead(
        shipment_id=int(record["id"]),
        number=record.get("number") or None,
        state=str(record.get("state") or ""),
        carrier=party.get("name") if isinstance(party, Mapping) else None,
        tracking_number=(record.get("shipping_reference") or "").strip() or None,
    )


def _invoice(record: Mapping[str, Any]) -> SaleInvoiceRead:
    return SaleInvoiceRead(
        invoice_id=int(record["id"]),
        number=record.get("number") or None,
        state=str(record.get("state") or ""),
        total_amount=_decimal(record.get("total_amount")),
    )


def _nested(record: Mapping[str, Any], relation: str, field: str) -> Any:
    # Tryton answers a dotted field "a.b" as {"a.": {"b": ...}} (None without a relation).
    value = record.get(f"{relation}.")
    return value.get(field) if isinstance(value, Mapping) else None


def _decimal(value: Any) -> Decimal:
    return Decimal(0) if value is None else Decimal(str(value))
