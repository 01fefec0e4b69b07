"""/wp-json/wc/v3/settings/{group_id}[/{id}]: store settings (WC_REST_Setting_Options_Controller).

The sandbox knows the settings a connector reads: the products group's measurement
units (WooCommerce > Settings > Products: weight unit, dimensions unit). A setting reads
as WooCommerce registers it, `id, label, description, type, default, options, tip`, then
its `value`, and, read alone, its `group_id`; a group lists its settings without it. A
select takes only one of its options (400 `rest_setting_value_invalid`); an unknown group
is 404 `rest_setting_setting_group_invalid`, an unknown setting `rest_setting_setting_invalid`.
Values start as WooSandboxSettings says (`weight_unit`, `dimension_unit`); a write lasts
until the sandbox is reset, and fires no webhook (a setting is not a resource with topics).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request

from causeway_sandbox.woocommerce.errors import WooError
from causeway_sandbox.woocommerce.formats import WPJSONResponse
from causeway_sandbox.woocommerce.product_views import links
from causeway_sandbox.woocommerce.routing import JSONBody, woo
from causeway_sandbox.woocommerce.store import Store

router = APIRouter(prefix="/wp-json/wc/v3")


@dataclass(frozen=True)
class SelectSetting:
    """One `select` setting as WC_Register_WP_Admin_Settings registers it (`desc_tip`: the
    tip is the description)."""

    id: str
    label: str
    description: str
    default: str
    options: tuple[str, ...]  # each shown as itself (I18nUtil's unit labels)
    sandbox_setting: str  # the WooSandboxSettings field it starts from

    def value(self, store: Store) -> str:
        return store.options.get(self.id) or str(getattr(store.settings, self.sandbox_setting))

    def render(self, store: Store, group_id: str, *, alone: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "label": self.label,
            "description": self.description,
            "type": "select",
            "default": self.default,
            "options": {option: option for option in self.options},
            "tip": self.description,
            "value": self.value(store),
        }
        if alone:
            body["group_id"] = group_id
        body["_links"] = links(
            store.site_url, f"settings/{group_id}/{self.id}", f"settings/{group_id}"
        )
        return body


GROUPS: dict[str, tuple[SelectSetting, ...]] = {
    "products": (
        SelectSetting(
            "woocommerce_weight_unit",
            "Weight unit",
            "This controls what unit you will define weights in.",
            "kg",
            ("kg", "g", "lbs", "oz"),
            "weight_unit",
        ),
        SelectSetting(
            "woocommerce_dimension_unit",
            "Dimensions unit",
            "This controls what unit you will define lengths in.",
            "cm",
            ("m", "cm", "mm", "in", "yd"),
            "dimension_unit",
        ),
    ),
}


def _group(group_id: str) -> tuple[SelectSetting, ...]:
    group = GROUPS.get(group_id)
    if group is None:
        raise WooError(404, "rest_setting_setting_group_invalid", "Invalid setting group.")
    return group


def _setting(group_id: str, setting_id: str) -> SelectSetting:
    for setting in _group(group_id):
        if setting.id == setting_id:
            return setting
    raise WooError(404, "rest_setting_setting_invalid", "Invalid setting.")


@router.get("/settings/{group_id}")
def list_settings(group_id: str, request: Request) -> WPJSONResponse:
    store = woo(request).store
    with store.lock:
        return WPJSONResponse([s.render(store, group_id, alone=False) for s in _group(group_id)])


@router.get("/settings/{group_id}/{setting_id}")
def read_setting(group_id: str, setting_id: str, request: Request) -> WPJSONResponse:
    store = woo(request).store
    setting = _setting(group_id, setting_id)
    with store.lock:
        return WPJSONResponse(setting.render(store, group_id, alone=True))


@router.api_route("/settings/{group_id}/{setting_id}", methods=["POST", "PUT", "PATCH"])
def update_setting(
    group_id: str, setting_id: str, request: Request, body: JSONBody = None
) -> WPJSONResponse:
    """validate_setting_select_field: the value must be one of the options."""
    store = woo(request).store
    setting = _setting(group_id, setting_id)
    value = body.get("value") if isinstance(body, dict) else None
    if not isinstance(value, str) or value not in setting.options:
        raise WooError(400, "rest_setting_value_invalid", "An invalid setting value was passed.")
    with store.lock:
        store.options[setting.id] = value
        return WPJSONResponse(setting.render(store, group_id, alone=True))
