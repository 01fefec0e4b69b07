"""The hub: one configured Causeway, from causeway.yaml to running workers.

It starts and stops things: the store, the job queue, the workers, the scheduler, the
inbox writer, the webhook subscriptions and the housekeeping threads. What it runs is
built elsewhere: every system's connector and webhook receiver by connectors/registry.py,
the enabled flows and the routing of received changes to them by flows/enabled.py, from
the declarations in flows/registry.py. It names no flow and no system type.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from causeway.config import CausewayConfig
from causeway.connectors.registry import (
    build_connectors,
    build_queue_readers,
    build_receivers,
    watch_answers,
)
from causeway.engine.facts import note_disabled_webhooks, note_hub_start
from causeway.engine.flow_pauses import FlowPausedError, is_paused
from causeway.engine.inbox import Inbox, InboxWriter
from causeway.engine.jobs import JobQueue, RetryPolicy
from causeway.engine.locks import StoreLocks
from causeway.engine.rate import RateBudgets
from causeway.engine.scheduler import Scheduler
from causeway.engine.shared_rate import StoreBuckets
from causeway.engine.store import Store
from causeway.engine.web_event_writer import WebEventWriter
from causeway.engine.worker import Worker
from causeway.flows.enabled import EnabledFlows
from causeway.notifications.sender import MailSender
from causeway.observability.contacts import Contacts
from causeway.privacy.retention import prune
from causeway.redaction import Redactor

log = logging.getLogger("causeway.hub")

SUBSCRIBE_FIRST_RETRY, SUBSCRIBE_MAX_RETRY = 2.0, 300.0
# How often the webhooks of a store that disables them (WooCommerce, after 5 failed
# deliveries) are looked at once subscribed: each look switches disabled ones back on.
WEBHOOK_CHECK_EVERY = 300.0


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
        # Buckets that belong to a selling account (Amazon's) live in the store, shared
        # by every process on it; the others are this process's (docs/scaling.md).
        self.budgets = RateBudgets(shared=StoreBuckets(self.store))
        # Every worker, in this process or another on the same store, shares these locks.
        self.locks = StoreLocks(self.store)
        self.connectors = build_connectors(config.systems, self.budgets, self.locks)
        self.contacts = Contacts()
        watch_answers(config.systems, self.connectors, self.contacts.hook)
        self.ingress = build_receivers(config.systems, config.server.public_url)
        # The inbox starts the jobs the enabled flows take (EnabledFlows.route).
        self.inbox = Inbox(self.store, self.jobs, lambda record, id_: self.flows.route(record, id_))
        self.flows = EnabledFlows.build(
            config, store=self.store, inbox=self.inbox, jobs=self.jobs, connectors=self.connectors
        )
        # Records that start a job only as their entity's first (a new order polled).
        self.inbox.firsts = self.flows
        # Queues a system's changes come through instead of webhooks (Amazon's SQS).
        self.queue_readers = build_queue_readers(config.systems, self.inbox)
        self.scheduler = Scheduler(self.store, self.jobs, self.flows.triggers())
        # Order-status and account e-mails, from the outbox (docs/notifications.md).
        self.mail_sender = MailSender(self.store, config.notifications, clean_text=self.redact)
        self.writer: InboxWriter | None = None
        # Storefront events (docs/clickstream.md): a writer of their own, never the inbox's.
        self.web_event_writer: WebEventWriter | None = None
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.workers: list[Worker] = []

    def run_flow(self, name: str, *, actor: str | None = None) -> int:
        """Run a flow now, whatever its schedule; returns the jobs released or queued.
        A paused flow is refused (FlowPausedError): nothing of it runs until resumed."""
        if is_paused(self.store, name):
            raise FlowPausedError(name)
        triggers = [t for t in self.scheduler.triggers if t.flow == name]
        return sum(self.scheduler.fire(t, actor=actor) for t in triggers)

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
                if topics := self.flows.app_topics(name):
                    log.info(
                        "%s sends %s only to the URL in the app's configuration: declare "
                        "<server.public_url>/webhooks/%s there (docs/privacy.md)",
                        name,
                        ", ".join(topics),
                        name,
                    )
            # Silence (no webhooks, a still cursor) is measured from here at the earliest.
            subscribed = [name for name in self.ingress if self.flows.webhook_topics(name)]
            note_hub_start(self.store, subscribed)
            self.writer = InboxWriter(
                self.inbox, max_batch=self.config.server.ingress_batch
            ).start()
            if self.config.clickstream:
                self.web_event_writer = WebEventWriter(self.store).start()
            # Read by the process that takes webhooks: the inbox dedupes what two read.
            for name, read_queue in self.queue_readers.items():
                self._spawn(f"queue-{name}", read_queue)
        count = self.config.workers.count if workers is None else workers
        for i in range(count):
            worker = self.new_worker()
            self.workers.append(worker)
            self._spawn(f"worker-{i}", worker.run)
        if scheduler:
            self._spawn("scheduler", self.scheduler.run)
            self._spawn("housekeeping", self._housekeeping_loop)
        self._spawn("checkpointer", self._checkpoint_loop)
        if self.config.notifications.enabled:
            # In every hub process: the outbox's leases keep two from sending one e-mail.
            self._spawn("mail-sender", self.mail_sender.run)

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

    def _webhooks_wanted(self) -> dict[str, tuple[str, list[str]]]:
        """System -> (where its webhooks go, the topics some flow takes from it)."""
        wanted: dict[str, tuple[str, list[str]]] = {}
        for name in self.ingress:
            uri = self.config.server.webhook_url(name)
            topics = self.flows.webhook_topics(name)
            if uri and topics:
                wanted[name] = (uri, topics)
        return wanted

    def subscribe_webhooks(self) -> None:
        """Keep the stores' webhook subscriptions pointing at server.public_url, from a
        thread: the hub listens (and stores webhooks) while a slow or unreachable store
        is retried with backoff. The reconcile polls catch orders meanwhile. Then, every
        WEBHOOK_CHECK_EVERY, check_webhooks()."""
        wanted = self._webhooks_wanted()
        if not wanted:
            return
        self._spawn("webhook-subscriber", lambda stop: self._subscribe_until_done(wanted, stop))

    def check_webhooks(self) -> list[str]:
        """Look at the webhooks of every store whose connector can tell their health
        (`webhook_health`): disabled ones are switched back on by the connector, and
        noted, so the webhooks_disabled alert fires (what the store did not deliver
        meanwhile is lost; the reconciling polls fetch it). Returns "system:topic" of
        each webhook found disabled."""
        found = []
        for name, (uri, topics) in self._webhooks_wanted().items():
            connector = self.connectors[name]
            if not hasattr(connector, "webhook_health"):
                continue  # its vendor never disables a webhook by itself
            try:
                connector.webhook_health(uri, topics)
            except Exception as exc:  # the store is down: the next look tries again
                log.warning("could not check %s webhooks: %s", name, exc, extra={"system": name})
                continue
            found += self._note_disabled(name)
        return found

    def _note_disabled(self, name: str) -> list[str]:
        health = getattr(self.connectors[name], "last_webhook_health", None)
        disabled = list(health.disabled_topics) if health is not None else []
        if disabled:
            note_disabled_webhooks(self.store, name, disabled)
            log.warning(
                "%s had disabled its webhooks of %s (switched back on; what it did not "
                "deliver meanwhile comes with the reconciling polls)",
                name,
                ", ".join(disabled),
                extra={"system": name},
            )
        return [f"{name}:{topic}" for topic in disabled]

    def _subscribe_until_done(
        self, wanted: dict[str, tuple[str, list[str]]], stop: threading.Event
    ) -> None:
        self._subscribe_all(dict(wanted), stop)
        while not stop.wait(WEBHOOK_CHECK_EVERY):
            self.check_webhooks()

    def _subscribe_all(
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
                self._note_disabled(name)  # subscribing switched them back on
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
        if self.web_event_writer:
            self.web_event_writer.stop()
            self.web_event_writer = None
        if busy:
            # A thread is still in a remote call on these clients; they go with the process.
            self.budgets.close()
            self.store.dispose()
            return
        for connector in self.connectors.values():
            close = getattr(connector, "close", None)
            if close:
                close()
        self.budgets.close()
        self.store.dispose()
