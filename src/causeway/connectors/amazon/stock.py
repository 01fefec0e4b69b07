"""Stock to Amazon (the StockChannel port): merchant-fulfilled quantities by SKU.

- A SKU is its own stock item (Amazon keys listings by SKU). inventory_items_by_sku asks
  searchListingsItems (20 SKUs a call) which SKUs the seller lists; a Fulfilment by Amazon
  listing is left out: Amazon counts that stock, the ERP's is never published to it.
- The one location is the fulfilment channel `DEFAULT` (the seller's own stock).
- set_available sends every change in ONE JSON_LISTINGS_FEED (feeds.py) and answers them
  `submitted`, the feed's id their receipt: Amazon processes a feed in minutes, and the
  run does not wait (the DeferredStock port). `settled` reads the feed's processing
  report once Amazon has finished: a SKU with an ERROR issue is failed, with a message
  naming the SKU, Amazon's code and its message; every other SKU is applied.
- Sold out goes at once: a change to 0 is sent by patchListingsItem before the feed is
  built (up to URGENT_PATCHES a call, the operation's burst), because a feed takes minutes
  to be processed and a listing still showing stock meanwhile is sold again. The rest of
  the zeros, and a patch that could not be sent, go in the feed.
- Amazon has no compare-and-set: `compare_quantity` is ignored (no change is ever stale).
  The flow's read of the quantity just before the write (allocation.without_unseen_sales)
  is what guards sales made since the last publish.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from causeway.connectors.amazon.feeds import FeedResult, FeedSubmitter, QuantityLine, listings_feed
from causeway.connectors.amazon.listings import (
    DEFAULT_CHANNEL,
    AmazonStockItem,
    Listings,
    refusal,
)
from causeway.errors import PermanentError, RetryableError
from causeway.model.ports.channel import QuantityChange, SetOutcome

log = logging.getLogger("causeway.connectors.amazon.stock")

URGENT_PATCHES = 5  # patchListingsItem's burst: more sold-outs than that wait for the feed


@dataclass
class _Outcome:
    applied: list[QuantityChange]
    failed: list[tuple[QuantityChange, str]]

    def fail(self, change: QuantityChange, message: str) -> None:
        self.failed.append((change, message))

    def answer(
        self, submitted: Sequence[QuantityChange] = (), receipt: str | None = None
    ) -> SetOutcome:
        return SetOutcome(
            applied=self.applied,
            failed=[change for change, _ in self.failed],
            errors=[message for _, message in self.failed],
            submitted=list(submitted),
            receipt=receipt,
        )


class AmazonStock:
    def __init__(self, listings: Listings, feeds: FeedSubmitter, *, system: str) -> None:
        self.listings = listings
        self.feeds = feeds
        self.system = system
        self._product_types: dict[str, str] = {}
        # DeferredStock: how often the flow asks about a feed, and for how long.
        self.settle_every = feeds.poll_every
        self.settle_within = feeds.timeout

    def primary_location_id(self) -> str:
        return DEFAULT_CHANNEL

    def inventory_items_by_sku(self, skus: list[str]) -> dict[str, AmazonStockItem]:
        found: dict[str, AmazonStockItem] = {}
        for sku, item in self.listings.by_sku(skus).items():
            product_type = item.product_type(self.listings.marketplace_ids)
            if item.fulfilled_by_amazon:
                log.info(
                    "%s: %s is fulfilled by Amazon; its stock is not published", self.system, sku
                )
                continue
            if product_type is None:
                log.warning("%s: %s has no product type; its stock cannot be set", self.system, sku)
                continue
            self._product_types[sku] = product_type
            found[sku] = AmazonStockItem(sku, product_type)
        return found

    def available_quantities(
        self, inventory_item_ids: list[str], location_id: str
    ) -> dict[str, int]:
        if location_id != DEFAULT_CHANNEL:
            return {}
        found: dict[str, int] = {}
        for sku, item in self.listings.by_sku(inventory_item_ids).items():
            quantity = item.merchant_quantity
            if quantity is not None and not item.fulfilled_by_amazon:
                found[sku] = quantity
        return found

    def set_available(
        self,
        quantities: list[QuantityChange],
        *,
        reason: str = "correction",
        reference_uri: str | None = None,
    ) -> SetOutcome:
        """Sold-outs patched at once, every other change submitted in one feed (module
        docstring)."""
        outcome = _Outcome(applied=[], failed=[])
        sendable = self._with_product_types(self._at_default(quantities, outcome), outcome)
        urgent = [c for c in sendable if c.quantity == 0][:URGENT_PATCHES]
        later = [c for c in sendable if all(c is not u for u in urgent)]
        for change in urgent:
            if not self._patch(change, outcome):
                later.append(change)
        receipt = self._feed(later) if later else None
        return outcome.answer(submitted=later, receipt=receipt)

    def settled(self, receipt: str, submitted: Sequence[QuantityChange]) -> SetOutcome | None:
        """The feed's processing report read into applied and refused changes; None while
        Amazon is still processing the feed."""
        result = self.feeds.result(receipt)
        if result is None:
            return None
        refused = self._refusals(result, [c.inventory_item_id for c in submitted])
        outcome = _Outcome(applied=[], failed=[])
        for change in submitted:
            messages = refused.get(change.inventory_item_id)
            if messages:
                outcome.fail(change, f"{self.system}: " + "; ".join(messages))
            else:
                outcome.applied.append(change)
        return outcome.answer()

    # ----------------------------------------------------------------- private

    def _at_default(
        self, changes: Sequence[QuantityChange], outcome: _Outcome
    ) -> list[QuantityChange]:
        kept = []
        for change in changes:
            if change.location_id != DEFAULT_CHANNEL:
                outcome.fail(
                    change,
                    f"{self.system}: SKU {change.inventory_item_id}: Amazon takes the seller's own "
                    f"stock at location {DEFAULT_CHANNEL} only, not {change.location_id!r}",
                )
            else:
                kept.append(change)
        return kept

    def _with_product_types(
        self, changes: list[QuantityChange], outcome: _Outcome
    ) -> list[QuantityChange]:
        """The changes whose listing's product type is known (a PATCH must name it)."""
        unknown = [
            c.inventory_item_id for c in changes if c.inventory_item_id not in self._product_types
        ]
        if unknown:
            self.inventory_items_by_sku(unknown)
        kept = []
        for change in changes:
            if change.inventory_item_id in self._product_types:
                kept.append(change)
            else:
                outcome.fail(
                    change,
                    f"{self.system}: SKU {change.inventory_item_id} is not a merchant-fulfilled "
                    f"listing of this seller (not listed, fulfilled by Amazon, or no product type)",
                )
        return kept

    def _patch(self, change: QuantityChange, outcome: _Outcome) -> bool:
        """patchListingsItem; False when it could not be sent (the feed takes it)."""
        sku = change.inventory_item_id
        try:
            answer = self.listings.patch_quantity(sku, self._product_types[sku], change.quantity)
        except RetryableError as error:
            log.warning(
                "%s: sold-out patch of %s not sent (%s); it goes in the feed",
                self.system,
                sku,
                error,
            )
            return False
        except PermanentError as error:
            outcome.fail(change, f"{self.system}: SKU {sku}: patchListingsItem refused: {error}")
            return True
        errors = [i for i in answer.issues if i.severity == "ERROR"]
        if answer.status == "INVALID" or errors:
            text = "; ".join(refusal(sku, i.code, i.message, "patchListingsItem") for i in errors)
            outcome.fail(change, f"{self.system}: {text or f'SKU {sku}: patch INVALID'}")
        else:
            outcome.applied.append(change)
        return True

    def _feed(self, changes: list[QuantityChange]) -> str:
        """The changes in one feed, in their order (a report's messageId is a position)."""
        lines = [
            QuantityLine(c.inventory_item_id, self._product_types[c.inventory_item_id], c.quantity)
            for c in changes
        ]
        return self.feeds.submit(listings_feed(self.listings.seller_id, lines))

    def _refusals(self, result: FeedResult, skus: list[str]) -> dict[str, list[str]]:
        """SKU -> the report's ERROR issues of it. A feed that did not finish (FATAL,
        CANCELLED) or an error of the whole feed refuses every SKU."""
        where = f"listings feed {result.feed_id}"
        if result.status != "DONE" or result.report is None:
            text = f"Amazon's {where} ended {result.status} without a processing report"
            return {sku: [f"SKU {sku}: {text}"] for sku in skus}
        refused: dict[str, list[str]] = {}
        for issue in result.report.issues:
            if issue.severity != "ERROR":
                log.info(
                    "%s: %s %s: %s %s", self.system, where, issue.sku, issue.code, issue.message
                )
                continue
            sku = issue.sku
            if sku is None and issue.messageId is not None and 1 <= issue.messageId <= len(skus):
                sku = skus[issue.messageId - 1]
            targets = [sku] if sku is not None else skus  # no SKU, no message: the whole feed
            for target in targets:
                if target in skus:
                    refused.setdefault(target, []).append(
                        refusal(target, issue.code, issue.message, where)
                    )
        return refused
