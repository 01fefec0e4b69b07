"""catalog-to-channels: the ERP owns product data; every store shows it without retyping.

A scheduled run asks the ERP which goods products changed since its cursor, maps
each to a CatalogItem and compares the item's fingerprint with the one last
published to each store (links: (store, "catalog", SKU)). Only products whose
fingerprint differs get a job of their own (ordering key `<erp>:product:<id>`), so
an unchanged catalogue costs no store call at all, and one bad product (no SKU,
a negative price...) is parked alone with its reason while the others go through.

A product job reads the product again (the ERP may have moved on), finds the
store's listing by SKU, or by handle when a create landed but the hub crashed
before finishing it, creates it only when neither exists, then sends only the
fields that differ. Inactive, unsalable and deleted products are archived, never
deleted, so past orders keep their product; an inactive product a store never
had is not created there.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from causeway.engine import links
from causeway.engine.cursors import Cursor
from causeway.engine.inbox import InboxRecord
from causeway.engine.jobs import Job, JobQueue, NewJob, ordering_key
from causeway.engine.store import Store
from causeway.errors import CausewayError, PermanentError
from causeway.flows.base import FlowBase, Outcomes
from causeway.model.catalog import CatalogItem
from causeway.model.ports.channel import CatalogChannel, Listing
from causeway.model.ports.erp import ErpCatalog
from causeway.model.topics import PRODUCT_UPDATED

log = logging.getLogger("causeway.flows.catalog_to_channels")

NAME = "catalog-to-channels"
PRODUCT = "product"  # (erp, "product", product id): fingerprint "published", "parked:..", "deleted"
LISTING = "catalog"  # (store, "catalog", SKU): fingerprint of what the store shows
STORE_PRODUCT = "product"  # (store, "product", the store's product id): the same hub entity
PUBLISHED, DELETED = "published", "deleted"


# -- the decisions, free of I/O ----------------------------------------------
def fingerprint(item: CatalogItem) -> str:
    """What a store must show for the item, hashed: equal fingerprints, nothing to send."""
    shown = item.model_dump(mode="json", exclude={"source_id"})
    return hashlib.sha256(json.dumps(shown, sort_keys=True).encode()).hexdigest()[:32]


def parked_mark(error: BaseException) -> str:
    return "parked:" + hashlib.sha256(str(error).encode()).hexdigest()[:16]


def refused_mark(item: CatalogItem) -> str:
    """A store refused this very version of the item: not worth sending again until it changes."""
    return "refused:" + fingerprint(item)


def products_to_publish(
    items: Mapping[int, CatalogItem | BaseException],
    published: Mapping[str, Mapping[str, str | None]],
    marks: Mapping[int, str | None],
) -> list[int]:
    """Product ids that need a job: a fingerprint differs in some store, or a product
    cannot be published for a reason not yet parked. The same reason, or a store's
    refusal of the same version, is parked once, not on every run."""
    due = []
    for product_id, item in items.items():
        if not isinstance(item, CatalogItem):
            if marks.get(product_id) != parked_mark(item):
                due.append(product_id)
        elif marks.get(product_id) == refused_mark(item):
            continue
        elif any(by_sku.get(item.sku) != fingerprint(item) for by_sku in published.values()):
            due.append(product_id)
    return sorted(due)


# A merchant's edit in a store's admin: the ERP's values are put back (it owns them).
STORE_EDIT_TOPICS = (PRODUCT_UPDATED,)


def store_edit_job(record: InboxRecord, _inbox_id: int) -> NewJob:
    """A products/update webhook: re-check that store product against the ERP."""
    store_product = record.entity_key.removeprefix("product:")
    return NewJob(
        NAME,
        ordering_key(record.source, record.entity_key),
        {"store": record.source, "store_product": store_product},
    )


def product_job(source: str, product_id: int) -> NewJob:
    return NewJob(
        NAME,
        ordering_key(source, PRODUCT, product_id),
        {"product_id": product_id},
        # While one job of a product waits, another run adds none.
        dedupe_key=f"{NAME}:{source}:product:{product_id}",
    )


class CatalogToChannels(FlowBase[int]):
    name = NAME
    batch_size = 25
    exclusive = True  # two workers creating the same new SKU at once would duplicate it

    def __init__(
        self,
        store: Store,
        queue: JobQueue,
        *,
        source: str,
        source_connector: ErpCatalog,
        targets: Mapping[str, CatalogChannel[Any]],
        price_list: str | None = None,
        overlap: timedelta = timedelta(minutes=2),
    ) -> None:
        self.store = store
        self.queue = queue
        self.source = source
        self.erp = source_connector
        self.targets = dict(targets)
        self.price_list = price_list
        self.cursor = Cursor(store, source, "catalog", overlap, flow=NAME)

    def on_run(self, payload: Mapping[str, Any]) -> None:
        self.run()

    def on_job(self, job: Job) -> int | None:
        """A store edit is re-checked at once; a product is published with the batch's
        others (on_batch)."""
        if "store_product" in job.payload:
            self._reassert(job.payload["store"], str(job.payload["store_product"]))
            return None
        if "product_id" not in job.payload:
            return super().on_job(job)  # names nothing to publish: parked with the reason
        return int(job.payload["product_id"])

    def on_batch(self, products: dict[int, int]) -> Outcomes:
        # If publishing fails as a whole (the ERP is down), every job shares the error.
        results = self.publish(sorted(set(products.values())))
        return {job_id: results.get(pid) for job_id, pid in products.items()}

    # -- the scheduled run: find what changed, one job per product ----------------
    def run(self) -> list[int]:
        """Queue a job for each product whose store listings are out of date; returns them."""
        ids, seen = self.erp.catalog_changes_since(
            self.cursor.window_start(), price_list=self.price_list
        )
        items = self.erp.catalog_items(ids, price_list=self.price_list) if ids else {}
        with self.store.read() as conn:
            skus = [i.sku for i in items.values() if isinstance(i, CatalogItem)]
            published = {
                t: {
                    s: link.fingerprint
                    for s, link in links.find_many(conn, t, LISTING, skus).items()
                }
                for t in self.targets
            }
            linked = links.all_of_type(conn, self.source, PRODUCT)
        marks = {int(k): link.fingerprint for k, link in linked.items()}
        due = products_to_publish(items, published, marks)
        # Deleted in the ERP: found by what the hub linked and the ERP no longer has.
        live = [int(k) for k, link in linked.items() if link.fingerprint != DELETED]
        gone = set(live) - self.erp.existing_products(live) if live else set()
        due = sorted(set(due) | gone)
        with self.store.transaction() as conn:
            self.queue.enqueue_in(conn, [product_job(self.source, pid) for pid in due])
        self.cursor.advance(seen)
        if due:
            log.info("%s: %d products to publish", NAME, len(due))
        return due

    def _reassert(self, store: str, store_product: str) -> None:
        """Put the ERP's values back on a store product a person edited in the store.

        Products the hub did not publish are the merchant's own: left alone. Only the
        fields that differ from the ERP are written, so the webhook our own write
        causes ends here with one read.
        """
        if store not in self.targets:
            return
        product_id = self.targets[store].product_id_of(store_product)
        with self.store.read() as conn:
            link = links.find(conn, store, STORE_PRODUCT, product_id)
            related = links.for_hub(conn, link.hub_id) if link else []
        product = next(
            (r for r in related if r.system == self.source and r.entity_type == PRODUCT), None
        )
        if product is None:
            return
        items = self.erp.catalog_items([int(product.external_id)], price_list=self.price_list)
        item = items.get(int(product.external_id))
        if isinstance(item, CatalogItem):
            errors = self._publish_to(
                store, self.targets[store], {int(product.external_id): item}, force=True
            )
            if errors:
                raise next(iter(errors.values()))

    # -- the product jobs -----------------------------------------------------------
    def publish(self, product_ids: list[int]) -> dict[int, BaseException | None]:
        items = self.erp.catalog_items(product_ids, price_list=self.price_list)
        outcomes: dict[int, BaseException | None] = {}
        for pid in product_ids:
            item = items.get(pid)
            if item is not None and not isinstance(item, CatalogItem):
                self._mark(pid, parked_mark(item))
                outcomes[pid] = item
        good = {pid: i for pid, i in items.items() if isinstance(i, CatalogItem)}
        for name, channel in self.targets.items():
            for pid, error in self._publish_to(name, channel, good).items():
                outcomes.setdefault(pid, error)
        for pid, outcome in outcomes.items():
            if pid in good and isinstance(outcome, PermanentError):
                self._mark(pid, refused_mark(good[pid]))
        deleted = [pid for pid in product_ids if pid not in items]
        for pid in deleted:
            try:
                self._archive_deleted(pid)
            except CausewayError as exc:
                outcomes[pid] = exc
        for pid in product_ids:
            outcomes.setdefault(pid, None)
        return outcomes

    def _publish_to(
        self,
        name: str,
        channel: CatalogChannel[Any],
        items: Mapping[int, CatalogItem],
        *,
        force: bool = False,
    ) -> dict[int, BaseException]:
        """force: compare with what the store shows even if the hub published this version."""
        with self.store.read() as conn:
            published = links.find_many(conn, name, LISTING, [i.sku for i in items.values()])
        todo = {
            pid: item
            for pid, item in items.items()
            if force
            or (published[item.sku].fingerprint if item.sku in published else None)
            != fingerprint(item)
        }
        if not todo:
            return {}
        skus = [item.sku for item in todo.values()]
        found = dict(channel.listings_by_sku(skus))
        missing = [item.sku for item in todo.values() if item.sku not in found and item.active]
        if missing:
            found |= channel.unfinished_listings(missing)
        errors: dict[int, BaseException] = {}
        for pid, item in todo.items():
            try:
                listing = found.get(item.sku)
                if listing is None and item.active:
                    listing = channel.create_listing(item)
                if listing is not None:
                    channel.sync_listing(listing, item)
                self._record(name, pid, item, listing)
            except Exception as exc:  # this product's outcome; the others go on
                errors[pid] = exc
        return errors

    def _archive_deleted(self, pid: int) -> None:
        with self.store.read() as conn:
            link = links.find(conn, self.source, PRODUCT, str(pid))
            entity = links.for_hub(conn, link.hub_id) if link else []
        if link is None:
            return  # created and deleted before the hub ever published it
        for name, channel in self.targets.items():
            skus = [
                lk.external_id for lk in entity if lk.system == name and lk.entity_type == LISTING
            ]
            for sku, listing in channel.listings_by_sku(skus).items():
                channel.archive_listing(listing, sku)
            with self.store.transaction() as conn:
                for sku in skus:
                    links.save(
                        conn,
                        hub_id=link.hub_id,
                        system=name,
                        entity_type=LISTING,
                        external_id=sku,
                        fingerprint=DELETED,
                    )
        self._mark(pid, DELETED)

    def _mark(self, pid: int, mark: str) -> str:
        with self.store.transaction() as conn:
            found = links.find(conn, self.source, PRODUCT, str(pid))
            hub_id = found.hub_id if found else links.new_hub_id()
            links.save(
                conn,
                hub_id=hub_id,
                system=self.source,
                entity_type=PRODUCT,
                external_id=str(pid),
                fingerprint=mark,
            )
        return hub_id

    def _record(self, name: str, pid: int, item: CatalogItem, listing: Listing | None) -> None:
        """The store shows the item now: its fingerprint, and which store product it is."""
        with self.store.transaction() as conn:
            found = links.find(conn, self.source, PRODUCT, str(pid))
            hub_id = found.hub_id if found else links.new_hub_id()
            links.save(
                conn,
                hub_id=hub_id,
                system=self.source,
                entity_type=PRODUCT,
                external_id=str(pid),
                fingerprint=PUBLISHED,
            )
            links.save(
                conn,
                hub_id=hub_id,
                system=name,
                entity_type=LISTING,
                external_id=item.sku,
                fingerprint=fingerprint(item),
            )
            if listing is not None:
                links.save(
                    conn,
                    hub_id=hub_id,
                    system=name,
                    entity_type=STORE_PRODUCT,
                    external_id=listing.product_id,
                )
