"""meta_data writes the way WC_Data::update_meta_data does them."""

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
        if not key:
            continue
        same = [m for m in meta if m["key"] == key]
        if same:
            same[0]["value"] = value
            for extra in same[1:]:
                meta.remove(extra)
        else:
            store.add_meta(meta, key, value)
