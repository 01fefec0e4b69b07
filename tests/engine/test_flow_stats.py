"""The overview's figures from the jobs the store keeps: each flow's last 24 hours hour by
hour (done, parked, lag), the records it handled by itself, and its state in one word."""

from __future__ import annotations

import time

from sqlalchemy import text, update

from causeway.engine import flow_stats
from causeway.engine.flow_stats import HOUR, activity, flow_state, handled
from causeway.engine.jobs import JobQueue, NewJob
from causeway.engine.schema import jobs
from causeway.engine.store import Store

# 2026-12-06 10:30 UTC: the current hour is 10:00-11:00, the window starts at 11:00 the day before.
NOW = 1_796_553_000.0
THIS_HOUR = 1_796_551_200.0


def finished(store: Store, flow: str, state: str, created: float, ended: float, key: str) -> None:
    """A job of `flow` created and finished at these times."""
    queue = JobQueue(store)
    queue.enqueue(NewJob(flow, key))
    with store.transaction() as conn:
        job_id = conn.execute(text("SELECT max(id) FROM jobs")).scalar()
        conn.execute(
            update(jobs)
            .where(jobs.c.id == job_id)
            .values(state=state, created_at=created, finished_at=ended, updated_at=ended)
        )


def test_each_hour_of_the_last_day_counts_done_and_parked_jobs_and_their_lag(
    store: Store,
) -> None:
    orders = "orders-to-erp"
    finished(store, orders, "done", THIS_HOUR + 10, THIS_HOUR + 40, "shop:order:1")  # 30 s
    finished(store, orders, "done", THIS_HOUR + 100, THIS_HOUR + 190, "shop:order:2")  # 90 s
    finished(store, orders, "dead", THIS_HOUR - 2 * HOUR, THIS_HOUR - 2 * HOUR + 5, "o:3")
    finished(store, orders, "done", THIS_HOUR - 30 * HOUR, THIS_HOUR - 30 * HOUR, "o:old")
    finished(store, "stock-to-channels", "done", NOW - 60, NOW, "stock")

    day = activity(store, at=NOW)
    assert set(day) == {orders, "stock-to-channels"}
    hours = day[orders].hours
    assert len(hours) == 24
    assert hours[0].start == THIS_HOUR - 23 * HOUR and hours[-1].start == THIS_HOUR
    assert (hours[-1].done, hours[-1].mean_lag, hours[-1].max_lag) == (2, 60.0, 90.0)
    assert (hours[-3].done, hours[-3].dead) == (0, 1)
    assert hours[-3].mean_lag is None  # a parked job has no lag to show
    assert (day[orders].done, day[orders].dead, day[orders].max_lag) == (2, 1, 90.0)


def test_the_day_query_reads_a_range_of_the_finished_jobs_index(sqlite_store: Store) -> None:
    for query in (
        flow_stats.activity_query(NOW - 24 * HOUR, is_postgres=False),
        flow_stats.handled_query(NOW - 24 * HOUR, NOW),
    ):
        compiled = query.compile(sqlite_store.engine, compile_kwargs={"literal_binds": True})
        with sqlite_store.read() as conn:
            plan = " ".join(r[-1] for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}"))
        assert "SEARCH jobs USING INDEX ix_jobs_finished (state=? AND finished_at>" in plan, plan


def test_handled_counts_records_done_once_not_parked_resolved_or_scheduled_passes(
    store: Store,
) -> None:
    orders = "orders-to-erp"
    at = time.time()
    finished(store, orders, "done", at - 600, at - 500, "shop:order:1")
    finished(store, orders, "dead", at - 600, at - 500, "shop:order:2")
    finished(store, orders, "resolved", at - 600, at - 500, "shop:order:3")
    finished(store, orders, "done", at - 600, at - 500, "orders-to-erp:schedule:orders-to-erp")
    finished(store, orders, "done", at - 3 * 86400, at - 3 * 86400, "shop:order:old")
    # Retried three times, then done: still one job, one record.
    queue = JobQueue(store)
    queue.enqueue(NewJob(orders, "shop:order:4"))
    for _ in range(3):
        (job,) = queue.claim("w", [orders])
        queue.retry(job, "w", "ERP answered 503")
        with store.transaction() as conn:
            conn.execute(update(jobs).where(jobs.c.id == job.id).values(run_at=0))
    (job,) = queue.claim("w", [orders])
    assert queue.complete(job, "w")

    assert handled(store, at - 86400) == {orders: 2}
    assert handled(store, at - 86400, until=at) == {orders: 1}  # the retried one ended after
    assert handled(store, at - 7 * 86400) == {orders: 3}


def test_a_flow_state_in_one_word_most_urgent_first() -> None:
    quiet = dict(paused=False, failing=False, running=0, due=0, held=0)
    assert flow_state(**quiet) == "idle"
    assert flow_state(**quiet | {"held": 3}) == "held"
    assert flow_state(**quiet | {"held": 3, "due": 1}) == "running"
    assert flow_state(**quiet | {"running": 1, "failing": True}) == "failing"
    assert flow_state(**quiet | {"running": 1, "failing": True, "paused": True}) == "paused"


def test_on_postgresql_the_day_query_reads_the_finished_jobs_index(postgres_store: Store) -> None:
    """40 days of finished jobs, analysed: the last day's are a range of ix_jobs_finished."""
    day = 86400.0
    rows = [
        dict(
            flow=("orders-to-erp", "stock-to-channels")[i % 2],
            ordering_key=f"shop:order:{i}",
            payload="{}",
            state="done",
            attempts=1,
            max_attempts=12,
            run_at=NOW - i * 40 * day / 20_000,
            created_at=NOW - i * 40 * day / 20_000 - 30,
            updated_at=NOW - i * 40 * day / 20_000,
            finished_at=NOW - i * 40 * day / 20_000,
        )
        for i in range(20_000)
    ]
    with postgres_store.transaction() as conn:
        conn.execute(jobs.insert(), rows)
    with postgres_store.transaction() as conn:
        conn.exec_driver_sql("ANALYZE jobs")
    for query in (
        flow_stats.activity_query(NOW - 24 * HOUR, is_postgres=True),
        flow_stats.handled_query(NOW - 24 * HOUR, NOW),
    ):
        compiled = query.compile(postgres_store.engine, compile_kwargs={"literal_binds": True})
        with postgres_store.read() as conn:
            plan = " ".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN {compiled}"))
        assert "ix_jobs_finished" in plan, plan
