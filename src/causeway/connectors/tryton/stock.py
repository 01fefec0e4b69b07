"""Stock in Tryton: what each SKU has and can still sell, and what changed.

Quantities are read per warehouse with Tryton's own `quantity` (on hand) and
`forecast_quantity` (on hand minus what confirmed sales will take), in two calls for
any number of SKUs. A warehouse is named by code or name, as a channel's sale terms
name the warehouse its sales ship from (terms.py), so both lead to the same record; the
default is the connector's `warehouse`. Changes are found through stock moves written
since a cursor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from causeway.connectors.tryton.mapping import latest_stamp, stock_level
from causeway.connectors.tryton.masterdata import MasterData
from causeway.connectors.tryton.returns import pending_customer_returns, without_pending_returns
from causeway.connectors.tryton.rpc import TrytonRPC
from causeway.connectors.tryton.terms import SaleTermsResolver
from causeway.model import StockLevel


class Stock:
    def __init__(
        self,
        rpc: TrytonRPC,
        master: MasterData,
        names: SaleTermsResolver,
        *,
        system: str,
        warehouse_code: str,
    ) -> None:
        self.rpc = rpc
        self.master = master
        self.names = names
        self.system = system
        self.warehouse_code = warehouse_code

    def warehouse_id(self, warehouse: str | None) -> int:
        """The warehouse named by code or name (None: the connector's); the PermanentError
        lists Tryton's warehouses."""
        if warehouse is None:
            return self.master.warehouse()
        # No replay to suggest: the next stock run reads the corrected setting.
        return self.names.id_of("warehouse", warehouse, then="")

    def levels(
        self, skus: Sequence[str] | None = None, *, warehouse: str | None = None
    ) -> list[StockLevel]:
        """On hand and forecast per SKU in one warehouse (see warehouse_id), in two calls.

        forecast is what is left to sell: it drops as soon as a sale is confirmed, and
        rises for goods a customer returns only once the warehouse has received them.
        Each level's location is the warehouse as asked for (the connector's code when
        None).
        """
        location = self.warehouse_code if warehouse is None else warehouse
        warehouse_id = self.warehouse_id(warehouse)
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
            context={**self.rpc.context, "locations": [warehouse_id]},
        )
        # Returned goods count in Tryton's forecast before they arrive: not yet sellable.
        in_transit = pending_customer_returns(self.rpc, warehouse_id, skus)
        records = without_pending_returns(records, in_transit)
        now = dt.datetime.now(dt.UTC)
        return [stock_level(r, location, now) for r in records if r["code"]]

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
