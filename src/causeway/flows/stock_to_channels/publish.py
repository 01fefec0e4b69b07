"""One channel's side of a stock run: its figures set with compare-and-set.

The flow (flow.py) works out what each channel may sell; a ChannelPublisher, one per
channel, sets those figures there. Only SKUs whose figure differs from what was last
published (or that a recheck names) are touched, so an unchanged catalogue costs no
channel call. Each write is compare-and-set against what the channel showed a moment
before, and a SKU whose figure changed under us is read again, at most MAX_CAS_ROUNDS
times. What the channel takes to decide later (Amazon's feeds) is taken note of and
settled by a job (settlement.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence

from causeway.engine import links
from causeway.engine.jobs import JobQueue
from causeway.engine.store import Store
from causeway.flows.stock_to_channels import settlement
from causeway.flows.stock_to_channels.results import (
    ChannelResult,
    Progress,
    changed_since_published,
)
from causeway.flows.stock_to_channels.settlement import Submission
from causeway.model.ports.channel import QuantityChange, SetOutcome, StockChannel, StockItem
from causeway.stock.allocation import without_unseen_sales

log = logging.getLogger("causeway.flows.stock_to_channels")

STOCK = "stock"  # link entity type: external_id = SKU, fingerprint = published quantity
MAX_CAS_ROUNDS = 3
# A SKU the store does not sell is looked up again only after this long (or on a
# full run), so that an unchanged ERP costs no store call at all.
NOT_IN_CHANNEL_RECHECK = 15 * 60


class ChannelPublisher:
    def __init__(
        self,
        store: Store,
        name: str,
        channel: StockChannel,
        *,
        location_id: str | None = None,
        sku_map: Mapping[str, str] | None = None,
        queue: JobQueue | None = None,
    ) -> None:
        """sku_map: ERP SKU -> the channel's; queue: where a submission's settling goes
        (none: the run waits for the channel's decision)."""
        self.store = store
        self.name = name
        self.channel = channel
        self._location_id = location_id
        self._sku_map = dict(sku_map or {})
        self.queue = queue
        self._items: dict[str, StockItem] = {}
        self._absent: dict[str, float] = {}  # channel SKU -> when it was last not found

    def publish(
        self,
        sellable: Mapping[str, int],
        *,
        full: bool,
        progress: Progress | None,
        lowering: bool,
        recheck: Sequence[str] = (),
    ) -> ChannelResult:
        """Set the SKUs whose figure is below what the channel shows (`lowering`), or the
        others."""
        result = ChannelResult()
        with self.store.read() as conn:
            published = {
                sku: link.fingerprint
                for sku, link in links.find_many(conn, self.name, STOCK, list(sellable)).items()
            }
            flying = settlement.in_flight(conn, self.name)
        wanted = dict(sellable) if full else changed_since_published(sellable, published)
        wanted |= {sku: sellable[sku] for sku in recheck if sku in sellable}
        wanted, waiting = settlement.not_in_flight(wanted, flying)
        result.waiting = waiting
        if not wanted:
            return result
        location = self._location()
        named = {sku: self._sku_map.get(sku, sku) for sku in wanted}  # ERP SKU -> channel's
        found = self._inventory_items(list(named.values()), recheck_absent=full)
        items = {sku: found[theirs] for sku, theirs in named.items() if theirs in found}
        result.not_in_channel = sorted(named[sku] for sku in set(wanted) - set(items))
        last = {sku: int(fp) for sku, fp in published.items() if fp is not None and fp.isdigit()}
        todo = {sku: qty for sku, qty in wanted.items() if sku in items}
        for round_ in range(MAX_CAS_ROUNDS):
            if not todo:
                break
            stale = self._push_round(items, location, todo, last, result, progress, lowering)
            todo = {sku: todo[sku] for sku in stale}
            if todo:
                log.info(
                    "%s: %d quantities changed under us; re-reading (round %d)",
                    self.name,
                    len(todo),
                    round_ + 1,
                )
        if todo:
            result.errors.append(
                f"{self.name}: stock kept changing in the store for {', '.join(sorted(todo))}"
            )
        # What the channel shows, which is what a channel without compare-and-set
        # compares against next time (allocation.without_unseen_sales).
        done = {sku: (f"sku:{sku}", str(qty)) for sku, qty in result.shown.items()}
        with self.store.transaction() as conn:
            links.save_fingerprints(conn, self.name, STOCK, done)
            if result.submissions and self.queue is not None:
                self.queue.enqueue_in(conn, [s.job(s.submitted_at) for s in result.submissions])
        return result

    def _push_round(
        self,
        items: Mapping[str, StockItem],
        location: str,
        todo: Mapping[str, int],
        last_published: Mapping[str, int],
        result: ChannelResult,
        progress: Progress | None,
        lowering: bool,
    ) -> list[str]:
        """One compare-and-set round over `todo`: the SKUs that changed under us."""
        ids = {items[sku].inventory_item_id: sku for sku in todo}
        current = self.channel.available_quantities(list(ids), location)
        # Every channel: compare-and-set only guards the moment between this read and
        # the write; a sale whose order is still on its way to the hub is older than that.
        todo = {
            sku: without_unseen_sales(
                todo[sku], last_published.get(sku), current.get(items[sku].inventory_item_id)
            )
            for sku in todo
        }
        changes = []
        for item_id, sku in ids.items():
            shows = current.get(item_id)
            if lowering != (shows is not None and todo[sku] < shows):
                continue  # the other pass's
            if shows == todo[sku]:
                result.already_right.append(sku)
                result.shown[sku] = todo[sku]
            else:
                changes.append(
                    QuantityChange(
                        inventory_item_id=item_id,
                        location_id=location,
                        quantity=todo[sku],
                        compare_quantity=current.get(item_id),
                    )
                )
        if not changes:
            return []
        outcome = self._submitted(
            self.channel.set_available(
                changes, reason="correction", reference_uri=f"causeway://{settlement.FLOW}"
            ),
            ids,
            result,
        )
        for change in outcome.applied:
            result.pushed[ids[change.inventory_item_id]] = change.quantity
            result.shown[ids[change.inventory_item_id]] = change.quantity
        result.errors.extend(outcome.errors)
        if progress:
            progress("push", len(result.pushed) + len(result.already_right), len(ids))
        return [ids[c.inventory_item_id] for c in outcome.stale]

    def _submitted(
        self, outcome: SetOutcome, ids: Mapping[str, str], result: ChannelResult
    ) -> SetOutcome:
        """The outcome, its submitted changes taken note of: shown as sent, and settled by
        a job (settlement.py); with no queue, waited for here."""
        if not outcome.submitted or outcome.receipt is None:
            return outcome
        channel = settlement.deferred(self.channel, self.name)
        if self.queue is None:
            return settlement.wait_for(channel, outcome)
        result.took(Submission.taken(self.name, outcome.receipt, outcome.submitted, ids))
        return outcome

    def _location(self) -> str:
        if not self._location_id:
            self._location_id = self.channel.primary_location_id()
        return self._location_id

    def _inventory_items(self, skus: list[str], *, recheck_absent: bool) -> dict[str, StockItem]:
        stamp = time.monotonic()
        unknown = [
            sku
            for sku in skus
            if sku not in self._items
            and (
                recheck_absent
                or stamp - self._absent.get(sku, -NOT_IN_CHANNEL_RECHECK) >= NOT_IN_CHANNEL_RECHECK
            )
        ]
        if unknown:
            found = self.channel.inventory_items_by_sku(unknown)
            self._items.update(found)
            self._absent.update({sku: stamp for sku in unknown if sku not in found})
        return {sku: self._items[sku] for sku in skus if sku in self._items}
