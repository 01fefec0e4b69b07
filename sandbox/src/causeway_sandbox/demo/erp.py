"""The demo's Tryton: what a merchant sets up before a euro store sells into it, and the
sales it holds afterwards, read back as the ERP has them (not as the hub remembers them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from causeway.connectors.tryton.connector import TrytonConnector
from causeway_sandbox.demo.stores import StoreSpec
from causeway_sandbox.tryton.testkit import TrytonTestKit

# Euros per dollar on the rate Tryton keeps (the company sells in dollars).
EUR = ("EUR", "Euro", "€", Decimal("0.92"))
PLACED = ("confirmed", "processing", "done")


@dataclass(frozen=True)
class ErpSale:
    reference: str
    number: str
    currency: str
    state: str


def prepare_erp(erp: TrytonConnector, stores: Sequence[StoreSpec]) -> None:
    """The currencies, price lists and payment terms the stores' channels name."""
    kit = TrytonTestKit(erp)
    if any(store.currency == EUR[0] for store in stores):
        kit.ensure_currency(*EUR)
    for store in stores:
        if store.price_list:
            kit.new_price_list(store.price_list, "1")
        if store.payment_term:
            kit.new_payment_term(store.payment_term, 30)


def sales_of(erp: TrytonConnector, store: StoreSpec) -> list[ErpSale]:
    """Every sale in Tryton whose reference carries the store's prefix, in any state."""
    return sales_with_prefix(erp, store.reference_prefix)


def sales_with_prefix(erp: TrytonConnector, prefix: str) -> list[ErpSale]:
    rows = erp.rpc.search_read(
        "sale.sale",
        [["reference", "like", f"{prefix}%"]],
        ["reference", "number", "currency.code", "state"],
        order=[("reference", "ASC")],
    )
    return [
        ErpSale(
            reference=row["reference"],
            number=str(row["number"]),
            currency=(row.get("currency.") or {}).get("code", ""),
            state=row["state"],
        )
        for row in rows
    ]
