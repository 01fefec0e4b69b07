"""The clickstream's writer: events stored off the event loop, in batches, never queued
without bound.

The collect route only offers events (`offer`), which never waits: a full queue refuses
them, and they are counted as dropped. One thread takes whatever is queued, at most
`max_batch` at a time, and stores it in one short transaction, then rests `flush_every`
seconds, so storefront traffic costs the store a few small commits a second whatever
its volume; on SQLite the webhook writer waits for at most one of them. A store that
is slow or down fills the queue and events are dropped, not the webhooks delayed.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Sequence

from causeway.engine.store import Store
from causeway.engine.web_events import WebEvent, store_web_events

log = logging.getLogger("causeway.clickstream")

CAPACITY = 10_000  # events waiting to be stored, at most
MAX_BATCH = 500  # events per transaction
FLUSH_EVERY = 0.25  # seconds between transactions


class WebEventWriter:
    def __init__(
        self,
        store: Store,
        *,
        capacity: int = CAPACITY,
        max_batch: int = MAX_BATCH,
        flush_every: float = FLUSH_EVERY,
    ) -> None:
        self.store = store
        self.capacity = capacity
        self.max_batch = max_batch
        self.flush_every = flush_every
        self._queue: deque[WebEvent] = deque()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._thread = threading.Thread(target=self._run, name="web-event-writer", daemon=True)
        self.stored = self.dropped = self.failed = 0

    def start(self) -> WebEventWriter:
        self._thread.start()
        return self

    def offer(self, events: Sequence[WebEvent]) -> bool:
        """Queue all of `events`, or none of them when they do not fit (False: dropped)."""
        with self._lock:
            if self._stop.is_set() or len(self._queue) + len(events) > self.capacity:
                self.dropped += len(events)
                return False
            self._queue.extend(events)
            self._idle.clear()
        self._wake.set()
        return True

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything offered so far is stored (or lost); False on timeout."""
        self._wake.set()
        return self._idle.wait(timeout)

    def stop(self, timeout: float = 5.0) -> None:
        """Store what is queued (for at most `timeout` seconds), then end the thread."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _take(self) -> list[WebEvent]:
        with self._lock:
            count = min(len(self._queue), self.max_batch)
            batch = [self._queue.popleft() for _ in range(count)]
            if not batch:
                self._idle.set()
            return batch

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            while batch := self._take():
                self._store(batch)
                if self._stop.is_set():
                    continue  # stopping: no rest between the last batches
                if self._stop.wait(self.flush_every):
                    continue
            if self._stop.is_set():
                return

    def _store(self, batch: list[WebEvent]) -> None:
        try:
            self.stored += store_web_events(self.store, batch)
        except Exception as exc:  # best effort: counted and logged, never retried
            self.failed += len(batch)
            log.warning("%d storefront event(s) not stored: %s", len(batch), exc)
