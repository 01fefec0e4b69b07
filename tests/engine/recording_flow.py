"""A flow that writes down every execution, and a worker process that runs it.

Used to check what several worker processes on one PostgreSQL store do: each
batch first commits a "started" row per job (so a batch killed mid-way leaves a
trace), then works, then stamps the rows finished.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from typing import Any

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, select, update

from causeway.engine.jobs import Job, JobQueue
from causeway.engine.store import Store
from causeway.engine.worker import Worker

FLOW = "recorded"

executions = Table(
    "test_executions",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("job_id", Integer, nullable=False),
    Column("ordering_key", String, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("worker", String, nullable=False),
    Column("started_at", Float, nullable=False),
    Column("finished_at", Float),
)


class RecordingFlow:
    name = FLOW
    batch_size = 10
    exclusive = False

    def __init__(self, store: Store, worker: str, *, stall: bool, seconds_per_job: float) -> None:
        self.store = store
        self.worker = worker
        self.stall = stall
        self.seconds_per_job = seconds_per_job

    def handle(self, jobs: Sequence[Job]) -> Mapping[int, BaseException | None]:
        started = time.time()
        rows = [
            dict(
                job_id=job.id,
                ordering_key=job.ordering_key,
                seq=job.payload["seq"],
                worker=self.worker,
                started_at=started,
            )
            for job in jobs
        ]
        with self.store.transaction() as conn:
            ids = list(conn.execute(executions.insert().returning(executions.c.id), rows).scalars())
        if self.stall:  # a worker that hangs until it is killed
            time.sleep(3600)
        time.sleep(self.seconds_per_job * len(jobs))
        with self.store.transaction() as conn:
            conn.execute(
                update(executions).where(executions.c.id.in_(ids)).values(finished_at=time.time())
            )
        return {job.id: None for job in jobs}


def run_worker_process(
    url: str,
    name: str,
    lease_seconds: float,
    ready: Queue[str],
    go: Event,
    stop: Event,
    stall: bool = False,
) -> None:
    """The body of one worker process (multiprocessing, spawn)."""
    store = Store(url, migrate=False)
    flow = RecordingFlow(store, name, stall=stall, seconds_per_job=0.001)
    worker = Worker(
        store,
        JobQueue(store),
        {FLOW: flow},
        lease_seconds=lease_seconds,
        idle_sleep=0.05,
        name=name,
    )
    ready.put(name)
    go.wait()
    worker.run(stop)
    store.dispose()


def recorded(store: Store) -> list[dict[str, Any]]:
    with store.read() as conn:
        rows = conn.execute(select(executions).order_by(executions.c.id))
        return [dict(r._mapping) for r in rows]
