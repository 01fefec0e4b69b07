"""The portal's caches of ERP answers: one batch read for what a page needs, nothing read
again while fresh, one read for many threads, and a stale catalogue served while one
background read refreshes it."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping

import pytest

from causeway.portal.caching import Snapshot, TimedValues


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_missing_keys_are_read_in_one_batch_and_kept_for_their_seconds() -> None:
    clock = Clock()
    cache: TimedValues[str, int] = TimedValues(5, clock, refresh_in_background=False)
    asked: list[list[str]] = []

    def load(keys: list[str]) -> Mapping[str, int]:
        asked.append(keys)
        return {k: len(k) for k in keys if k != "gone"}

    assert cache.get_many(["a", "bb", "gone"], load) == {"a": 1, "bb": 2, "gone": None}
    assert cache.get_many(["bb", "ccc", "gone"], load) == {"bb": 2, "ccc": 3, "gone": None}
    assert asked == [["a", "bb", "gone"], ["ccc"]]  # an answer of "none" is kept too
    clock.now = 5.0
    cache.get_many(["a", "ccc"], load)
    assert asked[-1] == ["a", "ccc"]


def test_stale_values_are_served_while_one_background_batch_reads_them_again() -> None:
    clock = Clock()
    cache: TimedValues[str, int] = TimedValues(5, clock)
    version = {"n": 1}
    gate = threading.Event()

    def load(keys: list[str]) -> Mapping[str, int]:
        if cache.loads:
            gate.wait(5)
        return dict.fromkeys(keys, version["n"])

    assert cache.get_many(["a", "b"], load) == {"a": 1, "b": 1}
    clock.now = 6
    version["n"] = 2
    # Stale: served at once, while one refresh of a and b waits on the gate.
    started = time.perf_counter()
    assert cache.get_many(["a", "b"], load) == {"a": 1, "b": 1}
    assert cache.get_many(["a"], load) == {"a": 1}
    assert time.perf_counter() - started < 1
    gate.set()
    for _ in range(100):
        if cache.loads == 2:
            break
        time.sleep(0.01)
    assert cache.get_many(["a", "b"], load) == {"a": 2, "b": 2}
    assert cache.loads == 2  # one refresh for both stale reads


def test_a_value_past_its_stale_limit_is_read_again_before_it_is_shown() -> None:
    clock = Clock()
    cache: TimedValues[str, int] = TimedValues(5, clock)
    cache.get_many(["a"], lambda keys: {"a": 1})

    def down(keys: list[str]) -> Mapping[str, int]:
        raise RuntimeError("ERP down")

    clock.now = cache.stale_limit + 1
    with pytest.raises(RuntimeError):
        cache.get_many(["a"], down)


def test_an_error_reaches_the_caller_and_nothing_is_kept() -> None:
    cache: TimedValues[str, int] = TimedValues(5, Clock())

    def failing(keys: list[str]) -> Mapping[str, int]:
        raise RuntimeError("ERP down")

    with pytest.raises(RuntimeError):
        cache.get_many(["a"], failing)
    assert cache.get_many(["a"], lambda keys: {"a": 1}) == {"a": 1}


def test_threads_asking_at_once_make_one_read() -> None:
    cache: TimedValues[str, int] = TimedValues(60)
    reads = []

    def slow(keys: list[str]) -> Mapping[str, int]:
        reads.append(keys)
        time.sleep(0.2)
        return dict.fromkeys(keys, 1)

    threads = [threading.Thread(target=cache.get_many, args=(["x", "y"], slow)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert reads == [["x", "y"]]


def test_a_stale_snapshot_is_served_while_one_background_read_refreshes_it() -> None:
    clock = Clock()
    snapshot: Snapshot[int] = Snapshot(5, clock)
    version = iter(range(1, 100))
    gate = threading.Event()

    def load() -> int:
        if snapshot.loads:
            gate.wait(5)
        return next(version)

    assert snapshot.get(load) == 1
    clock.now = 10
    assert snapshot.get(load) == 1  # stale, served at once; the refresh waits on the gate
    assert snapshot.get(load) == 1
    gate.set()
    for _ in range(100):
        if snapshot.loads == 2:
            break
        time.sleep(0.01)
    assert snapshot.get(load) == 2
    assert snapshot.loads == 2  # one refresh, not one per stale read
