"""What the demo shows on the terminal: live tables while orders travel and shipments
are made, then the tour of what happened (each store's orders with their Tryton sales,
the stock each channel shows) and the summary, or the summary alone as JSON."""

from __future__ import annotations

import json
from contextlib import nullcontext
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.table import Table

from causeway_sandbox.demo.stores import SKUS
from causeway_sandbox.demo.summary import DemoSummary

STATE_COLOURS = {"in_erp": "green", "parked": "red"}
SKUS_SHOWN = 4  # of the catalogue's ten, in the stock table


def live_view(as_json: bool, console: Console) -> Any:
    return nullcontext() if as_json else Live(console=console, refresh_per_second=4)


def progress_table(rows: list[tuple[str, str, str, str]]) -> Table:
    """(store, store order, hub state, ERP sale) per order."""
    table = Table("store", "order", "state", "ERP sale", title="Orders: stores -> hub -> ERP")
    for store, number, state, erp in rows:
        colour = STATE_COLOURS.get(state, "yellow")
        table.add_row(store, number, f"[{colour}]{state}[/{colour}]", erp)
    return table


def lifecycle_table(rows: list[tuple[str, str, str, str, str, str]]) -> Table:
    """(store, store order, ERP sale, status, tracking, invoice) per order."""
    table = Table(
        "store", "order", "ERP sale", "status", "tracking", "invoice", title="After the sale"
    )
    for row in rows:
        table.add_row(*row)
    return table


def print_tour(summary: DemoSummary, console: Console) -> None:
    """Each store's orders as Tryton holds them, then the stock each channel shows."""
    orders = Table("store", "order", "Tryton sale", "reference", "currency", title="Orders")
    for store in summary.stores.values():
        by_number = {sale["number"]: sale for sale in store.erp_sales}
        for number, sale_number in store.erp_numbers.items():
            sale = by_number.get(sale_number, {})
            orders.add_row(
                store.title,
                number,
                sale_number,
                sale.get("reference", ""),
                sale.get("currency", ""),
            )
    console.print(orders)
    stock = Table("SKU", "Tryton forecast", title="Stock each channel shows")
    for store in summary.stores.values():
        less = f", less {store.safety_stock} kept back" if store.safety_stock else ""
        stock.add_column(f"{store.title}\n({_percent(store.share)}{less})", justify="right")
    amazon = summary.amazon
    if amazon is not None and amazon.stock_share:
        stock.add_column(f"Amazon\n({_percent(amazon.stock_share)}, listed)", justify="right")
    for sku in SKUS[:SKUS_SHOWN]:
        shown = [str(store.stock_shown.get(sku)) for store in summary.stores.values()]
        if amazon is not None and amazon.stock_share:
            shown.append(str(amazon.listing_quantities.get(sku, "not listed")))
        stock.add_row(sku, str(summary.erp_forecast.get(sku, "")), *shown)
    console.print(stock)


def _percent(share: str) -> str:
    numerator, _, denominator = share.partition("/")
    return f"{100 * int(numerator) // int(denominator or 1)}%"


def _print_fees(documents: dict[str, dict[str, str]], console: Console) -> None:
    """Amazon's fees as Tryton booked them: supplier invoices and refund credit notes."""
    if not documents:
        return
    table = Table("Tryton document", "reference", "state", "total", title="Amazon's fees")
    for reference, document in documents.items():
        total = f"{document['total']} {document['currency']}"
        table.add_row(document["number"], reference, document["state"], total)
    console.print(table)


def print_summary(summary: DemoSummary, as_json: bool, console: Console) -> None:
    data = summary.as_dict()
    if as_json:
        print(json.dumps(data))
        return
    console.print()
    table = Table("", "", title="Summary", show_header=False)
    for key in (
        "orders_placed",
        "orders_in_erp",
        "erp_sales_for_these_orders",
        "webhook_deliveries",
        "duplicates_ignored",
        "stock_skus_published",
        "orders_shipped_in_erp",
        "orders_fulfilled_in_store",
        "invoices_paid_in_erp",
        "seconds",
    ):
        table.add_row(key.replace("_", " "), str(data[key]))
    console.print(table)
    if summary.amazon is not None:
        _print_fees(summary.amazon.fee_documents(), console)
    for problem in data["problems"]:
        console.print(f"[red]problem:[/red] {problem}")
    console.print(
        "[green]every order is one Tryton sale with its store's prefix and currency;\n"
        "each store shows its share of the stock; shipments fulfilled their store orders\n"
        "and payments paid the ERP invoices[/green]"
        if summary.ok
        else "[red]not every order went all the way: see the summary above[/red]"
    )
