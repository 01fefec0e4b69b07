"""What tests, benchmarks and the demo do in Tryton that the hub itself never does:
create products with stock, create a warehouse, count stock, read a sale back whole, and
set up what a channel's sale terms name (a currency, a price list, a payment term).

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

    def ensure_warehouse(self, code: str, name: str | None = None) -> int:
        """The warehouse of `code`, created as Tryton's warehouse form makes one (with its
        input, output and storage locations) when missing."""
        found = self.rpc.search_read(
            "stock.location", [("type", "=", "warehouse"), ("code", "=", code)], ["id"]
        )
        if found:
            return int(found[0]["id"])
        name = name or f"Warehouse {code}"
        inbound, outbound, storage = self.rpc.create(
            "stock.location",
            [{"name": f"{name} {part}", "type": "storage"} for part in ("In", "Out", "Storage")],
        )
        # An inventory books its differences to the warehouse's lost and found.
        lost_found = self.rpc.search_read("stock.location", [("type", "=", "lost_found")], ["id"])
        (warehouse,) = self.rpc.create(
            "stock.location",
            [
                {
                    "name": name,
                    "code": code,
                    "type": "warehouse",
                    "input_location": inbound,
                    "output_location": outbound,
                    "storage_location": storage,
                    "lost_found_location": lost_found[0]["id"] if lost_found else None,
                }
            ],
        )
        return int(warehouse)

    def set_stock(self, sku: str, quantity: Decimal, *, warehouse: str | None = None) -> None:
        """Count `quantity` of `sku` in a warehouse's storage (by code; None: the
        connector's warehouse), by a confirmed inventory."""
        found = self.rpc.search_read("product.product", [("code", "=", sku)], ["id"])
        if not found:
            raise UnknownSkuError([sku], self.connector.system)
        self._inventory(found[0]["id"], Decimal(quantity), warehouse)

    def _inventory(self, product: int, quantity: Decimal, warehouse: str | None = None) -> None:
        if warehouse is None:
            storage = self.connector.master.storage()
        else:
            (record,) = self.rpc.search_read(
                "stock.location",
                [("type", "=", "warehouse"), ("code", "=", warehouse)],
                ["storage_location"],
            )
            storage = int(record["storage_location"])
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

    # -- what a channel's sale terms name ----------------------------------------------
    def ensure_currency(self, code: str, name: str, symbol: str, rate: Decimal) -> int:
        """The currency `code`, created with one rate (units per company currency unit)
        when Tryton lacks it: the company sells in dollars, a euro store needs EUR. The
        company gets exchange gain and loss accounts too, without which Tryton posts no
        invoice in another currency."""
        self._ensure_exchange_accounts()
        found = self.rpc.search_read("currency.currency", [("code", "=", code)], ["id"])
        if found:
            return int(found[0]["id"])
        rates = [["create", [{"date": "2020-01-01", "rate": Decimal(rate)}]]]
        values = {"name": name, "code": code, "symbol": symbol, "rates": rates}
        return self._create_one("currency.currency", values)

    def _ensure_exchange_accounts(self) -> None:
        fields = ["currency_exchange_credit_account", "currency_exchange_debit_account"]
        (config,) = self.rpc.read("account.configuration", [1], fields)
        if all(config.get(f) for f in fields):
            return
        # Tryton's domain: an open income-statement account of the company, one currency.
        domain = [("closed", "!=", True), ("type.statement", "=", "income")]
        domain += [("second_currency", "=", None)]
        gain = self.rpc.search_read(
            "account.account", [*domain, ("type.revenue", "=", True)], ["id"]
        )
        loss = self.rpc.search_read(
            "account.account", [*domain, ("type.expense", "=", True)], ["id"]
        )
        values = {fields[0]: gain[0]["id"], fields[1]: loss[0]["id"]}
        self.rpc.write("account.configuration", [1], values)

    def new_price_list(self, name: str, factor: str) -> int:
        """A price list named `name` pricing at list price times `factor`."""
        line = {"formula": f"unit_price * {factor}"}
        values = {"name": name, "price": "list_price", "lines": [["create", [line]]]}
        return self._create_one("product.price_list", values)

    def new_payment_term(self, name: str, days: int) -> int:
        """A payment term named `name`: everything due `days` days after the invoice."""
        line = {"type": "remainder", "relativedeltas": [["create", [{"days": days}]]]}
        return self._create_one(
            "account.invoice.payment_term", {"name": name, "lines": [["create", [line]]]}
        )

    def _create_one(self, model: str, values: dict[str, Any]) -> int:
        (record,) = self.rpc.create(model, [values])
        return int(record)
