"""catalog-to-channels over many stores: what a merchant writes for each channel (its
assortment, price list and SKUs), and what each channel is then shown of a product."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from causeway.config import parse_config
from causeway.connectors.tryton.products import catalog_item
from causeway.errors import ConfigError
from causeway.flows.catalog_to_channels import Assortment, CatalogChannelSettings
from causeway.flows.catalog_to_channels.declaration import CatalogToChannelsFlow
from causeway.flows.stock_to_channels.declaration import StockChannelSettings
from causeway.model.catalog import CatalogItem

SYSTEMS = {
    "shop": {
        "type": "shopify",
        "shop_url": "http://127.0.0.1:9",
        "access_token": "t",
        "webhook_secret": "s",
    },
    "woo": {
        "type": "woocommerce",
        "url": "http://127.0.0.1:9",
        "consumer_key": "ck_1",
        "consumer_secret": "cs_1",
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


def flow(**settings: Any) -> CatalogToChannelsFlow:
    config = parse_config(
        {"systems": SYSTEMS, "flows": {"catalog-to-channels": {"source": "erp", **settings}}},
        env={},
    )
    return config.flows.configured()["catalog-to-channels"]  # type: ignore[return-value]


def chair(**fields: Any) -> CatalogItem:
    values: dict[str, Any] = {
        "sku": "CHAIR-1",
        "title": "Garden Chair",
        "price": Decimal("49.90"),
        "categories": ("Garden / Chairs",),
        "source_id": "7",
    }
    return CatalogItem(**(values | fields))


# -- settings ------------------------------------------------------------------------


def test_a_shopify_store_and_a_woocommerce_store_each_with_its_price_list_and_assortment() -> None:
    settings = flow(
        price_list="Retail",
        channels=[
            {"system": "shop"},
            {
                "system": "woo",
                "price_list": "Outlet",
                "assortment": {"categories": ["Garden"], "exclude_skus": ["CHAIR-9"]},
                "sku_map": {"CHAIR-1": "WOO-CHAIR-1"},
            },
        ],
    )
    assert settings.targets == ["shop", "woo"]
    shop, woo = settings.channels
    assert (shop.price_list, shop.assortment.everything) == ("Retail", True)
    assert (woo.price_list, woo.channel_sku("CHAIR-1")) == ("Outlet", "WOO-CHAIR-1")


def test_the_one_price_list_form_still_reads_as_one_channel_per_target() -> None:
    settings = flow(targets=["shop", "woo"], price_list="Web")
    assert [(c.system, c.price_list) for c in settings.channels] == [
        ("shop", "Web"),
        ("woo", "Web"),
    ]
    assert all(c.assortment.everything and not c.sku_map for c in settings.channels)


def test_both_forms_at_once_or_none_is_refused_showing_the_channel_list() -> None:
    with pytest.raises(ConfigError, match=r"(?s)not both.*channels:\n\s+- \{system: shop_eu"):
        flow(targets=["shop"], channels=[{"system": "woo"}])
    with pytest.raises(ConfigError, match=r"(?s)at least one.*catalog-to-channels:"):
        flow()


def test_a_channel_named_twice_or_an_unknown_system_is_refused() -> None:
    with pytest.raises(ConfigError, match="each system at most once"):
        flow(channels=[{"system": "shop"}, {"system": "shop", "price_list": "B"}])
    with pytest.raises(ConfigError, match=r"catalog-to-channels\.targets: no system named 'nope'"):
        flow(channels=[{"system": "nope"}])


def test_a_misspelt_assortment_key_is_named() -> None:
    with pytest.raises(ConfigError, match="categorys"):
        flow(channels=[{"system": "woo", "assortment": {"categorys": ["Garden"]}}])


def test_an_erp_system_cannot_be_a_catalog_channel() -> None:
    with pytest.raises(ConfigError, match=r"catalog-to-channels\.targets.*erp"):
        flow(channels=[{"system": "erp"}])


def test_two_erp_skus_mapped_to_one_channel_sku_are_refused_in_both_flows() -> None:
    both = {"A-1": "SAME", "B-1": "SAME"}
    for settings in (CatalogChannelSettings, StockChannelSettings):
        with pytest.raises(ValueError, match="A-1 and B-1 both map to SAME"):
            settings(system="woo", sku_map=both)


# -- what a channel is shown -------------------------------------------------------------


def test_a_category_includes_its_sub_categories_whatever_the_case_and_spacing() -> None:
    garden = Assortment(categories=["garden"])
    assert garden.includes(chair())
    assert Assortment(categories=["Garden/Chairs"]).includes(chair())
    assert not Assortment(categories=["Garden / Chairs / Folding"]).includes(chair())
    assert not Assortment(categories=["Gard"]).includes(chair())  # a prefix is no parent
    assert not garden.includes(chair(categories=()))


def test_skus_add_to_the_categories_and_exclusions_win() -> None:
    assortment = Assortment(categories=["Kitchen"], skus=["CHAIR-1"], exclude_skus=["MUG-9"])
    assert assortment.includes(chair())
    assert not assortment.includes(chair(sku="MUG-9", categories=("Kitchen",)))
    assert Assortment(exclude_skus=["MUG-9"]).includes(chair())  # everything else


def test_a_product_outside_the_assortment_is_shown_off_sale_under_the_channels_sku() -> None:
    channel = CatalogChannelSettings(
        system="woo",
        assortment=Assortment(categories=["Kitchen"]),
        sku_map={"CHAIR-1": "WOO-CHAIR-1"},
    )
    listed = channel.listed(chair())
    assert (listed.sku, listed.active, listed.price) == ("WOO-CHAIR-1", False, Decimal("49.90"))
    everything = CatalogChannelSettings(system="shop")
    assert everything.listed(chair()) == chair()
    # Inactive in the ERP stays inactive everywhere.
    assert not everything.listed(chair(active=False)).active


def test_categories_the_erp_does_not_have_are_named() -> None:
    assortment = Assortment(categories=["Garden", "Kitchen / Mugz"])
    assert assortment.unknown_categories(["Garden", "Kitchen", "Kitchen / Mugs"]) == [
        "Kitchen / Mugz"
    ]


def test_a_tryton_products_categories_are_read_by_full_name() -> None:
    record = {
        "id": 7,
        "code": "CHAIR-1",
        "list_price_used": Decimal("49.90"),
        "template.": {
            "name": "Garden Chair",
            "salable": True,
            "categories.": [
                {"id": 3, "rec_name": "Sale"},
                {"id": 2, "rec_name": "Garden / Chairs"},
            ],
        },
    }
    mapped = catalog_item(record, system="erp", weight_units={})
    assert mapped.categories == ("Garden / Chairs", "Sale")
