"""What the hub writes to out/: stock.csv and order-status.csv (no I/O).

Every cell goes through safe_csv: an order number or a problem text a spreadsheet
would run as a formula is written as text; quantities stay numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from causeway.config.systems import FilesSystem
from causeway.connectors.files.safe_csv import csv_bytes
from causeway.model.ports.files import OrderStatus

STOCK_FILE = "stock.csv"
STATUS_FILE = "order-status.csv"
STOCK_COLUMNS = ("sku", "available")
STATUS_COLUMNS = (
    "order_number",
    "state",
    "erp_sale_number",
    "tracking",
    "updated_at",
    "problem",
)


def stock_csv(available: Mapping[str, int], system: FilesSystem) -> bytes:
    """sku,available: whole units the store may sell, sorted by SKU."""
    return csv_bytes([STOCK_COLUMNS, *((sku, available[sku]) for sku in sorted(available))], system)


def _stamp(value: float | None) -> str:
    if value is None:
        return ""
    return datetime.fromtimestamp(value, UTC).isoformat(timespec="seconds")


def order_status_csv(rows: Iterable[OrderStatus], system: FilesSystem) -> bytes:
    ordered = sorted(rows, key=lambda r: r.order_number)
    return csv_bytes(
        [
            STATUS_COLUMNS,
            *(
                (
                    r.order_number,
                    r.state,
                    r.erp_sale_number,
                    r.tracking,
                    _stamp(r.updated_at),
                    r.problem,
                )
                for r in ordered
            ),
        ],
        system,
    )
