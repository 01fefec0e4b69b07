"""catalog-to-channels' decisions, free of I/O: what a channel must show, and which
products need a job at all.

A product's view is what each channel must show for it (its item under the channel's
SKU, price list and assortment), or why it cannot be published there. Its version is
that view hashed: a product parked for a reason (the ERP's, or a channel's refusal) is
not tried again until its version changes, in the ERP or in the channel settings.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

from causeway.model.catalog import CatalogItem

# channel -> the item it must show, or why it cannot be published there
View = Mapping[str, CatalogItem | BaseException]


def fingerprint(item: CatalogItem) -> str:
    """What a store must show for the item, hashed: equal fingerprints, nothing to send.
    (Categories choose channels; no store shows them.)"""
    shown = item.model_dump(mode="json", exclude={"source_id", "categories"})
    return hashlib.sha256(json.dumps(shown, sort_keys=True).encode()).hexdigest()[:32]


def version(view: View) -> str:
    shown = {
        channel: fingerprint(v) if isinstance(v, CatalogItem) else f"error:{v}"
        for channel, v in view.items()
    }
    return hashlib.sha256(json.dumps(shown, sort_keys=True).encode()).hexdigest()[:32]


def parked_mark(view: View) -> str:
    """The product's mark once this version of it is parked (a reason or a refusal)."""
    return "parked:" + version(view)


def products_to_publish(
    views: Mapping[int, View],
    published: Mapping[str, Mapping[str, str | None]],
    marks: Mapping[int, str | None],
) -> list[int]:
    """Product ids that need a job: some channel's fingerprint differs from what it
    shows, or the product cannot be published somewhere for a reason not yet parked. A
    version already parked waits for the next change."""
    due = []
    for product_id, view in views.items():
        if marks.get(product_id) == parked_mark(view):
            continue
        failing = any(not isinstance(v, CatalogItem) for v in view.values())
        stale = any(
            published.get(channel, {}).get(v.sku) != fingerprint(v)
            for channel, v in view.items()
            if isinstance(v, CatalogItem)
        )
        if failing or stale:
            due.append(product_id)
    return sorted(due)
