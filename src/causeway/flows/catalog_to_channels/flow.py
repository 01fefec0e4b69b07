"""catalog-to-channels: the ERP owns product data; every store shows it without retyping.

Each channel sells its assortment at its price list under its own SKUs (channels.py).
A scheduled run asks the ERP which goods products changed since its cursor, reads each
at every channel's price list, and compares what each channel must show
(decisions.py) with the fingerprint last published there (links: (store, "catalog",
channel SKU)). Only products that differ somewhere get a job of their own (ordering
key `<erp>:product:<id>`), so an unchanged catalogue costs no store call at all, and
one bad product (no SKU, a negative price, a store's refusal) is parked alone with its
reason while the others go through.

Product jobs are published together, per channel through the channel port's
`publish_listings` (WooCommerce: its batch endpoint, 100 items a call): the product
is read again (the ERP may have moved on), the listings are found by SKU, or by handle
when a create landed but the hub crashed before finishing it, created only when
neither exists, and only fields that differ are sent. Inactive, unsalable, deleted
products and those taken out of a channel's assortment are archived, never deleted,
so past orders keep their product; one a channel never had is not created there.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from causeway.engine import links
from causeway.engine.cursors import Cursor
from causeway.engine.inbox import InboxRecord
from causeway.engine.jobs import Job, JobQueue, NewJob, ordering_key
from causeway.engine.store import Store
from causeway.errors import CausewayError, MissingMasterDataError, PermanentError
from causeway.flows.base import FlowBase, Outcomes
from causeway.flows.catalog_to_channels.channels import CatalogChannelSettings
from causeway.flows.catalog_to_channels.decisions import (
    View,
    channels_mark,
    fingerprint,
    one_error,
    parked_mark,
    products_to_publish,
    skus_by_channel,
)
from causeway.model.catalog import CatalogItem
from causeway.model.ports.channel import CatalogChannel, Listing
from causeway.model.ports.erp import ErpCatalog
from causeway.model.topics import PRODUCT_UPDATED

log = logging.getLogger("causeway.flows.catalog_to_channels")

NAME = "catalog-to-channels"
PRODUCT = "product"  # (erp, "product", product id): "published", "parked:..", "deleted"
LISTING = "catalog"  # (store, "catalog", channel SKU): fingerprint of what the store shows
STORE_PRODUCT = "product"  # (store, "product", the store's product id): the same hub entity
SETTINGS = ("catalog-channels", "channels")  # (erp, ..): channels_mark of the last full read
PUBLISHED, DELETED = "published", "deleted"

# A merchant's edit in a store's admin: the ERP's values are put back (it owns them).
STORE_EDIT_TOPICS = (PRODUCT_UPDATED,)

ErpItems = Mapping[int, CatalogItem | BaseException]


def store_edit_job(record: InboxRecord, _inbox_id: int) -> NewJob:
    """A products/update (product.updated) webhook: re-check that store product."""
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
        channels: Mapping[str, CatalogChannelSettings] | None = None,
        overlap: timedelta = timedelta(minutes=2),
    ) -> None:
        self.store = store
        self.queue = queue
        self.source = source
        self.erp = source_connector
        self.targets = dict(targets)
        given = dict(channels or {})
        self.channels = {t: given.get(t) or CatalogChannelSettings(system=t) for t in targets}
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

    # -- reading the ERP, once per price list --------------------------------------------
    def _price_lists(self) -> list[str | None]:
        return sorted({c.price_list for c in self.channels.values()}, key=lambda p: p or "")

    def _check_assortments(self) -> None:
        """A category the ERP does not have is refused before anything is archived."""
        if not any(c.assortment.categories for c in self.channels.values()):
            return
        known = self.erp.catalog_categories()
        for name, channel in self.channels.items():
            unknown = channel.assortment.unknown_categories(known)
            if unknown:
                raise MissingMasterDataError(
                    f"{NAME}: channel {name}'s assortment names categories {self.source} "
                    f"does not have: {', '.join(unknown)}. Write each by its full name in "
                    f"{self.source} (Tryton: Product > Categories), e.g. 'Garden / Chairs'; "
                    f"nothing was published"
                )

    def _items(self, product_ids: list[int]) -> dict[str | None, ErpItems]:
        return {
            pl: self.erp.catalog_items(product_ids, price_list=pl) for pl in self._price_lists()
        }

    def _views(
        self, items: Mapping[str | None, ErpItems], product_ids: list[int]
    ) -> dict[int, View]:
        """What each channel must show of each product the ERP still has."""
        views: dict[int, View] = {}
        for pid in product_ids:
            view: dict[str, CatalogItem | BaseException] = {}
            for name, channel in self.channels.items():
                item = items[channel.price_list].get(pid)
                if item is not None:
                    view[name] = channel.listed(item) if isinstance(item, CatalogItem) else item
            if view:
                views[pid] = view
        return views

    # -- the scheduled run: find what changed, one job per product ----------------
    def run(self) -> list[int]:
        """Queue a job for each product whose store listings are out of date; returns them."""
        self._check_assortments()
        settings = channels_mark(self.channels)
        with self.store.read() as conn:
            last = links.find(conn, self.source, *SETTINGS)
        # Channels changed since the last run: every product is looked at again.
        since = self.cursor.window_start() if last and last.fingerprint == settings else None
        changed: set[int] = set()
        seen = None
        for pl in self._price_lists():
            ids, newest = self.erp.catalog_changes_since(since, price_list=pl)
            changed.update(ids)
            seen = max(filter(None, (seen, newest)), default=None)
        ids = sorted(changed)
        views = self._views(self._items(ids), ids) if ids else {}
        with self.store.read() as conn:
            published = {
                name: {
                    sku: link.fingerprint
                    for sku, link in links.find_many(conn, name, LISTING, skus).items()
                }
                for name, skus in skus_by_channel(views).items()
            }
            linked = links.all_of_type(conn, self.source, PRODUCT)
        marks = {int(k): link.fingerprint for k, link in linked.items()}
        due = products_to_publish(views, published, marks)
        # Deleted in the ERP: found by what the hub linked and the ERP no longer has.
        live = [int(k) for k, link in linked.items() if link.fingerprint != DELETED]
        gone = set(live) - self.erp.existing_products(live) if live else set()
        due = sorted(set(due) | gone)
        with self.store.transaction() as conn:
            self.queue.enqueue_in(conn, [product_job(self.source, pid) for pid in due])
            if last is None or last.fingerprint != settings:
                hub_id = last.hub_id if last else links.new_hub_id()
                links.save(
                    conn,
                    hub_id=hub_id,
                    system=self.source,
                    entity_type=SETTINGS[0],
                    external_id=SETTINGS[1],
                    fingerprint=settings,
                )
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
        pid = int(product.external_id)
        price_list = self.channels[store].price_list
        item = self.erp.catalog_items([pid], price_list=price_list).get(pid)
        if isinstance(item, CatalogItem):
            errors = self._publish_to(store, {pid: item}, force=True)
            if errors:
                raise next(iter(errors.values()))

    # -- the product jobs -----------------------------------------------------------
    def publish(self, product_ids: list[int]) -> dict[int, BaseException | None]:
        self._check_assortments()
        items = self._items(product_ids)
        views = self._views(items, product_ids)
        errors: dict[int, dict[str, BaseException]] = {}
        for pid, view in views.items():
            for name, shown in view.items():
                if not isinstance(shown, CatalogItem):
                    errors.setdefault(pid, {})[name] = shown
        for name, channel in self.channels.items():
            good = {
                pid: item
                for pid, item in items[channel.price_list].items()
                if isinstance(item, CatalogItem)
            }
            for pid, error in self._publish_to(name, good).items():
                errors.setdefault(pid, {})[name] = error
        outcomes: dict[int, BaseException | None] = {}
        for pid, by_channel in errors.items():
            outcomes[pid] = one_error(by_channel)
            if all(isinstance(e, PermanentError) for e in by_channel.values()):
                # Not tried again until the product (or a channel's setting) changes.
                self._mark(pid, parked_mark(views[pid]))
        for pid in (p for p in product_ids if p not in views):
            try:
                self._archive_deleted(pid)
            except CausewayError as exc:
                outcomes[pid] = exc
        for pid in product_ids:
            outcomes.setdefault(pid, None)
        return outcomes

    def _publish_to(
        self, name: str, items: Mapping[int, CatalogItem], *, force: bool = False
    ) -> dict[int, BaseException]:
        """Bring channel `name` up to date with the ERP's `items` (its price list's);
        the errors of products it refused. force: compare with what the store shows
        even if the hub published this version."""
        settings, channel = self.channels[name], self.targets[name]
        listed = {pid: settings.listed(item) for pid, item in items.items()}
        with self.store.read() as conn:
            published = links.find_many(conn, name, LISTING, [i.sku for i in listed.values()])
        todo: dict[int, CatalogItem] = {}
        for pid, item in listed.items():
            link = published.get(item.sku)
            if not force and link is not None and link.fingerprint == fingerprint(item):
                continue
            if link is None and item.active != items[pid].active:
                # Outside the assortment and never published here: nothing to take off sale.
                self._record(name, pid, item, None)
                continue
            todo[pid] = item
        if not todo:
            return {}
        skus = [item.sku for item in todo.values()]
        try:
            found = dict(channel.listings_by_sku(skus))
            missing = [item.sku for item in todo.values() if item.sku not in found and item.active]
            if missing:
                found |= channel.unfinished_listings(missing)
            wanted = {
                item.sku: (found.get(item.sku), item)
                for item in todo.values()
                if item.sku in found or item.active  # never created only to be off sale
            }
            result = channel.publish_listings(wanted) if wanted else {}
        except Exception as exc:  # the channel as a whole: each product shares it
            return dict.fromkeys(todo, exc)
        errors: dict[int, BaseException] = {}
        for pid, item in todo.items():
            outcome = result.get(item.sku)
            if isinstance(outcome, BaseException):
                errors[pid] = outcome
            else:
                self._record(name, pid, item, outcome)
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
