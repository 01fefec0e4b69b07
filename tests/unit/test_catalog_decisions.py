"""catalog-to-channels decisions: how a Tryton product becomes a store listing, and when
anything needs sending at all."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from causeway.config import parse_config
from causeway.connectors.shopify.products import (
    GqlListingItem,
    GqlListingProduct,
    GqlListingVariant,
    GqlMeasurement,
    GqlWeight,
    Listing,
    description_html,
    handle_for,
    listing_changes,
)
from causeway.connectors.tryton.products import catalog_item
from causeway.errors import ConfigError, PermanentError
from causeway.flows.catalog_to_channels import (
    fingerprint,
    parked_mark,
    products_to_publish,
)
from causeway.hub import Hub
from causeway.model.catalog import CatalogItem

# product.uom ids of the weight category: (symbol, factor to kilograms)
UNITS = {1: ("kg", 1.0), 2: ("g", 0.001), 3: ("lb", 0.45359237), 4: ("ct", 0.0002)}


def record(**changes: Any) -> dict[str, Any]:
    """A product.product as search_read returns it with PRODUCT_FIELDS."""
    template = {
        "name": "Blue Widget",
        "active": True,
        "salable": True,
        "type": "goods",
        "weight": 1.5,
        "weight_uom": 1,
        **changes.pop("template", {}),
    }
    return {
        "id": 7,
        "code": "WID-7",
        "active": True,
        "description": "Sturdy & blue",
        "list_price_used": Decimal("12.5000"),
        "template.": template,
        **changes,
    }


def item(**changes: Any) -> CatalogItem:
    values: dict[str, Any] = {
        "sku": "WID-7",
        "title": "Blue Widget",
        "description": "Sturdy & blue",
        "price": Decimal("12.50"),
        "weight": Decimal("1.5"),
        "weight_unit": "kg",
        "source_id": "7",
    }
    return CatalogItem(**{**values, **changes})


def listing(**variant: Any) -> Listing:
    product = {
        "id": "gid://shopify/Product/1",
        "handle": "wid-7",
        "title": "Blue Widget",
        "descriptionHtml": "<p>Sturdy &amp; blue</p>",
        "status": "ACTIVE",
        **variant.pop("product", {}),
    }
    weight = variant.pop("weight", GqlWeight(unit="KILOGRAMS", value=1.5))
    values = {
        "id": "gid://shopify/ProductVariant/2",
        "sku": "WID-7",
        "price": Decimal("12.50"),
        "compareAtPrice": None,
        "inventoryItem": GqlListingItem(
            id="gid://shopify/InventoryItem/3", measurement=GqlMeasurement(weight=weight)
        ),
        **variant,
    }
    return Listing(GqlListingProduct(**product), GqlListingVariant(**values))


# -- Tryton product -> catalogue item --------------------------------------------


def test_a_salable_goods_product_maps_with_its_list_price_and_weight() -> None:
    mapped = catalog_item(record(), system="erp", weight_units=UNITS)
    assert mapped == item()


def test_with_a_price_list_the_list_price_becomes_the_compare_at_price_when_higher() -> None:
    sale = catalog_item(
        record(), system="erp", weight_units=UNITS, price_list_price=Decimal("10.00")
    )
    assert (sale.price, sale.compare_at_price) == (Decimal("10.00"), Decimal("12.5000"))
    dearer = catalog_item(
        record(), system="erp", weight_units=UNITS, price_list_price=Decimal("13.00")
    )
    assert (dearer.price, dearer.compare_at_price) == (Decimal("13.00"), None)


def test_a_product_without_code_is_refused_with_its_name_and_the_fix() -> None:
    with pytest.raises(PermanentError, match=r"Blue Widget \(product 7 in erp\) has no code"):
        catalog_item(record(code=None), system="erp", weight_units=UNITS)


def test_a_negative_price_is_refused_naming_the_sku() -> None:
    with pytest.raises(PermanentError, match=r"WID-7 .* negative price \(-1\.00\)"):
        catalog_item(record(list_price_used=Decimal("-1.00")), system="erp", weight_units=UNITS)


def test_inactive_or_unsalable_products_are_not_active() -> None:
    assert not catalog_item(record(active=False), system="erp", weight_units=UNITS).active
    unsalable = record(template={"salable": False})
    assert not catalog_item(unsalable, system="erp", weight_units=UNITS).active
    retired = record(template={"active": False})
    assert not catalog_item(retired, system="erp", weight_units=UNITS).active


def test_weights_keep_known_units_and_convert_others_to_kilograms() -> None:
    def weighed(weight: float | None, uom: int | None) -> tuple[Decimal | None, str | None]:
        mapped = catalog_item(
            record(template={"weight": weight, "weight_uom": uom}), system="erp", weight_units=UNITS
        )
        return mapped.weight, mapped.weight_unit

    assert weighed(250.0, 2) == (Decimal("250.0"), "g")
    assert weighed(50.0, 4) == (Decimal("0.01"), "kg")  # carats: no store knows them
    assert weighed(None, None) == (None, None)


# -- what changed ----------------------------------------------------------------------


def test_the_fingerprint_follows_what_the_store_shows_and_nothing_else() -> None:
    assert fingerprint(item()) == fingerprint(item(source_id="99"))
    assert fingerprint(item()) != fingerprint(item(price=Decimal("12.60")))
    assert fingerprint(item()) != fingerprint(item(active=False))
    assert fingerprint(item()) != fingerprint(item(title="Widget"))


def test_only_products_out_of_date_somewhere_or_newly_refused_get_a_job() -> None:
    current, changed = item(), item(sku="GAD-1", source_id="8", price=Decimal("3"))
    bad = PermanentError("SKU-9 has a negative price")

    def everywhere(shown: CatalogItem | BaseException) -> dict[str, CatalogItem | BaseException]:
        return {"shop-eu": shown, "shop-us": shown}

    views = {7: everywhere(current), 8: everywhere(changed), 9: everywhere(bad)}
    published = {
        "shop-eu": {"WID-7": fingerprint(current), "GAD-1": fingerprint(changed)},
        "shop-us": {"WID-7": fingerprint(current), "GAD-1": "older"},
    }
    assert products_to_publish(views, published, {}) == [8, 9]
    # The same reason already parked is not parked again on every run.
    assert products_to_publish(views, published, {9: parked_mark(views[9])}) == [8]
    shown = {name: {"WID-7": fingerprint(current)} for name in published}
    assert products_to_publish({7: everywhere(current)}, shown, {}) == []
    # A version a store refused waits for the next change in the ERP (or a replay).
    assert products_to_publish(views, published, {8: parked_mark(views[8])}) == [9]
    repriced = everywhere(item(sku="GAD-1", source_id="8", price=Decimal("4")))
    assert products_to_publish({8: repriced}, published, {8: parked_mark(views[8])}) == [8]


def test_a_product_parked_in_one_channel_is_tried_again_when_another_channels_view_changes() -> (
    None
):
    refused_in_us = {"shop-eu": item(), "shop-us": item(sku="US-WID-7")}
    published = {"shop-eu": {"WID-7": fingerprint(item())}, "shop-us": {}}
    marks = {7: parked_mark(refused_in_us)}
    assert products_to_publish({7: refused_in_us}, published, marks) == []
    # The EU price list changes the EU price: a new version, tried again.
    repriced = {**refused_in_us, "shop-eu": item(price=Decimal("11.00"))}
    assert products_to_publish({7: repriced}, published, marks) == [7]


def test_categories_choose_channels_but_no_store_shows_them() -> None:
    assert fingerprint(item()) == fingerprint(item(categories=("Garden",)))


# -- item -> Shopify listing changes --------------------------------------------------


def test_an_unchanged_listing_needs_no_call() -> None:
    assert not listing_changes(item(), listing())


def test_a_new_price_sends_only_the_price() -> None:
    changes = listing_changes(item(price=Decimal("13.00")), listing())
    assert changes.product == {} and changes.variant == {"price": "13.00"}


def test_compare_at_price_is_set_and_cleared() -> None:
    added = listing_changes(item(compare_at_price=Decimal("15")), listing())
    assert added.variant == {"compareAtPrice": "15.00"}
    cleared = listing_changes(item(), listing(compareAtPrice=Decimal("15.00")))
    assert cleared.variant == {"compareAtPrice": None}


def test_an_inactive_product_is_archived_and_a_renamed_one_retitled() -> None:
    assert listing_changes(item(active=False), listing()).product == {"status": "ARCHIVED"}
    assert listing_changes(item(title="Widget XL"), listing()).product == {"title": "Widget XL"}


def test_an_unfinished_create_gets_its_sku_price_and_weight() -> None:
    changes = listing_changes(item(), listing(sku=None, price=Decimal("0.00"), weight=None))
    assert changes.variant == {
        "price": "12.50",
        "inventoryItem": {
            "sku": "WID-7",
            "measurement": {"weight": {"unit": "KILOGRAMS", "value": 1.5}},
        },
    }


def test_descriptions_and_handles_follow_shopify_rules() -> None:
    assert description_html("A & B\nline two\n\nNext <para>") == (
        "<p>A &amp; B<br>line two</p><p>Next &lt;para&gt;</p>"
    )
    assert description_html("") == ""
    assert handle_for("WID-001") == "wid-001"
    assert handle_for("Box_12 / XL") == "box-12-xl"


# -- configuration ----------------------------------------------------------------------


def test_the_flow_runs_every_15_minutes_with_its_price_list_from_causeway_yaml(
    tmp_path: Path,
) -> None:
    systems = {
        "shop": {
            "type": "shopify",
            "shop_url": "http://127.0.0.1:9",
            "access_token": "t",
            "webhook_secret": "s",
        },
        "erp": {
            "type": "tryton",
            "url": "http://127.0.0.1:9",
            "database": "d",
            "username": "u",
            "password": "p",
        },
    }
    flow = {"source": "erp", "targets": ["shop"], "price_list": "Web", "overlap": "5m"}
    config = parse_config(
        {
            "store": {"url": f"sqlite:///{tmp_path / 'hub.db'}"},
            "systems": systems,
            "flows": {"catalog-to-channels": flow},
        },
        env={},
    )
    hub = Hub(config)
    try:
        enabled = hub.flows.enabled["catalog-to-channels"]
        assert enabled.schedule.describe() == "every 15m"
        assert enabled.run_payload == {"run": True}
        # Only store edits come by webhook, from the stores it publishes to.
        assert (enabled.sources, enabled.topics) == (("shop",), ("products/update",))
        catalog = hub.flows["catalog-to-channels"]
        assert catalog.channels["shop"].price_list == "Web"  # type: ignore[attr-defined]
        assert catalog.cursor.overlap.total_seconds() == 300  # type: ignore[attr-defined]
    finally:
        hub.stop()

    with pytest.raises(ConfigError, match=r"catalog-to-channels\.targets: no system named 'nope'"):
        parse_config(
            {"systems": systems, "flows": {"catalog-to-channels": {**flow, "targets": ["nope"]}}},
            env={},
        )
