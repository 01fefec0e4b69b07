"""meta_data writes the way WC_Data::update_meta_data and its siblings do them."""

from __future__ import annotations

from typing import Any

from causeway_sandbox.woocommerce.store import Store
from causeway_sandbox.woocommerce.validate import meta_problems


def apply_meta(store: Store, meta: list[dict[str, Any]], entries: Any) -> None:
    """An entry with an id changes that entry; without, the first entry of the key is
    replaced (the others with the key go) or a new one is added; a null value with an
    id deletes it. Values are kept as given: strings, numbers, arrays and objects, as
    the Shipment Tracking extension stores its `_wc_shipment_tracking_items` list."""
    meta_problems(entries)
    for entry in entries:
        key, value, meta_id = entry.get("key"), entry.get("value"), entry.get("id")
        if meta_id is not None:
            existing = next((m for m in meta if m["id"] == int(meta_id)), None)
            if existing is not None:
                if value is None:
                    meta.remove(existing)
                else:
                    existing["key"] = key or existing["key"]
                    existing["value"] = value
                continue
        if key:
            update_meta(store, meta, key, value)


def update_meta(store: Store, meta: list[dict[str, Any]], key: str, value: Any) -> None:
    """update_meta_data($key, $value): the first entry of the key takes the value (and
    keeps its id and place), the others with the key go; none, a new entry is added."""
    same = [m for m in meta if m["key"] == key]
    if not same:
        store.add_meta(meta, key, value)
        return
    same[0]["value"] = value
    for extra in same[1:]:
        meta.remove(extra)


def delete_meta(meta: list[dict[str, Any]], key: str) -> None:
    """delete_meta_data($key): every entry of the key goes."""
    meta[:] = [m for m in meta if m["key"] != key]


def meta_value(meta: list[dict[str, Any]], key: str) -> Any:
    """get_meta($key, true): the first entry's value, or None when the key is not there."""
    return next((m["value"] for m in meta if m["key"] == key), None)
