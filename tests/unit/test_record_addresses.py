"""Each connector gives the web address where a person sees a record in its own system,
in the shape its vendor documents, so the console links every id it shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from causeway.config.systems import FilesSystem
from causeway.connectors.files.connector import FilesConnector
from causeway.connectors.hubspot.connector import HubSpotConnector
from causeway.connectors.shopify.connector import ShopifyConnector
from causeway.connectors.tryton.connector import TrytonConnector
from causeway.connectors.woocommerce import WooCommerceConnector
from causeway.model.ports import RecordAddresses


def test_a_shopify_order_opens_in_the_store_admin_by_its_numeric_id() -> None:
    with ShopifyConnector("https://causeway-us.myshopify.com/", "token") as shop:
        assert isinstance(shop, RecordAddresses)
        assert shop.record_url("order", "450789469") == (
            "https://causeway-us.myshopify.com/admin/orders/450789469"
        )
        assert shop.record_url("order", "gid://shopify/Order/450789469") == (
            "https://causeway-us.myshopify.com/admin/orders/450789469"
        )
        assert shop.record_url("product", "632910392") == (
            "https://causeway-us.myshopify.com/admin/products/632910392"
        )
        assert shop.record_url("customer", "207119551") == (
            "https://causeway-us.myshopify.com/admin/customers/207119551"
        )


@pytest.mark.parametrize(
    ("entity_type", "external_id"),
    [("fulfillment", "255858046"), ("refund", "509562969"), ("order", "#1001"), ("order", "")],
)
def test_shopify_has_no_page_for_a_fulfillment_a_refund_or_an_order_name(
    entity_type: str, external_id: str
) -> None:
    with ShopifyConnector("causeway-us.myshopify.com", "token") as shop:
        assert shop.record_url(entity_type, external_id) is None


def test_a_woocommerce_order_opens_on_its_wp_admin_edit_screen() -> None:
    with WooCommerceConnector("https://shop.example/", "ck_key", "cs_secret") as woo:
        assert isinstance(woo, RecordAddresses)
        assert woo.record_url("order", "710") == (
            "https://shop.example/wp-admin/post.php?post=710&action=edit"
        )
        assert woo.record_url("product", "93") == (
            "https://shop.example/wp-admin/post.php?post=93&action=edit"
        )
        assert woo.record_url("customer", "12") == (
            "https://shop.example/wp-admin/user-edit.php?user_id=12"
        )
        assert woo.record_url("refund", "726") is None
        assert woo.record_url("order", "710&action=trash") is None


def test_a_tryton_record_opens_in_the_web_client_by_model_and_id() -> None:
    with TrytonConnector("http://erp.example:8000/", "shop db", "admin", "pw") as erp:
        assert isinstance(erp, RecordAddresses)
        assert (
            erp.record_url("sale", "17") == "http://erp.example:8000/#shop%20db/model/sale.sale/17"
        )
        assert erp.record_url("return_sale", "18") == (
            "http://erp.example:8000/#shop%20db/model/sale.sale/18"
        )
        assert erp.record_url("invoice", "5") == (
            "http://erp.example:8000/#shop%20db/model/account.invoice/5"
        )
        assert erp.record_url("shipment", "3") == (
            "http://erp.example:8000/#shop%20db/model/stock.shipment.out/3"
        )
        assert erp.record_url("order", "17") is None  # not a Tryton record
        assert erp.record_url("sale", "0") is None


def test_a_hubspot_record_opens_in_the_app_under_its_portal_and_object_type() -> None:
    crm = HubSpotConnector("https://api.hubapi.com", "token", portal_id=62515)
    eu = HubSpotConnector("https://api-eu1.hubapi.com", "token", portal_id=139)
    unknown = HubSpotConnector("https://api.hubapi.com", "token")
    try:
        assert isinstance(crm, RecordAddresses)
        assert crm.record_url("contact", "51") == (
            "https://app.hubspot.com/contacts/62515/record/0-1/51"
        )
        assert crm.record_url("deal", "7") == "https://app.hubspot.com/contacts/62515/record/0-3/7"
        assert crm.record_url("ticket", "9") == (
            "https://app.hubspot.com/contacts/62515/record/0-5/9"
        )
        assert eu.record_url("contact", "51") == (
            "https://app-eu1.hubspot.com/contacts/139/record/0-1/51"
        )
        assert crm.record_url("hub_case", "x:y") is None
        assert unknown.record_url("contact", "51") is None  # no portal id: no address
    finally:
        for connector in (crm, eu, unknown):
            connector.close()


def test_a_drop_folder_has_no_page_for_its_orders(tmp_path: Path) -> None:
    files = FilesConnector(FilesSystem(type="files", folder=str(tmp_path)), system="csv")
    assert isinstance(files, RecordAddresses)
    assert files.record_url("order", "A-1") is None
