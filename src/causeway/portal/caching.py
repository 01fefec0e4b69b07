"""Short-lived caches of the ERP's answers, safe to share between the web server's threads.

The portal reads the ERP live, but a page does not need a fresher answer than one a few
seconds old (portal.cache_seconds), and two buyers on the same page a second apart need
one read, not two. Two shapes:

- `TimedValues`: values per key (a party's price of a SKU, a SKU's stock), each fresh for
  `seconds`; the keys a page needs that are missing are read in one batch (one batch at
  a time per cache: the threads that wait then find what it read). Keys that are there
  but stale are served as they are while one background batch reads them again: a page
  never waits for the ERP to recompute what it showed seconds ago, and what it shows is
  at most `seconds` plus one read old. A value older than `stale_limit` (3 x seconds, 10 s
  at least) is never served: when the ERP stops answering, its figures stop showing
  rather than go on being shown as if current. (`refresh_in_background=False`: read
  stale keys at once too.)
- `Snapshot`: one value for everyone (the list of products). Once it exists a stale one
  is still served while a single background read refreshes it, so no page waits for the
  whole catalogue to be read again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
T = TypeVar("T")

log = logging.getLogger(__name__)


class TimedValues(Generic[K, V]):
    def __init__(
        self,
        seconds: float,
        clock: Callable[[], float] = time.monotonic,
        *,
        refresh_in_background: bool = True,
    ) -> None:
        self.seconds = seconds
        self._clock = clock
        self._background = refresh_in_background
        self._values: dict[K, tuple[float, V | None]] = {}
        self._lock = threading.Lock()
        self._loading = threading.Lock()
        self._refreshing: set[K] = set()
        self.stale_limit = max(3 * seconds, 10.0)
        self.loads = 0  # batches read, for tests

    def _split(self, keys: Iterable[K]) -> tuple[dict[K, V | None], list[K], list[K]]:
        """What is fresh, what is stale (with its stale value in `found`), what is missing."""
        now = self._clock()
        found: dict[K, V | None] = {}
        stale: list[K] = []
        missing: list[K] = []
        with self._lock:
            for key in dict.fromkeys(keys):
                entry = self._values.get(key)
                if entry is None:
                    missing.append(key)
                elif now - entry[0] < self.seconds:
                    found[key] = entry[1]
                elif self._background and now - entry[0] < self.stale_limit:
                    found[key] = entry[1]
                    stale.append(key)
                else:
                    missing.append(key)
        return found, stale, missing

    def _keep(self, keys: list[K], read: Mapping[K, V]) -> dict[K, V | None]:
        stamp = self._clock()
        kept: dict[K, V | None] = {}
        with self._lock:
            if len(self._values) > 200_000:  # never grows without bound
                self._values.clear()
            for key in keys:
                kept[key] = read.get(key)
                self._values[key] = (stamp, kept[key])
        return kept

    def get_many(
        self, keys: Iterable[K], load: Callable[[list[K]], Mapping[K, V]]
    ) -> dict[K, V | None]:
        """key -> its value (None: the loader had none for it), reading the missing keys
        with one call of `load`. An error of `load` reaches the caller; nothing is kept."""
        found, stale, missing = self._split(keys)
        if stale:
            self._refresh_later(stale, load)
        if not missing:
            return found
        with self._loading:
            again, _, missing = self._split(missing)  # another thread may have read them
            found.update(again)
            if missing:
                found.update(self._keep(missing, load(missing)))
                self.loads += 1
        return found

    def _refresh_later(self, keys: list[K], load: Callable[[list[K]], Mapping[K, V]]) -> None:
        with self._lock:
            keys = [k for k in keys if k not in self._refreshing]
            self._refreshing.update(keys)
        if keys:
            threading.Thread(target=self._refresh, args=(keys, load), daemon=True).start()

    def _refresh(self, keys: list[K], load: Callable[[list[K]], Mapping[K, V]]) -> None:
        try:
            self._keep(keys, load(keys))
            self.loads += 1
        except Exception:  # the stale values stay; the next page asks again
            log.warning("refreshing %d cached ERP answers failed", len(keys), exc_info=True)
        finally:
            with self._lock:
                self._refreshing.difference_update(keys)

    def forget(self) -> None:
        with self._lock:
            self._values.clear()


class Snapshot(Generic[T]):
    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._value: tuple[float, T] | None = None
        self._lock = threading.Lock()
        self._refreshing = False
        self.loads = 0

    def get(self, load: Callable[[], T]) -> T:
        """The value, read now if there is none yet; a stale one is returned while one
        background thread reads it again (its error is logged, the stale value stays)."""
        with self._lock:
            current = self._value
            stale = current is not None and self._clock() - current[0] >= self.seconds
            start = stale and not self._refreshing
            if start:
                self._refreshing = True
        if current is None:
            return self._load_now(load)
        if start:
            threading.Thread(target=self._refresh, args=(load,), daemon=True).start()
        return current[1]

    def _load_now(self, load: Callable[[], T]) -> T:
        with self._lock:
            if self._value is not None:
                return self._value[1]
            value = load()  # under the lock: the first pages wait for one read, not many
            self.loads += 1
            self._value = (self._clock(), value)
            return value

    def _refresh(self, load: Callable[[], T]) -> None:
        try:
            value = load()
            with self._lock:
                self.loads += 1
                self._value = (self._clock(), value)
        except Exception:
            log.warning(
                "refreshing the portal catalogue failed; the last one is kept", exc_info=True
            )
        finally:
            with self._lock:
                self._refreshing = False
