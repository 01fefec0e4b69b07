"""The store's settings as the settings API serves them: the products group's units."""

from __future__ import annotations

import httpx

from causeway_sandbox.woocommerce import WooSandboxServer, WooSandboxSettings

WEIGHT = "settings/products/woocommerce_weight_unit"


def test_the_weight_unit_reads_as_woocommerce_registers_it(
    woo: WooSandboxServer, api: httpx.Client
) -> None:
    answer = api.get(WEIGHT)
    assert answer.status_code == 200
    setting = answer.json()
    assert list(setting) == [
        *("id", "label", "description", "type", "default", "options", "tip", "value"),
        *("group_id", "_links"),
    ]
    assert setting["id"] == "woocommerce_weight_unit"
    assert (setting["type"], setting["default"], setting["value"]) == ("select", "kg", "kg")
    assert setting["options"] == {"kg": "kg", "g": "g", "lbs": "lbs", "oz": "oz"}
    assert setting["tip"] == setting["description"]
    assert setting["group_id"] == "products"
    assert setting["_links"]["collection"] == [
        {"href": f"{woo.url}/wp-json/wc/v3/settings/products"}
    ]


def test_the_group_lists_its_settings_without_their_group(api: httpx.Client) -> None:
    listed = api.get("settings/products").json()
    assert [(s["id"], s["value"]) for s in listed] == [
        ("woocommerce_weight_unit", "kg"),
        ("woocommerce_dimension_unit", "cm"),
    ]
    assert all("group_id" not in s for s in listed)


def test_the_merchant_changes_the_unit_to_one_of_its_options(
    woo: WooSandboxServer, api: httpx.Client
) -> None:
    changed = api.put(WEIGHT, json={"value": "lbs"})
    assert (changed.status_code, changed.json()["value"]) == (200, "lbs")
    assert api.get(WEIGHT).json()["value"] == "lbs"
    for wrong in ({"value": "stone"}, {"value": 1}, {}):
        refused = api.put(WEIGHT, json=wrong)
        assert (refused.status_code, refused.json()) == (
            400,
            {
                "code": "rest_setting_value_invalid",
                "message": "An invalid setting value was passed.",
                "data": {"status": 400},
            },
        )
    assert api.get(WEIGHT).json()["value"] == "lbs"
    woo.control("POST", "reset")
    assert api.get(WEIGHT).json()["value"] == "kg"


def test_an_unknown_group_or_setting_is_404(api: httpx.Client) -> None:
    group = api.get("settings/shipping_zones")
    assert (group.status_code, group.json()["code"]) == (404, "rest_setting_setting_group_invalid")
    setting = api.get("settings/products/woocommerce_stone_unit")
    assert (setting.status_code, setting.json()["code"]) == (404, "rest_setting_setting_invalid")


def test_settings_need_the_key(woo: WooSandboxServer) -> None:
    read = httpx.get(woo.api_url + WEIGHT, trust_env=False)
    assert (read.status_code, read.json()["code"]) == (401, "woocommerce_rest_cannot_view")
    write = httpx.put(woo.api_url + WEIGHT, json={"value": "g"}, trust_env=False)
    assert (write.status_code, write.json()["message"]) == (
        401,
        "Sorry, you cannot edit this resource.",
    )


def test_the_store_can_start_with_other_units() -> None:
    settings = WooSandboxSettings(weight_unit="oz", dimension_unit="in")
    with WooSandboxServer(settings) as woo:
        answer = httpx.get(woo.api_url + "settings/products", auth=woo.auth, trust_env=False)
    assert [s["value"] for s in answer.json()] == ["oz", "in"]
