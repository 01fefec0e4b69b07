"""stock-to-channels: what each SKU can still be sold, as the ERP sees it, reaches every store.

sellable = ERP forecast - quantities of store orders not yet in the ERP - safety stock,
never below zero (the rule: stock/sellable.py), pushed as an absolute `available` with
compare-and-set. Each channel sells from its own ERP warehouse, or several added up (its
view); each warehouse is read once per run however many channels it feeds, and a held
order comes off the views of the warehouse its sale ships from. Each channel gets its
part (share, cap, own safety stock: stock/allocation.py) under its own SKU names
(sku_map); no channel is given back units it sold since the hub last looked whose
orders have not reached the hub yet (allocation.without_unseen_sales), and lowered
figures are written before raised ones. Only SKUs whose value differs from what was last
published are touched, so an unchanged catalogue costs no store API call at all. Runs on
an interval, on a sale, while orders land in the ERP, on demand (`causeway sync stock`),
and in full (`--full`) to repair drift. Setting the figures on one channel, compare-and-set,
is publish.py's.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from causeway.engine.cursors import Cursor
from causeway.engine.inbox import InboxRecord
from causeway.engine.jobs import JobQueue, NewJob, ordering_key
from causeway.engine.store import Store
from causeway.errors import PermanentError, RetryableError
from causeway.flows.base import FlowBase, RunCounts
from causeway.flows.orders_to_erp.notified import POLL_TOPIC
from causeway.flows.stock_to_channels import settlement
from causeway.flows.stock_to_channels.publish import STOCK, ChannelPublisher
from causeway.flows.stock_to_channels.results import ChannelResult, Progress, StockRun
from causeway.flows.stock_to_channels.settlement import Submission
from causeway.model.ports.channel import StockChannel
from causeway.model.ports.erp import ErpStock
from causeway.stock.allocation import Allocation, channel_quantities
from causeway.stock.sellable import HeldStock, sellable_quantities

NAME = settlement.FLOW  # "stock-to-channels"

# A new order in any channel republishes every channel's stock within this many seconds:
# the orders of one window share one run (the debounce), the next window gets its own.
REPUBLISH_WINDOW = 1.0
# While orders are on their way into the ERP, a run is followed by another this many
# seconds later: a figure that erred low (an order counted both as held and in the ERP
# forecast while it was being placed) comes back up once the orders are in, rather than
# at the next scheduled run.
FOLLOW_UP_AFTER = 5.0
# Topics of a new order in a channel, in the hub's names: each connector receives its
# vendor's (WooCommerce's order.created arrives as orders/create).
ORDER_PLACED_TOPICS = ("orders/create",)
# An order the hub fetched itself (the reconciling poll's, or a marketplace's named by a
# notification, Amazon's ORDER_CHANGE): a sale when it is the order's first record.
ORDER_FOUND_TOPICS = (POLL_TOPIC,)


def republish_job(record: InboxRecord, inbox_id: int, *, at: float | None = None) -> NewJob:
    """The run a new order starts: one per REPUBLISH_WINDOW, due at the window's end.
    (One key per window, not one key for all: a key is held while its run is running,
    and an order arriving during a run must still get a run after it.)"""
    return run_job(at)


def run_job(at: float | None = None) -> NewJob:
    """A run due at the end of the REPUBLISH_WINDOW that holds `at` (default: now)."""
    window = int((time.time() if at is None else at) // REPUBLISH_WINDOW)
    key = f"{NAME}:after-order:{window}"
    return NewJob(
        NAME,
        ordering_key(NAME, "after-order"),
        {"run": True},
        dedupe_key=key,
        run_at=(window + 1) * REPUBLISH_WINDOW,
    )


class StockToChannels(RunCounts, FlowBase[None]):
    name = NAME
    batch_size = 1
    exclusive = True  # two runs at once would only race each other's compare-and-set
    runs_only = True

    def __init__(
        self,
        store: Store,
        *,
        source: str,
        source_connector: ErpStock,
        targets: Mapping[str, StockChannel],
        safety_stock: int = 0,
        safety_by_sku: Mapping[str, int] | None = None,
        held_by_channel: Callable[[], Mapping[str, Mapping[str, Decimal]]] = dict,
        overlap: timedelta = timedelta(minutes=2),
        location_ids: Mapping[str, str | None] | None = None,
        allocations: Mapping[str, Allocation] | None = None,
        sku_maps: Mapping[str, Mapping[str, str]] | None = None,
        warehouses: Mapping[str, Sequence[str]] | None = None,
        ships_from: Mapping[str, str | None] | None = None,
        queue: JobQueue | None = None,
        orders_landing: Callable[[], bool] = lambda: False,
    ) -> None:
        """held_by_channel: store -> SKU -> units its orders not in the ERP yet hold
        (stock/held.py); warehouses: channel -> the ERP warehouses it sells from, by name
        or code (none: the ERP's own); ships_from: store -> the warehouse its sales ship
        from (orders-to-erp's channel `warehouse`, None: the ERP's own); a store not in
        it ships from a warehouse not known (stock/sellable.py). queue: where a run's
        follow-up goes (FOLLOW_UP_AFTER), while `orders_landing` says orders are being
        placed in the ERP; None: no follow-ups."""
        self.store = store
        self.source = source
        self.erp = source_connector
        self.targets = dict(targets)
        self.safety_stock = safety_stock
        self.safety_by_sku = dict(safety_by_sku or {})
        self.held_by_channel = held_by_channel
        self._warehouses = {n: tuple((warehouses or {}).get(n, ())) for n in self.targets}
        self._ships_from = dict(ships_from or {})
        self.cursor = Cursor(store, source, "stock-moves", overlap, flow=NAME)
        # No allocation = the channel sees the whole sellable quantity (the targets: form).
        self._allocations = {n: (allocations or {}).get(n, Allocation()) for n in self.targets}
        self._publishers = {
            name: ChannelPublisher(
                store,
                name,
                channel,
                location_id=(location_ids or {}).get(name),
                sku_map=(sku_maps or {}).get(name),
                queue=queue,
            )
            for name, channel in self.targets.items()
        }
        self.queue = queue
        self.orders_landing = orders_landing

    def on_run(self, payload: Mapping[str, Any]) -> None:
        if settlement.SETTLE in payload:
            self._settle(Submission.of(payload[settlement.SETTLE]))
            return
        run = self.run(full=bool(payload.get("full")), recheck=payload.get(settlement.RECHECK))
        self.counted(run.counts())
        errors = [e for r in run.channels.values() for e in r.errors]
        if errors:
            raise RetryableError("; ".join(errors))

    def run(
        self,
        *,
        full: bool = False,
        progress: Progress | None = None,
        recheck: Mapping[str, Sequence[str]] | None = None,
    ) -> StockRun:
        """recheck: channel -> SKUs compared with what the channel shows rather than with
        what was last published (settlement.py), the SKUs of every submission a channel
        has decided on by now included."""
        recheck = self._with_decided(recheck or {})
        run = StockRun()
        views, reads = self._views(run)
        # Read before the ERP's levels: an order placed in between then counts twice
        # (a sale missed for a moment), never not at all (an oversell).
        held = self._held()
        self._follow_up_while_orders_land(held)
        skus: list[str] | None = None
        if full:
            # A full run repairs drift; it does not move the change watermark.
            seen = None
        else:
            changed, seen = self.erp.stock_changes_since(self.cursor.window_start())
            # A store order the ERP does not have yet moves no ERP stock, but changes
            # what is sellable: its SKUs are looked at too (unchanged ones cost no push).
            skus = sorted(set(changed) | held.skus() | {s for v in recheck.values() for s in v})
        # One read per warehouse, however many channels it feeds.
        levels = {
            key: self.erp.stock_levels(skus, warehouse=name) if skus != [] else []
            for key, name in reads.items()
        }
        run.considered = len({level.sku for found in levels.values() for level in found})
        shares = {}
        for name, view in views.items():
            sellable = sellable_quantities(
                [level for key in view for level in levels[key]],
                safety_stock=self.safety_stock,
                safety_by_sku=self.safety_by_sku,
                held=held.against(view),
            )
            shares[name] = channel_quantities(sellable, self._allocations[name])
        # Every channel's lowered figures first, raised ones after: a channel that sold
        # out is not given its new part while another still shows its old, larger one.
        for lowering in (True, False):
            for name, share in shares.items():
                done = self._publishers[name].publish(
                    share,
                    full=full,
                    progress=progress,
                    lowering=lowering,
                    recheck=recheck.get(name, ()),
                )
                run.channels[name] = done if lowering else run.channels[name].merge(done)
        if all(not r.errors for r in run.channels.values()):
            # Only move the watermark once every channel has what it saw.
            self.cursor.advance(seen)
        return run

    def _with_decided(self, recheck: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
        found = {name: list(skus) for name, skus in recheck.items()}
        if self.queue is not None:
            decided = settlement.settle_decided(self.store, self.queue, self.targets, entity=STOCK)
            for name, skus in decided.items():
                found.setdefault(name, []).extend(skus)
        return found

    def _views(self, run: StockRun) -> tuple[dict[str, tuple[str, ...]], dict[str, str | None]]:
        """channel -> the keys of the warehouses it sells from, and key -> the name to read
        it by. A channel whose warehouse the ERP does not have gets the error, not stock."""
        views: dict[str, tuple[str, ...]] = {}
        reads: dict[str, str | None] = {}
        for name in self.targets:
            named: dict[str, str | None] = {}
            try:
                for warehouse in self._warehouses[name] or (None,):
                    named.setdefault(self.erp.warehouse_key(warehouse), warehouse)
            except PermanentError as exc:
                run.channels[name] = ChannelResult(errors=[f"{name}: {exc}"])
                continue
            views[name] = tuple(named)
            for key, warehouse in named.items():
                reads.setdefault(key, warehouse)
        return views, reads

    def _held(self) -> HeldStock:
        """What orders not in the ERP yet hold, by the warehouse their sales ship from."""
        held = self.held_by_channel()
        ships_from: dict[str, str | None] = {}
        for store in held:
            if store not in self._ships_from:
                continue  # not an orders-to-erp channel of this ERP: warehouse not known
            try:
                ships_from[store] = self.erp.warehouse_key(self._ships_from[store])
            except PermanentError:
                # Its orders are parked for that same reason; until fixed, they are held
                # against every warehouse.
                continue
        return HeldStock.of_channels(held, ships_from)

    def _settle(self, submission: Submission) -> None:
        name = submission.channel
        if name not in self.targets or self.queue is None:
            raise PermanentError(
                f"{name} is no stock channel of this flow any more: what became of its "
                f"submission {submission.receipt} is not followed; `causeway sync stock "
                "--full` sets every quantity again"
            )
        channel = settlement.deferred(self.targets[name], name)
        settlement.settle(self.store, self.queue, channel, submission, entity=STOCK)

    def _follow_up_while_orders_land(self, held: HeldStock) -> None:
        """Queue another run while orders held back are being placed in the ERP: the run
        after the last of them lands publishes what the ERP then has. Parked orders are
        not being placed: they hold their stock and start no runs."""
        if self.queue is not None and held.skus() and self.orders_landing():
            self.queue.enqueue(run_job(time.time() + FOLLOW_UP_AFTER))
