"""Several worker processes on one PostgreSQL store: each job once, each entity in order.

Real processes (multiprocessing, spawn) claim from one queue with FOR UPDATE SKIP
LOCKED; the recording flow writes down every execution so that the test can
check what actually ran, where and when.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import pairwise
from multiprocessing.context import SpawnProcess
from typing import Any

from causeway.engine.jobs import JobQueue, NewJob
from causeway.engine.store import Store
from tests.engine.recording_flow import FLOW, executions, recorded, run_worker_process

SPAWN = multiprocessing.get_context("spawn")


def enqueue_entities(queue: JobQueue, entities: int, per_entity: int) -> list[int]:
    """per_entity updates of each entity, interleaved as a store would send them."""
    queue.enqueue(
        *(
            NewJob(FLOW, f"order:{entity}", {"seq": seq})
            for seq in range(per_entity)
            for entity in range(entities)
        )
    )
    with queue.store.read() as conn:
        return [row.id for row in conn.exec_driver_sql("SELECT id FROM jobs")]


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting until {what}")
        time.sleep(0.1)


class WorkerProcesses:
    """Worker processes that get ready, start together on `go`, and stop on `stop`."""

    def __init__(self, url: str, lease_seconds: float) -> None:
        self.url = url
        self.lease_seconds = lease_seconds
        self.ready = SPAWN.Queue()
        self.go = SPAWN.Event()
        self.stop = SPAWN.Event()
        self.processes: dict[str, SpawnProcess] = {}

    def start(self, *names: str, stall: bool = False) -> None:
        for name in names:
            process = SPAWN.Process(
                target=run_worker_process,
                args=(self.url, name, self.lease_seconds, self.ready, self.go, self.stop, stall),
                name=name,
            )
            process.start()
            self.processes[name] = process
        for _ in names:
            self.ready.get(timeout=60)

    def kill(self, name: str) -> None:
        process = self.processes[name]
        assert process.pid is not None
        os.kill(process.pid, signal.SIGKILL)
        process.join(timeout=10)

    def close(self) -> None:
        self.stop.set()
        for process in self.processes.values():
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
                process.join()
            assert process.exitcode in (0, -signal.SIGKILL), f"{process.name}: {process.exitcode}"


@contextmanager
def worker_processes(url: str, lease_seconds: float) -> Iterator[WorkerProcesses]:
    workers = WorkerProcesses(url, lease_seconds)
    try:
        yield workers
    finally:
        workers.close()


def assert_each_entity_ran_in_order_without_overlap(runs: list[dict[str, Any]]) -> None:
    by_entity: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for run in runs:
        by_entity[run["ordering_key"]].append(run)
    for key, entity_runs in by_entity.items():
        entity_runs.sort(key=lambda r: r["started_at"])
        assert [r["seq"] for r in entity_runs] == sorted(r["seq"] for r in entity_runs), key
        for before, after in pairwise(entity_runs):
            assert after["started_at"] >= before["finished_at"], (
                f"{key}: update {after['seq']} started before update {before['seq']} finished"
            )


def test_four_worker_processes_run_every_job_once_and_each_entity_in_order(
    postgres_store: Store, postgres_url: str
) -> None:
    executions.create(postgres_store.engine)
    queue = JobQueue(postgres_store)
    job_ids = enqueue_entities(queue, entities=100, per_entity=20)
    assert len(job_ids) == 2000

    with worker_processes(postgres_url, lease_seconds=30) as workers:
        workers.start("w1", "w2", "w3", "w4")
        workers.go.set()
        wait_until(lambda: queue.unfinished([FLOW]) == 0, timeout=180, what="the queue drained")

    runs = recorded(postgres_store)
    ran = Counter(r["job_id"] for r in runs)
    assert set(ran) == set(job_ids), "every job ran"
    assert max(ran.values()) == 1, f"jobs ran twice: {[j for j, n in ran.items() if n > 1][:10]}"
    assert all(r["finished_at"] is not None for r in runs)
    assert_each_entity_ran_in_order_without_overlap(runs)
    per_worker = Counter(r["worker"] for r in runs)
    assert set(per_worker) == {"w1", "w2", "w3", "w4"}, f"idle workers: {per_worker}"


def test_a_killed_worker_process_hands_its_batch_over_after_the_lease(
    postgres_store: Store, postgres_url: str
) -> None:
    executions.create(postgres_store.engine)
    queue = JobQueue(postgres_store)
    job_ids = enqueue_entities(queue, entities=30, per_entity=20)
    lease = 2.0

    with worker_processes(postgres_url, lease_seconds=lease) as workers:
        # The victim takes the first batch and hangs on it, renewing its lease.
        workers.start("victim", stall=True)
        workers.go.set()
        wait_until(lambda: bool(recorded(postgres_store)), timeout=30, what="the victim claimed")
        workers.start("w1", "w2", "w3")
        # Longer than a lease: the victim's renewals keep its batch from the others.
        time.sleep(lease * 1.5)
        workers.kill("victim")
        killed_at = time.time()
        wait_until(lambda: queue.unfinished([FLOW]) == 0, timeout=120, what="the queue drained")

    runs = recorded(postgres_store)
    stalled = {r["job_id"] for r in runs if r["worker"] == "victim"}
    assert len(stalled) == 10 and all(
        r["finished_at"] is None for r in runs if r["worker"] == "victim"
    )
    finished = [r for r in runs if r["finished_at"] is not None]
    assert Counter(r["job_id"] for r in finished) == Counter(job_ids), "each job finished once"
    twice = {job_id for job_id, n in Counter(r["job_id"] for r in runs).items() if n > 1}
    assert twice == stalled, "only the killed batch ran again (at least once: the contract)"
    taken_over = [r for r in finished if r["job_id"] in stalled]
    assert all(r["started_at"] > killed_at for r in taken_over), "taken while the victim lived"
    assert_each_entity_ran_in_order_without_overlap(finished)
