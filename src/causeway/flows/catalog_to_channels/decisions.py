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

from causeway.errors import PermanentError
from causeway.flows.catalog_to_channels.channels import CatalogChannelSettings
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


def channels_mark(channels: Mapping[str, CatalogChannelSettings]) -> str:
    """The channels' settings, hashed: when they change (a channel added, an assortment
    or a price list changed), every product is looked at again, changed in the ERP or not."""
    shown = {name: c.model_dump(mode="json") for name, c in channels.items()}
    return hashlib.sha256(json.dumps(shown, sort_keys=True).encode()).hexdigest()[:32]


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


def skus_by_channel(views: Mapping[int, View]) -> dict[str, list[str]]:
    skus: dict[str, list[str]] = {}
    for view in views.values():
        for name, shown in view.items():
            if isinstance(shown, CatalogItem):
                skus.setdefault(name, []).append(shown.sku)
    return skus


def one_error(errors: Mapping[str, BaseException]) -> BaseException:
    """One job outcome for a product's errors in several channels: one still worth
    retrying retries the job; refusals are parked together, each naming its channel."""
    retry = [e for e in errors.values() if not isinstance(e, PermanentError)]
    if retry or len(errors) == 1:
        return retry[0] if retry else next(iter(errors.values()))
    return PermanentError("; ".join(f"{channel}: {e}" for channel, e in errors.items()))
