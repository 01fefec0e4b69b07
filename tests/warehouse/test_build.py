"""The warehouse build: figures worked out by hand, an incremental build equal to a full
rebuild, no ERP, readers never blocked, one writer."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from causeway.config import CausewayConfig, parse_config
from causeway.engine import warehouse_rows
from causeway.engine.store import Store
from causeway.model.ports.erp_reporting import CurrencyRate
from causeway.warehouse.build import build
from causeway.warehouse.duck import WarehouseBusyError, writer_lock
from causeway.warehouse.schema import TABLES
from tests.warehouse import hub_rows as seed
from tests.warehouse.conftest import TODAY, config_data, seed_first_day, seed_later
from tests.warehouse.erp_double import ErpDouble


def rows(path: Path, table: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return sorted(con.execute(f"SELECT * FROM {table}").fetchall(), key=repr)


def one(path: Path, sql: str) -> object:
    with duckdb.connect(str(path), read_only=True) as con:
        found = con.execute(sql).fetchone()
        assert found is not None
        return found[0]


@pytest.mark.parametrize("page", [5000, 2])
def test_an_incremental_build_after_new_orders_and_changes_equals_a_full_rebuild(
    tmp_path: Path,
    hub_store: Store,
    settings: CausewayConfig,
    erp: ErpDouble,
    page: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Page by page (2: every read spans pages) or in one page, the same warehouse."""
    monkeypatch.setattr(warehouse_rows, "PAGE", page)
    seed_first_day(hub_store, erp)
    incremental = tmp_path / "inc" / "warehouse.duckdb"
    first = build(hub_store, incremental, erp=erp, settings=settings, today=TODAY)
    assert first.full  # no file yet: built from nothing
    seed_later(hub_store, erp)
    second = build(hub_store, incremental, erp=erp, settings=settings, today=TODAY)
    assert not second.full
    rebuilt = tmp_path / "full" / "warehouse.duckdb"
    build(hub_store, rebuilt, erp=erp, settings=settings, full=True, today=TODAY)
    for table in TABLES:
        assert rows(incremental, table.name) == rows(rebuilt, table.name), table.name
    assert second.tables["fact_orders"] == 3


