"""The Tryton connector's catalogue reads against the real Tryton: what changed since a
cursor, and each product as the stores should show it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from causeway.connectors.tryton.connector import TrytonConnector
from causeway.errors import PermanentError
from causeway.model.catalog import CatalogItem
from causeway_sandbox.tryton.testkit import TrytonTestKit

pytestmark = pytest.mark.tryton


def template_of(tryton: TrytonConnector, product: int) -> int:
    (record,) = tryton.rpc.read("product.product", [product], ["template"])
    return int(record["template"])


def test_a_price_written_on_the_template_is_a_change_after_the_cursor(
    tryton: TrytonConnector, unique: str
) -> None:
    before = TrytonTestKit(tryton).ensure_product(
        f"OLDC-{unique}", "Unchanged Stool", Decimal(9), Decimal(1)
    )
    changed = TrytonTestKit(tryton).ensure_product(
        f"NEWC-{unique}", "Repriced Stool", Decimal(9), Decimal(1)
    )
    _, cursor = tryton.catalog_changes_since(None)
    assert cursor is not None

    tryton.rpc.write(
        "product.template", [template_of(tryton, changed)], {"list_price": Decimal(11)}
    )
    ids, seen = tryton.catalog_changes_since(cursor)
    assert changed in ids and before not in ids
    assert seen is not None and seen >= cursor

    items = tryton.catalog_items([changed])
    assert isinstance(items[changed], CatalogItem)
    assert items[changed].price == Decimal(11)  # type: ignore[union-attr]


def test_inactive_products_are_read_as_not_for_sale_and_grams_stay_grams(
    tryton: TrytonConnector, unique: str
) -> None:
    product = TrytonTestKit(tryton).ensure_product(
        f"GRM-{unique}", "Spice Jar", Decimal("3.50"), Decimal(1)
    )
    (gram,) = tryton.rpc.search_read("product.uom", [("symbol", "=", "g")], ["id"])
    tryton.rpc.write(
        "product.template",
        [template_of(tryton, product)],
        {"weight": 120, "weight_uom": gram["id"]},
    )
    tryton.rpc.write("product.product", [product], {"active": False})
    since = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    ids, _ = tryton.catalog_changes_since(since)
    assert product in ids
    item = tryton.catalog_items([product])[product]
    assert isinstance(item, CatalogItem)
    assert (item.sku, item.active, item.weight, item.weight_unit) == (
        f"GRM-{unique}",
        False,
        Decimal("120.0"),
        "g",
    )


def test_a_product_without_code_comes_back_as_its_reason(
    tryton: TrytonConnector, unique: str
) -> None:
    uom, category = TrytonTestKit(tryton).goods_defaults()
    (template,) = tryton.rpc.create(
        "product.template",
        [
            {
                "name": f"Nameless {unique}",
                "type": "goods",
                "salable": True,
                "default_uom": uom,
                "sale_uom": uom,
                "list_price": Decimal(5),
                "account_category": category,
                "products": [["create", [{}]]],
            }
        ],
    )
    (product,) = tryton.rpc.search_read("product.product", [("template", "=", template)], ["id"])
    result = tryton.catalog_items([product["id"]])[product["id"]]
    assert isinstance(result, PermanentError)
    assert f"Nameless {unique} (product {product['id']} in erp) has no code" in str(result)
