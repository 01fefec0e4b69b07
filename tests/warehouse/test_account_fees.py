"""fact_account_fees: each settlement period whose account fees the ERP booked (the
channel-fees flow's `account-fees` link and record) is one row, converted at the ERP's
rate on the period's end; a period booked after a build reaches the next one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from causeway.config import CausewayConfig
from causeway.engine import entities, links
from causeway.engine.store import Store
from causeway.engine.warehouse_rows import BOOKED_ACCOUNT_FEES
from causeway.warehouse.build import build
from tests.warehouse.conftest import TODAY
from tests.warehouse.erp_double import ErpDouble

BOOKED_AT = dt.datetime(2026, 3, 13, 6, 0, tzinfo=dt.UTC)


def book_period(
    store: Store,
    period_id: str,
    booked: str,
    *,
    channel: str | None = "amazon",
    start: str = "2026-02-27T00:00:00+00:00",
    end: str | None = "2026-03-12T23:59:59+00:00",
    system: str = "erp",
) -> None:
    """What the channel-fees flow writes once the ERP booked a period's account fees
    (`channel` None: a period booked before the hub kept its record)."""
    hub_id = links.new_hub_id()
    with store.transaction() as conn:
        links.save(
            conn,
            hub_id=hub_id,
            system=system,
            entity_type=BOOKED_ACCOUNT_FEES,
            external_id=period_id,
            fingerprint=booked,
            remote_updated_at=BOOKED_AT.timestamp(),
        )
        if channel is not None:
            total, currency = booked.split()
            record = {"channel": channel, "period_id": period_id, "period_start": start,
                      "period_end": end, "total": total, "currency": currency,
                      "booked_at": BOOKED_AT.timestamp()}  # fmt: skip
            entities.merge(conn, hub_id, record, entity_type=BOOKED_ACCOUNT_FEES, state="booked")


def account_fees(path: Path) -> dict[str, dict[str, Any]]:
    with duckdb.connect(str(path), read_only=True) as con:
        found = con.execute("SELECT * FROM fact_account_fees ORDER BY period_id")
        names = [d[0] for d in found.description]
        return {row[1]: dict(zip(names, row, strict=True)) for row in found.fetchall()}


def test_a_booked_period_is_one_row_at_the_rate_of_its_end(
    tmp_path: Path, hub_store: Store, settings: CausewayConfig, erp: ErpDouble
) -> None:
    # The ERP's USD rate: 0.9 from January, 0.8 from March 10: the period ends on the 12th.
    book_period(hub_store, "G1", "52.74 USD")
    path = tmp_path / "warehouse.duckdb"
    build(hub_store, path, erp=erp, settings=settings, today=TODAY)

    assert account_fees(path) == {
        "G1": {
            "channel": "amazon",
            "period_id": "G1",
            "period_start": dt.date(2026, 2, 27),
            "period_end": dt.date(2026, 3, 12),
            "booked_at": dt.datetime(2026, 3, 13, 6, 0),
            "currency": "USD",
            "company_currency": "EUR",
            "rate": Decimal("0.8"),
            "amount": Decimal("52.74"),
            "amount_company": Decimal("42.192"),  # 52.74 x 0.8
        }
    }


def test_periods_booked_after_a_build_reach_the_next_and_unknown_ones_are_left_out(
    tmp_path: Path, hub_store: Store, settings: CausewayConfig, erp: ErpDouble
) -> None:
    path = tmp_path / "warehouse.duckdb"
    book_period(hub_store, "OLD", "10.00 USD", channel=None)  # no record: no channel, dates
    build(hub_store, path, erp=erp, settings=settings, today=TODAY)
    assert account_fees(path) == {}

    book_period(hub_store, "G2", "39.99 EUR", end="2026-03-26T22:00:00-05:00")
    book_period(hub_store, "G3", "5.00 CHF")  # the ERP has no CHF rate: never guessed
    book_period(hub_store, "X1", "7.00 EUR", system="another-erp")  # not the warehouse's ERP
    build(hub_store, path, erp=erp, settings=settings, today=TODAY)  # incremental
    found = account_fees(path)
    assert set(found) == {"G2", "G3"}
    # A period's end is its UTC day: 22:00 at UTC-5 is the 27th.
    assert found["G2"]["period_end"] == dt.date(2026, 3, 27)
    assert (found["G2"]["rate"], found["G2"]["amount_company"]) == (1, Decimal("39.99"))
    assert (found["G3"]["rate"], found["G3"]["amount_company"]) == (None, None)
