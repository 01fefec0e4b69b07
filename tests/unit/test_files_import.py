"""Importing the drop folder into the hub: a crash or a bad file loses and doubles nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from causeway.config import parse_config
from causeway.connectors.files.folder import DropFolder
from causeway.engine.jobs import Job
from causeway.engine.schema import inbox, jobs
from causeway.errors import RetryableError
from causeway.hub import Hub
from tests.unit.files_support import drop_whole, exchange, hub_config

GOOD = (
    "order_number,ordered_at,sku,quantity,unit_price\n"
    "1001,2026-11-27,WID-001,2,10.00\n"
    "1002,2026-11-27,GAD-001,1,25.00\n"
)


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    running = Hub(parse_config(hub_config(tmp_path), env={}))
    yield running
    running.stop()


def count(hub: Hub, table: object) -> int:
    with hub.store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_a_crash_after_the_inbox_before_the_move_imports_nothing_twice(
    hub: Hub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drop = tmp_path / "drop"
    drop_whole(drop / "in" / "orders.csv", GOOD)

    def crash(*_: object) -> None:
        raise OSError("power cut")

    monkeypatch.setattr(DropFolder, "move", crash)
    with pytest.raises(OSError, match="power cut"):
        exchange(hub).import_waiting()
    assert count(hub, inbox) == 2 and count(hub, jobs) == 2
    assert (drop / "in" / "orders.csv").exists()  # still there: read again next run

    monkeypatch.undo()
    run = exchange(hub).import_waiting()
    assert (run.orders, run.new_orders) == (2, 0)
    assert count(hub, inbox) == 2 and count(hub, jobs) == 2
    assert not (drop / "in" / "orders.csv").exists()
    assert (drop / "processed" / "orders.csv").exists()


def test_a_file_rejected_whole_does_not_stop_the_next_one(hub: Hub, tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    drop_whole(drop / "in" / "a-broken.csv", "order,sku\n1,WID-001\n")
    drop_whole(drop / "in" / "b-good.csv", GOOD)

    run = exchange(hub).import_waiting()

    assert run.rejected == ["a-broken.csv"]
    assert (run.orders, run.new_orders) == (2, 2)
    assert sorted(p.name for p in (drop / "errors").iterdir()) == [
        "a-broken.csv",
        "a-broken.csv.errors.csv",
    ]
    assert [p.name for p in (drop / "processed").iterdir()] == ["b-good.csv"]
    # Each order's job runs after its order, keyed like a webhook's.
    with hub.store.read() as conn:
        keys = sorted(r.ordering_key for r in conn.execute(select(jobs.c.ordering_key)))
    assert keys == ["csv:order:1001", "csv:order:1002"]


def test_an_unreachable_erp_fails_only_the_stock_step(hub: Hub, tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    drop_whole(drop / "in" / "orders.csv", GOOD)
    run = Job(id=1, flow="files-exchange", ordering_key="k", payload={}, attempts=1, max_attempts=3)
    job_outcomes = exchange(hub).handle([run])
    (error,) = job_outcomes.values()
    assert isinstance(error, RetryableError)  # the worker retries it, with backoff
    assert count(hub, inbox) == 2
    assert (drop / "out" / "order-status.csv").read_text().count("received") == 2
    assert not (drop / "out" / "stock.csv").exists()
