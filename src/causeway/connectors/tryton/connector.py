"""Causeway's connector to Tryton 8.2: sales in, stock out, over JSON-RPC.

Tryton spends its time in the ORM, not on the wire: one call that creates 30 sales is
about 6x faster than 30 calls that create one. So every public method here works on a
batch and makes a fixed, small number of calls whatever the batch size (place_orders:
about 10 calls for any number of orders). See docs/connectors/tryton.md.

Exactly-once: ``sale.reference`` holds the hub's reference of the channel order and is
searched before anything is created. A crash between create and confirm leaves a draft
(or quotation) that the next attempt finishes instead of duplicating.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, Self

from causeway.connectors.tryton.customers import CustomerResolver
from causeway.connectors.tryton.mapping import (
    SALE_FIELDS,
    PlacedSale,
    TrytonProduct,
    TrytonTax,
    check_order,
    placed_sale,
    sale_lines,
    sale_values,
    unknown_skus,
)
from causeway.connectors.tryton.rpc import TrytonRPC
from causeway.errors import CausewayError, PermanentError, RetryableError, UnknownSkuError
from causeway.model import Order, StockLevel

__all__ = ["PlacedSale", "TrytonConnector"]

_PRODUCT_FIELDS = ("code", "default_uom", "type")
Result = PlacedSale | CausewayError


class TrytonConnector:
    """Everything the flows need from Tryton, each operation batched."""

    def __init__(
        self,
        url: str,
        database: str,
        username: str,
        password: str,
        *,
        warehouse_code: str = "WH",
        shipping_sku: str = "SHIPPING",
        discount_sku: str = "DISCOUNT",
        timeout: float = 60.0,
        system: str = "erp",
        payment_term: str | None = "Direct",
    ) -> None:
        self.system = system
        self.warehouse_code = warehouse_code
        self.shipping_sku = shipping_sku
        self.discount_sku = discount_sku
        self.payment_term_name = payment_term
        self.rpc = TrytonRPC(url, database, username, password, timeout=timeout)
        self.customers = CustomerResolver(self.rpc)
        # Master data, read once per connector (ids differ between builds: look up by code).
        self._warehouse: dict[str, int] | None = None
        self._taxes: list[TrytonTax] | None = None
        self._currencies: dict[str, int] = {}
        self._payment_term: int | None = None
        self._goods_setup: tuple[int, int] | None = None  # (uom, category)

    def close(self) -> None:
        self.rpc.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- orders ---------------------------------------------------------------------------

    def place_orders(self, orders: Sequence[tuple[str, Order]]) -> dict[str, Result]:
        """Create, quote and confirm a sale per order, at most once per reference.

        Never raises a CausewayError: each reference's slot holds its PlacedSale or its
        error (an unreachable ERP puts the same RetryableError in every slot). One bad
        order does not fail the others: a batch call refused by Tryton is redone one
        order at a time. A batch call that failed *transiently* is not redone (it may
        still commit server-side); the next attempt finds what landed by reference.
        """
        pending: dict[str, Order] = {}
        for reference, order in orders:
            pending.setdefault(reference, order)
        results: dict[str, Result] = {}
        try:
            existing = self._sales_by_reference(list(pending))
        except CausewayError as exc:
            return {reference: exc for reference in pending}
        to_quote: dict[str, int] = {}
        to_confirm: dict[str, int] = {}
        for reference in pending:
            record = existing.get(reference)
            if record is None:
                continue
            if record["state"] == "draft":
                to_quote[reference] = record["id"]
            elif record["state"] == "quotation":
                to_confirm[reference] = record["id"]
            else:
                results[reference] = placed_sale(record, created=False)
        new = {ref: order for ref, order in pending.items() if ref not in existing}
        created: dict[str, int] = {}
        if new:
            values = self._sale_values(new, results)
            created = self._run_each("create", values, results)
            to_quote.update(created)
        to_confirm.update(self._run_each("quote", to_quote, results))
        confirmed = self._run_each("confirm", to_confirm, results)
        if confirmed:
            try:
                records = self.rpc.search_read(
                    "sale.sale", [("id", "in", list(confirmed.values()))], SALE_FIELDS)
            except CausewayError as exc:
                results.update({ref: exc for ref in confirmed})
            else:
                for record in records:
                    ref = record["reference"]
                    results[ref] = placed_sale(record, created=ref in created)
        return {reference: results[reference] for reference in pending}

    def find_sales(self, references: Sequence[str]) -> dict[str, PlacedSale]:
        """The sales Tryton holds for these references (any state), in one call."""
        found = self._sales_by_reference(list(references))
        return {ref: placed_sale(rec, created=False) for ref, rec in found.items()}

    def read_sale(self, sale_id: int) -> dict[str, Any]:
        """A sale with its lines, as plain data (for checks, the demo and support)."""
        (sale,) = self.rpc.read("sale.sale", [sale_id], [
            "number", "state", "reference", "description", "comment", "party", "sale_date",
            "untaxed_amount", "tax_amount", "total_amount", "shipments", "invoices"])
        lines = self.rpc.search_read(
            "sale.line", [("sale", "=", sale_id)],
            ["product.code", "description", "quantity", "unit_price", "amount", "taxes"],
            order=[("sequence", "ASC"), ("id", "ASC")])
        sale["lines"] = [{
            "product_code": (line.get("product.") or {}).get("code"),
            "description": line["description"],
            "quantity": Decimal(str(line["quantity"])),
            "unit_price": line["unit_price"],
            "amount": line["amount"],
            "taxes": line["taxes"],
        } for line in lines]
        return sale

    def _sales_by_reference(self, references: list[str]) -> dict[str, dict[str, Any]]:
        if not references:
            return {}
        records = self.rpc.search_read(
            "sale.sale", [("reference", "in", references)], SALE_FIELDS,
            order=[("id", "ASC")], context=self._all_records_context())
        found: dict[str, dict[str, Any]] = {}
        for record in records:
            current = found.get(record["reference"])
            # Should two sales share a reference, prefer one that is not cancelled.
            if current is None or (current["state"] == "cancelled"
                                   and record["state"] != "cancelled"):
                found[record["reference"]] = record
        return found

    def _all_records_context(self) -> dict[str, Any]:
        return {**self.rpc.context, "active_test": False}

    def _sale_values(self, new: dict[str, Order],
                     results: dict[str, Result]) -> dict[str, dict[str, Any]]:
        """Sale create values per reference; orders that cannot be mapped get their error."""
        ok: dict[str, Order] = {}
        for reference, order in new.items():
            try:
                check_order(order)
                ok[reference] = order
            except PermanentError as exc:
                results[reference] = exc
        try:
            products = self._products({sku for o in ok.values() for sku in o.skus}
                                      | {self.shipping_sku, self.discount_sku})
            taxes = self._customer_taxes()
            warehouse = self._warehouse_ids()["warehouse"]
            payment_term = self._payment_term_id()
        except CausewayError as exc:
            results.update({ref: exc for ref in ok})
            return {}
        lines: dict[str, list[dict[str, Any]]] = {}
        for reference, order in ok.items():
            missing = unknown_skus(order, products)
            if missing:
                results[reference] = UnknownSkuError(missing, self.system)
                continue
            try:
                try:
                    lines[reference] = self._lines(order, products, taxes)
                except PermanentError:
                    # An operator may have added the tax since we cached: look once more.
                    self._taxes = None
                    taxes = self._customer_taxes()
                    lines[reference] = self._lines(order, products, taxes)
            except CausewayError as exc:
                results[reference] = exc
        mapped = {ref: ok[ref] for ref in lines}
        currencies = self._currency_ids({o.currency for o in mapped.values()}, mapped, results)
        mapped = {ref: o for ref, o in mapped.items() if ref not in results}
        parties = self.customers.resolve(mapped, results)
        values: dict[str, dict[str, Any]] = {}
        for reference, order in mapped.items():
            if reference in results:
                continue
            party = parties[reference]
            values[reference] = sale_values(
                order, reference, party=party.party, invoice_address=party.invoice_address,
                shipment_address=party.shipment_address, lines=lines[reference],
                warehouse=warehouse, currency=currencies[order.currency],
                payment_term=payment_term)
        return values

    def _lines(self, order: Order, products: dict[str, TrytonProduct],
               taxes: list[TrytonTax]) -> list[dict[str, Any]]:
        return sale_lines(order, products, taxes, shipping=products.get(self.shipping_sku),
                          discount=products.get(self.discount_sku), system=self.system)

    def _run_each(self, action: str, items: dict[str, Any],
                  results: dict[str, Result]) -> dict[str, int]:
        """Run create/quote/confirm for all items in one call; one by one if Tryton refuses.

        Returns reference -> sale id for the items that succeeded; failures go to results.
        """
        if not items:
            return {}
        references = list(items)

        def call(refs: list[str]) -> list[int]:
            if action == "create":
                return self.rpc.create("sale.sale", [items[r] for r in refs])
            ids = [items[r] for r in refs]
            self.rpc.button("sale.sale", action, ids)
            return ids

        try:
            return dict(zip(references, call(references), strict=True))
        except RetryableError as exc:
            results.update({ref: exc for ref in references})
            return {}
        except PermanentError as exc:
            if len(references) == 1:
                results[references[0]] = exc
                return {}
        done: dict[str, int] = {}
        for reference in references:
            try:
                (done[reference],) = call([reference])
            except CausewayError as exc:
                results[reference] = exc
        return done

    # --- master data ----------------------------------------------------------------------

    def _products(self, skus: Iterable[str]) -> dict[str, TrytonProduct]:
        wanted = sorted(set(skus))
        records = self.rpc.search_read(
            "product.product", [("code", "in", wanted)], _PRODUCT_FIELDS)
        return {r["code"]: TrytonProduct(r["id"], r["code"], r["default_uom"], r["type"])
                for r in records}

    def _customer_taxes(self) -> list[TrytonTax]:
        if self._taxes is None:
            records = self.rpc.search_read("account.tax", [
                ("type", "=", "percentage"), ("parent", "=", None),
                ["OR", ("group", "=", None), ("group.kind", "in", ["sale", "both"])],
            ], ["name", "rate"], order=[("id", "ASC")])
            self._taxes = [TrytonTax(r["id"], r["name"], Decimal(r["rate"])) for r in records]
        return self._taxes

    def _warehouse_ids(self) -> dict[str, int]:
        if self._warehouse is None:
            records = self.rpc.search_read(
                "stock.location", [("type", "=", "warehouse"), ("code", "=", self.warehouse_code)],
                ["storage_location"])
            if not records:
                raise PermanentError(
                    f"no warehouse with code {self.warehouse_code!r} in {self.system}: set "
                    f"`warehouse` in the connector config to an existing warehouse code")
            self._warehouse = {"warehouse": records[0]["id"],
                               "storage": records[0]["storage_location"]}
        return self._warehouse

    def _payment_term_id(self) -> int | None:
        if self._payment_term is None and self.payment_term_name:
            records = self.rpc.search_read("account.invoice.payment_term",
                                           [("name", "=", self.payment_term_name)], ["id"])
            self._payment_term = records[0]["id"] if records else None
        return self._payment_term

    def _currency_ids(self, codes: set[str], orders: dict[str, Order],
                      results: dict[str, Result]) -> dict[str, int]:
        missing = sorted(codes - set(self._currencies))
        if missing:
            try:
                records = self.rpc.search_read(
                    "currency.currency", [("code", "in", missing)], ["code"])
            except CausewayError as exc:
                results.update({ref: exc for ref in orders})
                return {}
            self._currencies.update({r["code"]: r["id"] for r in records})
        for reference, order in orders.items():
            if order.currency not in self._currencies:
                results[reference] = PermanentError(
                    f"currency {order.currency} of order {order.number} does not exist in "
                    f"{self.system}: add it in Tryton (Currency > Currencies), then replay")
        return self._currencies

    # --- stock and products -----------------------------------------------------------------

    def stock_levels(self, skus: Sequence[str] | None = None) -> list[StockLevel]:
        """On hand and forecast per SKU in the warehouse, in one call.

        forecast is what is left to sell: it drops as soon as a sale is confirmed.
        """
        warehouse = self._warehouse_ids()["warehouse"]
        domain: list[Any] = ([("code", "in", list(skus))] if skus is not None
                             else [("type", "=", "goods"), ("code", "!=", None)])
        records = self.rpc.search_read(
            "product.product", domain, ["code", "quantity", "forecast_quantity"],
            order=[("code", "ASC")],
            context={**self.rpc.context, "locations": [warehouse]})
        now = dt.datetime.now(dt.UTC)
        return [StockLevel(sku=r["code"], location=self.warehouse_code,
                           on_hand=Decimal(str(r["quantity"])),
                           forecast=Decimal(str(r["forecast_quantity"])), as_of=now)
                for r in records if r["code"]]

    def stock_changes_since(self, since: dt.datetime | None) -> tuple[set[str], dt.datetime | None]:
        """SKUs whose stock moves were created or changed at or after `since`, and the
        latest timestamp seen (the next cursor; timestamps are UTC, Tryton's clock).

        since=None means everything: all goods SKUs.
        """
        if since is None:
            products = self.rpc.search_read(
                "product.product", [("type", "=", "goods"), ("code", "!=", None)], ["code"])
            latest = self.rpc.search_read("stock.move", [], ["write_date", "create_date"],
                                          limit=1, order=[("id", "DESC")])
            return {p["code"] for p in products}, _max_stamp(latest)
        moves = self.rpc.search_read("stock.move", [
            "OR", ("write_date", ">=", since), ("create_date", ">=", since),
        ], ["product.code", "write_date", "create_date"])
        skus = {(m.get("product.") or {}).get("code") for m in moves} - {None}
        return {str(s) for s in skus}, _max_stamp(moves)

    def ensure_product(self, sku: str, name: str, list_price: Decimal, cost_price: Decimal,
                       quantity: Decimal = Decimal(0)) -> int:
        """The product id of `sku`, creating a salable goods product if it is missing.

        quantity > 0 puts that stock in the warehouse, only when the product is created.
        """
        found = self.rpc.search_read("product.product", [("code", "=", sku)], ["id"],
                                     context=self._all_records_context())
        if found:
            return int(found[0]["id"])
        uom, category = self._goods_defaults()
        (template,) = self.rpc.create("product.template", [{
            "name": name, "type": "goods", "salable": True, "default_uom": uom, "sale_uom": uom,
            "list_price": Decimal(list_price), "account_category": category,
            "products": [["create", [{"suffix_code": sku, "cost_price": Decimal(cost_price)}]]],
        }])
        (product,) = self.rpc.search_read(
            "product.product", [("template", "=", template)], ["id"])
        if quantity > 0:
            self._inventory(product["id"], Decimal(quantity))
        return int(product["id"])

    def set_stock(self, sku: str, quantity: Decimal) -> None:
        """Count `quantity` of `sku` in the warehouse storage, by a confirmed inventory."""
        found = self.rpc.search_read("product.product", [("code", "=", sku)], ["id"])
        if not found:
            raise UnknownSkuError([sku], self.system)
        self._inventory(found[0]["id"], Decimal(quantity))

    def _inventory(self, product: int, quantity: Decimal) -> None:
        storage = self._warehouse_ids()["storage"]
        (inventory,) = self.rpc.create("stock.inventory", [{
            "location": storage,
            "lines": [["create", [{"product": product, "quantity": float(quantity)}]]],
        }])
        self.rpc.button("stock.inventory", "confirm", [inventory])

    def _goods_defaults(self) -> tuple[int, int]:
        if self._goods_setup is None:
            uoms = self.rpc.search_read("product.uom", [("name", "=", "Unit")], ["id"])
            cats = self.rpc.search_read("product.category",
                                        [("name", "=", "Goods"), ("accounting", "=", True)], ["id"])
            if not uoms or not cats:
                raise PermanentError(
                    f"{self.system} lacks the 'Unit' unit or the accounting category 'Goods' "
                    f"that new products are created with")
            self._goods_setup = (uoms[0]["id"], cats[0]["id"])
        return self._goods_setup


def _max_stamp(records: Sequence[dict[str, Any]]) -> dt.datetime | None:
    stamps = [s for r in records for s in (r.get("write_date"), r.get("create_date")) if s]
    if not stamps:
        return None
    return max(stamps).replace(tzinfo=dt.UTC)
