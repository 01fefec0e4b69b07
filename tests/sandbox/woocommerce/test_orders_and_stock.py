"""Orders move stock as WooCommerce moves it, and the storefront never sells what is not there."""

from __future__ import annotations

import threading

import httpx
import pytest

from causeway_sandbox.woocommerce import WooSandboxServer
from tests.sandbox.woocommerce.conftest import buy, seed


def stock(api: httpx.Client, sku: str) -> dict:
    (product,) = api.get("products", params={"sku": sku}).json()
    return product  # type: ignore[no-any-return]


def test_the_storefront_refuses_to_sell_beyond_stock(
    woo: WooSandboxServer, api: httpx.Client
) -> None:
    seed(woo, "LAST-1", quantity=2)
    refused = buy(woo, "LAST-1", 3)
    assert refused.status_code == 409
    assert "(2 available)" in refused.json()["error"]
    assert api.get("orders").json() == []
    assert buy(woo, "LAST-1", 2).status_code == 201
    product = stock(api, "LAST-1")
    assert (product["stock_quantity"], product["stock_status"]) == (0, "outofstock")
    assert buy(woo, "LAST-1", 1).status_code == 409


def test_with_backorders_the_storefront_sells_below_zero(
    woo: WooSandboxServer, api: httpx.Client
) -> None:
    seed(woo, "BACK-1", quantity=1, backorders="notify")
    assert buy(woo, "BACK-1", 3).status_code == 201
    product = stock(api, "BACK-1")
    assert product["stock_quantity"] == -2
    assert product["stock_status"] == "onbackorder"
    assert product["backordered"] is True


