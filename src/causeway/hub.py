"""The hub: one configured Causeway, from causeway.yaml to running workers.

Everything is wired here and nowhere else, so a reader can see in one place which
connector each flow uses, which inbox topics start which flow, and what runs on a
schedule.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from causeway.config import (
    CausewayConfig,
    FilesSystem,
    HubSpotSystem,
    ShopifySystem,
    TrytonSystem,
)
from causeway.connectors.files.connector import FilesConnector
from causeway.connectors.hubspot.client import HubSpotClient
from causeway.connectors.hubspot.connector import HubSpotConnector
from causeway.connectors.hubspot.ingress import HubSpotIngress
from causeway.connectors.shopify.client import ShopifyGraphQL
from causeway.connectors.shopify.connector import ShopifyConnector
from causeway.connectors.shopify.ingress import ShopifyIngress
from causeway.connectors.tryton.connector import TrytonConnector
from causeway.connectors.tryton.rpc import TrytonRPC
from causeway.engine import jobs, links
from causeway.engine.facts import note_hub_start
from causeway.engine.inbox import Inbox, InboxRecord, InboxWriter, StoredEvent
from causeway.engine.jobs import DEAD, UNFINISHED, JobQueue, NewJob, RetryPolicy
from causeway.engine.rate import RateBudgets
from causeway.engine.schedule import HELD_UNTIL
from causeway.engine.scheduler import Scheduler, Trigger
from causeway.engine.store import Store
from causeway.engine.worker import Flow, Worker
from causeway.flows import orders_to_erp, stock_to_channels
from causeway.flows.orders_to_erp import OrdersToErp, pending_quantities
from causeway.flows.stock_to_channels import StockToChannels
from causeway.model.ports.channel import OrderChannel
from causeway.observability.contacts import Contacts
from causeway.privacy.retention import prune
from causeway.redaction import Redactor
from causeway.wiring import WiredFlow, wire

log = logging.getLogger("causeway.hub")

SUBSCRIBE_FIRST_RETRY, SUBSCRIBE_MAX_RETRY = 2.0, 300.0


def build_connector(name: str, system: Any, budgets: RateBudgets) -> Any:
    if isinstance(system, ShopifySystem):
        token = system.access_token.get_secret_value()
        # One budget per credential: every flow using this token shares it.
        credential = f"shopify:{system.shop_url}:{hashlib.sha256(token.encode()).hexdigest()[:12]}"
        budget = budgets.get(
            credential,
            capacity=system.cost_bucket,
            refill_per_second=system.cost_restore_per_second,
        )
        return ShopifyConnector(
            system.shop_url, token, budget=budget, system=name, api_version=system.api_version
        )
    if isinstance(system, TrytonSystem):
        return TrytonConnector(
            system.url,
            system.database,
            system.username,
            system.password.get_secret_value(),
            warehouse_code=system.warehouse,
            shipping_sku=system.shipping_sku,
            discount_sku=system.discount_sku,
            gift_card_sku=system.gift_card_sku,
            tip_sku=system.tip_sku,
            payment_term=system.payment_term,
            timeout=system.timeout,
            system=name,
        )
    if isinstance(system, FilesSystem):
        return FilesConnector(system, system=name)
    if isinstance(system, HubSpotSystem):
        token = system.access_token.get_secret_value()
        credential = f"hubspot:{system.base_url}:{hashlib.sha256(token.encode()).hexdigest()[:12]}"
        budget = budgets.get(
            credential,
            capacity=system.requests_per_interval,
            refill_per_second=system.requests_per_interval / system.interval_seconds,
        )
        return HubSpotConnector(
            system.base_url, token, budget=budget, system=name, timeout=system.timeout
        )
    raise TypeError(f"no connector for {type(system).__name__}")


def http_client_of(connector: Any) -> ShopifyGraphQL | HubSpotClient | TrytonRPC | None:
    """The HTTP client a connector talks through (a drop folder has none)."""
    if isinstance(connector, ShopifyConnector | HubSpotConnector):
        return connector.client
    if isinstance(connector, TrytonConnector):
        return connector.rpc
    return None


class Hub:
    def __init__(self, config: CausewayConfig, *, store: Store | None = None) -> None:
        """store: the one to use instead of opening (and migrating) config.store.url."""
        self.config = config
        workers = config.workers
        self.store = store or Store(
            config.store.url,
            synchronous=config.store.sqlite_synchronous,
            background_checkpoints=True,
        )
        # Every error text the engine stores or serves loses the config's secrets first.
        self.redact = Redactor.from_config(config)
        self.jobs = JobQueue(
            self.store,
            RetryPolicy(workers.max_attempts, workers.backoff_base, workers.backoff_cap),
            clean_text=self.redact,
        )
        self.budgets = RateBudgets()
        self.connectors = {
            name: build_connector(name, system, self.budgets)
            for name, system in config.systems.items()
        }
        self.contacts = Contacts()
        for name, connector in self.connectors.items():
            http = http_client_of(connector)
            if http is not None:
                http.watch(self.contacts.hook(name))
        self.ingress: dict[str, ShopifyIngress | HubSpotIngress] = {
            name: ShopifyIngress(name, system.webhook_secret.get_secret_value())
            for name, system in config.systems.items()
            if isinstance(system, ShopifySystem)
        }
        for name, system in config.systems.items():
            if isinstance(system, HubSpotSystem):
                self.ingress[name] = HubSpotIngress(
                    name,
                    system.client_secret.get_secret_value(),
                    public_url=config.server.public_url or "",  # required by the config
                    portal_id=system.portal_id,
                )
        self.inbox = Inbox(self.store, self.jobs, self.route)
        self.flows: dict[str, Flow] = {}
        self.triggers: list[Trigger] = []
        self.wired: dict[str, WiredFlow] = {}
        self._wire_flows()
        self.scheduler = Scheduler(self.store, self.jobs, self.triggers)
        self.writer: InboxWriter | None = None
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.workers: list[Worker] = []

    # -- wiring -------------------------------------------------------------
    def _wire_flows(self) -> None:
        """Each enabled flow, wired by its function in causeway.wiring."""
        self.wired = wire(self, self.config.flows.configured())
        for name, wired in self.wired.items():
            self.flows[name] = wired.flow
            self.triggers.append(Trigger(name, wired.schedule, wired.run_payload))

    def route(self, record: InboxRecord, inbox_id: int) -> Sequence[NewJob]:
        """Which flows a received change starts. Unrouted records stay in the inbox.

        A flow whose schedule is not real time gets the job held: it waits, durably,
        for the flow's next run to release it.
        """
        started = []
        for wired in self.wired.values():
            if wired.job_for is None or record.source not in wired.sources:
                continue
            if record.topic not in wired.topics:
                continue
            job = wired.job_for(record, inbox_id)
            if wired.schedule.holds_changes:
                job = replace(job, run_at=HELD_UNTIL)
            started.append(job)
        if not started:
            log.info(
                "no flow takes %s from %s; kept in the inbox only", record.topic, record.source
            )
        return started

    def webhook_topics(self, system: str) -> list[str]:
        """The webhook topics some flow takes from `system`, to subscribe to."""
        topics = {
            topic
            for wired in self.wired.values()
            if system in wired.sources
            for topic in wired.topics
            if topic not in wired.polled_topics and topic not in wired.app_topics
        }
        return sorted(topics)

    def webhook_address(self, system: str) -> str | None:
        """Where `system` delivers its webhooks, at server.public_url (None: not set)."""
        public = (self.config.server.public_url or "").rstrip("/")
        return f"{public}/webhooks/{system}" if public else None

    def app_topics(self, system: str) -> list[str]:
        """The topics some flow takes from `system` that its vendor only sends to URLs
        declared in the app's configuration (Shopify's privacy webhooks)."""
        return sorted({t for w in self.wired.values() if system in w.sources for t in w.app_topics})

    def run_flow(self, name: str) -> int:
        """Run a flow now, whatever its schedule; returns the jobs released or queued."""
        return sum(self.scheduler.fire(t) for t in self.triggers if t.flow == name)

    @property
    def orders_flow(self) -> OrdersToErp:
        return self.flows[orders_to_erp.NAME]  # type: ignore[return-value]

    @property
    def stock_flow(self) -> StockToChannels:
        return self.flows[stock_to_channels.NAME]  # type: ignore[return-value]

    def held_quantities(self) -> dict[str, Decimal]:
        """Stock held by store orders that have not reached the ERP yet."""
        with self.store.read() as conn:
            payloads = jobs.payloads(conn, orders_to_erp.NAME, (*UNFINISHED, DEAD))
        inbox_ids = [p["inbox_id"] for p in payloads if "inbox_id" in p]
        events = list(self.inbox.get_many(inbox_ids).values())
        # A late update of an order the ERP already has is queued too; its stock is
        # already out of the ERP forecast and must not be held back twice.
        placed = self._orders_in_erp(
            {
                e.entity_key.removeprefix("order:")
                for e in events
                if e.entity_key.startswith("order:")
            }
        )
        events = [e for e in events if e.entity_key.removeprefix("order:") not in placed]
        # Each channel reads its own payloads (a store's, a drop folder's).
        by_source: dict[str, list[StoredEvent]] = {}
        for event in events:
            by_source.setdefault(event.source, []).append(event)
        held: dict[str, Decimal] = {}
        for source, theirs in by_source.items():
            channel = self.connectors.get(source)
            if not isinstance(channel, OrderChannel):
                continue  # a system no longer configured as a channel: nothing to read with
            for sku, quantity in pending_quantities(theirs, channel).items():
                held[sku] = held.get(sku, Decimal(0)) + quantity
        return held

    def _orders_in_erp(self, external_ids: set[str]) -> set[str]:
        orders = self.config.flows.orders_to_erp
        if not orders or not external_ids:
            return set()
        with self.store.read() as conn:
            found = links.find_many(conn, orders.source, orders_to_erp.ORDER, sorted(external_ids))
        return {ext for ext, link in found.items() if link.fingerprint == "in_erp"}

    # -- running ------------------------------------------------------------
    def new_worker(self, name: str | None = None) -> Worker:
        return Worker(
            self.store, self.jobs, self.flows, lease_seconds=self.config.workers.lease, name=name
        )

    def start(
        self, *, workers: int | None = None, scheduler: bool = True, ingress: bool = True
    ) -> None:
        """ingress=False: no inbox writer, for a process that only works jobs
        (`causeway worker`); the webhooks go to the process that serves HTTP."""
        self._stop.clear()
        if ingress:
            for name in self.ingress:
                if topics := self.app_topics(name):
                    log.info(
                        "%s sends %s only to the URL in the app's configuration: declare "
                        "<server.public_url>/webhooks/%s there (docs/privacy.md)",
                        name,
                        ", ".join(topics),
                        name,
                    )
            # Silence (no webhooks, a still cursor) is measured from here at the earliest.
            note_hub_start(self.store, [name for name in self.ingress if self.webhook_topics(name)])
            self.writer = InboxWriter(
                self.inbox, max_batch=self.config.server.ingress_batch
            ).start()
        count = self.config.workers.count if workers is None else workers
        for i in range(count):
            worker = self.new_worker()
            self.workers.append(worker)
            self._spawn(f"worker-{i}", worker.run)
        if scheduler:
            self._spawn("scheduler", self.scheduler.run)
            self._spawn("housekeeping", self._housekeeping_loop)
        self._spawn("checkpointer", self._checkpoint_loop)

    def _checkpoint_loop(self, stop: threading.Event) -> None:
        """The store's housekeeping: WAL checkpoints, and when each system last answered."""
        while not stop.wait(1.0):
            try:
                self.store.checkpoint()
            except Exception:  # the next round tries again
                log.exception("WAL checkpoint failed")
            try:
                self.contacts.flush(self.store)
            except Exception:  # the store is down: /ready says so; next round tries again
                log.debug("could not record the systems' last contact", exc_info=True)

    def _housekeeping_loop(self, stop: threading.Event) -> None:
        """Retention (docs/privacy.md): prune at start, then every `retention.every`."""
        while not stop.is_set():
            try:
                prune(self.store, self.config, stop=stop)
            except Exception:  # the next round tries again
                log.exception("retention pruning failed")
            stop.wait(self.config.retention.every)

    def _spawn(self, name: str, target: Any) -> None:
        thread = threading.Thread(target=target, args=(self._stop,), name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def subscribe_webhooks(self) -> None:
        """Keep the stores' webhook subscriptions pointing at server.public_url, from a
        thread: the hub listens (and stores webhooks) while a slow or unreachable store
        is retried with backoff. The reconcile polls catch orders meanwhile."""
        wanted: dict[str, tuple[str, list[str]]] = {}
        for name in self.ingress:
            uri, topics = self.webhook_address(name), self.webhook_topics(name)
            if uri and topics:
                wanted[name] = (uri, topics)
        if not wanted:
            return
        self._spawn("webhook-subscriber", lambda stop: self._subscribe_until_done(wanted, stop))

    def _subscribe_until_done(
        self, wanted: dict[str, tuple[str, list[str]]], stop: threading.Event
    ) -> None:
        delay = SUBSCRIBE_FIRST_RETRY
        while wanted and not stop.is_set():
            for name, (uri, topics) in list(wanted.items()):
                try:
                    self.connectors[name].subscribe_webhooks(uri, topics)
                except Exception as exc:  # anything: retried, never fatal
                    log.warning(
                        "could not subscribe %s webhooks at %s (retrying in %.0fs): %s",
                        name,
                        uri,
                        delay,
                        exc,
                        extra={"system": name, "retry_in": delay},
                    )
                    continue
                log.info(
                    "webhooks of %s delivered to %s: %s",
                    name,
                    uri,
                    ", ".join(topics),
                    extra={"system": name},
                )
                del wanted[name]
            if wanted and stop.wait(delay):
                return
            delay = min(delay * 2, SUBSCRIBE_MAX_RETRY)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop every thread, waiting at most `timeout` seconds for work in hand.

        A worker still inside a call after that gives its jobs back (JobQueue.release)
        so that the next worker, here after a restart or in another process, takes them
        at once; its call is abandoned with the process, which is what a crash does and
        what the flows are built to survive (they search before they write)."""
        self._stop.set()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        busy = [t.name for t in self._threads if t.is_alive()]
        self._threads.clear()
        released = 0
        for worker in self.workers:
            try:
                released += self.jobs.release(worker.name)
            except Exception:  # the store is gone: the leases expire instead
                log.exception("could not release the jobs of %s", worker.name)
        if released:
            log.info("released %d job(s) still in hand for the next worker", released)
        if self.writer:
            self.writer.stop()
            self.writer = None
        if busy:
            # A thread is still in a remote call on these clients; they go with the process.
            self.store.dispose()
            return
        for connector in self.connectors.values():
            close = getattr(connector, "close", None)
            if close:
                close()
        self.store.dispose()
