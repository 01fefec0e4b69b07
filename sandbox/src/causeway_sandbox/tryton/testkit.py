"""What tests, benchmarks and the demo do in Tryton that the hub itself never does:
create products with stock, count stock, and read a sale back whole.

Kept out of the product (causeway.connectors.tryton): the hub reads products and stock
and places sales, it never makes products up or counts a warehouse. The kit works over
the connector's own RPC session (warehouse.py has the warehouse user's shipping).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from causeway.connectors.tryton.connector import TrytonConnector
from causeway.connectors.tryton.mapping import PlacedSale
from causeway.errors import PermanentError, UnknownSkuError

# What read_sale shows of a sale and of its lines.
SALE_DETAIL_FIELDS = (
    *("number", "state", "reference", "description", "comment", "party", "sale_date"),
    *("untaxed_amount", "tax_amount", "total_amount", "shipments", "invoices"),
)
LINE_DETAIL_FIELDS = ("product.code", "description", "quantity", "unit_price", "amount", "taxes")


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


class TrytonTestKit:
    def __init__(self, connector: TrytonConnector) -> None:
        self.connector = connector
        self.rpc = connector.rpc
        self._goods: tuple[int, int] | None = None  # (unit, category)

    # -- sales -------------------------------------------------------------------------
    def find_sales(self, references: Sequence[str]) -> dict[str, PlacedSale]:
        """The sales Tryton holds for these references (any state), in one call."""
        return self.connector.sales.find(references)

    def read_sale(self, sale_id: int) -> dict[str, Any]:
        """A sale with its lines, as plain data."""
        (sale,) = self.rpc.read("sale.sale", [sale_id], SALE_DETAIL_FIELDS)
        lines = self.rpc.search_read(
            "sale.line",
            [("sale", "=", sale_id)],
            LINE_DETAIL_FIELDS,
            order=[("sequence", "ASC"), ("id", "ASC")],
        )
        sale["lines"] = [sale_line_row(line) for line in lines]
        return sale

    # -- products and stock ------------------------------------------------------------
    def ensure_product(
        self,
        sku: str,
        name: str,
        list_price: Decimal,
        cost_price: Decimal,
        quantity: Decimal = Decimal(0),
    ) -> int:
        """The product id of `sku`, creating a salable goods product if it is missing.

        quantity > 0 puts that stock in the warehouse, only when the product is created.
        """
        found = self.rpc.search_read(
            "product.product",
            [("code", "=", sku)],
            ["id"],
            context={**self.rpc.context, "active_test": False},
        )
        if found:
            return int(found[0]["id"])
        uom, category = self.goods_defaults()
        (template,) = self.rpc.create(
            "product.template",
            [
                {
                    "name": name,
                    "type": "goods",
                    "salable": True,
                    "default_uom": uom,
                    "sale_uom": uom,
                    "list_price": Decimal(list_price),
                    "account_category": category,
                    "products": [
                        ["create", [{"suffix_code": sku, "cost_price": Decimal(cost_price)}]]
                    ],
                }
            ],
        )
        (product,) = self.rpc.search_read("product.product", [("template", "=", template)], ["id"])
        if quantity > 0:
            self._inventory(product["id"], Decimal(quantity))
        return int(product["id"])

    def set_stock(self, sku: str, quantity: Decimal) -> None:
        """Count `quantity` of `sku` in the warehouse storage, by a confirmed inventory."""
        found = self.rpc.search_read("product.product", [("code", "=", sku)], ["id"])
        if not found:
            raise UnknownSkuError([sku], self.connector.system)
        self._inventory(found[0]["id"], Decimal(quantity))

    def _inventory(self, product: int, quantity: Decimal) -> None:
        storage = self.connector.master.storage()
        (inventory,) = self.rpc.create(
            "stock.inventory",
            [
                {
                    "location": storage,
                    "lines": [["create", [{"product": product, "quantity": float(quantity)}]]],
                }
            ],
        )
        self.rpc.button("stock.inventory", "confirm", [inventory])

    def goods_defaults(self) -> tuple[int, int]:
        """(unit, category) new goods products are created with: 'Unit' and 'Goods'."""
        if self._goods is None:
            uoms = self.rpc.search_read("product.uom", [("name", "=", "Unit")], ["id"])
            categories = self.rpc.search_read(
                "product.category", [("name", "=", "Goods"), ("accounting", "=", True)], ["id"]
            )
            if not uoms or not categories:
                raise PermanentError(
                    f"{self.connector.system} lacks the unit 'Unit' or the accounting product "
                    f"category 'Goods' that new products are created with: create them in Tryton"
                )
            self._goods = (int(uoms[0]["id"]), int(categories[0]["id"]))
        return self._goods
