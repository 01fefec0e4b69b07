"""The catalogue as Tryton holds it: goods products, their prices, weights and state.

What is read, per product variant (product.product), in one search_read:
- SKU: `code`; title: the template's `name`; description: the variant's `description`;
- price: `list_price_used` (the variant's list price, else the template's). When the
  flow names a sale price list, the price is what that list gives for one unit
  (`sale_price_uom` read with the list in the context) and the list price becomes
  the compare-at price, shown only when it is higher than the price;
- weight and unit (product_measurements): the template's `weight` and `weight_uom`;
- active: the variant and its template are active and the template is salable;
- categories: the template's product categories, each by its full name
  ("Garden / Chairs"), which channels' assortments choose by.

Changes are found by `write_date`/`create_date` of the variant and of its template
(a price set on the template changes the template), and every product counts as
changed when the price list or one of its lines changed. Inactive records are read
too (`active_test: False`): a deactivated product must reach the store as archived.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from causeway.connectors.tryton.mapping import latest_stamp
from causeway.connectors.tryton.rpc import TrytonRPC
from causeway.errors import MissingMasterDataError, PermanentError
from causeway.model.catalog import CatalogItem

# Shopify and most stores know these units; others are converted to kilograms.
KNOWN_WEIGHT_UNITS = ("g", "kg", "oz", "lb")
PRODUCT_FIELDS = [
    "code",
    "active",
    "description",
    "list_price_used",
    "write_date",
    "create_date",
    "template.name",
    "template.active",
    "template.salable",
    "template.type",
    "template.weight",
    "template.weight_uom",
    "template.categories.rec_name",
    "template.write_date",
    "template.create_date",
]


def _template(record: Mapping[str, Any]) -> Mapping[str, Any]:
    value = record.get("template.")
    return value if isinstance(value, Mapping) else {}


def product_stamp(record: Mapping[str, Any]) -> dt.datetime | None:
    """The newest change of a product or its template (the cursor it moves to)."""
    return latest_stamp([record, _template(record)])


def catalog_item(
    record: Mapping[str, Any],
    *,
    system: str,
    weight_units: Mapping[int, tuple[str, float]],
    price_list_price: Decimal | None = None,
) -> CatalogItem:
    """A product.product record (PRODUCT_FIELDS) as a CatalogItem, or a PermanentError
    that names the product and what to fix in Tryton."""
    template = _template(record)
    name = template.get("name") or f"product {record['id']}"
    sku = (record.get("code") or "").strip()
    if not sku:
        raise MissingMasterDataError(
            f"{name} (product {record['id']} in {system}) has no code, so no SKU to sell it "
            f"under: give the variant a code in Tryton; the next run publishes it"
        )
    list_price = record.get("list_price_used")
    if list_price is None:
        raise MissingMasterDataError(
            f"{sku} ({name}) has no list price in {system}: set one in Tryton; the next run "
            f"publishes it"
        )
    list_price = Decimal(list_price)
    price, compare_at = list_price, None
    if price_list_price is not None:
        price = Decimal(price_list_price)
        compare_at = list_price if list_price > price else None
    if price < 0:
        raise PermanentError(
            f"{sku} ({name}) has a negative price ({price}) in {system}: a store cannot sell "
            f"below zero; correct the list price or the price list in Tryton"
        )
    weight, unit = _weight(template, weight_units)
    return CatalogItem(
        sku=sku,
        title=str(name),
        description=record.get("description") or "",
        price=price,
        compare_at_price=compare_at,
        weight=weight,
        weight_unit=unit,  # type: ignore[arg-type]
        active=bool(
            record.get("active", True)
            and template.get("active", True)
            and template.get("salable", False)
        ),
        categories=_categories(template),
        source_id=str(record["id"]),
    )


def _categories(template: Mapping[str, Any]) -> tuple[str, ...]:
    found = template.get("categories.")
    if not isinstance(found, list):
        return ()
    return tuple(sorted(str(c["rec_name"]) for c in found if isinstance(c, Mapping)))


def _weight(
    template: Mapping[str, Any], units: Mapping[int, tuple[str, float]]
) -> tuple[Decimal | None, str | None]:
    value, uom = template.get("weight"), template.get("weight_uom")
    if not value or uom is None or int(uom) not in units:
        return None, None
    symbol, factor = units[int(uom)]
    if symbol in KNOWN_WEIGHT_UNITS:
        return Decimal(str(value)), symbol
    # A unit a store does not know (carat, tonne...): in kilograms, by its factor.
    return Decimal(str(value * factor)).normalize(), "kg"


class CatalogReader:
    """Reads the catalogue over one Tryton connection; see the module docstring."""

    def __init__(self, rpc: TrytonRPC, *, system: str) -> None:
        self.rpc = rpc
        self.system = system
        self._weight_units: dict[int, tuple[str, float]] | None = None
        self._price_lists: dict[str, int] = {}

    def _context(self, **extra: Any) -> dict[str, Any]:
        return {**self.rpc.context, "active_test": False, **extra}

    def changed_since(
        self, since: dt.datetime | None, *, price_list: str | None = None
    ) -> tuple[list[int], dt.datetime | None]:
        """Ids of goods products changed at or after `since` (all when None or when the
        price list changed), and the newest change seen: the next cursor."""
        domain: list[Any] = [("template.type", "=", "goods")]
        if since is not None and not self._price_list_changed(price_list, since):
            domain.append(
                [
                    "OR",
                    ("write_date", ">=", since),
                    ("create_date", ">=", since),
                    ("template.write_date", ">=", since),
                    ("template.create_date", ">=", since),
                ]
            )
        records = self.rpc.search_read(
            "product.product",
            domain,
            ["write_date", "create_date", "template.write_date", "template.create_date"],
            order=[("id", "ASC")],
            context=self._context(),
        )
        stamps = [s for s in map(product_stamp, records) if s is not None]
        return [int(r["id"]) for r in records], max(stamps) if stamps else None

    def items(
        self, product_ids: Sequence[int], *, price_list: str | None = None
    ) -> dict[int, CatalogItem | PermanentError]:
        """Each product id -> its CatalogItem, or the PermanentError that keeps it out.
        Ids Tryton no longer has are absent (the product was deleted)."""
        if not product_ids:
            return {}
        fields = list(PRODUCT_FIELDS)
        context = self._context()
        if price_list:
            fields.append("sale_price_uom")
            context["price_list"] = self._price_list_id(price_list)
        # search_read, not read: read refuses ids that no longer exist.
        records = self.rpc.search_read(
            "product.product", [("id", "in", list(product_ids))], fields, context=context
        )
        units = self._units()
        result: dict[int, CatalogItem | PermanentError] = {}
        for record in records:
            try:
                result[int(record["id"])] = catalog_item(
                    record,
                    system=self.system,
                    weight_units=units,
                    price_list_price=record.get("sale_price_uom") if price_list else None,
                )
            except PermanentError as error:
                result[int(record["id"])] = error
        return result

    def existing(self, product_ids: Sequence[int]) -> set[int]:
        found = self.rpc.search_read(
            "product.product", [("id", "in", list(product_ids))], ["id"], context=self._context()
        )
        return {int(r["id"]) for r in found}

    def categories(self) -> set[str]:
        """The full name of every product category ("Garden / Chairs")."""
        found = self.rpc.search_read("product.category", [], ["rec_name"], context=self._context())
        return {str(r["rec_name"]) for r in found}

    def _units(self) -> dict[int, tuple[str, float]]:
        if self._weight_units is None:
            # The weight category is the kilogram's: its name is translated, its symbol not.
            records = self.rpc.search_read(
                "product.uom", [], ["symbol", "factor", "category"], context=self._context()
            )
            weight = {r["category"] for r in records if r["symbol"] == "kg"}
            self._weight_units = {
                int(r["id"]): (str(r["symbol"]), float(r["factor"] or 0))
                for r in records
                if r["category"] in weight
            }
        return self._weight_units

    def _price_list_id(self, name: str) -> int:
        if name not in self._price_lists:
            found = self.rpc.search_read("product.price_list", [("name", "=", name)], ["id"])
            if not found:
                raise MissingMasterDataError(
                    f"no sale price list named {name!r} in {self.system}: create it in Tryton "
                    f"(Product > Price Lists) or fix `price_list` of catalog-to-channels"
                )
            self._price_lists[name] = int(found[0]["id"])
        return self._price_lists[name]

    def _price_list_changed(self, name: str | None, since: dt.datetime) -> bool:
        if not name:
            return False
        price_list = self._price_list_id(name)
        changed = self.rpc.search_read(
            "product.price_list.line",
            [
                ("price_list", "=", price_list),
                ["OR", ("write_date", ">=", since), ("create_date", ">=", since)],
            ],
            ["id"],
            limit=1,
        )
        lists = self.rpc.search_read(
            "product.price_list",
            [("id", "=", price_list), ("write_date", ">=", since)],
            ["id"],
        )
        return bool(changed or lists)