@pytest.mark.parametrize("page", [5000, 2])
def test_a_job_parked_then_replayed_between_builds_replaces_its_row(
    tmp_path: Path,
    hub_store: Store,
    settings: CausewayConfig,
    erp: ErpDouble,
    page: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(warehouse_rows, "PAGE", page)
    seed_first_day(hub_store, erp)
    parked = seed.put_job(
        hub_store, "fulfillments-to-channels", "dead",
        finished=seed.ts("2026-03-03", 9), parked=seed.ts("2026-03-03", 9),
    )  # fmt: skip
    path = tmp_path / "inc" / "warehouse.duckdb"
    build(hub_store, path, erp=erp, settings=settings, today=TODAY)
    job = (
        f"SELECT outcome, date::VARCHAR, hours_to_fix FROM fact_integration WHERE job_id = {parked}"
    )
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute(job).fetchone() == ("failed", "2026-03-03", None)
    seed.replay_job(hub_store, parked, finished=None)  # queued again: not finished
    build(hub_store, path, erp=erp, settings=settings, today=TODAY)
    seed.replay_job(hub_store, parked, finished=seed.ts("2026-03-04", 10))  # done, 25 h on
    seed.put_job(hub_store, "orders-to-erp", "done", finished=seed.ts("2026-03-04", 11))
    second = build(hub_store, path, erp=erp, settings=settings, today=TODAY)
    assert not second.full
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute(job).fetchone() == ("fixed", "2026-03-04", 25.0)
    rebuilt = tmp_path / "full" / "warehouse.duckdb"
    build(hub_store, rebuilt, erp=erp, settings=settings, full=True, today=TODAY)
    for table in TABLES:
        assert rows(path, table.name) == rows(rebuilt, table.name), table.name
    assert second.tables["fact_integration"] == 4


def test_jobs_the_store_pruned_stay_in_the_warehouse(
    tmp_path: Path, hub_store: Store, settings: CausewayConfig, erp: ErpDouble
) -> None:
    old = seed.put_job(hub_store, "orders-to-erp", "done", finished=seed.ts("2026-01-05"))
    path = tmp_path / "warehouse.duckdb"
    build(hub_store, path, erp=erp, settings=settings, today=TODAY)
    seed.prune_job(hub_store, old)
    seed.put_job(hub_store, "orders-to-erp", "done", finished=seed.ts("2026-03-05"))
    build(hub_store, path, erp=erp, settings=settings, today=TODAY)
    assert one(path, "SELECT list(date::VARCHAR ORDER BY job_id) FROM fact_integration") == [
        "2026-01-05",
        "2026-03-05",
    ]
    # SQLite gave the new job the pruned one's id: when each was created tells them apart.
    assert one(path, "SELECT count(DISTINCT job_id) FROM fact_integration") == 1


def test_changed_minutes_per_record_apply_to_every_job_as_a_full_build_would(
    tmp_path: Path, hub_store: Store, settings: CausewayConfig, erp: ErpDouble
) -> None:
    seed_first_day(hub_store, erp)
    path = tmp_path / "warehouse.duckdb"
    build(hub_store, path, erp=erp, settings=settings, today=TODAY)
    data = config_data(str(hub_store.url))
    data["console"] = {"minutes_saved": {"order": "7"}}
    changed = parse_config(data, env={})
    seed.put_job(hub_store, "orders-to-erp", "done", finished=seed.ts("2026-03-05"))
    build(hub_store, path, erp=erp, settings=changed, today=TODAY)
    minutes = "SELECT list(DISTINCT minutes_each) FROM fact_integration"
    assert one(path, minutes) == [Decimal("7.00")]
    rebuilt = tmp_path / "full.duckdb"
    build(hub_store, rebuilt, erp=erp, settings=changed, full=True, today=TODAY)
    assert rows(path, "fact_integration") == rows(rebuilt, "fact_integration")


def test_the_figures_are_the_ones_worked_out_by_hand(
    tmp_path: Path, hub_store: Store, settings: CausewayConfig, erp: ErpDouble
) -> None:
    seed_first_day(hub_store, erp)
    seed_later(hub_store, erp)
    path = tmp_path / "warehouse.duckdb"
    build(hub_store, path, erp=erp, settings=settings, today=TODAY)
    # 1001 edited to one SKU-A at 10.00: its cost is the ERP's 4.00 for the unit.
    assert rows(path, "fact_order_lines")[0][-1] == Decimal("4.0000")
    # The USD order (2026-03-12) converts at the rate from 2026-03-10: 0.8.
    assert one(path, "SELECT total_company FROM fact_orders WHERE order_id = '1002'") == Decimal(
        "44.0000"
    )
    # Fee: 2 % of 15.00 + 0.30 EUR on 1001; none for the cancelled 1002.
    assert one(path, "SELECT fee FROM fact_channel_fees WHERE order_id = '1001'") == Decimal(
        "0.6000"
    )
    assert one(path, "SELECT count(*) FROM fact_channel_fees WHERE order_id = '1002'") == 0
    # The refund: one SKU-A back, 10.00, on customer c1's order.
    assert rows(path, "fact_returns")[0][5] == "c1"
    assert one(path, "SELECT refunded_company FROM fact_returns") == Decimal("10.0000")
    # Shipped two days after the order: 48 hours.
    assert one(path, "SELECT lead_time_hours FROM fact_fulfilments") == 48.0
    # The client's events, the later ones too, are c1's: its checkout completed 1001.
    assert one(path, "SELECT count(*) FROM fact_web_events WHERE customer_id = 'c1'") == 4
    # c1: two orders (2026-03-02, 2026-03-20), 20.00 net, last 11 days before TODAY.
    assert one(path, "SELECT rfm_segment FROM dim_customer WHERE customer_id = 'c1'") == "promising"
    assert one(path, "SELECT customer_group FROM dim_customer WHERE customer_id = 'c1'") == "vip"
    # The re-taken day replaced its rows: SKU-B is no longer in the 2026-03-02 snapshot.
    assert one(path, "SELECT count(*) FROM fact_stock_snapshots WHERE date = '2026-03-02'") == 1
    # One job done by itself, one parked 2 h before it was fixed.
    outcomes = "SELECT list(outcome ORDER BY job_id) FROM fact_integration"
    assert one(path, outcomes) == ["handled", "fixed"]
    assert one(path, "SELECT hours_to_fix FROM fact_integration WHERE outcome = 'fixed'") == 2.0
    assert one(path, "SELECT sum(minutes_each) FROM fact_integration") == Decimal("8.00")
    assert one(path, "SELECT title FROM dim_product WHERE sku = 'SKU-B'") == "Beta"


def test_a_carrier_billing_in_a_currency_no_order_is_in_converts_in_the_same_build(
    tmp_path: Path, hub_store: Store, settings: CausewayConfig, erp: ErpDouble
) -> None:
    """The rates are read before the ERP's shipments: a carrier's pounds are asked for
    when its shipment is read, not left unconverted until the next build."""
    seed_first_day(hub_store, erp)
    erp.shipments.clear()
    erp.ship(1, 501, dt.datetime(2026, 3, 4, 12, tzinfo=dt.UTC), 1, cost="10", cost_currency="GBP")
    erp.rates.append(CurrencyRate(currency="GBP", date=dt.date(2026, 1, 1), rate=Decimal("1.2")))
    path = tmp_path / "warehouse.duckdb"
    build(hub_store, path, erp=erp, settings=settings, today=TODAY)
    assert one(path, "SELECT shipping_cost_company FROM fact_fulfilments") == Decimal("12.0000")
    assert one(path, "SELECT shipping_cost_company FROM fact_orders WHERE erp_sale_id = 1") == (
        Decimal("12.0000")
    )


def test_final_sales_are_not_read_again(
    tmp_path: Path, hub_store: Store, settings: CausewayConfig, erp: ErpDouble
) -> None:
    seed_first_day(hub_store, erp)
    seed_later(hub_store, erp)
    path = tmp_path / "warehouse.duckdb"
    build(hub_store, path, erp=erp, settings=settings, today=TODAY)
    erp.asked.clear()
    build(hub_store, path, erp=erp, settings=settings, today=TODAY)
    # Sales 1 (done), 2 (cancelled), 3 (done) are final; the overlap re-reads changed orders.
    asked = {s for call in erp.asked for s in call}
    assert asked <= {1, 2, 3}


def test_without_an_erp_costs_are_null_and_only_the_company_currency_converts(
    tmp_path: Path, hub_store: Store, erp: ErpDouble
) -> None:
    seed_first_day(hub_store, erp)
    settings = parse_config(
        config_data(str(hub_store.url), erp="none", company_currency="EUR"), env={}
    )
    path = tmp_path / "warehouse.duckdb"
    build(hub_store, path, erp=None, settings=settings, today=TODAY)
    assert one(path, "SELECT count(*) FROM fact_order_lines WHERE cost_company IS NOT NULL") == 0
    assert one(path, "SELECT rate FROM fact_orders WHERE currency = 'EUR'") == 1
    assert one(path, "SELECT rate FROM fact_orders WHERE currency = 'USD'") is None
    assert one(path, "SELECT count(*) FROM fact_fulfilments") == 0


def test_a_reader_keeps_reading_while_a_build_runs_and_swaps(
    tmp_path: Path, hub_store: Store, settings: CausewayConfig, erp: ErpDouble
) -> None:
    seed_first_day(hub_store, erp)
    path = tmp_path / "warehouse.duckdb"
    build(hub_store, path, erp=erp, settings=settings, today=TODAY)
    for i in range(300):
        seed.put_order(hub_store, f"shop:{5000 + i}", lines=[("SKU-A", 1, "10.00")])
    stop = threading.Event()
    answers: list[int] = []
    errors: list[Exception] = []

    def read() -> None:
        while not stop.is_set():
            try:
                with duckdb.connect(str(path), read_only=True) as con:
                    found = con.execute("SELECT count(*) FROM fact_orders").fetchone()
                    answers.append(found[0] if found else -1)
            except Exception as exc:  # pragma: no cover - the failure this test looks for
                errors.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    _wait_for(lambda: len(answers) > 0)
    before = len(answers)
    held = duckdb.connect(str(path), read_only=True)  # open across the swap
    build(hub_store, path, erp=erp, settings=settings, today=TODAY, full=True)
    # The connection opened before the swap reads the old file to its end.
    assert held.execute("SELECT count(*) FROM fact_orders").fetchone() == (2,)
    held.close()
    during = len(answers)
    _wait_for(lambda: answers[-1] == 302)
    stop.set()
    reader.join()
    assert during > before  # it kept reading while the build ran
    assert errors == []
    assert set(answers) >= {2, 302}  # the old file, then the new one


def _wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the reader never got there"
        time.sleep(0.005)


def test_a_second_writer_is_refused_clearly(
    tmp_path: Path, hub_store: Store, settings: CausewayConfig, erp: ErpDouble
) -> None:
    path = tmp_path / "warehouse.duckdb"
    with writer_lock(path), pytest.raises(WarehouseBusyError, match="another warehouse build"):
        build(hub_store, path, erp=erp, settings=settings)
    assert not path.exists()


def test_the_build_reads_a_postgresql_store_the_same(
    tmp_path: Path, postgres_store: Store, erp: ErpDouble
) -> None:
    settings = parse_config(config_data(str(postgres_store.url)), env={})
    seed_first_day(postgres_store, erp)
    incremental = tmp_path / "inc.duckdb"
    build(postgres_store, incremental, erp=erp, settings=settings, today=TODAY)
    seed_later(postgres_store, erp)
    build(postgres_store, incremental, erp=erp, settings=settings, today=TODAY)
    rebuilt = tmp_path / "full.duckdb"
    build(postgres_store, rebuilt, erp=erp, settings=settings, full=True, today=TODAY)
    for table in TABLES:
        assert rows(incremental, table.name) == rows(rebuilt, table.name), table.name
    assert one(rebuilt, "SELECT count(*) FROM fact_orders") == 3


def test_a_snapshot_day_longer_than_a_page_is_kept_whole(
    tmp_path: Path,
    hub_store: Store,
    settings: CausewayConfig,
    erp: ErpDouble,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(warehouse_rows, "PAGE", 3)
    seed.put_snapshot(hub_store, "2026-03-02", {f"SKU-{i}": i for i in range(8)})
    path = tmp_path / "warehouse.duckdb"
    build(hub_store, path, erp=erp, settings=settings, today=TODAY)
    assert one(path, "SELECT count(*) FROM fact_stock_snapshots") == 8


def test_a_build_that_fails_leaves_the_current_file_as_it_was(
    tmp_path: Path, hub_store: Store, settings: CausewayConfig, erp: ErpDouble
) -> None:
    seed_first_day(hub_store, erp)
    path = tmp_path / "warehouse.duckdb"
    build(hub_store, path, erp=erp, settings=settings, today=TODAY)
    before = rows(path, "fact_orders")
    seed_later(hub_store, erp)

    def down(sale_ids: object) -> object:
        raise ConnectionError("the ERP went away")

    erp.sale_shipments = down  # type: ignore[method-assign,assignment]
    with pytest.raises(ConnectionError):
        build(hub_store, path, erp=erp, settings=settings, today=TODAY)
    assert rows(path, "fact_orders") == before
    assert not (tmp_path / "warehouse.duckdb.building").exists()


def test_a_merged_customer_is_its_survivor_in_every_fact(
    tmp_path: Path, hub_store: Store, settings: CausewayConfig, erp: ErpDouble
) -> None:
    seed_first_day(hub_store, erp)
    path = tmp_path / "warehouse.duckdb"
    build(hub_store, path, erp=erp, settings=settings, today=TODAY)
    seed.put_customer(hub_store, "c2", merged_into="c3")
    seed.put_customer(hub_store, "c3", merged_into="c1")
    build(hub_store, path, erp=erp, settings=settings, today=TODAY)
    assert one(path, "SELECT count(DISTINCT customer_id) FROM fact_orders") == 1
    assert one(path, "SELECT orders FROM dim_customer WHERE customer_id = 'c1'") == 2
    assert one(path, "SELECT count(*) FROM dim_customer WHERE customer_id IN ('c2', 'c3')") == 0
    rebuilt = tmp_path / "full.duckdb"
    build(hub_store, rebuilt, erp=erp, settings=settings, full=True, today=TODAY)
    for table in TABLES:
        assert rows(path, table.name) == rows(rebuilt, table.name), table.name