def test_customers_racing_for_the_last_units_cannot_oversell(
    woo: WooSandboxServer, api: httpx.Client
) -> None:
    seed(woo, "RACE-1", quantity=5)
    answers: list[int] = []
    lock = threading.Lock()

    def customer() -> None:
        status = buy(woo, "RACE-1").status_code
        with lock:
            answers.append(status)

    threads = [threading.Thread(target=customer) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == [201] * 5 + [409] * 7
    assert stock(api, "RACE-1")["stock_quantity"] == 0


def test_the_rest_api_does_not_check_stock_but_processing_reduces_it(
    woo: WooSandboxServer, api: httpx.Client
) -> None:
    seed(woo, "REST-1", quantity=1)
    pending = api.post("orders", json={"line_items": [{"sku": "REST-1", "quantity": 4}]})
    assert pending.status_code == 201
    assert pending.json()["status"] == "pending"
    assert stock(api, "REST-1")["stock_quantity"] == 1
    api.put(f"orders/{pending.json()['id']}", json={"status": "processing"})
    assert stock(api, "REST-1")["stock_quantity"] == -3
    paid = api.post(
        "orders", json={"set_paid": True, "line_items": [{"sku": "REST-1", "quantity": 1}]}
    )
    assert paid.json()["status"] == "processing"
    assert paid.json()["date_paid_gmt"] is not None
    assert stock(api, "REST-1")["stock_quantity"] == -4


def test_cancelling_puts_the_stock_back_once(woo: WooSandboxServer, api: httpx.Client) -> None:
    seed(woo, "CXL-1", quantity=5)
    order = buy(woo, "CXL-1", 2).json()
    assert stock(api, "CXL-1")["stock_quantity"] == 3
    api.put(f"orders/{order['id']}", json={"status": "cancelled"})
    api.put(f"orders/{order['id']}", json={"status": "cancelled"})
    assert stock(api, "CXL-1")["stock_quantity"] == 5
    notes = [n["note"] for n in api.get(f"orders/{order['id']}/notes").json()]
    assert "Order status changed from Processing to Cancelled." in notes
    assert "Stock levels increased: Product CXL-1 (CXL-1) 3&rarr;5" in notes


@pytest.mark.parametrize(
    "status", ["pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed"]
)
def test_every_order_status_can_be_written(
    woo: WooSandboxServer, api: httpx.Client, status: str
) -> None:
    seed(woo, "ST-1", quantity=10)
    order = api.post("orders", json={"line_items": [{"sku": "ST-1"}]}).json()
    if status == "pending":
        order = api.put(f"orders/{order['id']}", json={"status": "on-hold"}).json()
    assert api.put(f"orders/{order['id']}", json={"status": status}).json()["status"] == status


def test_an_unknown_status_or_order_is_refused(woo: WooSandboxServer, api: httpx.Client) -> None:
    seed(woo, "ST-2", quantity=10)
    order = buy(woo, "ST-2").json()
    bad = api.put(f"orders/{order['id']}", json={"status": "shipped"})
    assert bad.status_code == 400
    assert bad.json()["code"] == "rest_invalid_param"
    assert bad.json()["data"]["params"]["status"].startswith("status is not one of pending")
    missing = api.get("orders/999999")
    assert (missing.status_code, missing.json()["code"]) == (
        404,
        "woocommerce_rest_shop_order_invalid_id",
    )


def test_shipment_tracking_meta_is_kept_as_given(woo: WooSandboxServer, api: httpx.Client) -> None:
    seed(woo, "TRK-1", quantity=10)
    order = buy(woo, "TRK-1").json()
    tracking = [
        {
            "tracking_provider": "ups",
            "tracking_number": "1Z999",
            "date_shipped": "1733443200",
            "tracking_id": "a1b2",
        }
    ]
    api.put(
        f"orders/{order['id']}",
        json={"meta_data": [{"key": "_wc_shipment_tracking_items", "value": tracking}]},
    )
    meta = api.get(f"orders/{order['id']}").json()["meta_data"]
    assert [(m["key"], m["value"]) for m in meta] == [("_wc_shipment_tracking_items", tracking)]
    assert isinstance(meta[0]["id"], int)
    # Written again by key, the entry is replaced, not duplicated.
    api.put(
        f"orders/{order['id']}",
        json={"meta_data": [{"key": "_wc_shipment_tracking_items", "value": []}]},
    )
    assert [m["value"] for m in api.get(f"orders/{order['id']}").json()["meta_data"]] == [[]]


def test_notes_for_the_customer_and_for_the_shop(woo: WooSandboxServer, api: httpx.Client) -> None:
    seed(woo, "NOTE-1", quantity=10)
    order = buy(woo, "NOTE-1").json()
    created = api.post(
        f"orders/{order['id']}/notes", json={"note": "Shipped: UPS 1Z999", "customer_note": True}
    )
    assert created.status_code == 201
    assert created.json()["customer_note"] is True
    customer = api.get(f"orders/{order['id']}/notes", params={"type": "customer"}).json()
    assert [n["note"] for n in customer] == ["Shipped: UPS 1Z999"]
    missing = api.post(f"orders/{order['id']}/notes", json={})
    assert (missing.status_code, missing.json()["code"]) == (400, "rest_missing_callback_param")


def test_a_partial_refund_restocks_and_a_full_one_marks_the_order_refunded(
    woo: WooSandboxServer, api: httpx.Client
) -> None:
    seed(woo, "REF-1", quantity=10, regular_price="10.00")
    order = buy(woo, "REF-1", 2).json()
    line = order["line_items"][0]["id"]
    partial = api.post(
        f"orders/{order['id']}/refunds",
        json={
            "amount": "10.75",
            "reason": "damaged",
            "line_items": [
                {
                    "id": line,
                    "quantity": 1,
                    "refund_total": "10.00",
                    "refund_tax": [{"id": 75, "refund_total": "0.75"}],
                }
            ],
        },
    )
    assert partial.status_code == 201
    assert partial.json()["line_items"][0]["quantity"] == -1
    assert stock(api, "REF-1")["stock_quantity"] == 9
    assert api.get(f"orders/{order['id']}").json()["status"] == "processing"
    rest = api.post(f"orders/{order['id']}/refunds", json={"amount": "20.75"})
    assert rest.status_code == 201
    after = api.get(f"orders/{order['id']}").json()
    assert after["status"] == "refunded"
    assert [r["total"] for r in after["refunds"]] == ["-20.75", "-10.75"]
    listed = api.get(f"orders/{order['id']}/refunds")
    assert listed.headers["X-WP-Total"] == "2"


def test_refunds_beyond_the_total_or_through_a_bank_transfer_are_refused(
    woo: WooSandboxServer, api: httpx.Client
) -> None:
    seed(woo, "REF-2", quantity=10)
    card = buy(woo, "REF-2").json()
    too_much = api.post(f"orders/{card['id']}/refunds", json={"amount": "999.00"})
    assert too_much.status_code == 500
    assert too_much.json() == {
        "code": "woocommerce_rest_cannot_create_order_refund",
        "message": "Invalid refund amount.",
        "data": 500,
    }
    bank = buy(woo, "REF-2", payment_method="bacs").json()
    assert bank["status"] == "on-hold"
    refused = api.post(f"orders/{bank['id']}/refunds", json={"amount": "1.00"})
    assert (
        refused.json()["message"]
        == "The payment gateway for this order does not support automatic refunds."
    )
    manual = api.post(f"orders/{bank['id']}/refunds", json={"amount": "1.00", "api_refund": False})
    assert manual.status_code == 201
    assert manual.json()["refunded_payment"] is False
    assert api.get(f"orders/{bank['id']}/refunds").headers["X-WP-Total"] == "1"


def test_setting_the_status_to_refunded_records_a_refund_of_what_is_left(
    woo: WooSandboxServer, api: httpx.Client
) -> None:
    seed(woo, "REF-3", quantity=10, regular_price="10.00")
    order = buy(woo, "REF-3").json()
    api.post(f"orders/{order['id']}/refunds", json={"amount": "5.00"})
    refunded = api.put(f"orders/{order['id']}", json={"status": "refunded"}).json()
    assert refunded["status"] == "refunded"
    refunds = api.get(f"orders/{order['id']}/refunds").json()
    left = f"{float(order['total']) - 5:.2f}"
    assert [(r["amount"], r["reason"]) for r in refunds] == [
        (left, "Order fully refunded."),
        ("5.00", ""),
    ]
    assert refunds[0]["refunded_payment"] is False
    assert stock(api, "REF-3")["stock_quantity"] == 9  # no restock


def line_meta(api: httpx.Client, order_id: int) -> dict[str, str]:
    (line,) = api.get(f"orders/{order_id}").json()["line_items"]
    return {m["key"]: m["value"] for m in line["meta_data"]}


def test_each_line_records_the_stock_it_took_and_the_refunds_that_put_it_back(
    woo: WooSandboxServer, api: httpx.Client
) -> None:
    product = seed(woo, "META-1", quantity=10, regular_price="10.00")
    order = buy(woo, "META-1", 3).json()
    assert line_meta(api, order["id"]) == {"_reduced_stock": "3"}
    line = order["line_items"][0]["id"]
    for _ in range(2):
        refund = {"api_refund": False, "line_items": [{"id": line, "quantity": 1}]}
        assert api.post(f"orders/{order['id']}/refunds", json=refund).status_code == 201
    assert line_meta(api, order["id"]) == {"_reduced_stock": "1", "_restock_refunded_items": "2"}
    assert stock(api, "META-1")["stock_quantity"] == 9
    notes = [n["note"] for n in api.get(f"orders/{order['id']}/notes").json()]
    # WooCommerce names the product (its id), not the order line, in this note.
    assert f"Item #{product['id']} stock increased from 8 to 9." in notes
    # Cancelled, the order puts back only what it still holds, and forgets holding it.
    api.put(f"orders/{order['id']}", json={"status": "cancelled"})
    assert stock(api, "META-1")["stock_quantity"] == 10
    assert line_meta(api, order["id"]) == {"_restock_refunded_items": "2"}


def test_a_refund_without_restock_or_of_an_unpaid_order_moves_no_stock(
    woo: WooSandboxServer, api: httpx.Client
) -> None:
    seed(woo, "META-2", quantity=10, regular_price="10.00")
    paid = buy(woo, "META-2", 2).json()
    money_only = {
        "api_refund": False,
        "api_restock": False,
        "line_items": [{"id": paid["line_items"][0]["id"], "quantity": 1}],
    }
    api.post(f"orders/{paid['id']}/refunds", json=money_only)
    assert line_meta(api, paid["id"]) == {"_reduced_stock": "2"}
    unpaid = buy(woo, "META-2", 1, paid=False).json()
    assert line_meta(api, unpaid["id"]) == {}
    restock = {
        "api_refund": False,
        "line_items": [{"id": unpaid["line_items"][0]["id"], "quantity": 1}],
    }
    api.post(f"orders/{unpaid['id']}/refunds", json=restock)
    assert line_meta(api, unpaid["id"]) == {}
    assert stock(api, "META-2")["stock_quantity"] == 8


def test_the_tax_line_carries_its_rate_as_a_number(
    woo: WooSandboxServer, api: httpx.Client
) -> None:
    seed(woo, "TAX-1", quantity=10, regular_price="10.00")
    (tax,) = buy(woo, "TAX-1").json()["tax_lines"]
    assert (tax["rate_id"], tax["label"], tax["rate_percent"]) == (75, "State Tax", 7.5)
    assert list(tax) == [
        *("id", "rate_code", "rate_id", "label", "compound", "tax_total"),
        *("shipping_tax_total", "rate_percent", "meta_data"),
    ]


def test_an_order_taxed_before_woocommerce_5_7_reads_rate_percent_0(
    woo: WooSandboxServer, api: httpx.Client
) -> None:
    """WC_Order_Item_Tax casts the rate_percent it never stored ('') to a float: 0."""
    seed(woo, "TAX-2", quantity=10, regular_price="10.00")
    order = buy(woo, "TAX-2").json()
    old = {**order, "id": order["id"] + 1000, "tax_lines": [{**order["tax_lines"][0]}]}
    del old["tax_lines"][0]["rate_percent"]
    recent = {**order, "id": order["id"] + 2000}
    recent["tax_lines"] = [{**order["tax_lines"][0], "rate_percent": 19.0}]
    woo.control("POST", "import/orders", json=[old, recent])
    assert api.get(f"orders/{old['id']}").json()["tax_lines"][0]["rate_percent"] == 0.0
    assert api.get(f"orders/{recent['id']}").json()["tax_lines"][0]["rate_percent"] == 19.0
