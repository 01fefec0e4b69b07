"""Stock in Tryton: what each SKU has and can still sell, and what changed.

Quantities are read per warehouse with Tryton's own `quantity` (on hand) and
`forecast_quantity` (on hand minus what confirmed sales will take), in two calls for
any number of SKUs. Changes are found through stock moves written since a cursor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from causeway.connectors.tryton.mapping import latest_stamp, stock_level
from causeway.connectors.tryton.masterdata import MasterData
from causeway.connectors.tryton.returns import pending_customer_returns, without_pending_returns
from causeway.connectors.tryton.rpc import TrytonRPC
from causeway.model import StockLevel


class Stock:
    def __init__(
        self, rpc: TrytonRPC, master: MasterData, *, system: str, warehouse_code: str
    ) -> None:
        self.rpc = rpc
        self.master = master
        self.system = system
        self.warehouse_code = warehouse_code

    def levels(self, skus: Sequence[str] | None = None) -> list[StockLevel]:
        """On hand and forecast per SKU in the warehouse, in two calls.

        forecast is what is left to sell: it drops as soon as a sale is confirmed, and
        rises for goods a customer returns only once the warehouse has received them.
        """
        warehouse = self.master.warehouse()
        domain: list[Any] = (
            [("code", "in", list(skus))]
            if skus is not None
            else [("type", "=", "goods"), ("code", "!=", None)]
        )
        records = self.rpc.search_read(
            "product.product",
            domain,
            ["code", "quantity", "forecast_quantity"],
            order=[("code", "ASC")],
            context={**self.rpc.context, "locations": [warehouse]},
        )
        # Returned goods count in Tryton's forecast before they arrive: not yet sellable.
        in_transit = pending_customer_returns(self.rpc, warehouse, skus)
        records = without_pending_returns(records, in_transit)
        now = dt.datetime.now(dt.UTC)
        return [stock_level(r, self.warehouse_code, now) for r in records if r["code"]]

    def changes_since(self, since: dt.datetime | None) -> tuple[set[str], dt.datetime | None]:
        """SKUs whose stock moves were created or changed at or after `since`, and the
        latest timestamp seen (the next cursor; timestamps are UTC, Tryton's clock).

        since=None means everything: all goods SKUs.
        """
        if since is None:
            products = self.rpc.search_read(
                "product.product", [("type", "=", "goods"), ("code", "!=", None)], ["code"]
            )
            # The newest write and the newest create: the cursor to continue from.
            latest = [
                *self.rpc.search_read(
                    "stock.move",
                    [],
                    ["write_date"],
                    limit=1,
                    order=[("write_date", "DESC NULLS LAST")],
                ),
                *self.rpc.search_read(
                    "stock.move", [], ["create_date"], limit=1, order=[("id", "DESC")]
                ),
            ]
            return {p["code"] for p in products}, latest_stamp(latest)
        moves = self.rpc.search_read(
            "stock.move",
            [
                "OR",
                ("write_date", ">=", since),
                ("create_date", ">=", since),
            ],
            ["product.code", "write_date", "create_date"],
        )
        skus = {(m.get("product.") or {}).get("code") for m in moves} - {None}
        return {str(s) for s in skus}, latest_stamp(moves)
